// GET /api/openapi.json: a valid OpenAPI 3.1 document (checked by a real validator) that lists
// every route the app registers, whose every path answers on a running server, whose response
// schemas match real answers, and whose security matches who the routes let in.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { z } from 'zod';
import { registerApi } from '../../src/api/index.js';
import { openApiPath } from '../../src/api/openapi/document.js';
import { OPERATIONS, type Operation } from '../../src/api/openapi/operations.js';
import { errorJson } from '../../src/api/openapi/responses.js';
import { loadConfig } from '../../src/config.js';
import { AuthService } from '../../src/server/auth-service.js';
import { registerUi } from '../../src/server/ui.js';
import { openStore } from '../../src/store/index.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';
import { R, SESSION } from '../fixtures/golden.js';
import { goldenWorld, type GoldenWorld } from '../helpers/golden-world.js';
import { stopAll } from '../helpers/server.js';

/**
 * Registered routes the document leaves out, and why: the tracker script and the dashboard's
 * static files are not API, and Fastify adds HEAD to every GET on its own.
 */
const NOT_DOCUMENTED = [
  { method: 'GET', url: '/script.js', why: 'the tracker script (also under TRACKER_SCRIPT_NAME)' },
  { method: 'GET', url: '/*', why: 'the dashboard and its static files' },
  { method: 'GET', url: '/mcp', why: 'answers 405: the MCP endpoint is stateless, POST only' },
  { method: 'DELETE', url: '/mcp', why: 'answers 405: the MCP endpoint is stateless, POST only' },
];

let w: GoldenWorld;
let admin = '';
let doc: any;
const ids: Record<string, string> = {};

describe('OpenAPI document', () => {
  before(async () => {
    w = await goldenWorld({}, 'openapi');
    admin = await w.d.login();
    const as = { token: admin };
    const team = await w.d.post('/api/teams', { name: 'openapi team' }, as);
    const report = await w.d.post('/api/reports', { websiteId: w.ids.w1, type: 'funnel', name: 'r', parameters: {} }, as);
    const segment = await w.d.post(`/api/websites/${w.ids.w1}/segments`, { name: 's', parameters: { filters: [{ name: 'path', operator: 'eq', value: '/' }] } }, as);
    assert.equal(team.status, 200);
    assert.equal((await w.d.post(`/api/teams/${team.body[0].id}/users`, { userId: w.stranger.id, role: 'team-member' }, as)).status, 200);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(segment.status, 200, JSON.stringify(segment.body));
    // A key of the user the `:userId` paths name, so its routes find one.
    const key = await w.d.post('/api/me/api-keys', { name: 'openapi', scope: 'read' }, { token: w.stranger.token });
    assert.equal(key.status, 200, JSON.stringify(key.body));
    const own = await w.d.post('/api/me/api-keys', { name: 'openapi-own', scope: 'read' }, as);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    Object.assign(ids, {
      keyId: key.body.id,
      'me.keyId': own.body.id,
      websiteId: w.ids.w1,
      id: w.ids.w1,
      userId: w.stranger.id,
      teamId: team.body[0].id,
      reportId: report.body.id,
      segmentId: segment.body.id,
      sessionId: SESSION.S1,
      shareId: 'openapi-share',
    });
    const res = await w.d.get('/api/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });

  after(() => stopAll());

  test('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 4000));
    assert.equal(validator.version, '3.1');
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (typeof v !== 'object' || v === null) return;
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') refs.add(x as string);
        else walk(x);
      }
    };
    walk(doc);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key], doc);
      assert.ok(ref.startsWith('#/components/') && target, `unresolved ${ref}`);
    }
    // Every way to authenticate is described.
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['apiKey', 'bearer', 'cookie', 'shareToken']);
    assert.equal(doc.components.securitySchemes.shareToken.name, 'x-umami-share-token');
    assert.equal(doc.components.securitySchemes.apiKey.name, 'x-umami-api-key');
    // Request schemas are the routes' own: the query endpoint's limits and the login body.
    const query = doc.components.schemas.QueryRequest;
    assert.equal(query.properties.limit.maximum, 10_000);
    assert.equal(query.properties.dimensions.maxItems, 3);
    const login = doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(login.required, ['username', 'password']);
  });

  test('documents every route the app registers, and only those', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-openapi-'));
    const config = loadConfig({ ...process.env, DATA_DIR: dir, DATABASE_URL: '', CLICKHOUSE_URL: '' });
    const store = await openStore(config, trafficRollups);
    const app = Fastify();
    const routes: { method: string; url: string }[] = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url });
    });
    // The same wiring as buildApp (src/app/app.ts).
    const ctx = { config: { ...config, appSecret: 'x'.repeat(32) }, store, auth: new AuthService('x'.repeat(32), store, 60), log: app.log };
    await app.register(async (scope) => registerApi(scope, ctx), { prefix: config.basePath });
    await registerUi(app, ctx);
    await app.ready();
    await app.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });

    const documented = new Set(OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`));
    const registered = routes.filter((r) => r.method !== 'HEAD');
    const missing = registered.filter((r) => !documented.has(`${r.method} ${r.url}`) && !NOT_DOCUMENTED.some((x) => x.method === r.method && x.url === r.url));
    assert.deepEqual(missing, [], 'registered but not documented');
    const extra = [...documented].filter((key) => !registered.some((r) => `${r.method} ${r.url}` === key));
    assert.deepEqual(extra, [], 'documented but not registered');
    // The document served is the registry's.
    for (const op of OPERATIONS) assert.ok(doc.paths[openApiPath(op.path)]?.[op.method], `${op.method} ${op.path}`);
    assert.equal(Object.values(doc.paths).reduce((n: number, item: any) => n + Object.keys(item).length, 0), OPERATIONS.length);
  });

  /** The operation's URL with real ids, and its example query with the golden range. */
  function url(op: Operation): string {
    const p = op.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
      // The caller's own things (/api/me/...) have ids of their own.
      const key = op.path.startsWith('/api/me/') && ids[`me.${name}`] ? `me.${name}` : name;
      assert.ok(ids[key], `no id for ${key}`);
      return ids[key];
    });
    if (!op.example?.query) return p;
    const range = op.path.startsWith('/api/website/') ? { start_at: R.startAt, end_at: R.endAt } : { startAt: R.startAt, endAt: R.endAt };
    const query = Object.entries({ ...range, ...op.example.query }).map(([k, v]) => [k, typeof v === 'string' && v.startsWith(':') ? ids[v.slice(1)] : String(v)]);
    return `${p}?${new URLSearchParams(query)}`;
  }

  const request = (op: Operation, opts: { token?: string; headers?: Record<string, string> } = {}) =>
    w.d.request(op.method.toUpperCase(), url(op), { ...opts, body: op.method === 'post' ? (op.example?.body ?? {}) : undefined });

  function checkShape(op: Operation, status: number, body: unknown) {
    if ('text' in op.response) return;
    const schema = status === 200 ? (op.response as z.ZodType) : errorJson;
    const parsed = schema.safeParse(body);
    assert.ok(parsed.success, `${op.method} ${op.path} ${status}: ${JSON.stringify(parsed.error?.issues.slice(0, 3))} in ${JSON.stringify(body).slice(0, 400)}`);
  }

  test('security: who the document lets in is who the routes let in', async () => {
    // Fresh tokens: the previous test logged the admin out.
    admin = await w.d.login();
    for (const op of OPERATIONS.filter((o) => o.method === 'get')) {
      const anonymous = await request(op);
      if (op.access === 'public') assert.notEqual(anonymous.status, 401, `${op.path} is public`);
      else assert.equal(anonymous.status, 401, `${op.path} needs credentials`);
      if (op.access === 'public' || !op.path.includes(':websiteId')) continue;
      // A share token of the website reads exactly the routes documented as `website`.
      const shared = await request(op, { headers: { 'x-umami-share-token': w.shareToken } });
      if (op.access === 'website') assert.equal(shared.status, 200, `${op.path} takes a share token: ${JSON.stringify(shared.body)}`);
      else assert.equal(shared.status, 401, `${op.path} refuses a share token`);
    }
  });

  test('every path answers (not 404) with real ids, in the documented shape', async () => {
    // Reads first, then writes, then deletes (deepest paths first), logout last.
    const DELETES = ['segments', 'teams/:teamId/users', 'reports', 'teams', 'users', 'websites'];
    const rank = (op: Operation) =>
      op.path === '/api/auth/logout' ? 99 : op.method === 'get' ? 0 : op.method === 'post' ? 1 : 2 + DELETES.findIndex((p) => op.path.replace(/^\/api\/websites\/:websiteId\//, '/api/').startsWith(`/api/${p}`));
    const order = [...OPERATIONS].sort((a, b) => rank(a) - rank(b));
    let examples = 0;
    for (const op of order) {
      const res = await request(op, { token: admin });
      assert.notEqual(res.status, 404, `${op.method} ${url(op)}: ${JSON.stringify(res.body)}`);
      assert.ok(res.status < 500, `${op.method} ${url(op)}: ${res.status}`);
      if (op.example) {
        assert.equal(res.status, 200, `${op.method} ${url(op)}: ${JSON.stringify(res.body).slice(0, 300)}`);
        examples++;
      }
      checkShape(op, res.status, res.body);
    }
    assert.ok(examples >= 30, `${examples} examples`);
  });

});
