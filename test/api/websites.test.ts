// Websites (v2, seed 001) over HTTP: paged list and search, create/read/update/delete, reset,
// transfer both ways, share links and share tokens, and denials across two users.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, assertUnauthorized, createUser, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';

let d: Dashi;
let admin: string;
let alice: TestUser;
let bob: TestUser;
let viewOnly: TestUser;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

before(async () => {
  d = await startDashi();
  admin = await d.login();
  alice = await createUser(d, admin, 'alice');
  bob = await createUser(d, admin, 'bob');
  viewOnly = await createUser(d, admin, 'readonly', 'view-only');
});
after(stopAll);

async function create(token: string, body: Record<string, unknown>) {
  const res = await d.post('/api/websites', body, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

test('create answers the full website object', async () => {
  const w = await create(alice.token, { name: 'Blog', domain: 'blog.example' });
  assert.deepEqual(Object.keys(w).sort(), ['allowedHostnames', 'createdAt', 'createdBy', 'deletedAt', 'domain', 'id', 'name', 'resetAt', 'retentionDays', 'shareId', 'teamId', 'updatedAt', 'userId']);
  assert.match(w.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(w.name, 'Blog');
  assert.equal(w.domain, 'blog.example');
  assert.equal(w.shareId, null);
  assert.equal(w.userId, alice.id);
  assert.equal(w.teamId, null);
  assert.equal(w.createdBy, alice.id);
  assert.equal(w.resetAt, null);
  assert.equal(w.deletedAt, null);
  assert.equal(w.retentionDays, null);
  assert.match(w.createdAt, ISO);

  const shared = await create(alice.token, { name: 'Shop', domain: 'shop.example', shareId: 'shop-share' });
  assert.equal(shared.shareId, 'shop-share');
  const got = await d.get(`/api/websites/${shared.id}`, { token: alice.token });
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, shared);

  assertError(await d.post('/api/websites', { name: 'Dup', domain: 'dup.example', shareId: 'shop-share' }, { token: alice.token }), 400, 'That share ID is already taken.');
  assertUnauthorized(await d.post('/api/websites', { name: 'RO', domain: 'ro.example' }, { token: viewOnly.token }));
  assertUnauthorized(await d.post('/api/websites', { name: 'Anon', domain: 'anon.example' }));

  const withId = await create(bob.token, { id: '22222222-3333-4444-8555-666666666666', name: 'Bob fixed', domain: 'bob.example' });
  assert.equal(withId.id, '22222222-3333-4444-8555-666666666666');
  assertError(await d.post('/api/websites', { id: withId.id, name: 'Again', domain: 'x.example' }, { token: bob.token }), 400, /id/);
  assert.equal((await d.get('/api/websites', { token: alice.token })).body.count, 2);
});

test('list is paged {data,count,page,pageSize} with default pageSize 10, ordered by name, searchable', async () => {
  for (let i = 1; i <= 12; i++) await create(bob.token, { name: `Site ${String(i).padStart(2, '0')}`, domain: `s${i}.example` });
  const first = await d.get('/api/websites', { token: bob.token });
  assert.equal(first.status, 200);
  assert.equal(first.body.count, 13);
  assert.equal(first.body.page, 1);
  assert.equal(first.body.pageSize, 10);
  assert.equal(first.body.data.length, 10);
  assert.deepEqual(
    first.body.data.map((w: any) => w.name),
    ['Bob fixed', 'Site 01', 'Site 02', 'Site 03', 'Site 04', 'Site 05', 'Site 06', 'Site 07', 'Site 08', 'Site 09'],
  );
  const second = await d.get('/api/websites?page=2', { token: bob.token });
  assert.deepEqual(second.body.data.map((w: any) => w.name), ['Site 10', 'Site 11', 'Site 12']);
  assert.equal(second.body.page, 2);

  const search = await d.get('/api/websites?query=site%201', { token: bob.token });
  assert.deepEqual(search.body.data.map((w: any) => w.name), ['Site 10', 'Site 11', 'Site 12']);
  assert.equal(search.body.count, 3);
  const byDomain = await d.get('/api/websites?search=s7.example', { token: bob.token });
  assert.deepEqual(byDomain.body.data.map((w: any) => w.name), ['Site 07']);
  const desc = await d.get('/api/websites?orderBy=name&sortDescending=true&pageSize=2', { token: bob.token });
  assert.deepEqual(desc.body.data.map((w: any) => w.name), ['Site 12', 'Site 11']);
  assert.equal(desc.body.pageSize, 2);
  // nobody else's websites appear
  assert.ok(!first.body.data.some((w: any) => w.userId !== bob.id));
  const aliceList = await d.get('/api/websites?pageSize=100', { token: alice.token });
  assert.deepEqual(aliceList.body.data.map((w: any) => w.name), ['Blog', 'Shop']);

  assertError(await d.get('/api/websites?page=0', { token: bob.token }), 400, /page/);
  assertError(await d.get('/api/websites?pageSize=abc', { token: bob.token }), 400, /pageSize/);
});

test('user B never sees or changes user A’s websites', async () => {
  const w = await create(alice.token, { name: 'Private', domain: 'private.example' });
  const url = `/api/websites/${w.id}`;
  assertUnauthorized(await d.get(url, { token: bob.token }));
  assertUnauthorized(await d.post(url, { name: 'Pwned' }, { token: bob.token }));
  assertUnauthorized(await d.del(url, { token: bob.token }));
  assertUnauthorized(await d.post(`${url}/reset`, undefined, { token: bob.token }));
  assertUnauthorized(await d.post(`${url}/transfer`, { userId: bob.id }, { token: bob.token }));
  assertUnauthorized(await d.get(url, { token: viewOnly.token }));
  assertUnauthorized(await d.get(url));
  // an unknown but well-formed id looks the same to non-admins; admins learn it is absent
  assertUnauthorized(await d.get(`/api/websites/${UNKNOWN_UUID}`, { token: bob.token }));
  assertError(await d.get(`/api/websites/${UNKNOWN_UUID}`, { token: admin }), 404);
  assertError(await d.get('/api/websites/not-a-uuid', { token: bob.token }), 400, /websiteId/);

  const after = await d.get(url, { token: alice.token });
  assert.equal(after.body.name, 'Private');
  assert.equal(after.body.userId, alice.id);
  // admin may read anything
  assert.equal((await d.get(url, { token: admin })).status, 200);
});

test('update name, domain, shareId (null unshares); validation leaves it unchanged', async () => {
  const w = await create(alice.token, { name: 'Editable', domain: 'edit.example' });
  const url = `/api/websites/${w.id}`;
  const upd = await d.post(url, { name: 'Edited', domain: 'edited.example', shareId: 'edit-share' }, { token: alice.token });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.name, 'Edited');
  assert.equal(upd.body.domain, 'edited.example');
  assert.equal(upd.body.shareId, 'edit-share');
  assert.match(upd.body.updatedAt, ISO);

  assertError(await d.post(url, { shareId: 'shop-share' }, { token: alice.token }), 400, 'That share ID is already taken.');
  assertError(await d.post(url, { name: '' }, { token: alice.token }), 400, /name/);
  assertError(await d.post(url, { name: 'n'.repeat(101) }, { token: alice.token }), 400, /name/);
  assertError(await d.post(url, { domain: 'd'.repeat(501) }, { token: alice.token }), 400, /domain/);
  assertError(await d.post(url, { name: 5 }, { token: alice.token }), 400, /name/);
  assertError(await d.post(url, { shareId: 's'.repeat(51) }, { token: alice.token }), 400, /shareId/);
  const same = await d.get(url, { token: alice.token });
  assert.equal(same.body.name, 'Edited');
  assert.equal(same.body.domain, 'edited.example');
  assert.equal(same.body.shareId, 'edit-share');

  const unshare = await d.post(url, { shareId: null }, { token: alice.token });
  assert.equal(unshare.body.shareId, null);
  assertError(await d.get('/api/share/edit-share'), 404);
  assertError(await d.post(`/api/websites/${UNKNOWN_UUID}`, { name: 'Ghost' }, { token: admin }), 404);
});

test('share: public GET /api/share/:id gives a token that reads only that website', async () => {
  const shared = await create(alice.token, { name: 'Shared', domain: 'shared.example', shareId: 'pub-link' });
  const other = await create(alice.token, { name: 'Other', domain: 'other.example' });
  const res = await d.get('/api/share/pub-link');
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['token', 'websiteId']);
  assert.equal(res.body.websiteId, shared.id);
  const headers = { 'x-umami-share-token': res.body.token };

  const read = await d.get(`/api/websites/${shared.id}`, { headers });
  assert.equal(read.status, 200);
  assert.equal(read.body.name, 'Shared');
  assertUnauthorized(await d.get(`/api/websites/${other.id}`, { headers }));
  const range = `startAt=0&endAt=${Date.now()}`;
  const stats = await d.get(`/api/websites/${shared.id}/stats?${range}`, { headers });
  assert.equal(stats.status, 200, JSON.stringify(stats.body));
  assert.equal(stats.body.pageviews.value, 0);
  assertUnauthorized(await d.get(`/api/websites/${other.id}/stats?${range}`, { headers }));
  assertUnauthorized(await d.post(`/api/websites/${shared.id}`, { name: 'Defaced' }, { headers }));
  assertUnauthorized(await d.del(`/api/websites/${shared.id}`, { headers }));
  assertUnauthorized(await d.post(`/api/websites/${shared.id}/reset`, undefined, { headers }));
  assertUnauthorized(await d.post(`/api/websites/${shared.id}/transfer`, { userId: bob.id }, { headers }));
  assertUnauthorized(await d.get('/api/websites', { headers }));
  assertUnauthorized(await d.get('/api/me', { headers }));
  assertUnauthorized(await d.post('/api/websites', { name: 'X', domain: 'x.example' }, { headers }));
  assertUnauthorized(await d.get('/api/teams', { headers }));
  assert.equal((await d.get(`/api/websites/${shared.id}`, { token: alice.token })).body.name, 'Shared');

  assertError(await d.get('/api/share/no-such-link'), 404);
  // turning sharing off invalidates the token
  await d.post(`/api/websites/${shared.id}`, { shareId: null }, { token: alice.token });
  assertUnauthorized(await d.get(`/api/websites/${shared.id}`, { headers }));
});

test('reset answers {ok:true} and records resetAt; delete removes the website', async () => {
  const w = await create(alice.token, { name: 'Temp', domain: 'temp.example' });
  const reset = await d.post(`/api/websites/${w.id}/reset`, undefined, { token: alice.token });
  assert.equal(reset.status, 200);
  assert.deepEqual(reset.body, { ok: true });
  assert.match((await d.get(`/api/websites/${w.id}`, { token: alice.token })).body.resetAt, ISO);

  const count = (await d.get('/api/websites', { token: alice.token })).body.count;
  const del = await d.del(`/api/websites/${w.id}`, { token: alice.token });
  assert.equal(del.status, 200);
  assert.deepEqual(del.body, { ok: true });
  assertUnauthorized(await d.get(`/api/websites/${w.id}`, { token: alice.token }));
  assertError(await d.get(`/api/websites/${w.id}`, { token: admin }), 404);
  assert.equal((await d.get('/api/websites', { token: alice.token })).body.count, count - 1);
  assertUnauthorized(await d.del(`/api/websites/${w.id}`, { token: alice.token }));
  assertError(await d.del(`/api/websites/${w.id}`, { token: admin }), 404);
});

test('reset removes that website’s analytics and no other website’s', async () => {
  const a = await create(alice.token, { name: 'Reset me', domain: 'reset.example' });
  const b = await create(alice.token, { name: 'Keep me', domain: 'keep.example' });
  const ua = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' };
  for (const [site, url] of [
    [a.id, '/one'],
    [a.id, '/two'],
    [b.id, '/kept'],
  ]) {
    const sent = await d.post('/api/send', { type: 'event', payload: { website: site, hostname: 'example.com', url, language: 'en-US', screen: '1920x1080' } }, { headers: ua });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
  }
  const pageviews = async (id: string) => {
    const res = await d.get(`/api/websites/${id}/stats?startAt=0&endAt=${Date.now() + 60_000}`, { token: alice.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.pageviews.value;
  };
  assert.equal(await pageviews(a.id), 2);
  assert.equal(await pageviews(b.id), 1);
  assertUnauthorized(await d.post(`/api/websites/${a.id}/reset`, undefined, { token: bob.token }));
  assert.equal(await pageviews(a.id), 2);
  assert.deepEqual((await d.post(`/api/websites/${a.id}/reset`, undefined, { token: alice.token })).body, { ok: true });
  assert.equal(await pageviews(a.id), 0);
  assert.equal(await pageviews(b.id), 1);
});

test('transfer user → team (owner with a transfer right) and team → user (team owner to self)', async () => {
  const [team] = (await d.post('/api/teams', { name: 'Transfers' }, { token: alice.token })).body;
  const joined = await d.post('/api/teams/join', { accessCode: team.accessCode }, { token: bob.token });
  assert.equal(joined.body.role, 'team-member');
  const w = await create(alice.token, { name: 'Movable', domain: 'move.example' });
  const url = `/api/websites/${w.id}/transfer`;

  assertError(await d.post(url, { teamId: UNKNOWN_UUID }, { token: alice.token }), 400, /teamId/);
  assertError(await d.post(url, {}, { token: alice.token }), 400);
  assertError(await d.post(url, { teamId: 'nope' }, { token: alice.token }), 400);
  const bobSite = await create(bob.token, { name: 'Bob movable', domain: 'bm.example' });
  // a team-member may not transfer into the team
  assertUnauthorized(await d.post(`/api/websites/${bobSite.id}/transfer`, { teamId: team.id }, { token: bob.token }));
  assert.equal((await d.get(`/api/websites/${bobSite.id}`, { token: bob.token })).body.teamId, null);

  const toTeam = await d.post(url, { teamId: team.id }, { token: alice.token });
  assert.equal(toTeam.status, 200, JSON.stringify(toTeam.body));
  assert.equal(toTeam.body.teamId, team.id);
  assert.equal(toTeam.body.userId, null);
  assert.equal((await d.get(`/api/websites/${w.id}`, { token: bob.token })).status, 200);

  // team → user: only a team owner, only to themselves
  assertUnauthorized(await d.post(url, { userId: bob.id }, { token: bob.token }));
  assertUnauthorized(await d.post(url, { userId: bob.id }, { token: alice.token }));
  const toUser = await d.post(url, { userId: alice.id }, { token: alice.token });
  assert.equal(toUser.status, 200);
  assert.equal(toUser.body.userId, alice.id);
  assert.equal(toUser.body.teamId, null);
  assertUnauthorized(await d.get(`/api/websites/${w.id}`, { token: bob.token }));

  // admins may transfer to anyone
  const byAdmin = await d.post(url, { userId: bob.id }, { token: admin });
  assert.equal(byAdmin.body.userId, bob.id);
  assert.equal((await d.get(`/api/websites/${w.id}`, { token: bob.token })).status, 200);
  assertError(await d.post(url, { userId: UNKNOWN_UUID }, { token: admin }), 400, /userId/);
  assert.equal((await d.get(`/api/websites/${w.id}`, { token: admin })).body.userId, bob.id);
});
