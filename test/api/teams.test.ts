// Teams over HTTP: create, join by access code, read/update/delete, members, team websites, and
// what each of the four team roles may do (Umami's permissions; denials are 401).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, assertNoSecrets, assertUnauthorized, createUser, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';

let d: Dashi;
let admin: string;
let owner: TestUser;
let manager: TestUser;
let member: TestUser;
let viewer: TestUser; // team-view-only
let outsider: TestUser;
let viewOnlyUser: TestUser; // user role view-only
let teamId: string;
let accessCode: string;

before(async () => {
  d = await startDashi();
  admin = await d.login();
  owner = await createUser(d, admin, 'owner');
  manager = await createUser(d, admin, 'manager');
  member = await createUser(d, admin, 'member');
  viewer = await createUser(d, admin, 'viewer');
  outsider = await createUser(d, admin, 'outsider');
  viewOnlyUser = await createUser(d, admin, 'readonly', 'view-only');
});
after(stopAll);

const teamUrl = () => `/api/teams/${teamId}`;

test('POST /api/teams answers [team, teamUser] with an access code; the creator is owner', async () => {
  const res = await d.post('/api/teams', { name: 'Acme' }, { token: owner.token });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body));
  assert.equal(res.body.length, 2);
  const [team, teamUser] = res.body;
  assert.equal(team.name, 'Acme');
  assert.match(team.id, /^[0-9a-f-]{36}$/);
  assert.match(team.accessCode, /^team_[A-Za-z0-9_-]{16}$/);
  assert.equal(teamUser.teamId, team.id);
  assert.equal(teamUser.userId, owner.id);
  assert.equal(teamUser.role, 'team-owner');
  teamId = team.id;
  accessCode = team.accessCode;

  assertUnauthorized(await d.post('/api/teams', { name: 'Nope' }, { token: viewOnlyUser.token }));
  assertUnauthorized(await d.post('/api/teams', { name: 'Nope' }));
  assertError(await d.post('/api/teams', {}, { token: owner.token }), 400, /name/);
  assertError(await d.post('/api/teams', { name: 'x'.repeat(51) }, { token: owner.token }), 400, /name/);
  const all = await d.get('/api/admin/teams', { token: admin });
  assert.deepEqual(all.body.data.map((t: any) => t.name), ['Acme']);
});

test('join by access code makes a team-member; bad code 404, twice 400', async () => {
  const join = await d.post('/api/teams/join', { accessCode }, { token: member.token });
  assert.equal(join.status, 200);
  assert.equal(join.body.teamId, teamId);
  assert.equal(join.body.userId, member.id);
  assert.equal(join.body.role, 'team-member');
  assertError(await d.post('/api/teams/join', { accessCode }, { token: member.token }), 400, /already/);
  assertError(await d.post('/api/teams/join', { accessCode: 'team_doesnotexist00' }, { token: outsider.token }), 404);
  assertError(await d.post('/api/teams/join', {}, { token: outsider.token }), 400, /accessCode/);
  assertUnauthorized(await d.post('/api/teams/join', { accessCode }));
  // a view-only user may still join a team
  const ro = await d.post('/api/teams/join', { accessCode }, { token: viewOnlyUser.token });
  assert.equal(ro.status, 200);
  assert.equal(ro.body.role, 'team-member');
  assert.deepEqual((await d.del(`${teamUrl()}/users/${viewOnlyUser.id}`, { token: viewOnlyUser.token })).body, { ok: true });
});

test('members: owner adds with roles; list, get, shapes', async () => {
  for (const [u, role] of [
    [manager, 'team-manager'],
    [viewer, 'team-view-only'],
  ] as const) {
    const res = await d.post(`${teamUrl()}/users`, { userId: u.id, role }, { token: owner.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.userId, u.id);
    assert.equal(res.body.role, role);
  }
  assertError(await d.post(`${teamUrl()}/users`, { userId: member.id, role: 'team-member' }, { token: owner.token }), 400, /already/);
  assertError(await d.post(`${teamUrl()}/users`, { userId: outsider.id, role: 'boss' }, { token: owner.token }), 400, /role/);
  assertError(await d.post(`${teamUrl()}/users`, { userId: UNKNOWN_UUID, role: 'team-member' }, { token: owner.token }), 400, /userId/);
  assertError(await d.post(`${teamUrl()}/users`, { userId: 'nope', role: 'team-member' }, { token: owner.token }), 400, /userId/);

  const list = await d.get(`${teamUrl()}/users`, { token: viewer.token });
  assert.equal(list.status, 200);
  assertNoSecrets(list);
  assert.equal(list.body.count, 4);
  const roles = Object.fromEntries(list.body.data.map((m: any) => [m.user.username, m.role]));
  assert.deepEqual(roles, { manager: 'team-manager', member: 'team-member', owner: 'team-owner', viewer: 'team-view-only' });
  assert.equal(list.body.data.find((m: any) => m.user.username === 'owner').user.id, owner.id);

  const one = await d.get(`${teamUrl()}/users/${manager.id}`, { token: member.token });
  assert.equal(one.status, 200);
  assert.equal(one.body.role, 'team-manager');
  assertError(await d.get(`${teamUrl()}/users/${outsider.id}`, { token: owner.token }), 404);

  const team = await d.get(teamUrl(), { token: viewer.token });
  assert.equal(team.status, 200);
  assert.equal(team.body.name, 'Acme');
  assert.equal(team.body.members.length, 4);
});

test('non-members get 401 on every team route; admin sees all; unknown team', async () => {
  const routes: [string, string, unknown?][] = [
    ['GET', teamUrl()],
    ['POST', teamUrl(), { name: 'Hijacked' }],
    ['DELETE', teamUrl()],
    ['GET', `${teamUrl()}/users`],
    ['POST', `${teamUrl()}/users`, { userId: outsider.id, role: 'team-owner' }],
    ['GET', `${teamUrl()}/users/${owner.id}`],
    ['POST', `${teamUrl()}/users/${owner.id}`, { role: 'team-member' }],
    ['DELETE', `${teamUrl()}/users/${owner.id}`],
    ['GET', `${teamUrl()}/websites`],
  ];
  for (const [method, url, body] of routes) {
    assertUnauthorized(await d.request(method, url, { token: outsider.token, body }));
    assertUnauthorized(await d.request(method, url, { body }));
  }
  const teams = await d.get('/api/teams', { token: outsider.token });
  assert.deepEqual(teams.body.data, []);
  // nothing changed
  const team = await d.get(teamUrl(), { token: admin });
  assert.equal(team.body.name, 'Acme');
  assert.equal(team.body.members.length, 4);
  assert.equal(team.body.members.find((m: any) => m.userId === owner.id).role, 'team-owner');

  assertError(await d.get(`/api/teams/${UNKNOWN_UUID}`, { token: admin }), 404);
  assertUnauthorized(await d.get(`/api/teams/${UNKNOWN_UUID}`, { token: owner.token }));
  assertError(await d.get('/api/teams/not-a-uuid', { token: admin }), 400, /teamId/);
});

test('team update: owner and manager may; member and view-only get 401', async () => {
  assertUnauthorized(await d.post(teamUrl(), { name: 'By member' }, { token: member.token }));
  assertUnauthorized(await d.post(teamUrl(), { name: 'By viewer' }, { token: viewer.token }));
  const byManager = await d.post(teamUrl(), { name: 'Acme Inc' }, { token: manager.token });
  assert.equal(byManager.status, 200);
  assert.equal(byManager.body.name, 'Acme Inc');
  const code = await d.post(teamUrl(), { accessCode: 'acme-join-2024' }, { token: owner.token });
  assert.equal(code.status, 200);
  assert.equal(code.body.accessCode, 'acme-join-2024');
  assert.equal(code.body.name, 'Acme Inc');
  assertError(await d.post(teamUrl(), { name: '' }, { token: owner.token }), 400, /name/);
  assertError(await d.post(teamUrl(), { accessCode: 'has spaces!' }, { token: owner.token }), 400, /accessCode/);
  assert.equal((await d.get(teamUrl(), { token: owner.token })).body.name, 'Acme Inc');
  // the old code no longer works, the new one does
  assertError(await d.post('/api/teams/join', { accessCode }, { token: outsider.token }), 404);
  accessCode = 'acme-join-2024';
});

test('member roles: owner/manager change roles; member cannot; the last owner stays', async () => {
  assertUnauthorized(await d.post(`${teamUrl()}/users/${viewer.id}`, { role: 'team-owner' }, { token: member.token }));
  assertUnauthorized(await d.post(`${teamUrl()}/users/${member.id}`, { role: 'team-manager' }, { token: viewer.token }));
  const up = await d.post(`${teamUrl()}/users/${viewer.id}`, { role: 'team-member' }, { token: manager.token });
  assert.equal(up.status, 200);
  assert.equal(up.body.role, 'team-member');
  const down = await d.post(`${teamUrl()}/users/${viewer.id}`, { role: 'team-view-only' }, { token: owner.token });
  assert.equal(down.body.role, 'team-view-only');
  assertError(await d.post(`${teamUrl()}/users/${owner.id}`, { role: 'team-member' }, { token: owner.token }), 400, /owner/);
  assertError(await d.del(`${teamUrl()}/users/${owner.id}`, { token: owner.token }), 400, /owner/);
  assertError(await d.post(`${teamUrl()}/users/${outsider.id}`, { role: 'team-member' }, { token: owner.token }), 404);
  assertError(await d.post(`${teamUrl()}/users/${viewer.id}`, { role: 'king' }, { token: owner.token }), 400, /role/);
  const roles = (await d.get(`${teamUrl()}/users`, { token: owner.token })).body.data.map((m: any) => `${m.user.username}:${m.role}`).sort();
  assert.deepEqual(roles, ['manager:team-manager', 'member:team-member', 'owner:team-owner', 'viewer:team-view-only']);
});

test('team websites: member creates; view-only cannot create or update; member/manager update', async () => {
  const create = await d.post('/api/websites', { name: 'Team site', domain: 'team.example', teamId }, { token: member.token });
  assert.equal(create.status, 200, JSON.stringify(create.body));
  assert.equal(create.body.teamId, teamId);
  assert.equal(create.body.userId, null);
  const siteId = create.body.id;

  assertUnauthorized(await d.post('/api/websites', { name: 'Viewer site', domain: 'v.example', teamId }, { token: viewer.token }));
  assertUnauthorized(await d.post('/api/websites', { name: 'Outsider site', domain: 'o.example', teamId }, { token: outsider.token }));

  const list = await d.get(`${teamUrl()}/websites`, { token: viewer.token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data.map((w: any) => w.name), ['Team site']);
  assert.equal(list.body.count, 1);
  assert.equal(list.body.pageSize, 10);

  // every member sees the team site, including in their own list
  for (const u of [owner, manager, member, viewer]) {
    assert.equal((await d.get(`/api/websites/${siteId}`, { token: u.token })).status, 200, u.username);
    assert.ok((await d.get('/api/websites', { token: u.token })).body.data.some((w: any) => w.id === siteId), u.username);
  }
  const noTeams = await d.get('/api/websites?includeTeams=false', { token: member.token });
  assert.ok(!noTeams.body.data.some((w: any) => w.id === siteId));
  assertUnauthorized(await d.get(`/api/websites/${siteId}`, { token: outsider.token }));
  assert.ok(!(await d.get('/api/websites', { token: outsider.token })).body.data.some((w: any) => w.id === siteId));

  assertUnauthorized(await d.post(`/api/websites/${siteId}`, { name: 'Viewer rename' }, { token: viewer.token }));
  assertUnauthorized(await d.post(`/api/websites/${siteId}/reset`, undefined, { token: viewer.token }));
  assertUnauthorized(await d.del(`/api/websites/${siteId}`, { token: viewer.token }));
  assertUnauthorized(await d.post(`/api/websites/${siteId}`, { name: 'Outsider rename' }, { token: outsider.token }));
  assert.equal((await d.get(`/api/websites/${siteId}`, { token: owner.token })).body.name, 'Team site');

  const byMember = await d.post(`/api/websites/${siteId}`, { name: 'Renamed by member' }, { token: member.token });
  assert.equal(byMember.status, 200);
  assert.equal(byMember.body.name, 'Renamed by member');
  const byManager = await d.post(`/api/websites/${siteId}`, { domain: 'team2.example' }, { token: manager.token });
  assert.equal(byManager.body.domain, 'team2.example');
  assert.equal(byManager.body.name, 'Renamed by member');
});

test('members may leave; removing someone else takes owner or manager', async () => {
  assertUnauthorized(await d.del(`${teamUrl()}/users/${viewer.id}`, { token: member.token }));
  const join = await d.post('/api/teams/join', { accessCode }, { token: outsider.token });
  assert.equal(join.status, 200);
  const removed = await d.del(`${teamUrl()}/users/${outsider.id}`, { token: manager.token });
  assert.deepEqual(removed.body, { ok: true });
  assertUnauthorized(await d.get(teamUrl(), { token: outsider.token }));
  const left = await d.del(`${teamUrl()}/users/${viewer.id}`, { token: viewer.token });
  assert.deepEqual(left.body, { ok: true });
  assertUnauthorized(await d.get(teamUrl(), { token: viewer.token }));
  assertError(await d.del(`${teamUrl()}/users/${viewer.id}`, { token: owner.token }), 404);
  assert.equal((await d.get(`${teamUrl()}/users`, { token: owner.token })).body.count, 3);
});

test('team delete: only the owner; websites pass to the deleter', async () => {
  assertUnauthorized(await d.del(teamUrl(), { token: manager.token }));
  assertUnauthorized(await d.del(teamUrl(), { token: member.token }));
  assert.equal((await d.get(teamUrl(), { token: owner.token })).status, 200);
  const sites = (await d.get(`${teamUrl()}/websites`, { token: owner.token })).body.data;
  assert.equal(sites.length, 1);

  const res = await d.del(teamUrl(), { token: owner.token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { ok: true });
  assertError(await d.get(teamUrl(), { token: admin }), 404);
  assertUnauthorized(await d.get(teamUrl(), { token: owner.token }));
  assert.deepEqual((await d.get('/api/teams', { token: member.token })).body.data, []);
  const site = await d.get(`/api/websites/${sites[0].id}`, { token: owner.token });
  assert.equal(site.status, 200);
  assert.equal(site.body.userId, owner.id);
  assert.equal(site.body.teamId, null);
  assertUnauthorized(await d.get(`/api/websites/${sites[0].id}`, { token: member.token }));
});

test('ownerId: an admin may create a team for someone else; others may not', async () => {
  assertUnauthorized(await d.post('/api/teams', { name: 'For manager', ownerId: manager.id }, { token: member.token }));
  assertError(await d.post('/api/teams', { name: 'For nobody', ownerId: UNKNOWN_UUID }, { token: admin }), 400, /ownerId/);
  const mine = await d.post('/api/teams', { name: 'Own explicit', ownerId: member.id }, { token: member.token });
  assert.equal(mine.status, 200);
  assert.equal(mine.body[1].userId, member.id);
  const res = await d.post('/api/teams', { name: 'For manager', ownerId: manager.id }, { token: admin });
  assert.equal(res.status, 200);
  const [team, teamUser] = res.body;
  assert.equal(teamUser.userId, manager.id);
  assert.equal(teamUser.role, 'team-owner');
  const members = await d.get(`/api/teams/${team.id}/users`, { token: manager.token });
  assert.deepEqual(members.body.data.map((m: any) => m.userId), [manager.id]);
  assert.deepEqual((await d.get('/api/teams', { token: manager.token })).body.data.map((t: any) => t.name), ['For manager']);
});

test('admin may manage any team without being a member', async () => {
  const [team] = (await d.post('/api/teams', { name: 'Other' }, { token: outsider.token })).body;
  const res = await d.post(`/api/teams/${team.id}`, { name: 'Renamed by admin' }, { token: admin });
  assert.equal(res.status, 200);
  assert.equal(res.body.name, 'Renamed by admin');
  assert.equal((await d.get(`/api/teams/${team.id}/users`, { token: admin })).body.count, 1);
  assert.deepEqual((await d.del(`/api/teams/${team.id}`, { token: admin })).body, { ok: true });
  assertError(await d.get(`/api/teams/${team.id}`, { token: admin }), 404);
});
