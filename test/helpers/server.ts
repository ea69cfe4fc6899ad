// Starts a real Dashi server process on a free port with its own temporary DATA_DIR.
// Works both from source (node --import tsx) and from the compiled dist/ tree.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = here.includes(`${path.sep}dist${path.sep}`);
/** The repository root, from the compiled (dist/test/helpers) or the source tree. */
export const root = compiled ? path.resolve(here, '../../..') : path.resolve(here, '../..');

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  cookie?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export class Dashi {
  url = '';
  proc: ChildProcess | null = null;
  output = '';

  constructor(
    readonly dataDir: string,
    readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    const args = compiled ? [path.join(root, 'dist/src/cli/main.js'), 'start'] : ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'start'];
    const proc = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, PORT: '0', HOSTNAME: '127.0.0.1', DATA_DIR: this.dataDir, LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.output = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${this.output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const m = /Dashi listening on (http:\/\/[^\s"]+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace('0.0.0.0', '127.0.0.1'));
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  /** Hard kill, as a crash or power loss would. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): Promise<number | null> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc?.exitCode ?? null);
    return new Promise((resolve) => {
      proc.once('exit', (code) => resolve(code));
      proc.kill(sig);
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.url + url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = any>(url: string, opts?: RequestOptions) => this.request<T>('GET', url, opts);
  post = <T = any>(url: string, body?: unknown, opts?: RequestOptions) => this.request<T>('POST', url, { ...opts, body });
  del = <T = any>(url: string, opts?: RequestOptions) => this.request<T>('DELETE', url, opts);

  async login(username = 'admin', password = 'umami'): Promise<string> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }
}

/** Run `dashi <args>` to completion; resolves with its exit code and output. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const entry = compiled ? [path.join(root, 'dist/src/cli/main.js')] : ['--import', 'tsx', path.join(root, 'src/cli/main.ts')];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...entry, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    proc.once('exit', (code) => resolve({ code, output }));
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (for restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
}

const started: Dashi[] = [];
/** Data directories startDashi made itself: the only ones stopAll deletes. */
const made = new Set<string>();

export async function startDashi(options: StartOptions = {}): Promise<Dashi> {
  let dataDir = options.dataDir;
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-test-'));
    made.add(dataDir);
  }
  const dashi = new Dashi(dataDir, options.env ?? {});
  await dashi.start();
  started.push(dashi);
  return dashi;
}

/** Stop every server this file started and remove the data directories startDashi made. */
export async function stopAll(): Promise<void> {
  const stopped = started.splice(0);
  for (const d of stopped) await d.kill9();
  for (const d of stopped) if (made.delete(d.dataDir)) fs.rmSync(d.dataDir, { recursive: true, force: true });
}
