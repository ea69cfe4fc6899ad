// `dashi export` and `dashi import dashi FILE` on the embedded store: directly with the server
// stopped, and through the running server with --url and --api-key. The file round-trips (the
// re-export equals it), a second import stores nothing, a bad file imports nothing and names
// its line, and opening the store a running server holds says what to do instead.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { countsOf, FULL_COUNTS, NEAR, NEAR_COUNTS, sendDataset, ALL } from '../helpers/raw-dataset.js';
import { FLAT_EVENT_COLUMNS } from '../../src/store/event-lines.js';

after(stopAll);

const sorted = (text: string) => text.split('\n').filter((l) => l !== '').sort();

describe('dashi export and dashi import dashi', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-cli-export-'));
  const file = path.join(dir, 'events.ndjson');
  let a: Dashi;
  let b: Dashi;
  let site: string;
  let serverExport: string;
  let key: string;

  const cli = async (args: string[], d: Dashi) => runCli(args, { DATA_DIR: d.dataDir, DATABASE_URL: '', CLICKHOUSE_URL: '' });
  const exportVia = async (d: Dashi, token: string) => (await d.get(`/api/websites/${site}/export/events?startAt=${ALL.startAt}&endAt=${ALL.endAt}`, { token })).body as string;

  before(async () => {
    a = await startDashi();
    b = await startDashi();
    const adminA = await a.login();
    site = (await a.post('/api/websites', { name: 'Site', domain: 'example.com' }, { token: adminA })).body.id;
    await sendDataset(a, site);
    serverExport = await exportVia(a, adminA);
    const adminB = await b.login();
    assert.equal((await b.post('/api/websites', { id: site, name: 'Site', domain: 'example.com' }, { token: adminB })).status, 200);
    key = (await b.post('/api/me/api-keys', { name: 'import', scope: 'write' }, { token: adminB })).body.key;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('with the server running, opening the embedded store directly says to stop it or use --url', async () => {
    const res = await cli(['export', '--website', site, '--out', file], a);
    assert.notEqual(res.code, 0);
    assert.match(res.output, /open by a running Dashi server[\s\S]*--url/);
  });

  test('export with the server stopped: the whole website, or a range, as NDJSON or CSV', async () => {
    await a.stop();
    const res = await cli(['export', '--website', site, '--out', file], a);
    assert.equal(res.code, 0, res.output);
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(countsOf(text), FULL_COUNTS);
    assert.deepEqual(sorted(text), sorted(serverExport), 'the same lines as the HTTP export');
    const near = await cli(['export', '--website', site, '--from', new Date(NEAR.startAt).toISOString(), '--to', String(NEAR.endAt)], a);
    assert.equal(near.code, 0, near.output);
    assert.deepEqual(countsOf(near.output), NEAR_COUNTS, 'stdout without --out');
    const csv = path.join(dir, 'events.csv');
    assert.equal((await cli(['export', '--website', site, '--format', 'csv', '--out', csv], a)).code, 0);
    const rows = fs.readFileSync(csv, 'utf8').split('\r\n').filter((l) => l !== '');
    assert.deepEqual([rows[0], rows.length], [FLAT_EVENT_COLUMNS.join(','), 1 + FULL_COUNTS.events]);
    for (const [args, message] of [
      [['export'], /--website/],
      [['export', '--website', site, '--format', 'xml'], /--format/],
      [['export', '--website', site, '--from', 'yesterday'], /--from/],
      [['export', '--website', '00000000-0000-4000-8000-000000000000'], /No website/],
    ] as [string[], RegExp][]) {
      const bad = await cli(args, a);
      assert.notEqual(bad.code, 0, args.join(' '));
      assert.match(bad.output, message);
    }
  });

  test('import through the running server, then again: nothing is stored twice', async () => {
    const res = await runCli(['import', 'dashi', file, '--url', b.url, '--api-key', key], {});
    assert.equal(res.code, 0, res.output);
    assert.match(res.output, /Written: 6 events, 5 event data, 3 sessions, 2 session data\./);
    const again = await runCli(['import', 'dashi', file, '--url', b.url, '--api-key', key], {});
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /Written: 0 events, 0 event data, 0 sessions, 0 session data\.\nSkipped \(already stored\): 6 events, 3 sessions\./);
    const via = await runCli(['export', '--website', site, '--url', b.url, '--api-key', key], {});
    assert.equal(via.code, 0, via.output);
    assert.deepEqual(sorted(via.output), sorted(serverExport));
  });

  test('import with the server stopped; a bad file imports nothing and names its line', async () => {
    await b.stop();
    const lines = sorted(serverExport);
    const bad = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(bad, [...lines.slice(0, 2), '{"type":"event"}', ...lines.slice(2)].join('\n'));
    const refused = await cli(['import', 'dashi', bad], b);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /line 3: .*nothing was imported/);
    const missing = await cli(['import', 'dashi', path.join(dir, 'none.ndjson')], b);
    assert.match(missing.output, /No such file/);
    const res = await cli(['import', 'dashi', file], b);
    assert.equal(res.code, 0, res.output);
    assert.match(res.output, /Written: 0 events.*\nSkipped \(already stored\): 6 events, 3 sessions\./);
    await b.start();
    assert.deepEqual(sorted(await exportVia(b, await b.login())), lines);
  });
});
