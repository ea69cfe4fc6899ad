// The embedded store's loader cannot be wedged by a journal line DuckDB refuses: the line goes to
// DATA_DIR/dead-letter/<segment>.ndjson (counted, with a warning), every other line of its
// segment loads exactly once, and start-up succeeds with such a segment left in the journal.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { tables } from '../../src/store/sql/columns.js';
import type { EventDataRow, EventRow, WriteBatch } from '../../src/store/types.js';
import { startDashi, stopAll } from '../helpers/server.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

after(() => stopAll());

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function event(website: string, urlPath: string, pageTitle = 'ok'): EventRow {
  return {
    eventId: randomUUID(), websiteId: website, sessionId: randomUUID(), visitId: randomUUID(), createdAt: new Date(Date.now() - 60_000),
    eventType: 1, eventName: null, eventCategory: null, urlPath, urlQuery: null, pageTitle, hostname: 'x.example',
    referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null,
    utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome',
    os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en-US', country: null, region: null, city: null, distinctId: null,
  };
}

function data(e: EventRow, dataKey: string, stringValue: string): EventDataRow {
  return { websiteId: e.websiteId, sessionId: e.sessionId, eventId: e.eventId, eventName: null, urlPath: e.urlPath, createdAt: e.createdAt, dataKey, stringValue, numberValue: null, dateValue: null, dataType: 1 };
}

/** A journal line as the store writes it: {"<table>":[{column: value}]}. */
function line(table: string, row: object): string {
  const { columns } = tables.find((t) => t.table === table)!;
  const values = columns.map(([name, kind, get]) => {
    const v = get(row);
    return [name, v == null ? null : kind === 'ts' ? (v as Date).toISOString().replace('T', ' ').replace('Z', '') : v];
  });
  return JSON.stringify({ [table]: [Object.fromEntries(values)] });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-dead-'));
const deadFiles = (dir: string) => (fs.existsSync(path.join(dir, 'dead-letter')) ? fs.readdirSync(path.join(dir, 'dead-letter')) : []);

test('a refused row in a running segment is set aside; the rest of the segment loads once', async () => {
  const dir = tmp();
  try {
    const website = randomUUID();
    const store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    const good = [event(website, '/a'), event(website, '/b')];
    const bad = event(website, '/bad', 'x\ud800y'); // DuckDB's JSON reader refuses a lone surrogate
    // event_data after website_event in the same load: the refused data row must not double the events.
    const batch: WriteBatch = { events: [good[0], bad, good[1]], eventData: [data(good[0], 'k', 'v'), data(good[1], 'k\udc00', 'v')], sessions: [], sessionData: [] };
    await store.analytics.write(batch);
    await store.analytics.write({ events: [event(website, '/c')], eventData: [], sessions: [], sessionData: [] });
    const rows = await store.analytics.query('SELECT url_path FROM website_event ORDER BY url_path');
    assert.deepEqual(rows.map((r) => r.url_path), ['/a', '/b', '/c']);
    const dataRows = await store.analytics.query('SELECT data_key FROM event_data');
    assert.deepEqual(dataRows.map((r) => r.data_key), ['k']);
    assert.deepEqual(store.analytics.deadLetters?.(), { lines: 2, segments: 1, dir: path.join(dir, 'dead-letter') });
    const [file] = deadFiles(dir);
    const kept = fs.readFileSync(path.join(dir, 'dead-letter', file), 'utf8').trim().split('\n');
    assert.equal(kept.length, 2);
    assert.ok(kept.some((l) => l.includes('/bad')) && kept.some((l) => l.includes('k\\udc00')), kept.join('\n'));
    // Later writes load as usual.
    await store.analytics.write({ events: [event(website, '/d')], eventData: [], sessions: [], sessionData: [] });
    assert.equal((await store.analytics.query('SELECT count(*) AS n FROM website_event'))[0].n, 4);
    await store.close();

    // Reopened: the counter is read back from the dead-letter directory.
    const again = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    assert.equal(again.analytics.deadLetters?.()?.lines, 2);
    assert.equal((await again.analytics.query('SELECT count(*) AS n FROM website_event'))[0].n, 4);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment left in the journal with refused lines: start-up loads the rest, exactly once', async () => {
  const dir = tmp();
  try {
    const website = randomUUID();
    const first = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    await first.close();
    const journal = path.join(dir, 'journal');
    const segment = '000000000007.ndjson';
    const lines = [
      line('website_event', event(website, '/one')),
      line('website_event', event(website, '/bad', 'lone \ud800')).replace('\\ud800', '\\ud800'), // JSON escape of a lone surrogate
      '{"website_event":[{"event_id":', // cut short, in the middle of the segment
      'not json at all',
      line('website_event', event(website, '/two')),
    ];
    assert.ok(lines[1].includes('\\ud800'));
    const text = `${lines.join('\n')}\n`;
    fs.writeFileSync(path.join(journal, segment), text);
    const store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    assert.deepEqual((await store.analytics.query('SELECT url_path FROM website_event ORDER BY url_path')).map((r) => r.url_path), ['/one', '/two']);
    assert.equal(store.analytics.deadLetters?.()?.lines, 3);
    assert.deepEqual(fs.readdirSync(journal), []);
    await store.close();
    assert.deepEqual(fs.readFileSync(path.join(dir, 'dead-letter', segment), 'utf8').trim().split('\n').sort(), [lines[1], lines[2], lines[3]].sort());

    // Killed after the load committed, before the segment file was removed: not loaded twice.
    fs.writeFileSync(path.join(journal, segment), text);
    const again = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    assert.equal((await again.analytics.query('SELECT count(*) AS n FROM website_event'))[0].n, 2);
    assert.equal(again.analytics.deadLetters?.()?.lines, 3, 'the dead-letter count is not doubled');
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('server: a refused line written into DATA_DIR/journal before start is dead-lettered, counted at /api/admin/ingest, and the rest loads', async () => {
  const dashi = await startDashi();
  let token = await dashi.login();
  const created = await dashi.post('/api/websites', { name: 'S', domain: 'example.com' }, { token });
  const website = created.body.id as string;
  await dashi.stop();
  const bad = line('website_event', event(website, '/refused', '\udfff'));
  fs.writeFileSync(path.join(dashi.dataDir, 'journal', '000000000100.ndjson'), [line('website_event', event(website, '/kept')), bad, line('website_event', event(website, '/kept2'))].join('\n') + '\n');

  await dashi.start();
  assert.match(dashi.output, /journal lines refused by DuckDB set aside/);
  token = await dashi.login();
  const range = `startAt=0&endAt=${Date.now() + 86_400_000}`;
  const stats = await dashi.get(`/api/websites/${website}/stats?${range}`, { token });
  assert.equal(stats.status, 200, JSON.stringify(stats.body));
  assert.equal(stats.body.pageviews.value, 2);
  const hit = await dashi.post('/api/send', { type: 'event', payload: { website, url: '/after', hostname: 'example.com' } }, { headers: { 'user-agent': CHROME } });
  assert.equal(hit.status, 200);
  assert.equal((await dashi.get(`/api/websites/${website}/stats?${range}`, { token })).body.pageviews.value, 3);

  const admin = await dashi.get('/api/admin/ingest', { token });
  assert.equal(admin.status, 200, JSON.stringify(admin.body));
  assert.equal(admin.body.deadLetterLines, 1);
  assert.equal(admin.body.deadLetterSegments, 1);
  assert.equal(admin.body.deadLetterDir, path.join(fs.realpathSync(dashi.dataDir), 'dead-letter'));
  assert.equal(admin.body.committed, 1);
  assert.deepEqual(fs.readFileSync(path.join(dashi.dataDir, 'dead-letter', '000000000100.ndjson'), 'utf8'), `${bad}\n`);
  assert.equal((await dashi.get('/api/admin/ingest')).status, 401);
  const user = await dashi.post('/api/users', { username: 'viewer', password: 'password123', role: 'user' }, { token });
  assert.equal(user.status, 200);
  assert.equal((await dashi.get('/api/admin/ingest', { token: await dashi.login('viewer', 'password123') })).status, 401);

  await dashi.restart();
  token = await dashi.login();
  assert.equal((await dashi.get(`/api/websites/${website}/stats?${range}`, { token })).body.pageviews.value, 3);
});
