// Secrets and file modes: a secret under 32 bytes (APP_SECRET, HASH_SALT, DATA_DIR/secret) stops
// the start with a message naming it; a server store without APP_SECRET warns that its key comes
// from DATABASE_URL; DATA_DIR and everything Dashi keeps in it are readable by the owner only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Dashi, startDashi, stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { runDashiUntilExit } from '../helpers/api.js';

const LONG = 'a-perfectly-long-secret-of-32-bytes!';
const stores = await testStores();
const dirs: string[] = [];
after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-secrets-'));
  dirs.push(dir);
  return dir;
};

/** Start a server expected to refuse; resolves with its output. */
async function refusedStart(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const d = new Dashi(dataDir, env);
  const err = await d.start().then(
    async () => {
      await d.kill9();
      return assert.fail('the server started');
    },
    (e: Error) => e,
  );
  assert.match(err.message, /server exited with 1/);
  return err.message;
}

describe('short secrets are refused', () => {
  test('APP_SECRET and HASH_SALT under 32 bytes stop the start, naming the variable', async () => {
    const [app, salt, both] = await Promise.all([
      runDashiUntilExit({ APP_SECRET: 'x' }),
      runDashiUntilExit({ HASH_SALT: 'short-salt' }),
      runDashiUntilExit({ APP_SECRET: 'z'.repeat(31) }),
    ]);
    for (const [r, name] of [
      [app, 'APP_SECRET'],
      [salt, 'HASH_SALT'],
      [both, 'APP_SECRET'],
    ] as const) {
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, new RegExp(`${name}: must be at least 32 bytes`), r.output);
      assert.doesNotMatch(r.output, /listening/);
    }
  });

  test('a 32-byte APP_SECRET starts; an unused short HASH_SALT is then ignored', async () => {
    const d = await startDashi({ env: { APP_SECRET: 'b'.repeat(32), HASH_SALT: 'old' } });
    assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'umami' })).status, 200);
  });

  test('an empty or short DATA_DIR/secret stops the start, naming the file', async () => {
    for (const content of ['', '\n', 'tooshort']) {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'secret'), content);
      const output = await refusedStart(dir);
      assert.match(output, new RegExp(`${path.join(dir, 'secret').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), output);
      assert.match(output, /at least 32 bytes/);
      assert.equal(fs.readFileSync(path.join(dir, 'secret'), 'utf8'), content, 'the file is left alone');
    }
  });

  test('a generated secret is at least 32 bytes and kept', async () => {
    const d = await startDashi();
    const secret = fs.readFileSync(path.join(d.dataDir, 'secret'), 'utf8');
    assert.ok(Buffer.byteLength(secret.trim()) >= 32);
    await d.restart();
    assert.equal(fs.readFileSync(path.join(d.dataDir, 'secret'), 'utf8'), secret);
  });
});

for (const store of stores.filter((s) => s.name !== 'duckdb')) {
  describe(`the key derived from DATABASE_URL (${store.name})`, () => {
    test('without APP_SECRET a warn-level line says what to set; with it, none', async () => {
      const env = await store.env();
      const derived = await startDashi({ env });
      const warning = derived.output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .find((l) => /APP_SECRET/.test(l.msg));
      assert.ok(warning, derived.output);
      assert.equal(warning.level, 40, 'warn');
      assert.match(warning.msg, /DATABASE_URL/);
      assert.match(warning.msg, /set APP_SECRET/i);
      await derived.stop();
      const set = await startDashi({ env: { ...env, APP_SECRET: LONG } });
      assert.doesNotMatch(set.output, /APP_SECRET/);
    });
  });
}

describe('file modes of DATA_DIR', () => {
  const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

  function assertPrivate(dir: string) {
    assert.equal(mode(dir), 0o700, dir);
    const walk = (p: string): void => {
      for (const name of fs.readdirSync(p)) {
        const full = path.join(p, name);
        const st = fs.lstatSync(full);
        if (st.isDirectory()) {
          assert.equal(st.mode & 0o777, 0o700, full);
          walk(full);
        } else assert.equal(st.mode & 0o777, 0o600, full);
      }
    };
    walk(dir);
  }

  test('a fresh data directory, its database, WAL, journal and secret are owner-only', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const d = await startDashi({ dataDir });
    const token = await d.login();
    const site = await d.post('/api/websites', { name: 'Modes', domain: 'modes.example' }, { token });
    assert.equal(site.status, 200);
    const hit = await d.post('/api/send', { type: 'event', payload: { website: site.body.id, url: '/', hostname: 'modes.example' } }, { headers: { 'user-agent': UA } });
    assert.equal(hit.status, 200);
    const names = fs.readdirSync(dataDir);
    for (const want of ['dashi.duckdb', 'secret', 'journal']) assert.ok(names.includes(want), `${want} in ${names}`);
    assert.ok(fs.readdirSync(path.join(dataDir, 'journal')).length > 0, 'a journal segment');
    assertPrivate(dataDir);
    await d.kill9(); // leaves the WAL behind
    if (fs.existsSync(path.join(dataDir, 'dashi.duckdb.wal'))) assert.equal(mode(path.join(dataDir, 'dashi.duckdb.wal')), 0o600);
  });

  test('loose modes left by an older release are tightened at start', async () => {
    const dataDir = tempDir();
    const d = await startDashi({ dataDir });
    const token = await d.login();
    assert.equal((await d.post('/api/websites', { name: 'Loose', domain: 'loose.example' }, { token })).status, 200);
    await d.kill9();
    const loosen = (p: string): void => {
      const st = fs.lstatSync(p);
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
      if (st.isDirectory()) for (const n of fs.readdirSync(p)) loosen(path.join(p, n));
    };
    loosen(dataDir);
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'not ours', { mode: 0o644 });
    assert.equal(mode(path.join(dataDir, 'dashi.duckdb')), 0o644);
    await d.start();
    const notes = path.join(dataDir, 'notes.txt');
    assert.equal(mode(notes), 0o644, 'files Dashi does not own are left alone');
    fs.rmSync(notes);
    assertPrivate(dataDir);
    assert.equal((await d.get('/api/websites', { token })).body.data.length, 1);
  });
});
