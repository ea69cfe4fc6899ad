// Configuration and process behaviour: invalid environment values stop the start with a message
// naming the variable; BASE_PATH; CORS on /api/*; graceful shutdown on SIGTERM and SIGINT.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { startDashi, stopAll } from './helpers/server.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { assertError, runDashiUntilExit } from './helpers/api.js';

after(stopAll);

test('invalid configuration values stop the start and name the variable', async () => {
  const single: [string, string][] = [
    ['PORT', 'abc'],
    ['SALT_ROTATION', 'hourly'],
    ['BASE_PATH', 'nope'],
    ['DUCKDB_MEMORY_LIMIT', 'lots'],
  ];
  const several: Record<string, string> = {
    HOSTNAME: '127.0.0.1',
    DISABLE_LOGIN: 'maybe',
    TOKEN_TTL_HOURS: '-1',
    LOG_LEVEL: 'loud',
    DATABASE_URL: 'mysql://localhost/umami',
    CLICKHOUSE_URL: 'clickhouse.local:8123',
  };
  const results = await Promise.all([...single.map(([name, value]) => runDashiUntilExit({ [name]: value })), runDashiUntilExit({ ...several, PORT: '70000' })]);
  single.forEach(([name], i) => {
    const { code, output } = results[i];
    assert.equal(code, 1, `${name}: exit code ${code}\n${output}`);
    assert.match(output, new RegExp(`Invalid configuration:\\s+${name}: \\S`), `${name}:\n${output}`);
    // only the offending variable is named
    assert.equal(output.match(/^ {2}[A-Z_]+: /gm)?.length, 1, output);
    assert.doesNotMatch(output, /listening/, name);
  });
  const { code, output } = results[single.length];
  assert.equal(code, 1);
  for (const name of ['PORT', 'DISABLE_LOGIN', 'TOKEN_TTL_HOURS', 'LOG_LEVEL', 'DATABASE_URL', 'CLICKHOUSE_URL']) {
    assert.match(output, new RegExp(`^ {2}${name}: \\S`, 'm'), `${name} not named:\n${output}`);
  }
  assert.doesNotMatch(output, /HOSTNAME:/);
});

test('DUCKDB_MEMORY_LIMIT: 256MB by default, sizes with units in whole MB, at least 64MB; DUCKDB_THREADS a whole number', () => {
  assert.equal(loadConfig({}).duckdbMemoryLimit, '256MB');
  assert.equal(loadConfig({}).duckdbThreads, null);
  assert.equal(loadConfig({ DUCKDB_MEMORY_LIMIT: ' 1GB ' }).duckdbMemoryLimit, '1000MB');
  assert.equal(loadConfig({ DUCKDB_MEMORY_LIMIT: '1.5GiB' }).duckdbMemoryLimit, '1610MB');
  assert.equal(loadConfig({ DUCKDB_MEMORY_LIMIT: '64mb' }).duckdbMemoryLimit, '64MB');
  assert.equal(loadConfig({ DUCKDB_THREADS: '2' }).duckdbThreads, 2);
  for (const bad of ['63MB', '256', 'lots', '-1GB', '1e3MB', '256 MBs', '80%', 'x'.repeat(100_000), '__proto__']) {
    assert.throws(() => loadConfig({ DUCKDB_MEMORY_LIMIT: bad }), (err: Error) => err instanceof ConfigError && /DUCKDB_MEMORY_LIMIT: must be a size of at least 64MB/.test(err.message), bad.slice(0, 20));
  }
  for (const bad of ['0', '1.5', 'all', '257']) {
    assert.throws(() => loadConfig({ DUCKDB_THREADS: bad }), (err: Error) => err instanceof ConfigError && /DUCKDB_THREADS: /.test(err.message), bad);
  }
});

test('BASE_PATH=/stats serves the API under /stats', async () => {
  const d = await startDashi({ env: { BASE_PATH: '/stats/' } });
  const hb = await d.get('/stats/api/heartbeat');
  assert.equal(hb.status, 200);
  assert.deepEqual(hb.body, { ok: true });
  assert.equal(hb.headers.get('access-control-allow-origin'), '*');
  assertError(await d.get('/api/heartbeat'), 404);
  const login = await d.post('/stats/api/auth/login', { username: 'admin', password: 'umami' });
  assert.equal(login.status, 200);
  assert.match(login.headers.get('set-cookie') ?? '', /Path=\/stats(;|$)/);
  const me = await d.get('/stats/api/me', { token: login.body.token });
  assert.equal(me.body.user.username, 'admin');
  assert.equal((await d.request('OPTIONS', '/stats/api/websites')).status, 204);
  assert.equal(await d.stop(), 0);
});

test('CORS on /api/* as Umami: any origin, preflight 204; SIGTERM exits 0', async () => {
  const d = await startDashi();
  const hb = await d.get('/api/heartbeat', { headers: { origin: 'https://example.com' } });
  assert.equal(hb.status, 200);
  assert.deepEqual(hb.body, { ok: true });
  assert.equal(hb.headers.get('access-control-allow-origin'), '*');

  const pre = await d.request('OPTIONS', '/api/websites', {
    headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bDELETE\b/);
  assert.equal(pre.headers.get('access-control-allow-headers'), '*');
  assert.equal((await d.request('OPTIONS', '/api/websites/00000000-0000-4000-8000-000000000000/reset')).status, 204);

  const denied = await d.get('/api/websites');
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), '*');
  // outside /api no CORS headers
  const outside = await d.get('/definitely-not-api');
  assert.equal(outside.headers.get('access-control-allow-origin'), null);

  // SIGTERM lets requests in flight finish: fire six logins (bcrypt keeps them busy), signal as
  // soon as the first answers, and every one of them still gets its 200
  const logins = Array.from({ length: 6 }, () => d.post('/api/auth/login', { username: 'admin', password: 'umami' }));
  await Promise.race(logins);
  const stopping = Date.now();
  assert.equal(await d.stop(), 0);
  // Keep-alive connections close as their requests finish, not at their idle timeout (72 s).
  assert.ok(Date.now() - stopping < 8_000, `stop took ${Date.now() - stopping} ms`);
  assert.deepEqual((await Promise.all(logins)).map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  assert.match(d.output, /SIGTERM received/);
});

test('SIGINT also shuts down gracefully with exit code 0', async () => {
  const d = await startDashi();
  const token = await d.login();
  assert.equal((await d.post('/api/websites', { name: 'Before stop', domain: 'a.example' }, { token })).status, 200);
  const code = await new Promise<number | null>((resolve) => {
    d.proc!.once('exit', (c) => resolve(c));
    d.proc!.kill('SIGINT');
  });
  assert.equal(code, 0);
  assert.match(d.output, /SIGINT received/);
  await d.start();
  const list = await d.get('/api/websites', { token });
  assert.deepEqual(list.body.data.map((w: any) => w.name), ['Before stop']);
});

test('BACKUP_DIR, BACKUP_EVERY and BACKUP_KEEP: parsed, and refused with a message naming them', () => {
  const ok = loadConfig({ DATA_DIR: '/srv/dashi', BACKUP_DIR: '/srv/backups', BACKUP_EVERY: '6h', BACKUP_KEEP: '3' });
  assert.deepEqual([ok.backupDir, ok.backupEveryMs, ok.backupKeep], ['/srv/backups', 6 * 3_600_000, 3]);
  const defaults = loadConfig({ DATA_DIR: '/srv/dashi', BACKUP_DIR: '/srv/backups' });
  assert.deepEqual([defaults.backupEveryMs, defaults.backupKeep], [86_400_000, 7]);
  assert.equal(loadConfig({}).backupDir, null);
  for (const [every, ms] of [['30s', 30_000], ['15m', 900_000], [' 1D ', 86_400_000]] as const) assert.equal(loadConfig({ BACKUP_DIR: '/b', BACKUP_EVERY: every }).backupEveryMs, ms);
  const refused = (env: Record<string, string>, message: RegExp) => assert.throws(() => loadConfig(env), (err: Error) => err instanceof ConfigError && message.test(err.message));
  for (const every of ['1w', '6', 'h', '-1h', '0s', '1.5h', '367d', '__proto__', '1h\u0000']) refused({ BACKUP_DIR: '/b', BACKUP_EVERY: every }, /BACKUP_EVERY: must be a duration/);
  refused({ BACKUP_EVERY: '1d' }, /BACKUP_EVERY: needs BACKUP_DIR/);
  refused({ BACKUP_DIR: '/b', BACKUP_KEEP: '0' }, /BACKUP_KEEP/);
  refused({ BACKUP_DIR: '/b', BACKUP_KEEP: 'many' }, /BACKUP_KEEP/);
  refused({ DATA_DIR: '/srv/dashi', BACKUP_DIR: '/srv/dashi/backups' }, /BACKUP_DIR: must be outside DATA_DIR/);
  refused({ DATA_DIR: '/srv/dashi', BACKUP_DIR: '/srv/dashi' }, /BACKUP_DIR: must be outside DATA_DIR/);
  refused({ BACKUP_DIR: '/b', DATABASE_URL: 'postgresql://x@localhost/db' }, /BACKUP_DIR: scheduled backups are for the embedded store/);
});

test('SIGTERM with a request its client never finished: the server exits after a grace period, not after the request timeout', async () => {
  const d = await startDashi();
  const { hostname, port } = new URL(d.url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  // Headers promise a body that never comes: Node's own requestTimeout would wait 5 minutes.
  socket.write(`POST /api/send HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  assert.equal(await d.stop(), 0);
  const took = Date.now() - started;
  socket.destroy();
  assert.ok(took < 20_000, `took ${took} ms to exit`);
  assert.match(d.output, /closing the connections still open/);
});
