// A small known dataset for the raw export and import tests: three visitors of one website,
// sent through /api/send at fixed times. Expected counts by hand:
//   alice (T): page views /a and /b, event `signup` with five data items (one of each type 1-5),
//              identify with two session data items
//   bob (T + 1 h): page view /a?utm_source=news, event `click` without data
//   carol (T - 2 days): one page view
//   -> 3 sessions, 6 events, 5 event data, 2 session data;
//      in [T - 1 h, T + 2 h]: 2 sessions (alice, bob), 5 events, 5 event data, 2 session data.
import assert from 'node:assert/strict';
import type { Dashi } from './server.js';

export const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const HOUR = 3_600_000;
/** Three days ago on a whole hour. */
export const T = Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR;
export const NEAR = { startAt: T - HOUR, endAt: T + 2 * HOUR };
export const ALL = { startAt: T - 4 * 24 * HOUR, endAt: T + 4 * 24 * HOUR };
export const FULL_COUNTS = { sessions: 3, events: 6, eventData: 5, sessionData: 2 };
export const NEAR_COUNTS = { sessions: 2, events: 5, eventData: 5, sessionData: 2 };

export async function sendDataset(d: Dashi, website: string): Promise<void> {
  const send = async (type: string, visitor: string, at: number, extra: Record<string, unknown>) => {
    const payload = { website, hostname: 'example.com', url: '/a', id: visitor, timestamp: Math.floor(at / 1000), language: 'en-GB', screen: '1920x1080', ...extra };
    const res = await d.post('/api/send', { type, payload }, { headers: { 'user-agent': UA } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  await send('event', 'alice', T, { referrer: 'https://google.com/search?q=x', title: 'Home' });
  await send('event', 'alice', T + 60_000, { url: '/b', title: 'B' });
  await send('event', 'alice', T + 120_000, {
    url: '/b',
    name: 'signup',
    data: { plan: 'pro', seats: 3, trial: true, when: '2026-01-02T03:04:05.000Z', tags: ['a', 'b'] },
  });
  await send('identify', 'alice', T + 180_000, { data: { company: 'Acme', size: 10 } });
  await send('event', 'bob', T + HOUR, { url: '/a?utm_source=news' });
  await send('event', 'bob', T + HOUR + 60_000, { name: 'click' });
  await send('event', 'carol', T - 2 * 24 * HOUR, {});
}

/** Parsed NDJSON lines, split by kind. */
export function linesOf(text: string): { sessions: any[]; events: any[] } {
  const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  return { sessions: lines.filter((l) => l.type === 'session'), events: lines.filter((l) => l.type === 'event') };
}

export function countsOf(text: string) {
  const { sessions, events } = linesOf(text);
  return {
    sessions: sessions.length,
    events: events.length,
    eventData: events.reduce((n, e) => n + e.data.length, 0),
    sessionData: sessions.reduce((n, s) => n + s.data.length, 0),
  };
}
