// Team roles that protect a team from its own members, on every store: only a team-owner (or an
// admin) grants, changes or removes team-owner, so a manager cannot promote itself, demote the
// owner and take the team's websites; a team always keeps an owner; and the access code (which
// lets anyone join as team-member) is shown only to those who may manage the team.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, type TestUser } from '../helpers/api.js';

const stores = await testStores();
after(stopAll);

for (const store of stores) {
  describe(`team roles (${store.name})`, () => {
    let d: Dashi;
    let admin: string;
    let owner: TestUser;
    let manager: TestUser;
    let member: TestUser;
    let viewer: TestUser;
    let outsider: TestUser;
    let teamId: string;
    let accessCode: string;
    let siteId: string;

    const roles = async () =>
      Object.fromEntries((await d.get(`/api/teams/${teamId}/users`, { token: admin })).body.data.map((m: any) => [m.user.username, m.role]));

    before(async () => {
      d = await startDashi({ env: await store.env() });
      admin = await d.login();
      [owner, manager, member, viewer, outsider] = await Promise.all(['owner', 'manager', 'member', 'viewer', 'outsider'].map((n) => createUser(d, admin, n)));
      const created = await d.post('/api/teams', { name: 'Roles' }, { token: owner.token });
      assert.equal(created.status, 200);
      teamId = created.body[0].id;
      accessCode = created.body[0].accessCode;
      for (const [u, role] of [
        [manager, 'team-manager'],
        [member, 'team-member'],
        [viewer, 'team-view-only'],
      ] as const) {
        assert.equal((await d.post(`/api/teams/${teamId}/users`, { userId: u.id, role }, { token: owner.token })).status, 200);
      }
      const site = await d.post('/api/websites', { name: 'Team site', domain: 'roles.example', teamId }, { token: owner.token });
      assert.equal(site.status, 200, JSON.stringify(site.body));
      siteId = site.body.id;
    });
    after(() => store.cleanup());

    test('a manager cannot make itself (or anyone) owner, nor demote or remove the owner', async () => {
      assertUnauthorized(await d.post(`/api/teams/${teamId}/users/${manager.id}`, { role: 'team-owner' }, { token: manager.token }));
      assertUnauthorized(await d.post(`/api/teams/${teamId}/users/${member.id}`, { role: 'team-owner' }, { token: manager.token }));
      assertUnauthorized(await d.post(`/api/teams/${teamId}/users/${owner.id}`, { role: 'team-view-only' }, { token: manager.token }));
      assertUnauthorized(await d.del(`/api/teams/${teamId}/users/${owner.id}`, { token: manager.token }));
      assertUnauthorized(await d.post(`/api/teams/${teamId}/users`, { userId: outsider.id, role: 'team-owner' }, { token: manager.token }));
      // ...so it cannot take the team's website either
      assertUnauthorized(await d.post(`/api/websites/${siteId}/transfer`, { userId: manager.id }, { token: manager.token }));
      assert.deepEqual(await roles(), { manager: 'team-manager', member: 'team-member', owner: 'team-owner', viewer: 'team-view-only' });
      assert.equal((await d.get(`/api/websites/${siteId}`, { token: owner.token })).body.teamId, teamId);
    });

    test('a manager still manages the roles below owner', async () => {
      const up = await d.post(`/api/teams/${teamId}/users/${viewer.id}`, { role: 'team-manager' }, { token: manager.token });
      assert.equal(up.status, 200);
      assert.equal(up.body.role, 'team-manager');
      const down = await d.post(`/api/teams/${teamId}/users/${viewer.id}`, { role: 'team-view-only' }, { token: manager.token });
      assert.equal(down.body.role, 'team-view-only');
      const added = await d.post(`/api/teams/${teamId}/users`, { userId: outsider.id, role: 'team-member' }, { token: manager.token });
      assert.equal(added.status, 200);
      assert.deepEqual((await d.del(`/api/teams/${teamId}/users/${outsider.id}`, { token: manager.token })).body, { ok: true });
    });

    test('an owner grants team-owner; then owners may demote each other but never the last one', async () => {
      const grant = await d.post(`/api/teams/${teamId}/users/${manager.id}`, { role: 'team-owner' }, { token: owner.token });
      assert.equal(grant.status, 200);
      assert.equal(grant.body.role, 'team-owner');
      const back = await d.post(`/api/teams/${teamId}/users/${manager.id}`, { role: 'team-manager' }, { token: owner.token });
      assert.equal(back.body.role, 'team-manager');
      assertError(await d.post(`/api/teams/${teamId}/users/${owner.id}`, { role: 'team-manager' }, { token: owner.token }), 400, /owner/);
      assertError(await d.del(`/api/teams/${teamId}/users/${owner.id}`, { token: owner.token }), 400, /owner/);
    });

    test('an admin may grant and remove team-owner, but also cannot leave a team without an owner', async () => {
      assertError(await d.post(`/api/teams/${teamId}/users/${owner.id}`, { role: 'team-member' }, { token: admin }), 400, /owner/);
      assertError(await d.del(`/api/teams/${teamId}/users/${owner.id}`, { token: admin }), 400, /owner/);
      const grant = await d.post(`/api/teams/${teamId}/users/${member.id}`, { role: 'team-owner' }, { token: admin });
      assert.equal(grant.body.role, 'team-owner');
      const demoted = await d.post(`/api/teams/${teamId}/users/${owner.id}`, { role: 'team-member' }, { token: admin });
      assert.equal(demoted.body.role, 'team-member');
      // the new owner hands ownership back and steps down
      assert.equal((await d.post(`/api/teams/${teamId}/users/${owner.id}`, { role: 'team-owner' }, { token: member.token })).body.role, 'team-owner');
      assert.equal((await d.post(`/api/teams/${teamId}/users/${member.id}`, { role: 'team-member' }, { token: member.token })).body.role, 'team-member');
      assert.deepEqual(await roles(), { manager: 'team-manager', member: 'team-member', owner: 'team-owner', viewer: 'team-view-only' });
    });

    test('the access code is shown to owner, manager and admin only, in every route that returns a team', async () => {
      const visible = [
        [owner.token, true],
        [manager.token, true],
        [member.token, false],
        [viewer.token, false],
      ] as const;
      for (const [token, shown] of visible) {
        const want = shown ? accessCode : null;
        const one = await d.get(`/api/teams/${teamId}`, { token });
        assert.equal(one.status, 200);
        assert.equal(one.body.accessCode, want);
        for (const url of ['/api/teams', '/api/me/teams']) {
          const list = await d.get(url, { token });
          assert.equal(list.status, 200);
          assert.equal(list.body.data.find((t: any) => t.id === teamId).accessCode, want, url);
        }
        const me = (await d.get('/api/auth/verify', { token })).body;
        const mine = await d.get(`/api/users/${me.id}/teams`, { token });
        assert.equal(mine.body.data.find((t: any) => t.id === teamId).accessCode, want);
        assert.doesNotMatch(JSON.stringify((await d.get(`/api/teams/${teamId}/users`, { token })).body), new RegExp(accessCode));
      }
      assert.equal((await d.get(`/api/teams/${teamId}`, { token: admin })).body.accessCode, accessCode);
      assert.equal((await d.get('/api/admin/teams', { token: admin })).body.data.find((t: any) => t.id === teamId).accessCode, accessCode);
      assert.equal((await d.get(`/api/users/${viewer.id}/teams`, { token: admin })).body.data[0].accessCode, accessCode);
      // a view-only member cannot learn the code, so cannot leave and rejoin as team-member
      const login = await d.post('/api/auth/login', { username: 'viewer', password: 'password123' });
      assert.doesNotMatch(JSON.stringify(login.body), new RegExp(accessCode));
    });
  });
}
