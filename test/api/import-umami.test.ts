// `dashi import umami` from the command line: on the embedded store with the server stopped, and
// through a running server (POST /api/admin/import/umami, with an admin's API key), where Dashi's
// own "admin" keeps its account and receives Umami's admin's websites. The URL's password never
// shows, bad input is a 4xx, and only admins may import.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startDashi, stopAll } from '../helpers/server.js';
import { createUmamiDb, IDS } from '../helpers/umami.js';

const umami = await createUmamiDb('v3-postgresql');
const dirs: string[] = [];
after(async () => {
  await stopAll();
  await umami.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const embedded = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-umami-cli-'));
  dirs.push(dir);
  return { DATA_DIR: dir, DATABASE_URL: '', CLICKHOUSE_URL: '' };
};

test('with the server stopped: imports, checks, and a second run copies nothing', async () => {
  const env = embedded();
  const first = await runCli(['import', 'umami', '--from', umami.url], env);
  assert.equal(first.code, 0, first.output);
  assert.match(first.output, /Umami v3 → Dashi/);
  assert.match(first.output, /4 copied, 0 already complete/);
  assert.match(first.output, /website_event: umami 11, dashi 11\n/);
  assert.match(first.output, new RegExp(`${IDS.w1} W1: pageviews 7 \\| 7, visitors 3 \\| 3, visits 4 \\| 4\\n`));
  assert.match(first.output, /Done: counts and stats match\./);
  assert.ok(!first.output.includes(umami.password), 'the password is never printed');

  const again = await runCli(['import', 'umami', '--from', umami.url], env);
  assert.equal(again.code, 0, again.output);
  assert.match(again.output, /0 copied, 4 already complete/);
  assert.match(again.output, /users 0, teams 0, team_users 0, websites 0/);
});

test('bad sources are refused without echoing the password', async () => {
  const env = embedded();
  const unreachable = await runCli(['import', 'umami', '--from', 'postgresql://someone:topsecret-1@127.0.0.1:1/umami'], env);
  assert.equal(unreachable.code, 1, unreachable.output);
  assert.match(unreachable.output, /cannot read the Umami database/);
  assert.ok(!unreachable.output.includes('topsecret-1'), unreachable.output);
  const notUmami = await runCli(['import', 'umami', '--from', 'postgresql://postgres@127.0.0.1:5432/postgres'], env);
  assert.equal(notUmami.code, 1, notUmami.output);
  assert.match(notUmami.output, /not an Umami database/);
  const scheme = await runCli(['import', 'umami', '--from', 'http://127.0.0.1/'], env);
  assert.equal(scheme.code, 1, scheme.output);
  assert.match(scheme.output, /needs --from with a postgresql:\/\/ or mysql:\/\/ URL/);
  const unknownSite = await runCli(['import', 'umami', '--from', umami.url, '--website', '00000000-0000-4000-8000-000000000000'], env);
  assert.equal(unknownSite.code, 1, unknownSite.output);
  assert.match(unknownSite.output, /no such website in the Umami database/);
  const noSource = await runCli(['import', 'nothing'], env);
  assert.equal(noSource.code, 1, noSource.output);
  assert.match(noSource.output, /dashi import needs a source \(not 'nothing'\)/);
});

test('while the server runs: through the admin route, one website', async () => {
  const dashi = await startDashi();
  const token = await dashi.login();
  const me = (await dashi.get('/api/auth/verify', { token })).body;
  const key = (await dashi.post('/api/me/api-keys', { name: 'import', scope: 'write' }, { token })).body.key as string;
  assert.ok(key);

  const D = umami.day.getTime();
  const since = new Date(D).toISOString().slice(0, 10);
  const run = await runCli(['import', 'umami', '--from', umami.url, '--website', IDS.w1, '--since', since, '--url', dashi.url, '--api-key', key], {});
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /Kept Dashi's own users of the same name .*: admin/);
  // w1's rows since D: all but the D-40 page view.
  assert.match(run.output, /website_event: umami 8, dashi 8\n/);
  assert.match(run.output, /2 copied, 0 already complete/);
  assert.ok(!run.output.includes(umami.password));
  const stats = (await dashi.get(`/api/websites/${IDS.w1}/stats?startAt=${D}&endAt=${D + 2 * 86_400_000 - 1}`, { token })).body;
  assert.equal(stats.pageviews.value, 7);
  assert.equal((await dashi.get(`/api/websites/${IDS.w1}`, { token })).body.userId, me.id, "Umami's admin's website belongs to Dashi's admin");
  assert.equal((await dashi.get(`/api/websites/${IDS.w2}`, { token })).status, 404, 'only the website asked for');
  // Dashi's admin still logs in with its own password (the same "umami" here, but its own hash).
  assert.equal((await dashi.get('/api/auth/verify', { token: await dashi.login() })).body.id, me.id);

  // Refusals answer before any stream starts.
  const route = '/api/admin/import/umami';
  const bad = await dashi.post(route, { from: 'postgresql://u:topsecret-2@127.0.0.1:1/x' }, { token });
  assert.equal(bad.status, 400);
  assert.ok(!JSON.stringify(bad.body).includes('topsecret-2'), JSON.stringify(bad.body));
  assert.equal((await dashi.post(route, { from: 'ftp://x' }, { token })).status, 400);
  assert.equal((await dashi.post(route, { from: umami.url, websiteIds: ['nope'] }, { token })).status, 400);
  assert.equal((await dashi.post(route, { from: umami.url, since: '__proto__' }, { token })).status, 400);
  assert.equal((await dashi.post(route, { from: umami.url })).status, 401);
  const viewer = await dashi.post('/api/users', { username: 'viewer', password: 'viewer-password', role: 'user' }, { token });
  assert.equal(viewer.status, 200);
  assert.equal((await dashi.post(route, { from: umami.url }, { token: await dashi.login('viewer', 'viewer-password') })).status, 401);

  // The route's own answer: progress lines, then the result. Without --since, D-40 comes too.
  const res = await fetch(`${dashi.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ from: umami.url, websiteIds: [IDS.w1] }) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  const last = lines.at(-1);
  assert.equal(last.type, 'result');
  assert.equal(last.result.ok, true);
  assert.deepEqual([last.result.report.chunksCopied, last.result.report.chunksSkipped], [1, 2]);
  assert.ok(lines.slice(0, -1).every((l) => l.type === 'progress'));
});
