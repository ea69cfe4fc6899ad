// The channel classifier (src/query/dimensions.ts channelExpr), evaluated by a real engine on
// hand-written landing rows: DuckDB in memory, and PostgreSQL when it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import postgres from 'postgres';
import { channelExpr } from '../../src/query/dimensions.js';
import { dialectFor } from '../../src/query/dialects/index.js';
import { raw } from '../../src/query/sql.js';

// [referrer domain, landing hostname, utm_source, utm_medium, ad click id present] -> channel
const CASES: [string | null, string | null, string | null, string | null, number, string][] = [
  [null, 'example.com', null, null, 0, 'direct'],
  ['example.com', 'www.example.com', null, null, 0, 'direct'], // a referrer on the landing's own host
  ['google.com', 'example.com', null, null, 0, 'organicSearch'],
  ['WWW.Google.COM', 'example.com', null, null, 0, 'organicSearch'],
  ['www.google.com', 'example.com', null, null, 1, 'paidSearch'],
  ['bing.com', 'example.com', 'bing', 'cpc', 0, 'paidSearch'],
  [null, 'example.com', 'google', null, 0, 'organicSearch'], // the source alone names a search engine
  [null, 'example.com', 'newsletter', null, 0, 'email'],
  ['mail.example.org', 'example.com', 'x', 'email', 0, 'email'],
  [null, 'example.com', 'partner', 'affiliate', 0, 'affiliate'],
  [null, 'example.com', 'sms', null, 0, 'sms'],
  ['t.co', 'example.com', null, null, 0, 'organicSocial'],
  ['facebook.com', 'example.com', 'facebook', 'paid_social', 0, 'paidSocial'],
  ['m.youtube.com', 'example.com', null, null, 0, 'organicVideo'],
  ['amazon.de', 'example.com', null, null, 0, 'organicShopping'],
  [null, 'example.com', null, 'cpc', 0, 'paidAds'],
  [null, 'example.com', null, null, 1, 'paidAds'],
  ['blog.example.org', 'example.com', null, null, 0, 'referral'],
];

const expected = CASES.map((c) => c[5]);
const COLUMNS = ['ref', 'host', 'src', 'medium', 'click'];

test('channel classification on DuckDB', async () => {
  const d = dialectFor('duckdb');
  const { text, params } = d.render(channelExpr(d, (name) => raw(name)));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const got: string[] = [];
    for (const [ref, host, src, medium, click] of CASES) {
      const shifted = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 5}`);
      const sql = `SELECT ${shifted} AS channel FROM (SELECT $1::VARCHAR AS ref, $2::VARCHAR AS host, $3::VARCHAR AS src, $4::VARCHAR AS medium, $5::INTEGER AS click) t`;
      const reader = await conn.runAndReadAll(sql, [ref, host, src, medium, click, ...params] as never);
      got.push(String(reader.getRowObjects()[0].channel));
    }
    assert.deepEqual(got, expected);
  } finally {
    conn.closeSync();
  }
});

test('channel classification on PostgreSQL gives the same answers', async (t) => {
  const url = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const db = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await db`SELECT 1`;
  } catch {
    await db.end({ timeout: 1 });
    if (process.env.DASHI_REQUIRE_STORES?.includes('postgres')) throw new Error(`PostgreSQL does not answer at ${url}`);
    t.skip(`PostgreSQL does not answer at ${url}`);
    return;
  }
  try {
    const d = dialectFor('postgres');
    const { text, params } = d.render(channelExpr(d, (name) => raw(name)));
    const got: string[] = [];
    for (const [ref, host, src, medium, click] of CASES) {
      const shifted = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 5}`);
      const rows = await db.unsafe(`SELECT ${shifted} AS channel FROM (SELECT $1::text AS ref, $2::text AS host, $3::text AS src, $4::text AS medium, $5::int AS click) t`, [
        ref,
        host,
        src,
        medium,
        click,
        ...params,
      ] as never[]);
      got.push(String(rows[0].channel));
    }
    assert.deepEqual(got, expected);
  } finally {
    await db.end({ timeout: 1 });
  }
});

test('every input the classifier reads is one of the channel inputs', () => {
  const seen = new Set<string>();
  channelExpr(dialectFor('duckdb'), (name) => {
    seen.add(name);
    return raw(name);
  });
  assert.deepEqual([...seen].sort(), [...COLUMNS].sort());
});
