// The well-formedness rule (src/ingest/storable-rows.ts) and the event-data date range (src/ingest/data.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storableRows, storableText } from '../../src/ingest/storable-rows.js';
import { flattenData } from '../../src/ingest/data.js';
import type { HitRows } from '../../src/ingest/writer.js';

test('lone surrogates and NUL become U+FFFD; pairs and everything else stay', () => {
  assert.equal(storableText('a\ud800b'), 'a\ufffdb');
  assert.equal(storableText('\udfff'), '\ufffd');
  assert.equal(storableText('\udc00\ud800'), '\ufffd\ufffd', 'a low then a high surrogate is no pair');
  assert.equal(storableText('x\u0000y'), 'x\ufffdy');
  for (const fine of ['plain', '😀 pair', '\ufffe\uffff', '\u0001\u001f\u007f', '', 'é漢字']) assert.equal(storableText(fine), fine);
  assert.equal(storableText('a\ud800b').length, 'a\ud800b'.length, 'lengths (and so the 4xx limits) are unchanged');
});

test('every string column of every row kind is made storable, other values untouched', () => {
  const when = new Date('2026-01-01T00:00:00Z');
  const rows = {
    events: [{ pageTitle: 't\ud800', urlPath: '/\u0000', eventType: 1, createdAt: when, tag: null }],
    eventData: [{ dataKey: 'k\udfff', stringValue: 'v\u0000', numberValue: 1 }],
    sessions: [{ browser: 'b\ud800', screen: null }],
    sessionData: [{ dataKey: 'k', stringValue: '\ud800\udc00' }],
  } as unknown as HitRows;
  storableRows(rows);
  assert.deepEqual(rows.events[0], { pageTitle: 't\ufffd', urlPath: '/\ufffd', eventType: 1, createdAt: when, tag: null });
  assert.deepEqual(rows.eventData[0], { dataKey: 'k\ufffd', stringValue: 'v\ufffd', numberValue: 1 });
  assert.equal(rows.sessions[0].browser, 'b\ufffd');
  assert.equal(rows.sessionData[0].stringValue, '\ud800\udc00', 'a surrogate pair is one character');
});

test('event-data dates outside 1900-2299 are string values, kept verbatim', () => {
  const values = flattenData({ a: '1900-01-01T00:00:00Z', b: '2299-12-31T23:59:59.999Z', c: '1899-12-31T23:59:59Z', d: '2300-01-01T00:00:00Z', e: '9999-12-31T23:59:59-01:00', f: '0000-01-01T00:00:00Z' });
  const byKey = Object.fromEntries(values.map((v) => [v.key, v]));
  assert.deepEqual([byKey.a.type, byKey.b.type], [4, 4]);
  for (const k of ['c', 'd', 'e', 'f']) {
    assert.equal(byKey[k].type, 1, k);
    assert.equal(byKey[k].dateValue, null, k);
  }
  assert.equal(byKey.e.stringValue, '9999-12-31T23:59:59-01:00');
});
