// Ingestion against a real server: /api/send, /api/batch, /api/collect, the tracker script,
// bad input, bots, IGNORE_IP, the visit cache token, and no acknowledged hit lost to kill -9.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { readAll, readStored } from '../helpers/ingest-db.js';
import { TokenSigner } from '../../src/ingest/token.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const SECRET = 'ingest-test-secret-of-at-least-32-bytes';

async function createWebsite(dashi: Dashi, name = 'Site'): Promise<string> {
  const token = await dashi.login();
  const res = await dashi.post('/api/websites', { name, domain: 'example.com' }, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.id;
}

function hit(website: string, payload: Record<string, unknown> = {}, type = 'event') {
  return { type, payload: { website, hostname: 'example.com', language: 'en-US', screen: '1920x1080', url: '/', ...payload } };
}

const stores = await testStores();
after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

// Every store: the same hits must be stored the same way.
for (const store of stores) {

  describe(`ingestion on the default configuration (${store.name})`, () => {
    let dashi: Dashi;
    let website: string;
    const ua = (agent = CHROME, extra: Record<string, string> = {}) => ({ headers: { 'user-agent': agent, ...extra } });

    before(async () => {
      dashi = await startDashi({ env: { ...(await store.env()), APP_SECRET: SECRET } });
      website = await createWebsite(dashi);
    });

    test('send: pageview and custom event answer {cache, sessionId, visitId}', async () => {
      const view = await dashi.post(
        '/api/send',
        hit(website, {
          url: '/pricing/?utm_source=news&utm_campaign=spring&gclid=G1',
          referrer: 'https://www.google.com/search?q=dashi',
          title: 'Pricing',
          tag: 'blue',
        }),
        ua(CHROME, { 'x-forwarded-for': '8.8.8.8' }),
      );
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.deepEqual(Object.keys(view.body).sort(), ['cache', 'sessionId', 'visitId']);
      assert.match(view.body.sessionId, /^[0-9a-f-]{36}$/);
      const event = await dashi.post(
        '/api/send',
        hit(website, { url: '/pricing/', name: 'signup', data: { plan: 'pro', price: 19.99, annual: true, meta: { step: 2 }, tags: ['a'], at: '2024-05-10T12:00:00.000Z' } }),
        ua(CHROME, { 'x-forwarded-for': '8.8.8.8', 'x-umami-cache': view.body.cache }),
      );
      assert.equal(event.status, 200);
      assert.equal(event.body.sessionId, view.body.sessionId);
      assert.equal(event.body.visitId, view.body.visitId);
    });

    test('send: text/plain and form-encoded bodies are parsed as JSON too', async () => {
      for (const contentType of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
        const res = await dashi.request('POST', '/api/send', { rawBody: JSON.stringify(hit(website, { url: '/plain' })), headers: { 'user-agent': IPHONE, 'content-type': contentType } });
        assert.equal(res.status, 200, `${contentType}: ${JSON.stringify(res.body)}`);
      }
    });

    test('bad inputs: each answers 4xx with the error envelope', async () => {
      const unknownSite = randomUUID();
      const b = (i: number, payload: Record<string, unknown> = {}, type = 'event') => hit(website, { url: `/bad-${i}`, ...payload }, type);
      const cases: [string, string, unknown, number, RegExp][] = [
        ['malformed JSON', '/api/send', '{"type":"event","payload":{', 400, /not valid JSON/],
        ['empty body', '/api/send', '', 400, /./],
        ['array body', '/api/send', [b(1)], 400, /JSON object/],
        ['number body', '/api/send', 5, 400, /JSON object/],
        ['null body', '/api/send', null, 400, /JSON object/],
        ['missing type', '/api/send', { payload: b(2).payload }, 400, /type/],
        ['unknown type', '/api/send', b(3, {}, 'pageview'), 400, /type: must be "event" or "identify"/],
        ['missing payload', '/api/send', { type: 'event' }, 400, /payload: must be an object/],
        ['payload not an object', '/api/send', { type: 'event', payload: 'x' }, 400, /payload/],
        ['missing website', '/api/send', { type: 'event', payload: { url: '/bad-4' } }, 400, /payload\.website/],
        ['website not a uuid', '/api/send', b(5, { website: 'abc' }), 400, /payload\.website/],
        ['unknown website', '/api/send', b(6, { website: unknownSite }), 400, /Website not found/],
        ['url not a string', '/api/send', b(7, { url: 7 }), 400, /payload\.url/],
        ['event name over 50', '/api/send', b(8, { name: 'n'.repeat(51) }), 400, /payload\.name: must be at most 50/],
        ['tag over 50', '/api/send', b(9, { tag: 't'.repeat(51) }), 400, /payload\.tag/],
        ['hostname over 100', '/api/send', b(10, { hostname: 'h'.repeat(101) }), 400, /payload\.hostname/],
        ['screen over 11', '/api/send', b(11, { screen: '123456x123456' }), 400, /payload\.screen/],
        ['language over 35', '/api/send', b(12, { language: 'l'.repeat(36) }), 400, /payload\.language/],
        ['data not an object', '/api/send', b(13, { data: 'x' }), 400, /payload\.data/],
        ['data over 50 properties', '/api/send', b(14, { data: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }), 400, /more than 50 properties/],
        ['data string over 500', '/api/send', b(15, { data: { s: 'x'.repeat(501) } }), 400, /payload\.data\.s: value longer than 500/],
        ['data key over 500', '/api/send', b(16, { data: { ['k'.repeat(501)]: 1 } }), 400, /property name longer than 500/],
        ['data number out of range', '/api/send', b(17, { data: { n: 1e20 } }), 400, /number out of range/],
        ['timestamp not whole', '/api/send', b(18, { timestamp: 1700000000.5 }), 400, /payload\.timestamp/],
        ['timestamp negative', '/api/send', b(19, { timestamp: -5 }), 400, /payload\.timestamp/],
        ['timestamp a string', '/api/send', b(20, { timestamp: 'yesterday' }), 400, /payload\.timestamp/],
        ['timestamp far future', '/api/send', b(21, { timestamp: Math.floor(Date.now() / 1000) + 365 * 86400 }), 400, /future/],
        ['ip not an address', '/api/send', b(22, { ip: 'not-an-ip' }), 400, /payload\.ip/],
        ['distinct id over 50', '/api/send', b(23, { id: 'i'.repeat(51) }), 400, /payload\.id/],
        ['url unparseable', '/api/send', b(24, { url: 'http://[bad' }), 400, /payload\.url/],
        ['body over 64 KB', '/api/send', b(25, { title: 'x'.repeat(70_000) }), 413, /too large/],
        ['collect: unknown legacy id', '/api/collect', { type: 'pageview', payload: { website: 999999, url: '/bad-26' } }, 400, /Website not found/],
        ['collect: event without value', '/api/collect', { type: 'event', payload: { website, url: '/bad-27', event_type: 'click' } }, 400, /event_value/],
        ['collect: unknown type', '/api/collect', { type: 'identify', payload: { website, url: '/bad-28' } }, 400, /type/],
        ['batch: not an array', '/api/batch', b(29), 400, /array/],
        ['batch: too many items', '/api/batch', Array.from({ length: 501 }, () => b(30)), 400, /more than 500/],
      ];
      for (const [name, path, body, status, message] of cases) {
        const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
        const res = await dashi.request('POST', path, { rawBody, headers: { 'user-agent': CHROME } });
        assert.equal(res.status, status, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body?.error?.status, status, `${name}: envelope ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.error.code, 'string', name);
        assert.match(res.body.error.message, message, name);
      }
    });

    test('bots are dropped with 200 {"beep":"boop"}', async () => {
      for (const agent of [GOOGLEBOT, 'curl/8.4.0', '']) {
        const res = await dashi.post('/api/send', hit(website, { url: '/bot' }), ua(agent));
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { beep: 'boop' }, `UA ${agent}`);
      }
    });

    test('cache token keeps one visit; an expired or foreign token does not', async () => {
      const headers = { 'user-agent': IPHONE, 'x-forwarded-for': '81.2.69.142' };
      const first = await dashi.post('/api/send', hit(website, { url: '/visit-1' }), { headers });
      // Two hours earlier: without a token the visit is session + clock hour, so a different one...
      const earlier = Math.floor(Date.now() / 1000) - 2 * 3600;
      const alone = await dashi.post('/api/send', hit(website, { url: '/visit-x', timestamp: earlier }), { headers });
      assert.notEqual(alone.body.visitId, first.body.visitId);
      // ...but with the token the hit stays in the token's visit.
      const carried = await dashi.post('/api/send', hit(website, { url: '/visit-2', timestamp: earlier }), { headers: { ...headers, 'x-umami-cache': first.body.cache } });
      assert.equal(carried.body.visitId, first.body.visitId);
      assert.equal(carried.body.sessionId, first.body.sessionId);
      // A token whose visit started over 30 minutes ago starts a new visit.
      const signer = new TokenSigner(SECRET);
      const old = signer.sign({ websiteId: website, sessionId: first.body.sessionId, visitId: randomUUID(), iat: Math.floor(Date.now() / 1000) - 31 * 60 });
      const renewed = await dashi.post('/api/send', hit(website, { url: '/visit-3' }), { headers: { ...headers, 'x-umami-cache': old } });
      assert.equal(renewed.status, 200);
      assert.equal(renewed.body.visitId, first.body.visitId, 'renewed visit is session + current hour');
      const fresh = signer.sign({ websiteId: website, sessionId: first.body.sessionId, visitId: 'a0000000-0000-4000-8000-000000000001', iat: Math.floor(Date.now() / 1000) - 60 });
      const kept = await dashi.post('/api/send', hit(website, { url: '/visit-4' }), { headers: { ...headers, 'x-umami-cache': fresh } });
      assert.equal(kept.body.visitId, 'a0000000-0000-4000-8000-000000000001');
      // Tampered token: ignored, not an error.
      const tampered = await dashi.post('/api/send', hit(website, { url: '/visit-5' }), { headers: { ...headers, 'x-umami-cache': first.body.cache.slice(0, -2) + 'xx' } });
      assert.equal(tampered.status, 200);
      assert.equal(tampered.body.visitId, first.body.visitId);
    });

    test('identify sets the distinct id and stores session data', async () => {
      const headers = { 'user-agent': CHROME, 'x-forwarded-for': '2.125.160.216' };
      const res = await dashi.post('/api/send', hit(website, { id: 'user-42', data: { plan: 'team', seats: 5 } }, 'identify'), { headers });
      assert.equal(res.status, 200);
      const after = await dashi.post('/api/send', hit(website, { id: 'user-42', url: '/after-identify' }), { headers: { ...headers, 'x-forwarded-for': '89.160.20.112' } });
      assert.equal(after.body.sessionId, res.body.sessionId, 'distinct id, not IP, picks the session');
    });

    test('batch: a result per item, errors detailed by index', async () => {
      const res = await dashi.post('/api/batch', [hit(website, { url: '/batch-1' }), { type: 'nope', payload: {} }, hit(website, { url: '/batch-2', name: 'b' })], ua(IPHONE));
      assert.equal(res.status, 200);
      assert.equal(res.body.size, 3);
      assert.equal(res.body.processed, 2);
      assert.equal(res.body.errors, 1);
      assert.equal(res.body.details.length, 1);
      assert.equal(res.body.details[0].index, 1);
      assert.equal(res.body.details[0].response.error.status, 400);
      assert.equal(typeof res.body.cache, 'string');
    });

    test('collect (v1): pageview and event by legacy id or uuid', async () => {
      const view = await dashi.post('/api/collect', { type: 'pageview', payload: { website: 1, url: '/v1-page', referrer: '', hostname: 'example.com', language: 'en-US', screen: '1920x1080' } }, ua(CHROME));
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.equal(typeof view.body, 'string');
      const event = await dashi.post('/api/collect', { type: 'event', payload: { website, url: '/v1-page', event_type: 'click', event_value: 'signup-button', hostname: 'example.com' } }, ua(CHROME));
      assert.equal(event.status, 200);
    });

    test('tracker: /script.js with CORS and cache headers, at most 2 KB gzipped', async () => {
      const res = await fetch(`${dashi.url}/script.js`);
      const js = await res.text();
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('cache-control') ?? '', /max-age=86400/);
      assert.match(js, /"\/api\/send"/);
      assert.ok(gzipSync(js, { level: 9 }).length <= 2048, `gzipped ${gzipSync(js).length} bytes`);
      const cors = await fetch(`${dashi.url}/api/send`, { method: 'OPTIONS' });
      assert.equal(cors.headers.get('access-control-allow-origin'), '*');
    });

    test('stored rows: exactly the accepted hits, enriched, without the IP', async () => {
      await dashi.stop();
      const { events, eventData, sessions, sessionData } = await readAll(dashi);
      assert.equal(events.filter((e) => /^\/(bad|bot)/.test(e.url_path)).length, 0, 'bad input and bots stored nothing');
      const paths = events.map((e) => e.url_path).sort();
      const expected = ['/after-identify', '/batch-1', '/batch-2', '/plain', '/plain', '/pricing/', '/pricing/', '/v1-page', '/v1-page', '/visit-1', '/visit-2', '/visit-3', '/visit-4', '/visit-5', '/visit-x'];
      assert.deepEqual(paths, expected.sort());

      const view = events.find((e) => e.url_path === '/pricing/' && e.event_type === 1)!;
      assert.equal(view.url_query, 'utm_source=news&utm_campaign=spring&gclid=G1');
      assert.equal(view.utm_source, 'news');
      assert.equal(view.utm_campaign, 'spring');
      assert.equal(view.gclid, 'G1');
      assert.equal(view.referrer_domain, 'google.com');
      assert.equal(view.referrer_path, '/search');
      assert.equal(view.referrer_query, 'q=dashi');
      assert.equal(view.page_title, 'Pricing');
      assert.equal(view.tag, 'blue');
      assert.equal(view.hostname, 'example.com');
      assert.deepEqual([view.browser, view.os, view.device, view.screen, view.language], ['chrome', 'Windows 10', 'laptop', '1920x1080', 'en-US']);
      assert.deepEqual([view.country, view.region, view.city], ['US', 'US-CA', 'Mountain View']);

      const signup = events.find((e) => e.event_name === 'signup')!;
      assert.equal(signup.event_type, 2);
      const data = Object.fromEntries(eventData.filter((d) => d.event_id === signup.event_id).map((d) => [d.data_key, [d.data_type, d.string_value]]));
      assert.deepEqual(data, {
        plan: [1, 'pro'],
        price: [2, '19.99'],
        annual: [3, 'true'],
        'meta.step': [2, '2'],
        tags: [5, '["a"]'],
        at: [4, '2024-05-10T12:00:00.000Z'],
      });

      const iphone = events.find((e) => e.url_path === '/visit-1')!;
      assert.deepEqual([iphone.browser, iphone.os, iphone.device, iphone.country], ['ios', 'iOS', 'mobile', 'GB']);

      const v1 = events.find((e) => e.url_path === '/v1-page' && e.event_type === 2)!;
      assert.equal(v1.event_name, 'signup-button');
      assert.equal(v1.event_category, 'click');

      const identified = events.find((e) => e.url_path === '/after-identify')!;
      assert.equal(identified.distinct_id, 'user-42');
      assert.deepEqual(
        sessionData.map((d) => [d.data_key, d.string_value, d.distinct_id]),
        [
          ['plan', 'team', 'user-42'],
          ['seats', '5', 'user-42'],
        ],
      );
      assert.ok(sessions.some((s) => s.session_id === identified.session_id && s.distinct_id === 'user-42'));

      const everything = JSON.stringify({ events, eventData, sessions, sessionData });
      for (const ip of ['8.8.8.8', '81.2.69.142', '2.125.160.216', '89.160.20.112', '127.0.0.1']) assert.ok(!everything.includes(ip), `IP ${ip} stored`);
    });
  });

  describe(`ingestion with IGNORE_IP, CLIENT_IP_HEADER, script names and a custom endpoint (${store.name})`, () => {
    let dashi: Dashi;
    let website: string;

    before(async () => {
      dashi = await startDashi({
        env: {
          ...(await store.env()),
          IGNORE_IP: '203.0.113.0/24, 198.51.100.7',
          CLIENT_IP_HEADER: 'x-test-ip',
          TRACKER_SCRIPT_NAME: 'stats.js,/js/a',
          COLLECT_API_ENDPOINT: '/api/hit',
          REMOVE_TRAILING_SLASH: '1',
          DISABLE_BOT_CHECK: '1',
        },
      });
      website = await createWebsite(dashi);
    });

    test('IGNORE_IP answers 403 for listed addresses and ranges', async () => {
      const send = (headers: Record<string, string>, url: string) => dashi.post('/api/send', hit(website, { url }), { headers: { 'user-agent': CHROME, ...headers } });
      const range = await send({ 'x-forwarded-for': '203.0.113.5' }, '/ignored-1');
      assert.equal(range.status, 403);
      assert.deepEqual(range.body, { error: { message: 'Forbidden', code: 'forbidden', status: 403 } });
      assert.equal((await send({ 'x-test-ip': '198.51.100.7', 'x-forwarded-for': '192.0.2.1' }, '/ignored-2')).status, 403);
      assert.equal((await send({ 'x-test-ip': '192.0.2.1', 'x-forwarded-for': '203.0.113.5' }, '/allowed-1')).status, 200, 'CLIENT_IP_HEADER wins');
      assert.equal((await send({ 'x-forwarded-for': '192.0.2.99' }, '/allowed-2/')).status, 200);
    });

    test('DISABLE_BOT_CHECK keeps bots', async () => {
      const res = await dashi.post('/api/send', hit(website, { url: '/bot-kept' }), { headers: { 'user-agent': GOOGLEBOT } });
      assert.equal(res.status, 200);
      assert.ok(res.body.sessionId);
    });

    test('tracker under every TRACKER_SCRIPT_NAME, posting to COLLECT_API_ENDPOINT', async () => {
      for (const path of ['/script.js', '/stats.js', '/js/a', '/js/a.js']) {
        const res = await fetch(dashi.url + path);
        assert.equal(res.status, 200, path);
        const js = await res.text();
        assert.match(js, /"\/api\/hit"/, path);
        assert.doesNotMatch(js, /"\/api\/send"/, path);
      }
      const res = await dashi.post('/api/hit', hit(website, { url: '/via-endpoint' }), { headers: { 'user-agent': CHROME } });
      assert.equal(res.status, 200);
    });

    test('stored: allowed hits only, trailing slash removed', async () => {
      await dashi.stop();
      const rows = await readStored(dashi, 'SELECT url_path, browser FROM website_event ORDER BY url_path');
      assert.deepEqual(
        rows.map((r) => r.url_path),
        ['/allowed-1', '/allowed-2', '/bot-kept', '/via-endpoint'],
      );
    });
  });

  describe(`durability (${store.name})`, () => {
    test('kill -9 while hits stream in: every acknowledged hit is stored after restart', async () => {
      const dashi = await startDashi({ env: await store.env() });
      const website = await createWebsite(dashi);
      const acked = new Set<string>();
      let n = 0;
      let stop = false;
      const worker = async (w: number) => {
        while (!stop) {
          const path = `/k/${w}/${n++}`;
          try {
            const res = await fetch(`${dashi.url}/api/send`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'user-agent': CHROME, 'x-forwarded-for': `192.0.2.${w}` },
              body: JSON.stringify(hit(website, { url: path })),
            });
            if (res.status === 200 && (await res.json()).visitId) acked.add(path);
          } catch {
            return; // the server is gone
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => worker(w));
      const deadline = Date.now() + 10_000;
      while (acked.size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await dashi.kill9();
      stop = true;
      await Promise.all(workers);
      assert.ok(acked.size >= 300, `only ${acked.size} hits acknowledged before the kill`);

      await dashi.start(); // recovers from the WAL
      await dashi.stop();
      const rows = await readStored(dashi, "SELECT url_path FROM website_event WHERE url_path LIKE '/k/%'");
      const stored = new Set(rows.map((r) => r.url_path as string));
      const missing = [...acked].filter((p) => !stored.has(p));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged hits lost`);
      assert.ok(stored.size >= acked.size);
    });
  });
}
