// Crafted parameters on every store: regular expressions the store's engine refuses, filter
// operators and sort keys that are Object.prototype names, and deeply nested JSON. Each answers a
// 400 naming the parameter (or, where the value is a plain literal, an ordinary answer), never 500.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError } from '../helpers/api.js';
import { goldenWorld, type GoldenWorld } from '../helpers/golden-world.js';
import { stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { R } from '../fixtures/golden.js';

const STORES = await testStores();
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const PROTO = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

const qs = (params: Record<string, string | number>) => `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;

/** JSON text of `levels` nested objects (or arrays) around a number: depth `levels`. */
function nest(levels: number, key = 'a', arrays = false): string {
  const open = arrays ? '[' : `{${JSON.stringify(key)}:`;
  const close = arrays ? ']' : '}';
  return `${open.repeat(levels)}1${close.repeat(levels)}`;
}

after(async () => {
  await stopAll();
  for (const s of STORES) await s.cleanup();
});

for (const store of STORES) {
  describe(`crafted parameters (${store.name})`, () => {
    let w: GoldenWorld;
    let token: string;
    const stats = (params: Record<string, string | number>) => w.d.get(`/api/websites/${w.ids.w1}/stats${qs({ ...R, ...params })}`, { token });
    const dateRange = { startDate: new Date(R.startAt).toISOString(), endDate: new Date(R.endAt).toISOString() };
    // `data` is JSON text: JSON.stringify itself cannot write thousands of levels.
    const send = (data: string) =>
      w.d.request('POST', '/api/send', {
        rawBody: `{"type":"event","payload":{"website":"${w.ids.w1}","hostname":"example.com","url":"/deep","name":"deep","data":${data}}}`,
        headers: { 'user-agent': CHROME },
      });
    const postRaw = (url: string, text: string) => w.d.request('POST', url, { rawBody: text, token });

    before(async () => {
      w = await goldenWorld(await store.env(), `crafted-${store.name}`);
      token = w.owner.token;
    });

    test('regular expressions the store refuses: 400 naming the parameter', async () => {
      for (const p of ['a{1001}', '\\q', '(?<n>a)', '(a{100}){100}', '\\k<x>', '[]', '\\1', '(?=x)']) {
        const res = await stats({ path: `re.${p}` });
        assertError(res, 400, /^Invalid path: /);
        const neg = await stats({ path3: `nre.${p}` });
        assertError(neg, 400, /^Invalid path3: /);
      }
      assertError(await stats({ referrer: 're.\\q' }), 400, /^Invalid referrer: /);
      assertError(await w.d.get(`/api/websites/${w.ids.w1}/metrics${qs({ ...R, type: 'url', title: 're.a{1001}' })}`, { token }), 400, /^Invalid title: /);
      // An ordinary pattern still works on every store.
      const ok = await stats({ path: 're.^/pric' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('regular expressions in report filters and saved segments', async () => {
      const report = await w.d.post('/api/reports/utm', { websiteId: w.ids.w1, dateRange, filters: [{ name: 'path', operator: 're', value: 'a{1001}' }] }, { token });
      assertError(report, 400, /filters\.0\.value/);
      const seg = await w.d.post(`/api/websites/${w.ids.w1}/segments`, { type: 'segment', name: 'bad', parameters: { filters: [{ name: 'path', operator: 're', value: '\\q' }] } }, { token });
      assertError(seg, 400, /filters\.0\.value/);
      const good = await w.d.post(`/api/websites/${w.ids.w1}/segments`, { type: 'segment', name: 'good', parameters: { filters: [{ name: 'path', operator: 're', value: '^/pricing' }] } }, { token });
      assert.equal(good.status, 200, JSON.stringify(good.body));
    });

    test('filter operators named like Object.prototype members are plain values', async () => {
      for (const name of PROTO) {
        const crafted = await stats({ path: `${name}.x` });
        assert.equal(crafted.status, 200, `${name}: ${JSON.stringify(crafted.body)}`);
        // No operator of that name: the whole text is the value, as for `path=eq.<text>`.
        const literal = await stats({ path: `eq.${name}.x` });
        assert.deepEqual(crafted.body, literal.body);
        assert.equal(crafted.body.pageviews.value, 0);
      }
    });

    test('prototype names as report operators, fields, time zones, units, types: 400 naming the field', async () => {
      for (const name of PROTO) {
        const op = await w.d.post('/api/reports/utm', { websiteId: w.ids.w1, dateRange, filters: [{ name: 'path', operator: name, value: 'x' }] }, { token });
        assertError(op, 400, /^Invalid filters\.0\.operator: /);
        const field = await w.d.post('/api/reports/utm', { websiteId: w.ids.w1, dateRange, filters: [{ name, operator: 'eq', value: 'x' }] }, { token });
        assertError(field, 400, /^Invalid filters\.0\.name: /);
        assertError(await w.d.get(`/api/websites/${w.ids.w1}/pageviews${qs({ ...R, unit: 'day', timezone: name })}`, { token }), 400, /^Invalid timezone: /);
        assertError(await w.d.get(`/api/websites/${w.ids.w1}/metrics${qs({ ...R, type: name })}`, { token }), 400, /^Invalid type: /);
        assertError(await w.d.get(`/api/websites/${w.ids.w1}/pageviews${qs({ ...R, unit: name })}`, { token }), 400, /^Invalid unit: /);
        const model = await w.d.post('/api/reports/attribution', { websiteId: w.ids.w1, dateRange, model: name, steps: [{ type: 'path', value: '/' }] }, { token });
        assertError(model, 400, /^Invalid model: /);
        const saved = await w.d.post('/api/reports', { websiteId: w.ids.w1, type: name, name: 'x', parameters: {} }, { token });
        assertError(saved, 400, /type/);
      }
    });

    test('orderBy named like an Object.prototype member on every paged list: 400 naming orderBy', async () => {
      const admin = await w.d.login();
      const team = (await w.d.post('/api/teams', { name: `order-${store.name}` }, { token })).body[0];
      const lists: [string, string][] = [
        ['/api/websites', token],
        ['/api/users', admin],
        ['/api/admin/users', admin],
        ['/api/teams', token],
        [`/api/teams/${team.id}/users`, token],
        [`/api/teams/${team.id}/websites`, token],
        ['/api/reports', token],
        [`/api/websites/${w.ids.w1}/reports`, token],
        [`/api/websites/${w.ids.w1}/segments`, token],
      ];
      for (const [url, t] of lists) {
        const plain = await w.d.get(url, { token: t });
        if (plain.status === 404) continue; // a list this API version does not have
        assert.equal(plain.status, 200, `${url}: ${JSON.stringify(plain.body)}`);
        for (const name of PROTO) assertError(await w.d.get(`${url}?orderBy=${name}`, { token: t }), 400, /^Invalid orderBy: /);
        assertError(await w.d.get(`${url}?orderBy=nosuchcolumn`, { token: t }), 400, /^Invalid orderBy: 'nosuchcolumn' is not one of /);
      }
      assert.equal((await w.d.get('/api/websites?orderBy=name&sortDescending=true', { token })).status, 200);
    });

    test('event data nested too deeply, empty or colliding keys: 400 naming data', async () => {
      assertError(await send(`{"a":${nest(5000, '', true)}}`), 400, /data: nested more than 16 levels deep/);
      assertError(await send(nest(5000, '')), 400, /data: nested more than 16 levels deep/);
      assertError(await send(nest(17)), 400, /data: nested more than 16 levels deep/);
      assertError(await send(`{"a":${nest(16, 'b', true)}}`), 400, /data: nested more than 16 levels deep/);
      assertError(await send('{"":1}'), 400, /data: empty property name/);
      assertError(await send('{"a":{"":1},"a.":2}'), 400, /data: empty property name/);
      assertError(await send('{"a.b":1,"a":{"b":2}}'), 400, /data: property 'a\.b' is given twice/);
      // Sixteen levels are fine.
      const ok = await send(nest(16));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('segment and report parameters nested too deeply: 400 naming parameters', async () => {
      const segments = `/api/websites/${w.ids.w1}/segments`;
      const seg = await postRaw(segments, `{"type":"segment","name":"deep","parameters":{"filters":[],"extra":${nest(5000)}}}`);
      assertError(seg, 400, /^Invalid parameters: nested more than 16 levels deep/);
      const emptyKeys = await postRaw(segments, `{"type":"segment","name":"deep","parameters":{"filters":[],"":${nest(100, '')}}}`);
      assertError(emptyKeys, 400, /^Invalid parameters: nested more than 16 levels deep/);
      const saved = await postRaw('/api/reports', `{"websiteId":"${w.ids.w1}","type":"funnel","name":"deep","parameters":{"x":${nest(5000, 'a', true)}}}`);
      assertError(saved, 400, /^Invalid parameters: nested more than 16 levels deep/);
      const run = await postRaw('/api/reports/utm', `{"websiteId":"${w.ids.w1}","dateRange":${JSON.stringify(dateRange)},"parameters":{"x":${nest(1000)}}}`);
      assertError(run, 400, /^Invalid body: nested more than 16 levels deep/);
      const fine = await postRaw('/api/reports', `{"websiteId":"${w.ids.w1}","type":"funnel","name":"ok","parameters":{"x":${nest(10)}}}`);
      assert.equal(fine.status, 200, JSON.stringify(fine.body));
    });

    test('the server is still healthy', async () => {
      assert.equal((await w.d.get('/api/heartbeat')).status, 200);
      assert.doesNotMatch(w.d.output, /request failed/);
    });
  });
}
