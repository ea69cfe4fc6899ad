// Upgrades: a store made by an older commit (test/fixtures/upgrade/, README.md there says which),
// opened by today's code, runs its migrations (the embedded store rolls up again when they say so)
// and then answers every analytics read exactly as a fresh store loaded with the same dataset.
// Each store: restore the fixture, start a server on it and one on a fresh store, and compare.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import postgres from 'postgres';
import { OPERATIONS } from '../../src/api/openapi/operations.js';
import { canonicalDimension, METRIC_TYPES } from '../../src/query/dimensions.js';
import { REPORTS } from '../../src/reports/index.js';
import { clickhouseEmbedded } from '../../src/store/clickhouse/embedded.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores, type TestStore } from '../helpers/stores.js';
import { CH_STATEMENT_END, FIXTURE_DIR, loadDataset, readLines, readMeta, type UpgradeMeta } from '../fixtures/upgrade/load.js';

const meta = readMeta();
const lines = readLines();
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
const tempDirs: string[] = [];
const stores = await testStores();

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs a plain dump (INSERT statements only, no COPY) as one simple query. */
async function restorePostgres(url: string, dump: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(dump.split('\n').filter((l) => !l.startsWith('\\')).join('\n'));
  } finally {
    await sql.end();
  }
}

/** The fixture's store restored: the environment and data directory to start a server on it. */
async function restoreFixture(store: TestStore): Promise<{ env: Record<string, string>; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-upgrade-'));
  tempDirs.push(dataDir);
  const env = await store.env();
  if (store.name === 'duckdb') execFileSync('tar', ['-xzf', path.join(FIXTURE_DIR, 'duckdb.tar.gz'), '-C', dataDir]);
  if (store.name === 'postgres') await restorePostgres(env.DATABASE_URL, fixture('postgres.sql'));
  if (store.name === 'clickhouse') {
    await restorePostgres(env.DATABASE_URL, fixture('clickhouse-metadata.sql'));
    // This process opens chdb for this one directory only; the servers run in their own processes.
    const ch = await clickhouseEmbedded(env.CLICKHOUSE_URL.slice('chdb:'.length));
    try {
      for (const statement of fixture('clickhouse.sql').split(CH_STATEMENT_END)) if (statement.trim()) await ch.command(statement);
    } finally {
      await ch.close();
    }
  }
  return { env: { TZ: 'UTC', ...env }, dataDir };
}

interface Read {
  /** `METHOD /route/:param` as the API declares it (src/api/openapi/operations.ts). */
  route: string;
  url: string;
  body?: unknown;
}

// Reads whose answer depends on the clock, not only on the stored rows.
const CLOCK_BOUND = new Set(['GET /api/websites/:websiteId/active', 'GET /api/realtime/:websiteId']);

const qs = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** The dataset's first sessions of a website (for the per-session reads). */
function sessionIdsOf(websiteId: string, n: number): string[] {
  return lines.map((l) => JSON.parse(l) as { type: string; websiteId: string; sessionId: string }).filter((l) => l.type === 'session' && l.websiteId === websiteId).slice(0, n).map((l) => l.sessionId);
}

/** Metric types without their aliases (the API reads an alias as its canonical type). */
const TYPES = [...new Set(METRIC_TYPES.map((t) => canonicalDimension(t) ?? t))];

/**
 * The analytics reads of one website: on the dataset's range every read (`all`: also every metric
 * type, filter and report), and on that range shifted off the 15-minute slots the totals, series
 * and breakdowns again. `segmentId`: the store's id of the fixture's segment, if it is this website's.
 */
function readsOf(websiteId: string, segmentId: string | null, all: boolean): Read[] {
  const { startAt, endAt } = meta.range;
  const filters: Record<string, string>[] = [
    {}, { path: 'eq./pricing' }, { browser: 'chrome' }, { referrer: 'neq.google.com' }, { country: 'DE,FR' }, { event: 'signup' },
    { path: 'eq./', os: 'neq.Linux' }, { excludeBounce: 'true' }, ...(segmentId ? [{ segment: segmentId }] : []),
  ];
  const site = `/api/websites/${websiteId}`;
  const out: Read[] = [];
  const get = (route: string, suffix: string, params: Record<string, string | number>) =>
    out.push({ route: `GET /api/websites/:websiteId${route}`, url: `${site}${suffix}?${qs(params)}` });

  const shifted = { startAt: startAt + 1234, endAt: endAt - 4321 };
  for (const f of all ? filters : filters.slice(0, 3)) {
    get('/stats', '/stats', { ...shifted, ...f });
    get('/pageviews', '/pageviews', { ...shifted, unit: 'hour', timezone: 'America/New_York', ...f });
    get('/metrics', '/metrics', { ...shifted, type: 'path', ...f });
  }
  for (const type of ['referrer', 'entry', 'exit', 'channel', 'browser', 'country']) get('/metrics', '/metrics', { ...shifted, type });
  get('/metrics/expanded', '/metrics/expanded', { ...shifted, type: 'path' });
  get('/sessions/weekly', '/sessions/weekly', { ...shifted, timezone: 'America/New_York' });

  const range = { startAt, endAt };
  for (const f of all ? filters : filters.slice(0, 3)) {
    get('/stats', '/stats', { ...range, ...f });
    get('/pageviews', '/pageviews', { ...range, unit: 'day', timezone: 'America/New_York', ...f });
    get('/metrics', '/metrics', { ...range, type: 'path', ...f });
    get('/sessions/stats', '/sessions/stats', { ...range, ...f });
  }
  for (const type of TYPES) {
    get('/metrics', '/metrics', { ...range, type });
    if (all) get('/metrics/expanded', '/metrics/expanded', { ...range, type });
  }
  get('/metrics/expanded', '/metrics/expanded', { ...range, type: 'path', browser: 'chrome' });
  get('/metrics/expanded', '/metrics/expanded', { ...range, type: 'path', path: 'eq./,/pricing' });
  get('/stats', '/stats', { ...shifted, path: 'eq./,/pricing', compare: 'prev' });
  get('/stats', '/stats', { ...range, compare: 'yoy' });
  for (const unit of ['hour', 'month']) get('/pageviews', '/pageviews', { ...range, unit, timezone: 'Asia/Kolkata', compare: 'prev' });
  get('/metrics', '/metrics', { ...range, type: 'path', limit: 3, offset: 1 });
  get('/metrics', '/metrics', { ...range, type: 'browser', search: 'fi', country: 'US' });
  get('/events', '/events', { ...range, page: 1, pageSize: 1000 });
  get('/events', '/events', { ...range, page: 2, pageSize: 25, search: 'docs' });
  get('/events/series', '/events/series', { ...range, unit: 'day', timezone: 'America/New_York' });
  get('/events/stats', '/events/stats', range);
  get('/event-data/events', '/event-data/events', range);
  get('/event-data/events', '/event-data/events', { ...range, event: 'purchase' });
  get('/event-data/fields', '/event-data/fields', range);
  get('/event-data/properties', '/event-data/properties', range);
  get('/event-data/values', '/event-data/values', { ...range, propertyName: 'plan', eventName: 'signup' });
  get('/event-data/values', '/event-data/values', { ...range, propertyName: 'revenue' });
  get('/event-data/stats', '/event-data/stats', range);
  get('/sessions', '/sessions', { ...range, page: 1, pageSize: 1000 });
  get('/sessions', '/sessions', { ...range, page: 1, pageSize: 10, browser: 'firefox' });
  get('/sessions/weekly', '/sessions/weekly', { ...range, timezone: 'America/New_York' });
  get('/session-data/properties', '/session-data/properties', range);
  get('/session-data/values', '/session-data/values', { ...range, propertyName: 'tier' });
  for (const type of ['path', 'browser', 'event']) get('/values', '/values', { ...range, type });
  get('/values', '/values', { ...range, type: 'path', search: 'doc' });
  get('/export', '/export', range);
  get('/export/events', '/export/events', { ...range, format: 'ndjson' });
  get('/daterange', '/daterange', {});
  for (const id of sessionIdsOf(websiteId, 2)) {
    get('/sessions/:sessionId', `/sessions/${id}`, {});
    get('/sessions/:sessionId/activity', `/sessions/${id}/activity`, range);
    get('/sessions/:sessionId/properties', `/sessions/${id}/properties`, {});
  }
  out.push({
    route: 'POST /api/websites/:websiteId/query',
    url: `${site}/query`,
    body: { metrics: ['visitors', 'visits', 'pageviews', 'bounces', 'totaltime', 'bounceRate'], dimensions: ['country', { time: 'day' }], dateRange: shifted, timezone: 'Europe/Berlin' },
  });
  out.push({ route: 'POST /api/websites/:websiteId/query', url: `${site}/query`, body: { metrics: ['visitors', 'pageviews'], dimensions: ['browser'], filters: { dimension: 'path', operator: 'eq', value: '/pricing' }, dateRange: range } });

  const v1 = { start_at: range.startAt, end_at: range.endAt };
  out.push({ route: 'GET /api/website/:id/stats', url: `/api/website/${websiteId}/stats?${qs(v1)}` });
  out.push({ route: 'GET /api/website/:id/pageviews', url: `/api/website/${websiteId}/pageviews?${qs({ ...v1, unit: 'day', tz: 'America/New_York' })}` });
  out.push({ route: 'GET /api/website/:id/events', url: `/api/website/${websiteId}/events?${qs({ ...v1, unit: 'day', tz: 'UTC' })}` });
  for (const type of ['url', 'referrer', 'country', 'event']) out.push({ route: 'GET /api/website/:id/metrics', url: `/api/website/${websiteId}/metrics?${qs({ ...v1, type })}` });

  const dates = { startDate: new Date(range.startAt).toISOString(), endDate: new Date(range.endAt).toISOString(), timezone: 'America/New_York' };
  const report = (type: string, fields: Record<string, unknown>) => out.push({ route: `POST /api/reports/${type}`, url: `/api/reports/${type}`, body: { websiteId, ...dates, ...fields } });
  report('insights', { fields: ['path', 'browser'] });
  report('breakdown', { fields: ['country', 'os'], filters: [{ name: 'device', operator: 'neq', value: 'mobile' }] });
  report('funnel', { steps: [{ type: 'path', value: '/' }, { type: 'path', value: '/pricing' }, { type: 'event', value: 'purchase' }], window: 60 });
  report('retention', { unit: 'day' });
  report('utm', {});
  report('goals', { goals: [{ type: 'path', value: '/pricing', goal: 10 }, { type: 'event', value: 'signup', goal: 5 }] });
  report('goal', { type: 'event', value: 'purchase' });
  report('journey', { steps: 4, startStep: '/' });
  report('revenue', { currency: 'USD', compare: 'prev' });
  report('attribution', { model: 'firstClick', steps: [{ type: 'event', value: 'purchase' }] });
  if (all) report('attribution', { model: 'lastClick', type: 'path', step: '/checkout' });
  out.push({ route: 'GET /api/reports/revenue', url: `/api/reports/revenue?${qs({ websiteId, startDate: dates.startDate, endDate: dates.endDate })}` });
  return out;
}

/** The export's ZIP as its files' text (entries carry the time they were zipped). */
function comparable(r: Read, body: any): unknown {
  if (r.route !== 'GET /api/websites/:websiteId/export' || typeof body?.zip !== 'string') return body;
  const files = Object.entries(unzipSync(Buffer.from(body.zip, 'base64'))).map(([name, bytes]) => [name, strFromU8(bytes)]);
  return { ...body, zip: Object.fromEntries(files) };
}

/** Analytics reads the API declares, which this test must cover or name as bound to the clock. */
function declaredReads(): string[] {
  const reportRuns = new Set(Object.keys(REPORTS).map((t) => `/api/reports/${t}`));
  return OPERATIONS.filter((op) => (op.tag === 'Analytics' || op.tag === 'v1') && (op.method === 'get' || op.path.endsWith('/query')))
    .concat(OPERATIONS.filter((op) => reportRuns.has(op.path) || (op.method === 'get' && op.path === '/api/reports/revenue')))
    .map((op) => `${op.method.toUpperCase()} ${op.path}`);
}

/** What the user finds in the metadata: their websites, saved reports and segments (ids of reports and segments are the store's own). */
async function metadataOf(d: Dashi, token: string) {
  const websites: { id: string }[] = (await d.get('/api/websites?includeTeams=true&pageSize=100', { token })).body.data.map((w: any) => ({ id: w.id, name: w.name, domain: w.domain, teamId: w.teamId !== null }));
  const reports = [];
  const segments = [];
  for (const w of meta.websites) {
    const rs = (await d.get(`/api/websites/${w.id}/reports`, { token })).body.data;
    for (const r of rs) reports.push({ ...(await d.get(`/api/reports/${r.id}`, { token })).body, id: undefined, createdAt: undefined, updatedAt: undefined });
    segments.push(...(await d.get(`/api/websites/${w.id}/segments`, { token })).body.data.map((s: any) => ({ websiteId: s.websiteId, type: s.type, name: s.name, parameters: s.parameters })));
  }
  const sort = <T>(xs: T[]) => xs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { websites: sort(websites), reports: sort(reports), segments: sort(segments) };
}

async function segmentIdOn(d: Dashi, token: string): Promise<string> {
  const list = (await d.get(`/api/websites/${meta.segment.websiteId}/segments`, { token })).body.data;
  assert.equal(list.length, 1);
  return list[0].id;
}

/** Page views of a website in [startAt, endAt], counted from the dataset's lines. */
function pageviewsInRange(m: UpgradeMeta, websiteId: string): number {
  return lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'event' && l.websiteId === websiteId && l.eventType === 1)
    .filter((l) => Date.parse(l.createdAt) >= m.range.startAt && Date.parse(l.createdAt) <= m.range.endAt).length;
}

test('the upgrade reads cover every analytics read the API declares, except those bound to the clock', () => {
  const covered = new Set(readsOf(meta.websites[0].id, null, true).map((r) => r.route));
  const missing = declaredReads().filter((route) => !covered.has(route) && !CLOCK_BOUND.has(route));
  assert.deepEqual(missing, []);
});

for (const store of stores) {
  test(`${store.name}: a store made by an older commit, upgraded, answers every read as a fresh load of the same dataset`, async () => {
    const restored = await restoreFixture(store);
    const upgraded = await startDashi({ env: restored.env, dataDir: restored.dataDir });
    const fresh = await startDashi({ env: { TZ: 'UTC', ...(await store.env()) } });
    await loadDataset(fresh, meta, lines);

    // The fixture's user logs in with their password and finds the same websites, reports and segments.
    const tokens = [await upgraded.login(meta.user.username, meta.user.password), await fresh.login(meta.user.username, meta.user.password)];
    const [oldMeta, newMeta] = [await metadataOf(upgraded, tokens[0]), await metadataOf(fresh, tokens[1])];
    assert.deepEqual(oldMeta, newMeta);
    assert.deepEqual(oldMeta.websites.map((w) => w.id).sort(), meta.websites.map((w) => w.id).sort());
    assert.equal(oldMeta.reports.length, 1);
    const segments = [await segmentIdOn(upgraded, tokens[0]), await segmentIdOn(fresh, tokens[1])];

    let compared = 0;
    const differences: string[] = [];
    for (const w of meta.websites) {
      // The first website (the segment's) gets every read, the others the common ones.
      const mine = w.id === meta.segment.websiteId;
      const [oldReads, newReads] = [readsOf(w.id, mine ? segments[0] : null, mine), readsOf(w.id, mine ? segments[1] : null, mine)];
      for (let i = 0; i < oldReads.length; i++) {
        const ask = (d: Dashi, r: Read, token: string) => (r.body === undefined ? d.get(r.url, { token }) : d.post(r.url, r.body, { token }));
        const [a, b] = await Promise.all([ask(upgraded, oldReads[i], tokens[0]), ask(fresh, newReads[i], tokens[1])]);
        assert.equal(b.status, 200, `${newReads[i].url} on the fresh store: ${b.status} ${JSON.stringify(b.body)}`);
        try {
          assert.equal(a.status, b.status);
          assert.deepEqual(comparable(oldReads[i], a.body), comparable(newReads[i], b.body));
        } catch {
          differences.push(`${oldReads[i].url}${oldReads[i].body ? ` ${JSON.stringify(oldReads[i].body)}` : ''}\n  upgraded: ${a.status} ${JSON.stringify(a.body).slice(0, 400)}\n  fresh:    ${JSON.stringify(b.body).slice(0, 400)}`);
        }
        compared++;
      }
    }
    assert.equal(differences.length, 0, `${differences.length} of ${compared} reads differ:\n${differences.slice(0, 8).join('\n')}`);
    // Not merely the same answers: the dataset's own count.
    for (const w of meta.websites) {
      const stats = (await upgraded.get(`/api/websites/${w.id}/stats?${qs(meta.range)}`, { token: tokens[0] })).body;
      assert.equal(stats.pageviews.value, pageviewsInRange(meta, w.id), `page views of ${w.name}`);
    }
    process.stderr.write(`# ${store.name}: ${compared} reads equal\n`);
  });
}
