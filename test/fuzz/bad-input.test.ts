// Bad input on every route, on every store: generated hostile requests (test/fuzz/routes.ts) from
// a real admin, a view-only team member, a share-link holder, no one, and forged tokens. No answer
// may be a 5xx (except the documented 503 with Retry-After of a full ingest queue), and afterwards
// the store still works: an ordinary hit is counted by /stats, every website's /stats answers, and
// the server restarts cleanly on the same data and answers again.
//
// The routes come from the app itself (built in-process); a route without a generator fails.
// FUZZ_RUNS (requests per route, default 12; ingestion and report routes get a few times more), FUZZ_SEED (a number, or `random`; default fixed) and
// FUZZ_ROUTE (only routes whose key contains it), FUZZ_SKIP (not those) and FUZZ_STORE (duckdb,
// postgres or clickhouse) make longer or replayed runs; FUZZ_VERBOSE=1 prints each route's time and
// failures unabridged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/app/app.js';
import { AuthService } from '../../src/server/auth-service.js';
import { openStore } from '../../src/store/index.js';
import { createUser } from '../helpers/api.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { catalogue, requests, type AuthKind, type FuzzRequest, type World } from './routes.js';
import { encode, queryText, toJsonText } from './values.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 20261201);
const ONLY = process.env.FUZZ_ROUTE ?? '';
const STORE = process.env.FUZZ_STORE ?? '';
const SKIP = process.env.FUZZ_SKIP ?? '';
const verbose = (line: string) => process.env.FUZZ_VERBOSE && process.stderr.write(`${line}\n`);
const REQUEST_TIMEOUT_MS = 20_000;
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

after(stopAll);

/** `METHOD /path` of every route the app registers (HEAD routes are Fastify's copies of GETs). */
async function appRoutes(): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-routes-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const store = await openStore(config, trafficRollups);
  try {
    const { app } = await buildApp({ config: { ...config, appSecret: 'routes' }, store, auth: new AuthService('routes', store, 3600) });
    await app.ready();
    const tree = app.printRoutes({ commonPrefix: false });
    await app.close();
    return parseRouteTree(tree);
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Fastify's printRoutes tree: each line is a path piece under its parent, with its methods. */
export function parseRouteTree(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(depth === 0 && !m[2].startsWith('/') ? `/${m[2]}` : m[2]);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) out.push(`${method} ${stack.join('')}`);
  }
  return out.sort();
}

test('every route the app registers has a bad-input generator, and no generator names a missing route', async () => {
  const routes = await appRoutes();
  assert.ok(routes.includes('POST /api/send') && routes.includes('GET /api/websites/:websiteId/stats'), `route tree not understood:\n${routes.join('\n')}`);
  const dummy = 'x';
  const keys = Object.keys(catalogue(new Proxy({}, { get: (_t, k) => (k === 'victims' ? new Proxy({}, { get: () => dummy }) : k === 'legacySite' || k === 'startAt' || k === 'endAt' ? 1 : dummy) }) as World)).sort();
  assert.deepEqual(
    { withoutGenerator: routes.filter((r) => !keys.includes(r)), generatorWithoutRoute: keys.filter((k) => !routes.includes(k)) },
    { withoutGenerator: [], generatorWithoutRoute: [] },
  );
});

// ---- the fixture world ---------------------------------------------------------------------------

interface Tokens {
  admin: string;
  viewer: string;
  share: string;
  spare: string;
}

async function ok<T = any>(res: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await res;
  assert.equal(r.status, 200, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const hit = (website: string, url: string, extra: Record<string, unknown> = {}) => ({ type: 'event', payload: { website, hostname: 'example.com', url, language: 'en-US', screen: '1920x1080', ...extra } });

async function makeWorld(d: Dashi): Promise<{ world: World; tokens: Tokens }> {
  const admin = await d.login();
  const a = { token: admin };
  const me = await ok(d.get('/api/me', a), 'me');
  const viewer = await createUser(d, admin, 'viewer', 'view-only');
  const spare = await createUser(d, admin, 'spare');
  const [team] = await ok(d.post('/api/teams', { name: 'Fuzz team' }, a), 'team');
  await ok(d.post(`/api/teams/${team.id}/users`, { userId: viewer.id, role: 'team-view-only' }, a), 'member');
  const site = await ok(d.post('/api/website', { name: 'Fuzz', domain: 'example.com', enable_share_url: true }, a), 'v1 website');
  const teamSite = await ok(d.post('/api/websites', { name: 'Team fuzz', domain: 'team.example', teamId: team.id }, a), 'team website');
  const share = await ok(d.get(`/api/share/${site.share_id}`), 'share');
  const sent = await ok(d.post('/api/send', hit(site.website_uuid, '/first'), { headers: { 'user-agent': CHROME } }), 'hit');
  await ok(d.post('/api/send', hit(site.website_uuid, '/b', { name: 'signup', data: { plan: 'pro', revenue: 10, currency: 'USD' } }), { headers: { 'user-agent': CHROME } }), 'event');
  await ok(d.post('/api/send', hit(teamSite.id, '/t'), { headers: { 'user-agent': CHROME } }), 'team hit');
  const now = Date.now();
  const startAt = now - 30 * 86_400_000;
  const endAt = now + 86_400_000;
  const funnel = { startDate: new Date(startAt).toISOString(), endDate: new Date(endAt).toISOString(), steps: [{ type: 'path', value: '/' }, { type: 'path', value: '/b' }], window: 60 };
  const report = (name: string) => ok(d.post('/api/reports', { websiteId: site.website_uuid, type: 'funnel', name, parameters: funnel }, a), 'report');
  const segment = (name: string, type = 'segment') =>
    ok(d.post(`/api/websites/${site.website_uuid}/segments`, { type, name, parameters: { filters: [{ name: 'path', operator: 'eq', value: '/first' }] } }, a), 'segment');
  const victimSite = async (name: string) => (await ok(d.post('/api/websites', { name, domain: `${name}.example` }, a), 'victim site')).id as string;
  const victimTeam = async (name: string) => (await ok(d.post('/api/teams', { name }, a), 'victim team'))[0].id as string;
  const victimUser = async (name: string) => (await createUser(d, admin, name)).id;
  const world: World = {
    adminId: me.user.id,
    viewerId: viewer.id,
    site: site.website_uuid,
    shareSlug: site.share_id,
    teamSite: teamSite.id,
    legacySite: site.website_id,
    team: team.id,
    accessCode: team.accessCode,
    report: (await report('Fuzz funnel')).id,
    segment: (await segment('Fuzz segment')).id,
    cohort: (await segment('Fuzz cohort', 'cohort')).id,
    sessionId: sent.sessionId,
    victims: {
      site: await victimSite('victim'),
      siteDel: await victimSite('victim-del'),
      user: await victimUser('victim'),
      userDel: await victimUser('victim-del'),
      team: await victimTeam('Victim'),
      teamDel: await victimTeam('Victim del'),
      report: (await report('Victim')).id,
      reportDel: (await report('Victim del')).id,
      segment: (await segment('Victim')).id,
      segmentDel: (await segment('Victim del')).id,
    },
    startAt,
    endAt,
  };
  return { world, tokens: { admin, viewer: viewer.token, share: share.token, spare: spare.token } };
}

// ---- sending and judging -------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

function urlOf(r: FuzzRequest): string {
  const p = r.route.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => (name ? encode(r.params[name]) : r.params['*'].split('/').map(encode).join('/')));
  return p + queryText(r.query);
}

function headersOf(r: FuzzRequest, tokens: Tokens): Record<string, string> {
  const h: Record<string, string> = { ...r.headers };
  const auth: Record<AuthKind, () => void> = {
    admin: () => (h.authorization = `Bearer ${tokens.admin}`),
    viewer: () => (h.authorization = `Bearer ${tokens.viewer}`),
    spare: () => (h.authorization = `Bearer ${tokens.spare}`),
    share: () => (h['x-umami-share-token'] = tokens.share),
    cookie: () => (h.cookie = `umami.auth=${tokens.admin}`),
    garbage: () => {
      h.authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJ0eXAiOiJsb2dpbiIsInN1YiI6IngifQ.';
      h['x-umami-share-token'] = tokens.share.slice(0, -3) + 'AAA';
    },
    none: () => undefined,
  };
  auth[r.auth]();
  if (r.body.kind !== 'none') h['content-type'] = r.body.contentType;
  return h;
}

const bodyText = (r: FuzzRequest) => (r.body.kind === 'json' ? toJsonText(r.body.value) : r.body.kind === 'raw' ? r.body.text : undefined);

async function send(d: Dashi, r: FuzzRequest, tokens: Tokens): Promise<Answer> {
  const res = await fetch(d.url + urlOf(r), { method: r.method, headers: headersOf(r, tokens), body: bodyText(r), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const clip = (s: string, n = 600) => (s.length > n && !process.env.FUZZ_VERBOSE ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** The request as a reader wants it: method, route, URL, auth, body. */
export function describeRequest(r: FuzzRequest): string {
  const body = bodyText(r);
  return [
    `${r.method} ${r.route}`,
    `  url:  ${clip(urlOf(r), 400)}`,
    `  auth: ${r.auth}${Object.keys(r.headers).length ? `  headers: ${clip(JSON.stringify(r.headers), 300)}` : ''}`,
    body === undefined ? '  body: (none)' : `  body (${r.body.kind === 'none' ? '' : r.body.contentType}): ${clip(JSON.stringify(body), 800)}`,
  ].join('\n');
}

const INGEST = new Set(['/api/send', '/api/batch', '/api/collect']);

/** The one 5xx allowed: a full ingest queue, which says so and when to retry. */
function allowed(r: FuzzRequest, a: Answer): boolean {
  if (a.status < 500) return true;
  return a.status === 503 && INGEST.has(r.route) && a.headers.has('retry-after') && /queue is full/i.test(a.text);
}

class Rejected extends Error {}

/** The server's error log lines (pino JSON) in `text`, as `type: message` and the top stack frames. */
function serverErrors(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; message?: string; stack?: string } };
      if ((entry.level ?? 0) < 50) continue;
      const where = (entry.err?.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 3).map((l) => l.trim());
      out.push(`  server log: ${entry.msg}: ${entry.err?.type ?? ''}: ${clip(entry.err?.message ?? '', 300)}${where.length ? `\n    ${where.join('\n    ')}` : ''}`);
    } catch {
      // not a log line
    }
  }
  return out.length ? `\n${out.slice(0, 3).join('\n')}` : '';
}

async function judge(d: Dashi, r: FuzzRequest, tokens: Tokens): Promise<void> {
  let a: Answer;
  const logStart = d.output.length;
  try {
    a = await send(d, r, tokens);
  } catch (err) {
    const alive = d.proc?.exitCode === null && d.proc.signalCode === null;
    throw new Rejected(`${describeRequest(r)}\n  -> no answer: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}; server ${alive ? 'still running' : 'EXITED'}`);
  }
  if (!allowed(r, a)) {
    const retry = a.headers.get('retry-after');
    await sleep(50); // the error log line may trail the answer
    throw new Rejected(`${describeRequest(r)}\n  -> ${a.status}${retry ? ` (retry-after ${retry})` : ''}: ${clip(a.text, 500)}${serverErrors(d.output.slice(logStart))}`);
  }
}

/** The seed of one route's run: the base seed and the route, so each route gets its own stream. */
function routeSeed(key: string): number {
  let h = SEED | 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

// ---- afterwards: the store works ----------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pageviewsOf(d: Dashi, tokens: Tokens, website: string, pathFilter: string, w: World): Promise<number> {
  const res = await d.get(`/api/websites/${website}/stats?startAt=${w.startAt}&endAt=${Date.now() + 86_400_000}&path=${encodeURIComponent(`eq.${pathFilter}`)}`, { token: tokens.admin });
  assert.equal(res.status, 200, `stats of ${website}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.pageviews.value;
}

/** An ordinary hit to each fixture website is counted (within 15 s), and every website's /stats answers 200. */
async function assertStoreWorks(d: Dashi, tokens: Tokens, w: World, label: string): Promise<void> {
  const checks = [w.site, w.teamSite];
  for (const website of checks) {
    const url = `/after-fuzz-${label}`;
    const res = await d.post('/api/send', hit(website, url), { headers: { 'user-agent': CHROME } });
    assert.equal(res.status, 200, `an ordinary hit after fuzzing (${label}): ${res.status} ${JSON.stringify(res.body)}`);
    let seen = 0;
    for (let i = 0; i < 60 && seen === 0; i++) {
      seen = await pageviewsOf(d, tokens, website, url, w);
      if (seen === 0) await sleep(250);
    }
    assert.equal(seen, 1, `the ordinary hit to ${website} (${label}) was not counted by /stats within 15 s: the store is wedged`);
  }
  for (let page = 1; ; page++) {
    const list = await d.get(`/api/admin/websites?page=${page}&pageSize=200`, { token: tokens.admin });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    for (const site of list.body.data as { id: string }[]) {
      const res = await d.get(`/api/websites/${site.id}/stats?startAt=0&endAt=${Date.now()}`, { token: tokens.admin });
      assert.equal(res.status, 200, `/stats of website ${site.id} after fuzzing (${label}): ${res.status} ${JSON.stringify(res.body)}`);
    }
    if (list.body.data.length < 200) break;
  }
}

// ---- the suite, per store -----------------------------------------------------------------------

for (const store of (await testStores()).filter((s) => !STORE || s.name === STORE)) {
  test(`bad input on every route: no 5xx, the store is not wedged, restarts cleanly (${store.name})`, async (t) => {
    const started = Date.now();
    const d = await startDashi({ env: await store.env() });
    try {
      const { world, tokens } = await makeWorld(d);
      const specs = catalogue(world);
      const problems: string[] = [];
      t.diagnostic(`fuzz seed ${SEED}, ${RUNS} requests per route (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_ROUTE='<route>')`);
      // Ingestion first, so every read afterwards runs over the hostile data it stored.
      const keys = Object.keys(specs).filter((k) => (!ONLY || k.includes(ONLY)) && !(SKIP && k.includes(SKIP)));
      const ingest = keys.filter((k) => INGEST.has(k.split(' ')[1]));
      const fuzz = async (key: string) => {
        const t0 = Date.now();
        const details = await fc.check(
          fc.asyncProperty(requests(key, specs[key]), (r) => judge(d, r, tokens)),
          { numRuns: Math.ceil(RUNS * (specs[key].runs ?? 1)), seed: routeSeed(key), endOnFailure: false, maxSkipsPerRun: 0, interruptAfterTimeLimit: 120_000 },
        );
        verbose(`${store.name} ${key}: ${Date.now() - t0} ms${details.failed ? ' FAILED' : ''}`);
        if (!details.failed) return;
        const err = details.errorInstance;
        const message = err instanceof Rejected ? err.message : `${key}\n  -> ${String(err)}`;
        problems.push(`${message}\n  (shrunk ${details.numShrinks} times; replay: FUZZ_SEED=${SEED} FUZZ_ROUTE='${key}')`);
      };
      const storeWorks = async (label: string) => {
        try {
          await assertStoreWorks(d, tokens, world, label);
        } catch (err) {
          problems.push(`${label}: ${(err as Error).message}${label === 'after-ingestion' ? '\n  (failures of later routes may follow from this one)' : ''}`);
        }
      };
      for (const key of ingest) await fuzz(key);
      if (ingest.length) await storeWorks('after-ingestion');
      for (const key of keys) if (!ingest.includes(key)) await fuzz(key);
      t.diagnostic(`fuzzing took ${Math.round((Date.now() - started) / 1000)} s`);
      assert.equal(d.proc?.exitCode, null, `the server exited while fuzzing:\n${d.output.slice(-3000)}`);
      await storeWorks('after-fuzzing');
      const code = await d.stop();
      if (code !== 0) problems.push(`graceful stop exited with ${code}:\n${d.output.slice(-3000)}`);
      try {
        await d.start();
        await storeWorks('after-restart');
      } catch (err) {
        problems.push(`restart: ${(err as Error).message}`);
      }
      t.diagnostic(`total ${Math.round((Date.now() - started) / 1000)} s`);
      assert.equal(problems.length, 0, `${problems.length} problem(s) on ${store.name}:\n\n${problems.join('\n\n')}`);
    } finally {
      await stopAll();
      await store.cleanup();
    }
  });
}
