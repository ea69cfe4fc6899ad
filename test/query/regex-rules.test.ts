// The per-store regex checks (src/query/regex.ts) against the real engines: every listed crafted
// pattern is refused before any SQL is sent, and a pattern the check accepts is one the store's
// engine accepts too (DuckDB's and ClickHouse's RE2 in-process, PostgreSQL when it answers).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import postgres from 'postgres';
import { POSTGRES_RULES, RE2_RULES, regexProblem } from '../../src/query/regex.js';
import { classifyStoreError } from '../../src/store/store-errors.js';
import { loadChdb } from '../../src/store/clickhouse/embedded.js';

/** The four reproduced crafted patterns: JavaScript accepts them, the stores do not. */
const CRAFTED = ['a{1001}', '\\q', '(?<n>a)', '(a{100}){100}'];

/** More of the same kind (all valid JavaScript). */
const REFUSED_BY_ALL = ['\\k<a>', '(?=a)', '(?<!a)', '\\1', '(a)\\2', '[]', '[^]', '[[:nope:]]', '\\é', '[a-\\d]', '\\xZ'];
const REFUSED_BY_RE2 = ['\\e', '\\y', '\\m', '\\cA', '\\u0041', '\\Z', '[\\b]', '(((a{10}){10}){11})', '\\pL{500}', '\\Q.\\E'];
const REFUSED_BY_PG = ['a{300}', '\\z', '\\p{L}', '\\x{41}', '(a{255}){255}', 'a{256}'];

const ACCEPTED_BY_ALL = [
  '^/blog', '/pricing$', '^/(a|b)+/?$', '[a-z0-9_-]+', '\\d{4}-\\d{2}', '\\w+\\.pdf', '\\s*', '[^/]+', '(?:x|y){2,5}', 'a{,3}', 'a{1,}',
  '\\.', '\\/', '\\-', '\\$', '[\\]]', '[[:alpha:]]', '\\x41', '\\t', 'a{255}', '((a{10}){10}){10}', '\\bword\\b', '.*', '\\0', 'caf\u00e9', '[\\d\\s]',
];

describe('regex rules (no store)', () => {
  test('the crafted patterns are refused for every engine, naming the engine', () => {
    for (const p of [...CRAFTED, ...REFUSED_BY_ALL]) {
      assert.doesNotThrow(() => new RegExp(p), `${p} should be valid JavaScript`);
      assert.match(regexProblem(p, RE2_RULES) ?? '', /^RE2 cannot use this regular expression: /, `RE2 should refuse ${p}`);
      if (p !== '(a{100}){100}') assert.match(regexProblem(p, POSTGRES_RULES) ?? '', /^PostgreSQL cannot use/, `PostgreSQL should refuse ${p}`);
    }
  });

  test('engine-specific refusals', () => {
    for (const p of REFUSED_BY_RE2) assert.ok(regexProblem(p, RE2_RULES), `RE2 should refuse ${p}`);
    for (const p of REFUSED_BY_PG) assert.ok(regexProblem(p, POSTGRES_RULES), `PostgreSQL should refuse ${p}`);
  });

  test('common patterns are accepted by both', () => {
    for (const p of ACCEPTED_BY_ALL) {
      assert.equal(regexProblem(p, RE2_RULES), null, `RE2 rules refused ${p}`);
      assert.equal(regexProblem(p, POSTGRES_RULES), null, `PostgreSQL rules refused ${p}`);
    }
  });

  test('RE2 nested repetition budget is integer division of 1000', () => {
    assert.equal(regexProblem('(((a{10}){10}){10})', RE2_RULES), null);
    assert.equal(regexProblem('((((((a{3}){3}){3}){3}){3}){3})', RE2_RULES), null);
    assert.ok(regexProblem('(((((((a{3}){3}){3}){3}){3}){3}){3})', RE2_RULES));
    assert.ok(regexProblem('(a{2,}){501}', RE2_RULES));
  });
});

const ALL = [...new Set([...CRAFTED, ...REFUSED_BY_ALL, ...REFUSED_BY_RE2, ...REFUSED_BY_PG, ...ACCEPTED_BY_ALL])];

describe('regex rules agree with the engines', () => {
  test('DuckDB (RE2): what the rules accept, DuckDB accepts; the crafted ones DuckDB refuses', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      for (const p of ALL) {
        let error: unknown = null;
        await c.run(`SELECT regexp_matches('abc', $1, 'i')`, [p]).catch((e) => (error = e));
        if (regexProblem(p, RE2_RULES) === null) assert.equal(error, null, `DuckDB refused ${p}: ${String(error)}`);
        if (error) assert.equal(classifyStoreError(error), 'invalid-regex', `DuckDB's error for ${p} is not classified: ${String(error)}`);
      }
      for (const p of CRAFTED) {
        const err = await c.run(`SELECT regexp_matches('abc', $1, 'i')`, [p]).then(() => null, (e: unknown) => e);
        assert.equal(classifyStoreError(err), 'invalid-regex', `DuckDB accepted ${p}`);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  test('ClickHouse (chdb, RE2): what the rules accept, ClickHouse accepts', async (t) => {
    const chdb = await loadChdb();
    if (!chdb) {
      if (process.env.DASHI_REQUIRE_STORES?.includes('clickhouse')) throw new Error('chdb is required (DASHI_REQUIRE_STORES) but not installed');
      t.skip('chdb is not installed (npm install --no-save chdb)');
      return;
    }
    const session = new chdb.Session();
    try {
      for (const p of ALL) {
        let error: unknown = null;
        await session.queryBindAsync(`SELECT match('abc', concat('(?i)', {p:String}))`, { p }, { format: 'CSV' }).catch((e: unknown) => (error = e));
        if (regexProblem(p, RE2_RULES) === null) assert.equal(error, null, `ClickHouse refused ${p}: ${String(error)}`);
        if (error) assert.equal(classifyStoreError(error), 'invalid-regex', `ClickHouse's error for ${p} is not classified: ${String(error)}`);
      }
    } finally {
      session.cleanup();
    }
  });

  test('PostgreSQL (ARE): what the rules accept, PostgreSQL accepts', async (t) => {
    const sql = postgres(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', { max: 1, connect_timeout: 3, onnotice: () => undefined });
    try {
      await sql`SELECT 1`;
    } catch {
      await sql.end();
      if (process.env.DASHI_REQUIRE_STORES?.includes('postgres')) throw new Error('PostgreSQL is required');
      t.diagnostic('PostgreSQL not reachable');
      return;
    }
    try {
      for (const p of ALL) {
        let error: unknown = null;
        await sql.unsafe(`SELECT 'abc' ~* CAST($1 AS TEXT)`, [p]).catch((e) => (error = e));
        if (regexProblem(p, POSTGRES_RULES) === null) assert.equal(error, null, `PostgreSQL refused ${p}: ${String(error)}`);
        if (error) assert.equal(classifyStoreError(error), 'invalid-regex', `PostgreSQL's error for ${p} is not classified: ${String(error)}`);
      }
    } finally {
      await sql.end();
    }
  });
});
