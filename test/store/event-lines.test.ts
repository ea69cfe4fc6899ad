// Dashi's exchange format (src/store/event-lines.ts): every field of every row kind survives a
// round trip, text is made storable, and a hostile line is refused with its line number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addLine, batchLines, batchSize, emptyBatch, EventLineError, readLines } from '../../src/store/event-lines.js';
import type { EventRow, SessionRow, WriteBatch } from '../../src/store/types.js';

const W = '11111111-1111-4111-8111-111111111111';
const S = '22222222-2222-4222-8222-222222222222';
const E = '33333333-3333-4333-8333-333333333333';
const V = '44444444-4444-4444-8444-444444444444';
const at = new Date('2026-03-04T05:06:07.089Z');

const session: SessionRow = {
  sessionId: S, websiteId: W, createdAt: at, browser: 'chrome', os: 'Linux', device: 'desktop', screen: '1920x1080',
  language: 'en-GB', country: 'GB', region: 'GB-LND', city: 'London', distinctId: 'user-7',
};

const event: EventRow = {
  eventId: E, websiteId: W, sessionId: S, visitId: V, createdAt: at, eventType: 2, eventName: 'signup', eventCategory: 'click',
  urlPath: '/pricing', urlQuery: 'a=1', pageTitle: 'Pricing', hostname: 'example.com', referrerDomain: 'google.com',
  referrerPath: '/search', referrerQuery: 'q=x', utmSource: 's', utmMedium: 'm', utmCampaign: 'c', utmContent: 'co', utmTerm: 't',
  gclid: 'g', fbclid: 'f', msclkid: 'ms', ttclid: 'tt', liFatId: 'li', twclid: 'tw', tag: 'tag', browser: 'chrome', os: 'Linux',
  device: 'desktop', screen: '1920x1080', language: 'en-GB', country: 'GB', region: 'GB-LND', city: 'London', distinctId: 'user-7',
};

const base = { websiteId: W, sessionId: S, createdAt: at };
const full: WriteBatch = {
  sessions: [session],
  sessionData: [
    { ...base, dataKey: 'plan', stringValue: 'pro', numberValue: null, dateValue: null, dataType: 1, distinctId: 'user-7' },
    { ...base, dataKey: 'seats', stringValue: null, numberValue: 12.5, dateValue: null, dataType: 2, distinctId: null },
  ],
  events: [event],
  eventData: [
    { ...base, eventId: E, eventName: 'signup', urlPath: '/pricing', dataKey: 'name', stringValue: 'x', numberValue: null, dateValue: null, dataType: 1 },
    { ...base, eventId: E, eventName: 'signup', urlPath: '/pricing', dataKey: 'price', stringValue: null, numberValue: -3.25, dateValue: null, dataType: 2 },
    { ...base, eventId: E, eventName: 'signup', urlPath: '/pricing', dataKey: 'yes', stringValue: 'true', numberValue: null, dateValue: null, dataType: 3 },
    { ...base, eventId: E, eventName: 'signup', urlPath: '/pricing', dataKey: 'when', stringValue: null, numberValue: null, dateValue: new Date('2025-12-31T23:59:59.999Z'), dataType: 4 },
    { ...base, eventId: E, eventName: 'signup', urlPath: '/pricing', dataKey: 'tags', stringValue: '["a","b"]', numberValue: null, dateValue: null, dataType: 5 },
  ],
};

function parseAll(lines: readonly string[]): WriteBatch {
  const batch = emptyBatch();
  lines.forEach((l, i) => addLine(batch, l, i + 1));
  return batch;
}

const refused = (raw: string, pattern: RegExp, lineNumber = 3) => {
  const batch = emptyBatch();
  assert.throws(
    () => addLine(batch, raw, lineNumber),
    (err: unknown) => err instanceof EventLineError && err.lineNumber === lineNumber && err.message.startsWith(`line ${lineNumber}: `) && pattern.test(err.message),
    raw.slice(0, 80),
  );
  assert.equal(batchSize(batch), 0, 'a refused line adds nothing');
};

const eventJson = () => JSON.parse(batchLines({ ...emptyBatch(), events: [event] })[0]) as Record<string, unknown>;

test('every field of sessions, events and data of each type 1-5 survives a round trip', () => {
  const lines = batchLines(full);
  assert.equal(lines.length, 2);
  assert.deepEqual(parseAll(lines), full);
  assert.equal(batchSize(full), 9);
});

test('nulls and absent optional fields round-trip as null; blank lines are skipped', () => {
  const bare: EventRow = { ...event, eventName: null, eventCategory: null, urlQuery: null, tag: null, city: null, distinctId: null };
  const lines = batchLines({ ...emptyBatch(), events: [bare] });
  assert.deepEqual(parseAll(['', ...lines, '   ']).events, [bare]);
  const minimal = { type: 'event', eventId: E, websiteId: W, sessionId: S, visitId: V, createdAt: at.toISOString(), eventType: 1, urlPath: '/' };
  const [row] = parseAll([JSON.stringify(minimal)]).events;
  assert.equal(row.pageTitle, null);
  assert.equal(row.hostname, null);
  assert.equal(row.createdAt.getTime(), at.getTime());
});

test('times with an offset are read as the instant they name', () => {
  const line = { ...eventJson(), createdAt: '2026-03-04T07:06:07.089+02:00' };
  assert.equal(parseAll([JSON.stringify(line)]).events[0].createdAt.toISOString(), at.toISOString());
});

test('lone surrogates and NUL become U+FFFD; surrogate pairs stay', () => {
  const odd = { ...event, pageTitle: 'a\ud800b', urlPath: '/x\u0000', city: '😀' };
  const data = [{ ...full.eventData[0], dataKey: 'k\udfff', stringValue: '\u0000' }];
  const back = parseAll(batchLines({ ...emptyBatch(), events: [odd], eventData: data }));
  assert.equal(back.events[0].pageTitle, 'a\ufffdb');
  assert.equal(back.events[0].urlPath, '/x\ufffd');
  assert.equal(back.events[0].city, '😀');
  assert.equal(back.eventData[0].dataKey, 'k\ufffd');
  assert.equal(back.eventData[0].stringValue, '\ufffd');
});

test('a line that is not JSON is refused with its number', () => {
  refused('{"type":"event",', /not JSON/);
  refused('not json at all', /not JSON/, 1);
});

test('unknown fields, prototype names and unknown versions are refused', () => {
  refused(JSON.stringify({ ...eventJson(), extra: 1 }), /extra|unrecognized/i);
  refused(JSON.stringify(eventJson()).replace('{', '{"__proto__":{"admin":true},'), /__proto__|unrecognized/i);
  refused(JSON.stringify({ ...eventJson(), constructor: 'x' }), /constructor|unrecognized/i);
  const withData = eventJson();
  withData.data = [{ ...(JSON.parse(batchLines(full)[1]) as { data: Record<string, unknown>[] }).data[0], prototype: 1 }];
  refused(JSON.stringify(withData), /data\.0|unrecognized/i);
  refused(JSON.stringify({ ...eventJson(), v: 2 }), /^line 3: v:/);
  refused(JSON.stringify({ ...eventJson(), type: 'user' }), /type/);
  refused('[1,2,3]', /line/);
  refused('null', /line/);
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'nothing reached Object.prototype');
});

test('huge strings, too many data items and wrong types are refused, naming the field', () => {
  refused(JSON.stringify({ ...eventJson(), pageTitle: 'x'.repeat(65_536) }), /^line 3: pageTitle:/);
  refused(JSON.stringify({ ...eventJson(), data: Array.from({ length: 1001 }, () => full.eventData[0]) }), /^line 3: data:/);
  refused(JSON.stringify({ ...eventJson(), eventType: '1' }), /^line 3: eventType:/);
  refused(JSON.stringify({ ...eventJson(), eventType: 6 }), /^line 3: eventType:/);
  refused(JSON.stringify({ ...eventJson(), eventId: 'not-a-uuid' }), /^line 3: eventId:/);
  refused(JSON.stringify({ ...eventJson(), createdAt: 1767225600000 }), /^line 3: createdAt:/);
  refused(JSON.stringify({ ...eventJson(), createdAt: '2026-13-01T00:00:00Z' }), /^line 3: createdAt:/);
  refused(JSON.stringify({ ...eventJson(), urlPath: null }), /^line 3: urlPath:/);
  refused(JSON.stringify({ ...eventJson(), browser: { nested: { deep: [] } } }), /^line 3: browser:/);
  const item = { key: 'k', dataType: 2, string: null, number: 'NaN', date: null, createdAt: at.toISOString() };
  refused(JSON.stringify({ ...eventJson(), data: [item] }), /^line 3: data\.0\.number:/);
  refused(JSON.stringify({ ...eventJson(), data: [{ ...item, number: 1, dataType: 9 }] }), /^line 3: data\.0\.dataType:/);
  refused(JSON.stringify({ ...eventJson(), data: [{ ...item, number: 1, key: '' }] }), /^line 3: data\.0\.key:/);
});

async function collect(chunks: (string | Buffer)[], max?: number): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const l of readLines((async function* () { yield* chunks; })(), max)) out.push(l);
  return out;
}

test('readLines: lines across chunk ends, CRLF, UTF-8 split mid-character, a last line without a line end', async () => {
  const euro = Buffer.from('€'); // three bytes
  const chunks = [Buffer.from('ab'), Buffer.from('c\r\nd'), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('\n\n')]), Buffer.from('last')];
  assert.deepEqual(await collect(chunks), [['abc', 1], ['d€', 2], ['', 3], ['last', 4]]);
  assert.deepEqual(await collect([Buffer.from([0x61, 0xff, 0x0a])]), [['a\ufffd', 1]], 'ill-formed UTF-8 decodes to U+FFFD');
  assert.deepEqual(await collect([]), []);
});

test('readLines: a line longer than the limit is an error naming it, in one chunk or many', async () => {
  const tooLong = async (chunks: string[], lineNumber: number) =>
    assert.rejects(collect(chunks, 10), (err: unknown) => err instanceof EventLineError && err.lineNumber === lineNumber && /longer than 10/.test(err.message));
  await tooLong(['short\n', 'x'.repeat(11), '\n'], 2);
  await tooLong(['ok\n', 'xxxxxx', 'xxxxxx', 'xxxxxx'], 2);
  await tooLong(['x'.repeat(11)], 1);
  assert.deepEqual(await collect(['x'.repeat(10), '\n'], 10), [['x'.repeat(10), 1]]);
});
