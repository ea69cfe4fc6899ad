import { openTmpStore } from './store.js';
import { QueryEngine } from '/work/main/src/query/engine.js';
import { parseFilterParams } from '/work/main/src/query/filters.js';
const store = await openTmpStore();
const W = '11111111-1111-4111-8111-111111111111';
const S = '22222222-2222-4222-8222-222222222222';
const V = '33333333-3333-4333-8333-333333333333';
const ev = (min: number, path: string, type = 1, name: string | null = null) => ({
  eventId: crypto.randomUUID(), websiteId: W, sessionId: S, visitId: V, createdAt: new Date(Date.UTC(2024, 2, 10, 6, min)),
  eventType: type, eventName: name, eventCategory: null, urlPath: path, urlQuery: null, pageTitle: 't', hostname: 'ex.com',
  referrerDomain: 'google.com', referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null,
  gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome', os: 'Linux', device: 'desktop', screen: '1x1', language: 'en', country: 'DE', region: null, city: null, distinctId: null });
await store.analytics.write({ events: [ev(50, '/a'), ev(59, '/b'), ev(70, '/c'), ev(71, '/c', 2, 'click')], eventData: [], sessions: [], sessionData: [] });
const e = new QueryEngine(store.analytics);
const base = { websiteId: W, websiteDomain: 'ex.com', range: { start: new Date(Date.UTC(2024, 2, 9)), end: new Date(Date.UTC(2024, 2, 11)) }, timeZone: 'America/New_York', rows: 'traffic' as const, dimensions: [], filter: null, orderBy: [], limit: null, offset: 0, compare: 'prev' as const, now: new Date() };
console.log(JSON.stringify(await e.run({ ...base, metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'] })));
console.log(JSON.stringify(await e.run({ ...base, compare: null, metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'hour' }] })));
console.log(JSON.stringify(await e.run({ ...base, compare: null, metrics: ['visits'], dimensions: [{ kind: 'field', name: 'entry' }, { kind: 'field', name: 'channel' }] })));
console.log(JSON.stringify(await e.run({ ...base, compare: null, metrics: ['pageviews'], dimensions: [{ kind: 'field', name: 'path' }], filter: parseFilterParams({ event: 'click', path: 'neq./a', browser: 're.^chr', exit: 'c.C' }) })));
await store.close();
