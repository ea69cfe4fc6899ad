// Builds what tsc does not: the tracker script and the dashboard (web/ -> dist/web).
// Each step owns its output under dist/.
import { buildTracker } from './build-tracker.mjs';
import { buildWeb } from './build-web.mjs';

const steps = [buildTracker, buildWeb];

for (const step of steps) await step();
