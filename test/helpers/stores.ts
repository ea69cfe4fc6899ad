// The stores a conformance test runs against: the embedded DuckDB store always; PostgreSQL when a
// server answers at TEST_DATABASE_URL (default: the local one); ClickHouse through chdb (in-process)
// with metadata in PostgreSQL. Each run gets fresh databases. CI sets DASHI_REQUIRE_STORES so that
// a store that cannot be reached fails the run instead of being left out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export type StoreName = 'duckdb' | 'postgres' | 'clickhouse';

export interface TestStore {
  name: StoreName;
  /** Extra environment for startDashi(): a fresh database for this store. */
  env(): Promise<Record<string, string>>;
  /** Drop what env() created. */
  cleanup(): Promise<void>;
}

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const required = new Set((process.env.DASHI_REQUIRE_STORES ?? '').split(',').filter(Boolean));

async function postgresReachable(): Promise<boolean> {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function chdbAvailable(): Promise<boolean> {
  const name = 'chdb'; // not a dependency: installed with `npm install --no-save chdb`
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

const announced = new Set<string>();
/** Says once per test file which stores run and why any is left out (stderr, beside the test report). */
function announce(ran: StoreName[], skipped: string[]): void {
  const line = `stores: ${ran.join(', ')}${skipped.length ? `; skipped: ${skipped.join('; ')}` : ''}`;
  if (announced.has(line)) return;
  announced.add(line);
  process.stderr.write(`# ${line}\n`);
}

function freshPostgres(): { url(): Promise<string>; drop(): Promise<void> } {
  const names: string[] = [];
  return {
    async url() {
      const name = `dashi_test_${randomBytes(6).toString('hex')}`;
      const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await sql.unsafe(`CREATE DATABASE ${name}`);
      await sql.end();
      names.push(name);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      for (const name of names.splice(0)) await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}

/** The stores to test on this machine, DuckDB first. */
export async function testStores(): Promise<TestStore[]> {
  const stores: TestStore[] = [{ name: 'duckdb', env: async () => ({}), cleanup: async () => undefined }];
  const pgOk = await postgresReachable();
  if (!pgOk && (required.has('postgres') || required.has('clickhouse'))) {
    throw new Error(`PostgreSQL is required (DASHI_REQUIRE_STORES) but does not answer at ${adminUrl}`);
  }
  if (pgOk) {
    const pg = freshPostgres();
    stores.push({ name: 'postgres', env: async () => ({ DATABASE_URL: await pg.url() }), cleanup: () => pg.drop() });
  }
  const chOk = await chdbAvailable();
  if (!chOk && required.has('clickhouse')) throw new Error('ClickHouse is required (DASHI_REQUIRE_STORES) but the chdb package is missing (npm install --no-save chdb)');
  if (pgOk && chOk) {
    const pg = freshPostgres();
    const dirs: string[] = [];
    stores.push({
      name: 'clickhouse',
      env: async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-chdb-'));
        dirs.push(dir);
        return { DATABASE_URL: await pg.url(), CLICKHOUSE_URL: `chdb:${dir}` };
      },
      cleanup: async () => {
        await pg.drop();
        for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
      },
    });
  }
  const skipped: string[] = [];
  if (!pgOk) skipped.push(`postgres (nothing answers at ${new URL(adminUrl).host}; set TEST_DATABASE_URL)`);
  if (!pgOk) skipped.push('clickhouse (its metadata needs PostgreSQL)');
  else if (!chOk) skipped.push('clickhouse (chdb is not installed: npm install --no-save chdb)');
  announce(
    stores.map((s) => s.name),
    skipped,
  );
  return stores;
}
