// Auth over HTTP against a real server: login (bearer and cookie), verify, logout and revocation
// (also across a restart), throttling of failed logins, token expiry, and the first admin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, assertNoSecrets, assertUnauthorized, createUser, sleep } from '../helpers/api.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

after(stopAll);

describe('auth on a default first start', () => {
  let d: Dashi;
  before(async () => {
    d = await startDashi();
  });

  test('first start creates admin/umami and warns about the default password', async () => {
    assert.match(d.output, /default password/i);
    const res = await d.post('/api/auth/login', { username: 'admin', password: 'umami' });
    assert.equal(res.status, 200);
    assertNoSecrets(res);
    assert.deepEqual(Object.keys(res.body).sort(), ['token', 'user']);
    assert.equal(typeof res.body.token, 'string');
    assert.ok(res.body.token.length > 20);
    const u = res.body.user;
    assert.match(u.id, /^[0-9a-f-]{36}$/);
    assert.equal(u.username, 'admin');
    assert.equal(u.role, 'admin');
    assert.equal(u.isAdmin, true);
    assert.match(u.createdAt, ISO);
    // login also sets the v1 cookie
    assert.match(res.headers.get('set-cookie') ?? '', /^umami\.auth=[^;]+;.*HttpOnly/i);
  });

  test('bad credentials answer 401 with incorrect-username-password', async () => {
    const wrong = await d.post('/api/auth/login', { username: 'admin', password: 'wrong-pass' });
    assertError(wrong, 401, 'Incorrect username and/or password');
    assert.equal(wrong.body.error.code, 'incorrect-username-password');
    const nobody = await d.post('/api/auth/login', { username: 'nobody', password: 'umami' });
    assertError(nobody, 401, 'Incorrect username and/or password');
    const missing = await d.post('/api/auth/login', { username: 'admin' });
    assertError(missing, 400, /password/);
  });

  test('the token works as bearer and as the umami.auth cookie; verify by GET and POST', async () => {
    const token = await d.login();
    for (const opts of [{ token }, { cookie: `umami.auth=${token}` }]) {
      for (const method of ['GET', 'POST']) {
        const res = await d.request(method, '/api/auth/verify', opts);
        assert.equal(res.status, 200, `${method} verify ${JSON.stringify(opts).slice(0, 12)}`);
        assert.equal(res.body.username, 'admin');
        assert.equal(res.body.role, 'admin');
        assert.equal(res.body.isAdmin, true);
        assertNoSecrets(res);
      }
    }
    const me = await d.get('/api/me', { cookie: `umami.auth=${token}` });
    assert.equal(me.status, 200);
    // Umami's shape, but the token is not echoed back
    assert.equal(me.body.token, null);
    assert.equal(me.body.user.username, 'admin');
  });

  test('missing, malformed and forged tokens are 401', async () => {
    assertUnauthorized(await d.get('/api/auth/verify'));
    assertUnauthorized(await d.get('/api/auth/verify', { token: 'not-a-jwt' }));
    const token = await d.login();
    const [h, p] = token.split('.');
    assertUnauthorized(await d.get('/api/auth/verify', { token: `${h}.${p}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` }));
    assertUnauthorized(await d.get('/api/auth/verify', { cookie: 'umami.auth=garbage' }));
    // a share token is not a login token
    assertUnauthorized(await d.get('/api/auth/verify', { headers: { 'x-umami-share-token': token } }));
  });

  test('logout revokes the token (bearer and cookie), other tokens keep working', async () => {
    const t1 = await d.login();
    const t2 = await d.login();
    const out = await d.post('/api/auth/logout', undefined, { token: t1 });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { ok: true });
    assertUnauthorized(await d.get('/api/auth/verify', { token: t1 }));
    assertUnauthorized(await d.get('/api/auth/verify', { cookie: `umami.auth=${t1}` }));
    assertUnauthorized(await d.get('/api/websites', { token: t1 }));
    assert.equal((await d.get('/api/auth/verify', { token: t2 })).status, 200);

    const t3 = await d.login();
    const outCookie = await d.post('/api/auth/logout', undefined, { cookie: `umami.auth=${t3}` });
    assert.equal(outCookie.status, 200);
    assert.match(outCookie.headers.get('set-cookie') ?? '', /umami\.auth=;/);
    assertUnauthorized(await d.get('/api/auth/verify', { token: t3 }));
    // logging out without a token is itself unauthorized
    assertUnauthorized(await d.post('/api/auth/logout'));
  });

  test('a deleted user’s token stops working', async () => {
    const admin = await d.login();
    const u = await createUser(d, admin, 'goner');
    assert.equal((await d.get('/api/auth/verify', { token: u.token })).status, 200);
    assert.deepEqual((await d.del(`/api/users/${u.id}`, { token: admin })).body, { ok: true });
    assertUnauthorized(await d.get('/api/auth/verify', { token: u.token }));
  });

  test('repeated failed logins for one user are refused with 429 and Retry-After', async () => {
    const admin = await d.login();
    await createUser(d, admin, 'victim');
    for (let i = 0; i < 5; i++) {
      assertError(await d.post('/api/auth/login', { username: 'victim', password: `bad-${i}-xxx` }), 401);
    }
    const blocked = await d.post('/api/auth/login', { username: 'victim', password: 'password123' });
    assertError(blocked, 429, /too many/i);
    assert.equal(blocked.body.error.code, 'too-many-requests');
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `retry-after ${retry}`);
    // other users from the same address are not locked out
    assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'umami' })).status, 200);
  });

  test('revocation survives a restart; valid tokens too', async () => {
    const keep = await d.login();
    const drop = await d.login();
    assert.equal((await d.post('/api/auth/logout', undefined, { token: drop })).status, 200);
    await d.restart();
    assertUnauthorized(await d.get('/api/auth/verify', { token: drop }));
    const ok = await d.get('/api/auth/verify', { token: keep });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.username, 'admin');
    // the generated APP_SECRET is kept under DATA_DIR, so tokens stay valid after a hard kill too
    await d.kill9();
    await d.start();
    assert.equal((await d.get('/api/auth/verify', { token: keep })).status, 200);
    assertUnauthorized(await d.get('/api/auth/verify', { token: drop }));
  });
});

describe('auth with ADMIN_PASSWORD, CLIENT_IP_HEADER and a short token lifetime', () => {
  let d: Dashi;
  before(async () => {
    // 0.0006 h ≈ 2 s
    d = await startDashi({ env: { ADMIN_PASSWORD: 'correct-horse', TOKEN_TTL_HOURS: '0.0006', CLIENT_IP_HEADER: 'X-Real-Client' } });
  });

  test('ADMIN_PASSWORD is honoured and no default-password warning is logged', async () => {
    assert.doesNotMatch(d.output, /default password/i);
    assertError(await d.post('/api/auth/login', { username: 'admin', password: 'umami' }), 401);
    const res = await d.post('/api/auth/login', { username: 'admin', password: 'correct-horse' });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.isAdmin, true);
  });

  test('behind a proxy (CLIENT_IP_HEADER), failed logins count per client address', async () => {
    const from = (ip: string) => ({ headers: { 'x-real-client': ip } });
    for (let i = 0; i < 5; i++) {
      assertError(await d.post('/api/auth/login', { username: 'admin', password: `nope-${i}` }, from('203.0.113.7')), 401);
    }
    assertError(await d.post('/api/auth/login', { username: 'admin', password: 'correct-horse' }, from('203.0.113.7')), 429);
    // the attacker behind the same proxy does not lock the admin out elsewhere
    assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'correct-horse' }, from('198.51.100.2'))).status, 200);
    assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'correct-horse' })).status, 200);
  });

  test('an expired token is rejected', async () => {
    const token = await d.login('admin', 'correct-horse');
    assert.equal((await d.get('/api/auth/verify', { token })).status, 200);
    await sleep(2300);
    assertUnauthorized(await d.get('/api/auth/verify', { token }));
    assertUnauthorized(await d.get('/api/me', { cookie: `umami.auth=${token}` }));
  });

  test('the default-password warning stops once the password is changed', async () => {
    const dd = await startDashi();
    assert.match(dd.output, /default password/i);
    const token = await dd.login();
    const res = await dd.post('/api/me/password', { currentPassword: 'umami', newPassword: 'a-better-one' }, { token });
    assert.equal(res.status, 200);
    await dd.restart();
    assert.doesNotMatch(dd.output, /default password/i);
    assert.equal((await dd.post('/api/auth/login', { username: 'admin', password: 'a-better-one' })).status, 200);
  });
});
