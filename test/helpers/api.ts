// Shared fixtures for the foundation integration tests (users, error envelopes, secret scans).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResponse, Dashi } from './server.js';

export const PASSWORD = 'password123';

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** Create a user as admin and log in as them. */
export async function createUser(d: Dashi, adminToken: string, username: string, role = 'user', password = PASSWORD): Promise<TestUser> {
  const res = await d.post('/api/users', { username, password, role }, { token: adminToken });
  assert.equal(res.status, 200, `create user ${username}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.username, username);
  assert.equal(res.body.role, role);
  return { id: res.body.id, username, token: await d.login(username, password) };
}

/** Assert Umami's error envelope, exact status, and (optionally) a message pattern. */
export function assertError(res: ApiResponse, status: number, message?: RegExp | string): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body, 'object', `body is not JSON: ${String(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'status']);
  assert.equal(res.body.error.status, status);
  assert.equal(typeof res.body.error.code, 'string');
  assert.equal(typeof res.body.error.message, 'string');
  if (typeof message === 'string') assert.equal(res.body.error.message, message);
  else if (message) assert.match(res.body.error.message, message);
}

export const assertUnauthorized = (res: ApiResponse) => {
  assertError(res, 401, 'Unauthorized');
  assert.equal(res.body.error.code, 'unauthorized');
};

/** No bcrypt hash anywhere, and no `password` key in a successful body. */
export function assertNoSecrets(res: ApiResponse, what = ''): void {
  const text = JSON.stringify(res.body) ?? '';
  assert.doesNotMatch(text, /\$2[aby]\$\d\d\$/, `bcrypt hash leaked ${what}: ${text}`);
  if (res.status < 400) assert.doesNotMatch(text, /"password(Hash)?"\s*:/i, `password field leaked ${what}: ${text}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

/** Run `dashi start` once with extra env and wait for it to exit (for configuration errors). */
export function runDashiUntilExit(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compiled = here.includes(`${path.sep}dist${path.sep}`);
  const root = compiled ? path.resolve(here, '../../..') : path.resolve(here, '../..');
  const args = compiled ? [path.join(root, 'dist/src/cli/main.js'), 'start'] : ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'start'];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-config-'));
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: '0', HOSTNAME: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}
