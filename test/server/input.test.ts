// Bad input over HTTP: missing fields, wrong types, oversized strings, unknown ids (malformed and
// well-formed), malformed JSON, wrong content types. Each answers 4xx in Umami's envelope with a
// message naming the problem, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, createUser, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';

let d: Dashi;
let admin: string;
let alice: TestUser;
let bob: TestUser;
let siteId: string;
let teamId: string;

before(async () => {
  d = await startDashi();
  admin = await d.login();
  alice = await createUser(d, admin, 'alice');
  bob = await createUser(d, admin, 'bob');
  const site = await d.post('/api/websites', { name: 'Alice site', domain: 'alice.example', shareId: 'alice-share' }, { token: alice.token });
  siteId = site.body.id;
  teamId = (await d.post('/api/teams', { name: 'Alice team' }, { token: alice.token })).body[0].id;
});
after(stopAll);

/** Everything the bad requests could have touched, as the admin sees it. */
async function snapshot() {
  const get = async (url: string) => {
    const res = await d.get(url, { token: admin });
    assert.equal(res.status, 200, url);
    return res.body;
  };
  return {
    users: await get('/api/admin/users?pageSize=1000'),
    websites: await get('/api/admin/websites?pageSize=1000'),
    teams: await get('/api/admin/teams?pageSize=1000'),
    members: await get(`/api/teams/${teamId}/users`),
    site: await get(`/api/websites/${siteId}`),
  };
}

interface Case {
  name: string;
  method: string;
  url: string | (() => string);
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  as?: 'admin' | 'alice' | 'bob' | 'none';
  status: number;
  message: RegExp;
}

const long = (n: number) => 'x'.repeat(n);
const site = () => `/api/websites/${siteId}`;
const team = () => `/api/teams/${teamId}`;

const cases: Case[] = [
  // websites: body
  { name: 'website: missing name', method: 'POST', url: '/api/websites', body: { domain: 'a.example' }, status: 400, message: /name/ },
  { name: 'website: missing domain', method: 'POST', url: '/api/websites', body: { name: 'A' }, status: 400, message: /domain/ },
  { name: 'website: empty body', method: 'POST', url: '/api/websites', status: 400, message: /body/ },
  { name: 'website: name is a number', method: 'POST', url: '/api/websites', body: { name: 7, domain: 'a.example' }, status: 400, message: /name/ },
  { name: 'website: domain is an object', method: 'POST', url: '/api/websites', body: { name: 'A', domain: { x: 1 } }, status: 400, message: /domain/ },
  { name: 'website: name over 100', method: 'POST', url: '/api/websites', body: { name: long(101), domain: 'a.example' }, status: 400, message: /name/ },
  { name: 'website: domain over 500', method: 'POST', url: '/api/websites', body: { name: 'A', domain: long(501) }, status: 400, message: /domain/ },
  { name: 'website: shareId with spaces', method: 'POST', url: '/api/websites', body: { name: 'A', domain: 'a.example', shareId: 'a b' }, status: 400, message: /shareId/ },
  { name: 'website: shareId taken', method: 'POST', url: '/api/websites', body: { name: 'A', domain: 'a.example', shareId: 'alice-share' }, status: 400, message: /share ID/ },
  { name: 'website: teamId not a uuid', method: 'POST', url: '/api/websites', body: { name: 'A', domain: 'a.example', teamId: 'team-1' }, status: 400, message: /teamId/ },
  { name: 'website: teamId unknown', method: 'POST', url: '/api/websites', body: { name: 'A', domain: 'a.example', teamId: UNKNOWN_UUID }, status: 400, message: /teamId/ },
  { name: 'website: id not a uuid', method: 'POST', url: '/api/websites', body: { id: '42', name: 'A', domain: 'a.example' }, status: 400, message: /id/ },
  { name: 'website: body is an array', method: 'POST', url: '/api/websites', body: [{ name: 'A', domain: 'a.example' }], status: 400, message: /body/ },
  { name: 'website: malformed JSON', method: 'POST', url: '/api/websites', rawBody: '{"name": "A", "domain": ', status: 400, message: /JSON/ },
  { name: 'website: trailing garbage', method: 'POST', url: '/api/websites', rawBody: '{"name":"A","domain":"a.example"}x', status: 400, message: /JSON/ },
  { name: 'website: prototype pollution', method: 'POST', url: '/api/websites', rawBody: '{"__proto__":{"isAdmin":true},"name":"A","domain":"a.example"}', status: 400, message: /JSON/ },
  { name: 'website: form-encoded', method: 'POST', url: '/api/websites', rawBody: 'name=A&domain=a.example', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, message: /content type/i },
  { name: 'website: xml', method: 'POST', url: '/api/websites', rawBody: '<website/>', headers: { 'content-type': 'application/xml' }, status: 415, message: /content type/i },
  { name: 'website: body over 1 MB', method: 'POST', url: '/api/websites', body: { name: 'A', domain: long(1_100_000) }, status: 413, message: /too large/ },
  // websites: path and query
  { name: 'website get: id not a uuid', method: 'GET', url: '/api/websites/123', status: 400, message: /websiteId/ },
  { name: 'website get: unknown id (admin)', method: 'GET', url: `/api/websites/${UNKNOWN_UUID}`, as: 'admin', status: 404, message: /not found/i },
  { name: 'website get: unknown id (user)', method: 'GET', url: `/api/websites/${UNKNOWN_UUID}`, status: 401, message: /Unauthorized/ },
  { name: 'website update: name empty', method: 'POST', url: site, body: { name: '   ' }, status: 400, message: /name/ },
  { name: 'website update: domain wrong type', method: 'POST', url: site, body: { domain: ['a'] }, status: 400, message: /domain/ },
  { name: 'website update: shareId over 50', method: 'POST', url: site, body: { shareId: long(51) }, status: 400, message: /shareId/ },
  { name: 'website update: malformed JSON', method: 'POST', url: site, rawBody: "{name:'x'}", status: 400, message: /JSON/ },
  { name: 'website update: text/html', method: 'POST', url: site, rawBody: '<b>x</b>', headers: { 'content-type': 'text/html' }, status: 415, message: /content type/i },
  { name: 'website update: unknown id (admin)', method: 'POST', url: `/api/websites/${UNKNOWN_UUID}`, body: { name: 'X' }, as: 'admin', status: 404, message: /not found/i },
  { name: 'website update: id not a uuid', method: 'POST', url: '/api/websites/abc', body: { name: 'X' }, status: 400, message: /websiteId/ },
  { name: 'website delete: id not a uuid', method: 'DELETE', url: '/api/websites/abc', status: 400, message: /websiteId/ },
  { name: 'website delete: unknown id (user)', method: 'DELETE', url: `/api/websites/${UNKNOWN_UUID}`, status: 401, message: /Unauthorized/ },
  { name: 'website reset: unknown id (admin)', method: 'POST', url: `/api/websites/${UNKNOWN_UUID}/reset`, as: 'admin', status: 404, message: /not found/i },
  { name: 'transfer: empty body', method: 'POST', url: () => `${site()}/transfer`, body: {}, status: 400, message: /userId|teamId/ },
  { name: 'transfer: both targets', method: 'POST', url: () => `${site()}/transfer`, body: { userId: UNKNOWN_UUID, teamId: UNKNOWN_UUID }, status: 400, message: /userId|teamId/ },
  { name: 'transfer: userId not a uuid', method: 'POST', url: () => `${site()}/transfer`, body: { userId: 'bob' }, as: 'admin', status: 400, message: /userId/ },
  { name: 'list: page not a number', method: 'GET', url: '/api/websites?page=abc', status: 400, message: /page/ },
  { name: 'list: pageSize 0', method: 'GET', url: '/api/websites?pageSize=0', status: 400, message: /pageSize/ },
  { name: 'list: query over 200', method: 'GET', url: `/api/websites?query=${long(201)}`, status: 400, message: /query/ },
  { name: 'share: slug over 50', method: 'GET', url: `/api/share/${long(51)}`, as: 'none', status: 400, message: /shareId/ },
  { name: 'share: unknown slug', method: 'GET', url: '/api/share/nope', as: 'none', status: 404, message: /not found/i },
  // v1
  { name: 'v1 website: missing domain', method: 'POST', url: '/api/website', body: { name: 'A' }, status: 400, message: /domain/ },
  { name: 'v1 website: enable_share_url not boolean', method: 'POST', url: '/api/website', body: { name: 'A', domain: 'a.example', enable_share_url: 'yes' }, status: 400, message: /enable_share_url/ },
  // users
  { name: 'user: missing username', method: 'POST', url: '/api/users', body: { password: 'password123', role: 'user' }, as: 'admin', status: 400, message: /username/ },
  { name: 'user: password is a number', method: 'POST', url: '/api/users', body: { username: 'z', password: 12345678, role: 'user' }, as: 'admin', status: 400, message: /password/ },
  { name: 'user: password too short', method: 'POST', url: '/api/users', body: { username: 'z', password: '1234567', role: 'user' }, as: 'admin', status: 400, message: /password/ },
  { name: 'user: unknown role', method: 'POST', url: '/api/users', body: { username: 'z', password: 'password123', role: 'owner' }, as: 'admin', status: 400, message: /role/ },
  { name: 'user: username over 255', method: 'POST', url: '/api/users', body: { username: long(256), password: 'password123', role: 'user' }, as: 'admin', status: 400, message: /username/ },
  { name: 'user: duplicate username', method: 'POST', url: '/api/users', body: { username: 'alice', password: 'password123', role: 'user' }, as: 'admin', status: 400, message: /already exists/ },
  { name: 'user: malformed JSON', method: 'POST', url: '/api/users', rawBody: '{"username":"z",', as: 'admin', status: 400, message: /JSON/ },
  { name: 'user get: unknown id (admin)', method: 'GET', url: `/api/users/${UNKNOWN_UUID}`, as: 'admin', status: 404, message: /not found/i },
  { name: 'user get: id not a uuid', method: 'GET', url: '/api/users/alice', as: 'admin', status: 400, message: /userId/ },
  { name: 'user update: role wrong type', method: 'POST', url: () => `/api/users/${bob.id}`, body: { role: 1 }, as: 'admin', status: 400, message: /role/ },
  { name: 'user update: username taken', method: 'POST', url: () => `/api/users/${bob.id}`, body: { username: 'alice' }, as: 'admin', status: 400, message: /already exists/ },
  { name: 'user delete: unknown id', method: 'DELETE', url: `/api/users/${UNKNOWN_UUID}`, as: 'admin', status: 404, message: /not found/i },
  { name: 'me/password: newPassword wrong type', method: 'POST', url: '/api/me/password', body: { currentPassword: 'password123', newPassword: true }, status: 400, message: /newPassword/ },
  { name: 'me/password: wrong current password', method: 'POST', url: '/api/me/password', body: { currentPassword: 'nope-nope', newPassword: 'brand-new-pass' }, status: 400, message: /currentPassword/ },
  // teams
  { name: 'team: missing name', method: 'POST', url: '/api/teams', body: {}, status: 400, message: /name/ },
  { name: 'team: name over 50', method: 'POST', url: '/api/teams', body: { name: long(51) }, status: 400, message: /name/ },
  { name: 'team: name is a number', method: 'POST', url: '/api/teams', body: { name: 5 }, status: 400, message: /name/ },
  { name: 'team update: accessCode too short', method: 'POST', url: team, body: { accessCode: 'abc' }, status: 400, message: /accessCode/ },
  { name: 'team update: unknown id (admin)', method: 'POST', url: `/api/teams/${UNKNOWN_UUID}`, body: { name: 'X' }, as: 'admin', status: 404, message: /not found/i },
  { name: 'team get: id not a uuid', method: 'GET', url: '/api/teams/acme', status: 400, message: /teamId/ },
  { name: 'team member add: missing role', method: 'POST', url: () => `${team()}/users`, body: { userId: UNKNOWN_UUID }, status: 400, message: /role/ },
  { name: 'team member add: missing userId', method: 'POST', url: () => `${team()}/users`, body: { role: 'team-member' }, status: 400, message: /userId/ },
  { name: 'team member add: unknown user', method: 'POST', url: () => `${team()}/users`, body: { userId: UNKNOWN_UUID, role: 'team-member' }, status: 400, message: /userId/ },
  { name: 'team member get: userId not a uuid', method: 'GET', url: () => `${team()}/users/bob`, status: 400, message: /userId/ },
  { name: 'team member update: unknown member', method: 'POST', url: () => `${team()}/users/${UNKNOWN_UUID}`, body: { role: 'team-member' }, status: 404, message: /not found/i },
  { name: 'team member remove: unknown member', method: 'DELETE', url: () => `${team()}/users/${UNKNOWN_UUID}`, status: 404, message: /not found/i },
  { name: 'team join: accessCode wrong type', method: 'POST', url: '/api/teams/join', body: { accessCode: 123456 }, as: 'bob', status: 400, message: /accessCode/ },
  // auth
  { name: 'login: malformed JSON', method: 'POST', url: '/api/auth/login', rawBody: '{"username":"admin"', as: 'none', status: 400, message: /JSON/ },
  { name: 'login: missing username', method: 'POST', url: '/api/auth/login', body: { password: 'umami' }, as: 'none', status: 400, message: /username/ },
  { name: 'login: username over 255', method: 'POST', url: '/api/auth/login', body: { username: long(256), password: 'umami' }, as: 'none', status: 400, message: /username/ },
  { name: 'login: form-encoded', method: 'POST', url: '/api/auth/login', rawBody: 'username=admin&password=umami', headers: { 'content-type': 'application/x-www-form-urlencoded' }, as: 'none', status: 415, message: /content type/i },
  // routing
  { name: 'unknown route', method: 'GET', url: '/api/nothing-here', status: 404, message: /not found/ },
  { name: 'PUT is not an update', method: 'PUT', url: site, body: { name: 'X' }, status: 404, message: /not found/ },
];

test('every bad request answers 4xx with a clear message and changes nothing', async () => {
  const before = await snapshot();
  const tokens = { admin, alice: alice.token, bob: bob.token, none: undefined };
  for (const c of cases) {
    const url = typeof c.url === 'function' ? c.url() : c.url;
    const send = () => d.request(c.method, url, { token: tokens[c.as ?? 'alice'], body: c.body, rawBody: c.rawBody, headers: c.headers });
    // A 413 comes as soon as the server sees the length, and it closes: fetch may then fail with
    // EPIPE while still writing the body. That race is the client's, so try again.
    let res = await send().catch(() => null);
    for (let i = 0; res === null && c.status === 413 && i < 4; i++) res = await send().catch(() => null);
    if (res === null) res = await send();
    try {
      assertError(res, c.status, c.message);
    } catch (err) {
      throw new Error(`${c.name}: ${(err as Error).message}`);
    }
    // CORS headers are on error answers too
    assert.equal(res.headers.get('access-control-allow-origin'), '*', c.name);
  }
  assert.deepEqual(await snapshot(), before);
  // the server never answered 5xx and logged no request failure
  assert.doesNotMatch(d.output, /request failed/);
});

test('an empty JSON body (as Umami’s api-client sends) is accepted where no body is needed', async () => {
  const headers = { 'content-type': 'application/json' };
  const reset = await d.request('POST', `/api/websites/${siteId}/reset`, { token: alice.token, headers });
  assert.equal(reset.status, 200);
  assert.deepEqual(reset.body, { ok: true });
  const verify = await d.request('POST', '/api/auth/verify', { token: alice.token, headers });
  assert.equal(verify.status, 200);
  assert.equal(verify.body.username, 'alice');
  // ...but a route that needs a body still names what is missing
  assertError(await d.request('POST', '/api/websites', { token: alice.token, headers }), 400, /body/);
  const t = await d.login('bob', 'password123');
  const out = await d.request('POST', '/api/auth/logout', { token: t, headers });
  assert.deepEqual(out.body, { ok: true });
});

test('text/plain JSON (sendBeacon style) is refused outside the ingestion routes: an HTML form can send it', async () => {
  const res = await d.request('POST', '/api/websites', {
    token: bob.token,
    rawBody: JSON.stringify({ name: 'Plain', domain: 'plain.example' }),
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
  });
  assertError(res, 415, /text\/plain/);
  assertError(await d.request('POST', '/api/websites', { token: bob.token, rawBody: 'nope', headers: { 'content-type': 'text/plain' } }), 415, /text\/plain/);
  const mine = await d.get('/api/websites?pageSize=100', { token: bob.token });
  assert.ok(!mine.body.data.some((w: { name: string }) => w.name === 'Plain'));
});

test('concurrent duplicate requests: exactly one wins, the rest get 400, never a 5xx or a duplicate', async () => {
  const n = 6;
  const many = <T>(f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
  const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();
  const fiveFailures = Array(n - 1).fill(400);

  const users = await many(() => d.post('/api/users', { username: 'racer', password: 'password123', role: 'user' }, { token: admin }));
  assert.deepEqual(statuses(users), [200, ...fiveFailures]);
  for (const r of users.filter((r) => r.status === 400)) assertError(r, 400, 'User already exists');
  const racers = await d.get('/api/admin/users?search=racer', { token: admin });
  assert.equal(racers.body.count, 1);

  const sites = await many((i) => d.post('/api/websites', { name: `Race ${i}`, domain: 'race.example', shareId: 'race-share' }, { token: bob.token }));
  assert.deepEqual(statuses(sites), [200, ...fiveFailures]);
  assert.equal((await d.get('/api/websites?query=Race', { token: bob.token })).body.count, 1);

  const [team] = (await d.post('/api/teams', { name: 'Race team' }, { token: admin })).body;
  const racer = await d.login('racer', 'password123');
  const joins = await many(() => d.post('/api/teams/join', { accessCode: team.accessCode }, { token: racer }));
  assert.deepEqual(statuses(joins), [200, ...fiveFailures]);
  assert.equal((await d.get(`/api/teams/${team.id}/users`, { token: admin })).body.count, 2);

  const racerId = users.find((r) => r.status === 200)!.body.id;
  const renames = await many((i) => d.post(`/api/users/${racerId}`, { role: i % 2 ? 'view-only' : 'user' }, { token: admin }));
  assert.deepEqual(statuses(renames), Array(n).fill(200));

  const tokens = await many(() => d.login('bob', 'password123'));
  const outs = await many((i) => d.post('/api/auth/logout', undefined, { token: tokens[i] }));
  assert.deepEqual(statuses(outs), Array(n).fill(200));
  for (const t of tokens) assert.equal((await d.get('/api/auth/verify', { token: t })).status, 401);

  assert.doesNotMatch(d.output, /request failed/);
});
