// Loaded into the Dashi server by `bench/ingest.ts --profile=FILE` (node refuses --cpu-prof in
// NODE_OPTIONS): the first SIGUSR2 starts V8's sampling profiler, the second writes the profile
// to DASHI_PROFILE_OUT (open it in Chrome DevTools or read it with bench/profile-top.mjs).
import fs from 'node:fs';
import inspector from 'node:inspector';

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: Number(process.env.DASHI_PROFILE_INTERVAL ?? 250) });
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.start');
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) console.error(err);
    else fs.writeFileSync(process.env.DASHI_PROFILE_OUT ?? 'dashi.cpuprofile', JSON.stringify(result.profile));
  });
});
