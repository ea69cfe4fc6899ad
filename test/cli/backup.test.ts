// `dashi backup` and `dashi restore` end to end: a server on the embedded store takes a steady
// stream of hits through /api/send while `dashi backup --url --api-key` runs; every hit
// acknowledged before the backup started is in it; restored into a new DATA_DIR, a server answers
// every analytics endpoint as the original does for those hits. A server killed -9 during or right
// after a backup leaves it whole or absent. The commands' refusals (server running, server stores).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { verifyBackup } from '../../src/store/duckdb/restore.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const made: string[] = [];
const tmp = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};

after(async () => {
  await stopAll();
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

// Hits before the backup are dated on 2026-01-10, those sent once it is under way on 2026-01-20,
// so "the hits in the backup" are a date range and the comparison needs no guessing.
const DAY_A = Date.UTC(2026, 0, 10) / 1000;
const DAY_B = Date.UTC(2026, 0, 20) / 1000;
const IPS = 23;

interface Hit {
  i: number;
  path: string;
  event: boolean;
  ip: string;
}

function hitBody(website: string, phase: 'a' | 'b', i: number): { body: unknown; hit: Hit } {
  const ip = `198.51.100.${(i % IPS) + 1}`;
  const event = i % 5 === 4;
  const p = `/${phase}/${i}`;
  const payload = {
    website,
    url: p,
    hostname: 'backup.example',
    title: `page ${i % 7}`,
    referrer: i % 3 === 0 ? 'https://search.example/q' : undefined,
    language: i % 2 ? 'en-US' : 'de-DE',
    screen: '1920x1080',
    timestamp: (phase === 'a' ? DAY_A : DAY_B) + i * 17,
    ...(event ? { name: 'signup', data: { plan: i % 2 ? 'pro' : 'free', seats: i % 4 } } : {}),
  };
  return { body: { type: 'event', payload }, hit: { i, path: p, event, ip } };
}

async function apiKey(d: Dashi, token: string): Promise<string> {
  const res = await d.post('/api/me/api-keys', { name: 'backups', scope: 'write' }, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.key;
}

/** Every analytics read of the website over [startAt, endAt), as JSON. */
async function answers(d: Dashi, token: string, website: string, startAt: number, endAt: number): Promise<Record<string, unknown>> {
  const range = `startAt=${startAt}&endAt=${endAt}`;
  const paths = [
    'stats',
    'pageviews?unit=hour&timezone=UTC',
    'pageviews?unit=day&timezone=Europe/Berlin',
    ...['path', 'url', 'entry', 'exit', 'referrer', 'domain', 'title', 'event', 'hostname', 'browser', 'os', 'device', 'screen', 'language', 'country', 'channel'].map((t) => `metrics?type=${t}&limit=1000`),
    'metrics/expanded?type=path&limit=1000',
    'events?pageSize=1000',
    'events/series?unit=hour&timezone=UTC',
    'events/stats',
    'event-data/events',
    'event-data/fields',
    'event-data/properties',
    'event-data/values?propertyName=plan&eventName=signup',
    'event-data/stats',
    'sessions?pageSize=1000',
    'sessions/stats',
    'sessions/weekly?timezone=UTC',
    'session-data/properties',
    'values?type=browser',
  ];
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    const res = await d.get(`/api/websites/${website}/${p}${p.includes('?') ? '&' : '?'}${range}`, { token });
    assert.equal(res.status, 200, `${p}: ${JSON.stringify(res.body)}`);
    out[p] = res.body;
  }
  return out;
}

test('backup under a steady stream of hits, restore into a new DATA_DIR: every acknowledged hit, the same answers', async () => {
  const source = await startDashi();
  const token = await source.login();
  const site = (await source.post('/api/websites', { name: 'Backed up', domain: 'backup.example' }, { token })).body;
  const key = await apiKey(source, token);

  const acked: { a: Hit[]; b: Hit[] } = { a: [], b: [] };
  let phase: 'a' | 'b' = 'a';
  let next = 0;
  let stop = false;
  const inFlight = { a: 0, b: 0 };
  let refused = 0;
  const sender = async () => {
    while (!stop) {
      const ph = phase;
      const { body, hit } = hitBody(site.id, ph, next++);
      inFlight[ph]++;
      const res = await source.post('/api/send', body, { headers: { 'user-agent': UA, 'x-forwarded-for': hit.ip } });
      inFlight[ph]--;
      if (res.status === 200) acked[ph].push(hit);
      else refused++;
    }
  };
  const senders = [sender(), sender(), sender()];
  while (acked.a.length < 1200) await new Promise((r) => setTimeout(r, 20));
  // From here hits are dated on day B; once the day-A ones in flight are answered and some of day B, the backup starts.
  phase = 'b';
  while (inFlight.a > 0 || acked.b.length < 50) await new Promise((r) => setTimeout(r, 1));
  const beforeBackup = { a: acked.a.length, b: acked.b.length };
  const target = path.join(tmp('dashi-backups-'), 'first');
  const backup = await runCli(['backup', target, '--url', source.url, '--api-key', key], {});
  const duringBackup = acked.b.length - beforeBackup.b;
  stop = true;
  await Promise.all(senders);
  assert.equal(backup.code, 0, backup.output);
  assert.equal(refused, 0);
  assert.ok(duringBackup > 0, 'hits were acknowledged while the backup ran');
  const aHits = acked.a;
  const bBefore = acked.b.slice(0, beforeBackup.b);
  assert.match(backup.output, new RegExp(`Backup written to ${target}`));
  assert.equal(fs.statSync(target).mode & 0o777, 0o700);
  for (const f of fs.readdirSync(target)) if (fs.statSync(path.join(target, f)).isFile()) assert.equal(fs.statSync(path.join(target, f)).mode & 0o777, 0o600, f);
  const manifest = await verifyBackup(target);
  assert.ok(manifest.files.secret, 'the generated secret is in the backup');

  // Restore needs the server stopped: refused while it runs, and nothing moved.
  const refusedRestore = await runCli(['restore', target], { DATA_DIR: source.dataDir });
  assert.equal(refusedRestore.code, 1, refusedRestore.output);
  assert.match(refusedRestore.output, /server is running/);
  assert.ok(fs.existsSync(path.join(source.dataDir, 'dashi.duckdb')));

  const dataDir = tmp('dashi-restored-');
  fs.writeFileSync(path.join(dataDir, 'dashi.duckdb'), 'an older store');
  const restore = await runCli(['restore', target], { DATA_DIR: dataDir });
  assert.equal(restore.code, 0, restore.output);
  const aside = fs.readdirSync(dataDir).filter((n) => n.startsWith('before-restore-'));
  assert.equal(aside.length, 1, restore.output);
  assert.equal(fs.readFileSync(path.join(dataDir, aside[0], 'dashi.duckdb'), 'utf8'), 'an older store', 'the old contents are kept aside');
  const restored = await startDashi({ dataDir });
  const rToken = await restored.login();

  // Every hit acknowledged before the backup started is there: day A whole, and day B's early ones.
  const pathsOf = async (d: Dashi, t: string, from: number, to: number) =>
    new Set(((await d.get(`/api/websites/${site.id}/metrics?type=path&limit=100000&startAt=${from}&endAt=${to}`, { token: t })).body as { x: string }[]).map((r) => r.x));
  const aRange = [DAY_A * 1000, (DAY_A + 86_400) * 1000] as const;
  const bRange = [DAY_B * 1000, (DAY_B + 86_400) * 1000] as const;
  const signups = async (from: number, to: number) =>
    Number((await restored.get(`/api/websites/${site.id}/metrics?type=event&startAt=${from}&endAt=${to}`, { token: rToken })).body.find((r: { x: string }) => r.x === 'signup')?.y ?? 0);
  // Page views by their paths (each hit has its own), custom events by count.
  const aPaths = await pathsOf(restored, rToken, ...aRange);
  for (const h of aHits) if (!h.event) assert.ok(aPaths.has(h.path), `${h.path} acknowledged before the backup`);
  assert.equal(await signups(...aRange), aHits.filter((h) => h.event).length);
  const bPaths = await pathsOf(restored, rToken, ...bRange);
  for (const h of bBefore) if (!h.event) assert.ok(bPaths.has(h.path), `${h.path} acknowledged before the backup`);
  const bSignups = await signups(...bRange);
  assert.ok(bSignups >= bBefore.filter((h) => h.event).length);
  assert.ok(bPaths.size + bSignups <= acked.b.length);
  // Exact counts for day A, from the hits sent: page views are the hits without an event name.
  const stats = (await restored.get(`/api/websites/${site.id}/stats?startAt=${aRange[0]}&endAt=${aRange[1]}`, { token: rToken })).body;
  assert.equal(stats.pageviews.value, aHits.filter((h) => !h.event).length);
  assert.equal(stats.visitors.value, new Set(aHits.map((h) => h.ip)).size);
  assert.equal(manifest.tables.website_event, aHits.length + bPaths.size + bSignups);
  process.stderr.write(`# backup under load: ${aHits.length} day-A hits, ${bBefore.length} day-B hits before it, ${duringBackup} acknowledged while it ran, ${bPaths.size + bSignups} of day B in it\n`);

  // Every analytics endpoint answers the same on both for the hits in the backup.
  assert.deepEqual(await answers(restored, rToken, site.id, ...aRange), await answers(source, token, site.id, ...aRange));
  // The restored server ingests on: its journal picks up after the snapshot's last segment.
  const { body } = hitBody(site.id, 'b', 4995); // a page view late on day B, an index the stream never reached
  assert.ok(next < 4995);
  assert.equal((await restored.post('/api/send', body, { headers: { 'user-agent': UA, 'x-forwarded-for': '203.0.113.9' } })).status, 200);
  assert.ok((await pathsOf(restored, rToken, ...bRange)).has('/b/4995'));

  // Through the server, the directory must be absolute and outside DATA_DIR.
  const inside = await source.post('/api/admin/backup', { dir: path.join(source.dataDir, 'bk') }, { headers: { 'x-umami-api-key': key } });
  assert.equal(inside.status, 400);
  assert.match(inside.body.error.message, /outside DATA_DIR/);
  const existing = await source.post('/api/admin/backup', { dir: target }, { headers: { 'x-umami-api-key': key } });
  assert.equal(existing.status, 400);
  assert.match(existing.body.error.message, /already exists/);
  assert.equal((await source.post('/api/admin/backup', { dir: 'relative' }, { token })).status, 400);
  // Without a key the command would open the store itself: it says the server holds it.
  const noKey = await runCli(['backup', path.join(path.dirname(target), 'second')], { DATA_DIR: source.dataDir });
  assert.equal(noKey.code, 1);
  assert.match(noKey.output, /server is running.*--api-key/s);
  assert.equal(fs.existsSync(path.join(path.dirname(target), 'second')), false);
});

test('a non-admin, a read-only key and a key limited to websites cannot back up', async () => {
  const d = await startDashi();
  const token = await d.login();
  const site = (await d.post('/api/websites', { name: 'S', domain: 's.example' }, { token })).body;
  const dir = path.join(tmp('dashi-backups-'), 'x');
  const read = (await d.post('/api/me/api-keys', { name: 'r', scope: 'read' }, { token })).body.key;
  assert.equal((await d.post('/api/admin/backup', { dir }, { headers: { 'x-umami-api-key': read } })).status, 403);
  const limited = (await d.post('/api/me/api-keys', { name: 'l', scope: 'write', websiteIds: [site.id] }, { token })).body.key;
  assert.equal((await d.post('/api/admin/backup', { dir }, { headers: { 'x-umami-api-key': limited } })).status, 403);
  assert.equal((await d.post('/api/users', { username: 'plain', password: 'password123', role: 'user' }, { token })).status, 200);
  const plain = await d.login('plain', 'password123');
  assert.equal((await d.post('/api/admin/backup', { dir }, { token: plain })).status, 401);
  assert.equal((await d.post('/api/admin/backup', { dir })).status, 401);
  assert.equal(fs.existsSync(dir), false);
});

test('kill -9 during or right after a backup: the backup is whole or absent', async () => {
  const d = await startDashi();
  const token = await d.login();
  const site = (await d.post('/api/websites', { name: 'K', domain: 'k.example' }, { token })).body;
  const key = await apiKey(d, token);
  const batch = Array.from({ length: 400 }, (_, i) => hitBody(site.id, 'a', i));
  for (let i = 0; i < batch.length; i += 100) {
    const res = await d.post('/api/batch', batch.slice(i, i + 100).map((b) => b.body), { headers: { 'user-agent': UA } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const parent = tmp('dashi-backups-');
  const outcomes: string[] = [];
  // Killed as soon as the backup's partial directory appears, a little later, and right after its answer.
  for (const delay of [0, 50, -1]) {
    const target = path.join(parent, `b${delay}`);
    const cli = runCli(['backup', target, '--url', d.url, '--api-key', key], {});
    if (delay >= 0) {
      while (!fs.readdirSync(parent).some((n) => n.startsWith(`.b${delay}.partial-`))) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, delay));
      await d.kill9();
      await cli;
    } else {
      const done = await cli;
      assert.equal(done.code, 0, done.output);
      await d.kill9();
    }
    if (fs.existsSync(target)) {
      const manifest = await verifyBackup(target);
      assert.equal(manifest.tables.website_event, 400);
      outcomes.push(`${delay}: whole`);
    } else {
      outcomes.push(`${delay}: absent`);
    }
    // What is left beside it is only a hidden partial directory, never a half-made backup.
    for (const n of fs.readdirSync(parent)) assert.ok(/^b-?\d+$/.test(n) || /^\.b-?\d+\.partial-[0-9a-f]+$/.test(n), n);
    await d.start();
  }
  assert.equal(outcomes[0], '0: absent', outcomes.join(', '));
  assert.equal(outcomes.at(-1), '-1: whole', outcomes.join(', '));
  process.stderr.write(`# kill -9 outcomes (delay ms): ${outcomes.join(', ')}\n`);
  // The last backup restores and answers.
  const dataDir = tmp('dashi-restored-');
  await d.stop();
  // With the server stopped the command opens the store itself.
  const offline = await runCli(['backup', path.join(parent, 'offline')], { DATA_DIR: d.dataDir });
  assert.equal(offline.code, 0, offline.output);
  assert.match(offline.output, /website_event 400 rows/);
  assert.equal((await verifyBackup(path.join(parent, 'offline'))).tables.website_event, 400);
  const restore = await runCli(['restore', path.join(parent, 'b-1')], { DATA_DIR: dataDir });
  assert.equal(restore.code, 0, restore.output);
  const r = await startDashi({ dataDir });
  const stats = (await r.get(`/api/websites/${site.id}/stats?startAt=${DAY_A * 1000}&endAt=${(DAY_A + 86_400) * 1000}`, { token: await r.login() })).body;
  assert.equal(stats.pageviews.value, 320);
});

test('server stores: both commands point to the native tools', async () => {
  const pg = await runCli(['backup', '/tmp/never-made'], { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', CLICKHOUSE_URL: '' });
  assert.equal(pg.code, 1);
  assert.match(pg.output, /pg_dump/);
  const ch = await runCli(['restore', '/tmp/never-made'], { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', CLICKHOUSE_URL: 'http://127.0.0.1:1' });
  assert.equal(ch.code, 1);
  assert.match(ch.output, /BACKUP DATABASE.*clickhouse-backup/s);
  assert.equal(fs.existsSync('/tmp/never-made'), false);
});
