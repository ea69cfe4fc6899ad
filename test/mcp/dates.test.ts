// Date ranges the MCP tools accept: milliseconds, ISO strings and relative forms in a time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, DateInputError, resolveRange } from '../../src/mcp/dates.js';

// Wednesday 2026-03-18 14:30 UTC (15:30 in Zurich).
const now = new Date('2026-03-18T14:30:00.000Z');
const ms = (s: string) => Date.parse(s);

test('relative ranges follow Umami: the current unit and the n - 1 before it', () => {
  assert.deepEqual(resolveRange('24hour', 'UTC', now), { startAt: ms('2026-03-17T15:00:00Z'), endAt: ms('2026-03-18T14:59:59.999Z') });
  assert.deepEqual(resolveRange('7day', 'UTC', now), { startAt: ms('2026-03-12T00:00:00Z'), endAt: ms('2026-03-18T23:59:59.999Z') });
  assert.deepEqual(resolveRange('30day', 'UTC', now), { startAt: ms('2026-02-17T00:00:00Z'), endAt: ms('2026-03-18T23:59:59.999Z') });
  assert.deepEqual(resolveRange('thisMonth', 'UTC', now), { startAt: ms('2026-03-01T00:00:00Z'), endAt: ms('2026-03-31T23:59:59.999Z') });
  assert.deepEqual(resolveRange('lastMonth', 'UTC', now), { startAt: ms('2026-02-01T00:00:00Z'), endAt: ms('2026-02-28T23:59:59.999Z') });
  assert.deepEqual(resolveRange('today', 'UTC', now), { startAt: ms('2026-03-18T00:00:00Z'), endAt: ms('2026-03-18T23:59:59.999Z') });
  assert.deepEqual(resolveRange('yesterday', 'UTC', now), { startAt: ms('2026-03-17T00:00:00Z'), endAt: ms('2026-03-17T23:59:59.999Z') });
  // Weeks start on Sunday, as Umami's do.
  assert.deepEqual(resolveRange('thisWeek', 'UTC', now), { startAt: ms('2026-03-15T00:00:00Z'), endAt: ms('2026-03-21T23:59:59.999Z') });
  assert.deepEqual(resolveRange('lastWeek', 'UTC', now), { startAt: ms('2026-03-08T00:00:00Z'), endAt: ms('2026-03-14T23:59:59.999Z') });
});

test('relative ranges are calendar units of the time zone', () => {
  assert.deepEqual(resolveRange('today', 'Europe/Zurich', now), { startAt: ms('2026-03-17T23:00:00Z'), endAt: ms('2026-03-18T22:59:59.999Z') });
  assert.deepEqual(resolveRange('today', 'America/Los_Angeles', new Date('2026-03-18T03:00:00Z')), {
    startAt: ms('2026-03-17T07:00:00Z'),
    endAt: ms('2026-03-18T06:59:59.999Z'),
  });
});

test('explicit dates: milliseconds, digit strings and ISO; endAt defaults to now', () => {
  assert.deepEqual(dateRange({ startAt: 1000, endAt: 2000 }, '7day', now), { startAt: 1000, endAt: 2000 });
  assert.deepEqual(dateRange({ startAt: '1000', endAt: '2026-03-18T00:00:00Z' }, '7day', now), { startAt: 1000, endAt: ms('2026-03-18T00:00:00Z') });
  assert.deepEqual(dateRange({ startAt: '2026-03-01' }, '7day', now), { startAt: ms('2026-03-01T00:00:00Z'), endAt: now.getTime() });
  assert.deepEqual(dateRange({}, '7day', now), resolveRange('7day', 'UTC', now));
});

test('bad input names the argument', () => {
  for (const [args, name] of [
    [{ range: 'fortnight' }, /range/],
    [{ range: '__proto__' }, /range/],
    [{ startAt: 'soon' }, /startAt/],
    [{ startAt: 2000, endAt: 1000 }, /startAt/],
    [{ endAt: 1000 }, /endAt/],
    [{ startAt: 1e17 }, /startAt/],
    [{ range: '7day', timezone: 'Nowhere/City' }, /timezone/],
  ] as const) {
    assert.throws(() => dateRange(args, '7day', now), (e: Error) => e instanceof DateInputError && name.test(e.message), JSON.stringify(args));
  }
});
