// Unit tests of the ingestion building blocks: no server, real libraries and the real geo file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientInfo, deviceFor } from '../../src/ingest/client.js';
import { flattenData, DataLimitError } from '../../src/ingest/data.js';
import { GeoDb, geoFromHeaders } from '../../src/ingest/geo.js';
import { v5 as uuidV5 } from 'uuid';
import { Ids, nextPeriodStart, periodStart, sha512, uuidv5 } from '../../src/ingest/ids.js';
import { clientIp, ipMatcher, isPublicIp } from '../../src/ingest/ip.js';
import { Lru } from '../../src/ingest/lru.js';
import { regionCode } from '../../src/ingest/region.js';
import { TokenSigner } from '../../src/ingest/token.js';
import { pageUrl, referrer } from '../../src/ingest/url.js';
import { QueueFullError, Writer, WriterClosedError, type HitRows } from '../../src/ingest/writer.js';
import type { WriteBatch } from '../../src/store/types.js';
import { RowRejectedError } from '../../src/store/store-errors.js';

const UA = {
  chromeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
};

test('client: Umami browser, OS and device names', () => {
  assert.deepEqual(clientInfo(UA.chromeWin, '2560x1440'), { browser: 'chrome', os: 'Windows 10', device: 'desktop', bot: false });
  assert.deepEqual(clientInfo(UA.chromeWin, '1920x1080'), { browser: 'chrome', os: 'Windows 10', device: 'laptop', bot: false });
  assert.equal(clientInfo(UA.edge, undefined).browser, 'edge-chromium');
  assert.deepEqual(clientInfo(UA.iphone, '390x844'), { browser: 'ios', os: 'iOS', device: 'mobile', bot: false });
  assert.equal(clientInfo(UA.ipad, '820x1180').device, 'tablet');
  assert.deepEqual(clientInfo(UA.mac, '1440x900'), { browser: 'safari', os: 'Mac OS', device: 'laptop', bot: false });
  assert.deepEqual(clientInfo(UA.firefoxLinux, undefined), { browser: 'firefox', os: 'Linux', device: 'desktop', bot: false });
  assert.deepEqual(clientInfo(UA.android, '412x915'), { browser: 'chrome', os: 'Android OS', device: 'mobile', bot: false });
  assert.equal(clientInfo(UA.googlebot, undefined).bot, true);
  assert.equal(deviceFor('desktop', 'junk'), 'desktop');
  assert.equal(deviceFor('mobile', '800x600'), 'mobile');
});

test('lru: evicts the least recently used key', () => {
  const lru = new Lru<string, number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // a is now young
  lru.set('c', 3);
  assert.equal(lru.get('b'), undefined);
  assert.equal(lru.get('a'), 1);
  assert.equal(lru.size, 2);
});

test('ip: custom header, proxy headers in order, socket fallback, normalisation', () => {
  assert.equal(clientIp({}, '::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(clientIp({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }, '127.0.0.1'), '203.0.113.7');
  assert.equal(clientIp({ 'x-real-ip': '198.51.100.2', 'x-forwarded-for': '203.0.113.7' }, undefined), '198.51.100.2');
  assert.equal(clientIp({ 'cf-connecting-ip': '198.51.100.9', 'x-my-ip': '192.0.2.1' }, undefined, 'X-My-IP'), '192.0.2.1');
  assert.equal(clientIp({ forwarded: 'for="[2001:db8::1]:4711";proto=https' }, undefined), '2001:db8::1');
  assert.equal(clientIp({ 'x-forwarded-for': '203.0.113.7:8080' }, undefined), '203.0.113.7');
  assert.equal(clientIp({ 'x-forwarded-for': 'garbage' }, '192.0.2.5'), '192.0.2.5');
  assert.equal(clientIp({}, undefined), null);
});

test('ip: IGNORE_IP addresses and CIDR ranges; public vs private', () => {
  const ignored = ipMatcher(['192.0.2.10', '10.0.0.0/8', '2001:db8::/32', ' ']);
  assert.equal(ignored('192.0.2.10'), true);
  assert.equal(ignored('192.0.2.11'), false);
  assert.equal(ignored('10.200.1.1'), true);
  assert.equal(ignored('2001:db8:1::5'), true);
  assert.equal(ignored('2001:db9::5'), false);
  assert.equal(ignored(null), false);
  assert.equal(ipMatcher([])('1.2.3.4'), false);
  assert.throws(() => ipMatcher(['not-an-ip']));
  assert.equal(isPublicIp('8.8.8.8'), true);
  for (const ip of ['127.0.0.1', '10.0.0.1', '192.168.1.1', '172.16.0.1', '::1', 'fe80::1', 'fd00::1']) assert.equal(isPublicIp(ip), false, ip);
});

test('ids: UUIDv5 sessions under the period salt, hourly visits', () => {
  const ids = new Ids('secret');
  const may = { start: new Date(2024, 4, 1).getTime(), value: 'a'.repeat(64) };
  const june = { start: new Date(2024, 5, 1).getTime(), value: 'b'.repeat(64) };
  const s1 = ids.sessionId('w', '1.2.3.4', 'ua', may);
  assert.match(s1, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(s1, uuidv5(sha512('w', '1.2.3.4', 'ua', may.value, sha512('secret'))), "Umami's shape: uuid(website, ip, ua, salt)");
  assert.equal(ids.sessionId('w', '1.2.3.4', 'ua', { ...may }), s1, 'same period, same session');
  assert.notEqual(ids.sessionId('w', '1.2.3.4', 'ua', june), s1, 'next period, new salt');
  assert.notEqual(ids.sessionId('w', '1.2.3.5', 'ua', may), s1);
  assert.notEqual(ids.sessionId('w2', '1.2.3.4', 'ua', may), s1);
  assert.notEqual(new Ids('other').sessionId('w', '1.2.3.4', 'ua', may), s1, 'secret is part of the hash');
  assert.equal(ids.distinctSessionId('w', 'user-1'), ids.distinctSessionId('w', 'user-1'));
  assert.equal(ids.visitId(s1, new Date(2024, 4, 10, 12, 1)), ids.visitId(s1, new Date(2024, 4, 10, 12, 59)));
  assert.notEqual(ids.visitId(s1, new Date(2024, 4, 10, 12, 59)), ids.visitId(s1, new Date(2024, 4, 10, 13, 0)));
  assert.equal(periodStart(new Date(2024, 4, 15, 9), 'week').getDay(), 0);
  assert.deepEqual(nextPeriodStart(new Date(2024, 11, 31, 23), 'month'), new Date(2025, 0, 1));
  assert.deepEqual(nextPeriodStart(new Date(2024, 4, 15, 9), 'week'), new Date(2024, 4, 19));
  assert.deepEqual(nextPeriodStart(new Date(2024, 1, 29, 9), 'day'), new Date(2024, 2, 1));
});

test('ids: the fast UUIDv5 equals the uuid package (Umami-compatible ids)', () => {
  for (const name of ['', 'a', sha512('w', '1.2.3.4', 'ua'), 'ünïcödé']) assert.equal(uuidv5(name), uuidV5(name, uuidV5.DNS));
});

test('token: signed, verified, tamper-proof', () => {
  const signer = new TokenSigner('s3cret');
  const t = { websiteId: 'w', sessionId: 's', visitId: 'v', iat: 1700000000 };
  const token = signer.sign(t);
  assert.deepEqual(signer.verify(token), t);
  assert.equal(new TokenSigner('other').verify(token), null);
  const [body, sig] = token.split('.');
  const forged = Buffer.from(JSON.stringify(['w', 's', 'v2', 1700000000])).toString('base64url');
  assert.equal(signer.verify(`${forged}.${sig}`), null);
  assert.equal(signer.verify(`${body}.`), null);
  assert.equal(signer.verify('garbage'), null);
  assert.equal(signer.verify(undefined), null);
});

test('url: path, query, utm and click ids; trailing slash; hostname fallback', () => {
  const p = pageUrl('/pricing/?utm_source=news&utm_medium=email&utm_campaign=spring&utm_content=a&utm_term=b&gclid=G&fbclid=F&msclkid=M&ttclid=T&li_fat_id=L&twclid=X#plans', 'example.com');
  assert.equal(p.path, '/pricing/#plans');
  assert.equal(p.query?.startsWith('utm_source=news'), true);
  assert.deepEqual(p.params, { utm_source: 'news', utm_medium: 'email', utm_campaign: 'spring', utm_content: 'a', utm_term: 'b', gclid: 'G', fbclid: 'F', msclkid: 'M', ttclid: 'T', li_fat_id: 'L', twclid: 'X' });
  assert.equal(p.hostname, 'example.com');
  assert.equal(pageUrl('/pricing/', 'example.com', true).path, '/pricing');
  assert.equal(pageUrl('/', 'example.com', true).path, '/');
  assert.equal(pageUrl('https://www.shop.example/caf%C3%A9', undefined).path, '/café');
  assert.equal(pageUrl('https://www.shop.example/x', undefined).hostname, 'shop.example');
  assert.equal(pageUrl('/x', undefined).hostname, null);
  assert.equal(pageUrl('/x?', 'a.com').query, null);
});

test('url: referrer split into domain (www. stripped), path and query', () => {
  assert.deepEqual(referrer('https://www.google.com/search?q=dashi', 'example.com'), { domain: 'google.com', path: '/search', query: 'q=dashi' });
  assert.deepEqual(referrer('', 'example.com'), { domain: null, path: null, query: null });
  assert.deepEqual(referrer(undefined, undefined), { domain: null, path: null, query: null });
});

test('data: nested objects flattened with Umami types', () => {
  const rows = flattenData({
    plan: 'pro',
    price: 19.99,
    seats: 3,
    annual: true,
    at: '2024-05-10T12:00:00.000Z',
    tags: ['a', 'b'],
    user: { address: { city: 'Oslo' }, vip: false },
    nothing: null,
  });
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
  assert.deepEqual(Object.keys(byKey).sort(), ['annual', 'at', 'plan', 'price', 'seats', 'tags', 'user.address.city', 'user.vip']);
  assert.deepEqual([byKey.plan.type, byKey.plan.stringValue], [1, 'pro']);
  assert.deepEqual([byKey.price.type, byKey.price.numberValue, byKey.price.stringValue], [2, 19.99, '19.99']);
  assert.deepEqual([byKey.annual.type, byKey.annual.stringValue], [3, 'true']);
  assert.equal(byKey.at.type, 4);
  assert.equal(byKey.at.dateValue?.toISOString(), '2024-05-10T12:00:00.000Z');
  assert.deepEqual([byKey.tags.type, byKey.tags.stringValue], [5, '["a","b"]']);
  assert.equal(byKey['user.address.city'].stringValue, 'Oslo');
  assert.equal(flattenData({ n: 1.123456 })[0].numberValue, 1.1235);
});

test('data: limits raise errors that name the limit', () => {
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
  assert.throws(() => flattenData(many), (e: Error) => e instanceof DataLimitError && /more than 50 properties/.test(e.message));
  assert.equal(flattenData(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))).length, 50);
  assert.throws(() => flattenData({ s: 'x'.repeat(501) }), /data\.s: value longer than 500 characters/);
  assert.equal(flattenData({ s: 'x'.repeat(500) })[0].stringValue?.length, 500);
  assert.throws(() => flattenData({ ['k'.repeat(501)]: 1 }), /property name longer than 500/);
  assert.throws(() => flattenData({ big: 1e16 }), /number out of range/);
  assert.throws(() => flattenData({ a: Array(200).fill('xyz') }), /longer than 500/);
  // deep nesting ends at the nesting limit (MAX_JSON_DEPTH), not the stack
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 1000; i++) deep = { a: deep };
  assert.throws(() => flattenData(deep), /data: nested more than 16 levels deep/);
});

test('geo: bundled DB-IP database, CDN headers, private addresses', async () => {
  const geo = await GeoDb.open();
  assert.deepEqual(geo.lookup('8.8.8.8'), { country: 'US', region: 'US-CA', city: 'Mountain View' });
  const v6 = geo.lookup('2001:4860:4860::8888');
  assert.match(v6.country ?? '', /^[A-Z]{2}$/);
  assert.equal(geo.lookup('127.0.0.1').country, null);
  assert.deepEqual(geoFromHeaders({ 'cf-ipcountry': 'de', 'cf-region-code': 'BE', 'cf-ipcity': 'Berlin' }), { country: 'DE', region: 'DE-BE', city: 'Berlin' });
  assert.deepEqual(geoFromHeaders({ 'x-vercel-ip-country': 'US', 'x-vercel-ip-country-region': 'CA' }), { country: 'US', region: 'US-CA', city: null });
  assert.equal(geoFromHeaders({ 'cf-ipcountry': 'XX' }), null);
  assert.equal(geoFromHeaders({}), null);
  assert.equal(regionCode('US', 'California'), 'US-CA');
  assert.equal(regionCode('SE', 'Stockholm'), 'SE-AB');
  assert.equal(regionCode('US', 'Atlantis'), null);
});

function rows(n = 1): HitRows {
  return { events: Array.from({ length: n }, () => ({}) as never), eventData: [], sessions: [], sessionData: [] };
}

test('writer: group commit, acknowledgement after commit, one writer at a time', async () => {
  const batches: WriteBatch[] = [];
  let active = 0;
  let maxActive = 0;
  const writer = new Writer(
    async (b) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 20));
      batches.push(b);
      active--;
    },
    { flushMs: 5, maxBatch: 100 },
  );
  let acked = 0;
  const first = Array.from({ length: 10 }, () => writer.enqueue(rows()).then(() => acked++));
  await new Promise((r) => setTimeout(r, 10)); // first flush is now writing
  assert.equal(acked, 0, 'nothing acknowledged before its batch committed');
  const second = Array.from({ length: 30 }, () => writer.enqueue(rows()).then(() => acked++));
  await Promise.all([...first, ...second]);
  assert.equal(acked, 40);
  assert.equal(maxActive, 1);
  assert.deepEqual(batches.map((b) => b.events.length), [10, 30]);
  assert.equal(writer.committed, 40);
});

test('writer: bounded queue rejects when full, drain writes everything then refuses', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let written = 0;
  const writer = new Writer(
    async (b) => {
      await gate;
      written += b.events.length;
    },
    { flushMs: 1, maxBatch: 2, maxQueue: 3 },
  );
  const accepted = [writer.enqueue(rows()), writer.enqueue(rows())]; // flushed at maxBatch: in flight
  accepted.push(writer.enqueue(rows()), writer.enqueue(rows()), writer.enqueue(rows())); // queued: 3
  await assert.rejects(writer.enqueue(rows()), QueueFullError);
  const drained = writer.drain();
  await assert.rejects(writer.enqueue(rows()), WriterClosedError);
  release();
  await drained;
  await Promise.all(accepted);
  assert.equal(written, 5);
});

test('writer: a hit the store refuses does not sink its batch', async () => {
  const writer = new Writer(
    async (b) => {
      if (b.events.some((e: any) => e.poison)) throw new RowRejectedError(new Error('bad row'));
    },
    { flushMs: 5 },
  );
  const ok = (i: number) => ({ ...rows(), events: [{ i } as never] });
  const results = await Promise.allSettled([writer.enqueue(ok(1)), writer.enqueue({ ...rows(), events: [{ poison: true } as never] }), writer.enqueue(ok(2)), writer.enqueue(ok(3))]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
});

test('writer: a failing store costs a batch two attempts, not two per hit', async () => {
  let attempts = 0;
  const writer = new Writer(
    async () => {
      attempts++;
      throw new Error('store unreachable');
    },
    { flushMs: 5 },
  );
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => writer.enqueue(rows())));
  assert.deepEqual(results.map((r) => r.status), Array(8).fill('rejected'));
  assert.equal(attempts, 2);
});
