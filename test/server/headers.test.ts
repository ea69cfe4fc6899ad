// Hardening headers: the dashboard (and the share page) carries a CSP its own build satisfies, and
// cannot be framed; every answer says nosniff and a same-origin referrer policy. /api/me does not
// echo the token, and says when an admin still uses the default password.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertNoSecrets, createUser, runDashiUntilExit } from '../helpers/api.js';

after(stopAll);

async function page(d: Dashi, path: string) {
  const res = await fetch(d.url + path);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([name, ...values]) => [name, values]));
}

describe('dashboard headers', () => {
  let d: Dashi;
  before(async () => {
    d = await startDashi();
  });

  test('index.html (any app route, the share page too) has a strict CSP, no framing, nosniff and a referrer policy', async () => {
    for (const path of ['/', '/login', '/websites/abc', '/share/some-slug', '/share/some-slug/events']) {
      const res = await page(d, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const csp = res.headers.get('content-security-policy');
      assert.ok(csp, `${path}: no CSP`);
      const dirs = directives(csp);
      assert.deepEqual(dirs.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(dirs.get('default-src'), ["'self'"]);
      assert.deepEqual(dirs.get('object-src'), ["'none'"]);
      assert.deepEqual(dirs.get('base-uri'), ["'self'"]);
      assert.deepEqual(dirs.get('connect-src'), ["'self'"]);
      assert.deepEqual(dirs.get('style-src'), ["'self'"]);
      // no blanket inline or eval: each inline script of the page is allowed by its hash
      const scripts = dirs.get('script-src')!;
      assert.ok(!scripts.some((s) => /unsafe/.test(s)), csp);
      const inline = [...res.text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      assert.ok(inline.length >= 1, 'the theme script is inline');
      for (const code of inline) assert.ok(scripts.includes(`'sha256-${createHash('sha256').update(code).digest('base64')}'`), `inline script not allowed by ${csp}`);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    }
  });

  test('static assets and API answers say nosniff and the referrer policy', async () => {
    const html = (await page(d, '/')).text;
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    for (const path of [`/${asset}`, '/api/heartbeat', '/api/nope', '/script.js']) {
      const res = await page(d, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', path);
    }
  });
});

describe('ALLOWED_FRAME_URLS', () => {
  test('names the origins allowed to frame the dashboard (CSP only, as X-Frame-Options cannot)', async () => {
    const d = await startDashi({ env: { ALLOWED_FRAME_URLS: 'https://intranet.example.com https://*.example.org' } });
    const res = await page(d, '/share/abc');
    assert.deepEqual(directives(res.headers.get('content-security-policy')!).get('frame-ancestors'), ['https://intranet.example.com', 'https://*.example.org']);
    assert.equal(res.headers.get('x-frame-options'), null);
    await d.stop();
  });

  test('a value that could break out of the directive stops the start, naming the variable', async () => {
    const { code, output } = await runDashiUntilExit({ ALLOWED_FRAME_URLS: "https://a.example; script-src 'unsafe-inline'" });
    assert.notEqual(code, 0);
    assert.match(output, /ALLOWED_FRAME_URLS/);
  });
});

describe('/api/me and the default password', () => {
  let d: Dashi;
  before(async () => {
    d = await startDashi();
  });

  test('/api/me keeps Umami’s shape but does not echo the token', async () => {
    const token = await d.login();
    for (const opts of [{ token }, { cookie: `umami.auth=${token}` }]) {
      const me = await d.get('/api/me', opts);
      assert.equal(me.status, 200);
      assertNoSecrets(me);
      assert.ok(!JSON.stringify(me.body).includes(token), 'token echoed');
      assert.ok(!JSON.stringify(me.body).includes(token.split('.')[2]), 'token signature echoed');
      assert.equal(me.body.token, null);
      assert.equal(me.body.authKey, null);
      assert.equal(me.body.shareToken, null);
      assert.equal(me.body.user.username, 'admin');
      assert.equal(me.body.user.isAdmin, true);
    }
  });

  test('an admin on the default password is told so (login, verify, /api/me) until it changes', async () => {
    const login = await d.post('/api/auth/login', { username: 'admin', password: 'umami' });
    const token = login.body.token;
    assert.equal(login.body.user.usesDefaultPassword, true);
    assert.equal((await d.get('/api/auth/verify', { token })).body.usesDefaultPassword, true);
    assert.equal((await d.get('/api/me', { token })).body.usesDefaultPassword, true);

    // other users never are, whatever their password
    const bob = await createUser(d, token, 'bob');
    assert.equal((await d.get('/api/auth/verify', { token: bob.token })).body.usesDefaultPassword, false);
    assert.equal((await d.get('/api/me', { token: bob.token })).body.usesDefaultPassword, false);

    const changed = await d.post('/api/me/password', { currentPassword: 'umami', newPassword: 'a-much-better-one' }, { token });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const fresh = await d.login('admin', 'a-much-better-one');
    assert.equal((await d.get('/api/auth/verify', { token: fresh })).body.usesDefaultPassword, false);
    assert.equal((await d.get('/api/me', { token: fresh })).body.usesDefaultPassword, false);
    assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'a-much-better-one' })).body.user.usesDefaultPassword, false);

  });

  test('ADMIN_PASSWORD at first start: no warning', async () => {
    const other = await startDashi({ env: { ADMIN_PASSWORD: 'chosen-at-install' } });
    const token = await other.login('admin', 'chosen-at-install');
    assert.equal((await other.get('/api/auth/verify', { token })).body.usesDefaultPassword, false);
    assert.doesNotMatch(other.output, /default password/i);
    await other.stop();
  });
});
