// The embedded store's journal: a segment already loaded is never loaded twice, a segment left
// by a crash is loaded at the next start, and a torn last line (never acknowledged) is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import type { EventRow, WriteBatch } from '../../src/store/types.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const website = randomUUID();

function batch(paths: string[]): WriteBatch {
  const events = paths.map(
    (urlPath): EventRow => ({
      eventId: randomUUID(), websiteId: website, sessionId: randomUUID(), visitId: randomUUID(), createdAt: new Date('2026-01-01T10:00:00Z'),
      eventType: 1, eventName: null, eventCategory: null, urlPath, urlQuery: null, pageTitle: "it's \"quoted\"", hostname: 'x.example',
      referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null,
      utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome',
      os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en-US', country: 'DE', region: 'DE-BE', city: 'Berlin', distinctId: null,
    }),
  );
  return { events, eventData: [], sessions: [], sessionData: [] };
}

async function paths(dir: string): Promise<string[]> {
  const store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
  const rows = await store.analytics.query('SELECT url_path, page_title FROM website_event ORDER BY url_path');
  await store.close();
  assert.ok(rows.every((r) => r.page_title === "it's \"quoted\""));
  return rows.map((r) => String(r.url_path));
}

test('journal segments load exactly once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-journal-'));
  const journal = path.join(dir, 'journal');
  try {
    const store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    await store.analytics.write(batch(['/a', '/b']));
    // Acknowledged: the rows are in a journal segment, not yet in DuckDB.
    const [segment] = fs.readdirSync(journal);
    const saved = fs.readFileSync(path.join(journal, segment));
    await store.close(); // loads the segment and removes it
    assert.deepEqual(fs.readdirSync(journal), []);

    // A crash after the load committed but before the file was removed leaves it behind.
    fs.writeFileSync(path.join(journal, segment), saved);
    assert.deepEqual(await paths(dir), ['/a', '/b'], 'a loaded segment is not loaded again');
    assert.deepEqual(fs.readdirSync(journal), []);

    // A crash before the load: a newer segment with one whole line and one torn line.
    const next = String(Number(segment.slice(0, 12)) + 5).padStart(12, '0') + '.ndjson';
    const line = JSON.stringify({ website_event: [{ ...JSON.parse(saved.toString().split('\n')[0]).website_event[0], url_path: '/c' }] });
    fs.writeFileSync(path.join(journal, next), `${line}\n${line.slice(0, 40)}`);
    assert.deepEqual(await paths(dir), ['/a', '/b', '/c'], 'a pending segment is loaded once, its torn tail dropped');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
