// The login throttle: which address a login is counted against (the right-most hop that is not a
// trusted proxy, IPv6 grouped by /64), a per-username counter across addresses that slows
// distributed guessing with a short, growing delay (and never delays an address the user has
// logged in from), and a bounded memory that forgets the least recently used entries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { addressKey, loginAddress, LoginThrottle, proxyMatcher } from '../../src/server/login-throttle.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, createUser, PASSWORD, sleep } from '../helpers/api.js';

after(stopAll);

describe('the address a login counts against', () => {
  const loopback = proxyMatcher(loadConfig({}).trustedProxies);
  const none = proxyMatcher(loadConfig({ TRUSTED_PROXIES: 'none' }).trustedProxies);
  const lan = proxyMatcher(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, loopback' }).trustedProxies);

  test('X-Forwarded-For counts only from a trusted peer, and only its right-most untrusted hop', () => {
    const xff = (v: string) => ({ 'x-forwarded-for': v });
    // a client talking to Dashi directly cannot pick its address
    assert.equal(loginAddress(xff('198.51.100.1'), '203.0.113.9', null, loopback), '203.0.113.9');
    // behind a local proxy, the proxy's appended hop is the client; what the client wrote to the left is ignored
    assert.equal(loginAddress(xff('1.2.3.4, 198.51.100.1'), '127.0.0.1', null, loopback), '198.51.100.1');
    assert.equal(loginAddress(xff('1.2.3.4, 198.51.100.1, 10.0.0.2'), '10.0.0.3', null, lan), '198.51.100.1');
    assert.equal(loginAddress(xff('1.2.3.4, 198.51.100.1, 10.0.0.2'), '127.0.0.1', null, loopback), '10.0.0.2');
    assert.equal(loginAddress(xff('198.51.100.1'), '127.0.0.1', null, none), '127.0.0.1');
    // every hop trusted: the left-most is the best there is; garbage stops the walk
    assert.equal(loginAddress(xff('10.0.0.1, 10.0.0.2'), '10.0.0.3', null, lan), '10.0.0.1');
    assert.equal(loginAddress(xff('evil, 10.0.0.2'), '10.0.0.3', null, lan), '10.0.0.2');
    assert.equal(loginAddress(xff('[2001:db8::1]:443, 198.51.100.7:1234'), '::ffff:127.0.0.1', null, loopback), '198.51.100.7');
    assert.equal(loginAddress({}, '::ffff:127.0.0.1', null, loopback), '127.0.0.1');
  });

  test('CLIENT_IP_HEADER is read from any peer, right-most untrusted hop first', () => {
    const h = { 'x-client': '1.2.3.4, 198.51.100.1', 'x-forwarded-for': '5.6.7.8' };
    assert.equal(loginAddress(h, '203.0.113.9', 'x-client', loopback), '198.51.100.1');
    assert.equal(loginAddress({ 'x-client': '198.51.100.2' }, '203.0.113.9', 'x-client', none), '198.51.100.2');
    assert.equal(loginAddress({ 'x-client': 'nonsense' }, '203.0.113.9', 'x-client', none), '203.0.113.9');
  });

  test('IPv6 addresses are grouped by /64; IPv4 stays whole', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:ffff:1:2:3'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('198.51.100.1'), '198.51.100.1');
    assert.notEqual(addressKey('198.51.100.1'), addressKey('198.51.100.2'));
  });

  test('TRUSTED_PROXIES is validated at start, naming the variable', () => {
    assert.throws(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/99' }), /TRUSTED_PROXIES: /);
    assert.throws(() => loadConfig({ TRUSTED_PROXIES: 'proxy.example' }), /TRUSTED_PROXIES: /);
    assert.deepEqual(loadConfig({ TRUSTED_PROXIES: 'none' }).trustedProxies, []);
  });
});

describe('the throttle', () => {
  const MIN = 60_000;

  test('per address and username: 5 failures in 15 minutes, then a wait until the oldest expires', () => {
    const t = new LoginThrottle();
    const now = 1_000_000_000;
    for (let i = 0; i < 5; i++) {
      assert.equal(t.retryAfter('198.51.100.1', 'Admin', now + i), 0);
      t.fail('198.51.100.1', 'Admin', now + i);
    }
    assert.equal(t.retryAfter('198.51.100.1', 'admin', now + 10), 15 * 60);
    assert.equal(t.retryAfter('198.51.100.2', 'admin', now + 10), 0, 'another address is not blocked');
    assert.equal(t.retryAfter('198.51.100.1', 'admin', now + 15 * MIN + 1), 0);
  });

  test('per username across addresses: a short delay that doubles, capped at a minute', () => {
    const t = new LoginThrottle();
    let now = 2_000_000_000;
    for (let i = 0; i < 10; i++) t.fail(`203.0.113.${i}`, 'victim', now);
    assert.equal(t.retryAfter('198.51.100.9', 'victim', now), 1);
    assert.equal(t.retryAfter('198.51.100.9', 'other', now), 0, 'other usernames are not slowed');
    const waits: number[] = [];
    for (let i = 10; i < 20; i++) {
      now += t.retryAfter(`203.0.113.${i}`, 'victim', now) * 1000;
      assert.equal(t.retryAfter(`203.0.113.${i}`, 'victim', now), 0);
      t.fail(`203.0.113.${i}`, 'victim', now);
      waits.push(t.retryAfter('198.51.100.9', 'victim', now));
    }
    assert.deepEqual(waits, [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    // the delay counts from the last failure and the counter from the 15-minute window
    assert.equal(t.retryAfter('198.51.100.9', 'victim', now + 60_000), 0);
    assert.equal(t.retryAfter('198.51.100.9', 'victim', now + 30_000), 30);
  });

  test('an address the user has logged in from is not slowed by failures elsewhere', () => {
    const t = new LoginThrottle();
    const now = 3_000_000_000;
    t.succeed('198.51.100.5', 'owner', now - 1000);
    for (let i = 0; i < 30; i++) t.fail(`2001:db8:${i}::1`, 'owner', now);
    assert.ok(t.retryAfter('192.0.2.1', 'owner', now) > 0);
    assert.equal(t.retryAfter('198.51.100.5', 'owner', now), 0);
  });

  test('per address: 20 failures over any usernames', () => {
    const t = new LoginThrottle();
    const now = 4_000_000_000;
    for (let i = 0; i < 20; i++) t.fail('198.51.100.1', `user${i}`, now);
    assert.ok(t.retryAfter('198.51.100.1', 'fresh', now) > 0);
    assert.equal(t.retryAfter('198.51.100.2', 'fresh', now), 0);
  });

  test('memory is bounded: the least recently used entries go, never the whole map', () => {
    const t = new LoginThrottle({ maxKeys: 60 });
    const now = 5_000_000_000;
    for (let i = 0; i < 4; i++) t.fail('198.51.100.1', 'admin', now);
    for (let i = 0; i < 1000; i++) {
      t.fail(`2001:db8:${i.toString(16)}::1`, `probe${i}`, now);
      // the attacker keeps its own entries in use
      assert.equal(t.retryAfter('198.51.100.1', 'admin', now), 0);
      assert.ok(t.size <= 60, `size ${t.size}`);
    }
    t.fail('198.51.100.1', 'admin', now);
    assert.equal(t.retryAfter('198.51.100.1', 'admin', now), 15 * 60, 'the counter survived the flood');
  });
});

describe('login throttle over HTTP behind a local reverse proxy (TRUSTED_PROXIES default)', () => {
  let d: Dashi;
  let admin: string;
  before(async () => {
    d = await startDashi();
    admin = await d.login();
    await createUser(d, admin, 'victim');
  });
  const from = (xff: string) => ({ headers: { 'x-forwarded-for': xff } });
  const login = (username: string, password: string, xff: string) => d.post('/api/auth/login', { username, password }, from(xff));

  test('bad logins from many clients behind the proxy do not lock everyone out', async () => {
    for (let i = 0; i < 25; i++) assertError(await login(`nobody${i}`, 'wrong-password', `198.51.100.${i}`), 401);
    assert.equal((await login('admin', 'umami', '203.0.113.9')).status, 200);
  });

  test('a client cannot dodge its counter by writing addresses to the left of X-Forwarded-For', async () => {
    for (let i = 0; i < 5; i++) assertError(await login('admin', `bad-${i}`, `10.9.9.${i}, 203.0.113.20`), 401);
    const blocked = await login('admin', 'umami', '10.9.9.77, 203.0.113.20');
    assertError(blocked, 429, /too many/i);
    assert.equal((await login('admin', 'umami', '203.0.113.21')).status, 200);
  });

  test('an IPv6 client rotating within its /64 is one client', async () => {
    for (let i = 0; i < 5; i++) assertError(await login('someone', `bad-${i}`, `2001:db8:5:6::${i + 1}`), 401);
    assertError(await login('someone', 'guess', '2001:db8:5:6:ffff::1'), 429);
    assertError(await login('someone', 'guess', '2001:db8:5:7::1'), 401);
  });

  test('guessing one password from many addresses is slowed for a moment; the user’s own address is not', async () => {
    assert.equal((await login('victim', PASSWORD, '192.0.2.50')).status, 200);
    for (let i = 0; i < 10; i++) assertError(await login('victim', `guess-${i}`, `198.18.0.${i}`), 401);
    const slowed = await login('victim', `guess-x`, '198.18.1.1');
    assertError(slowed, 429);
    const retry = Number(slowed.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `retry-after ${retry}`);
    assert.equal((await login('victim', PASSWORD, '192.0.2.50')).status, 200, 'known address');
    await sleep(retry * 1000 + 100);
    assert.equal((await login('victim', PASSWORD, '198.18.1.1')).status, 200, 'after the short delay');
  });
});
