// The SQL the compiler writes for a few queries, per dialect, against checked-in snapshots
// (test/query/snapshots/). A change to the compiler shows up here as a diff to review; after
// reviewing it, `UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs sql-snapshots` rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAggregate } from '../../src/query/compile.js';
import { dialectFor } from '../../src/query/dialects/index.js';
import type { Query } from '../../src/query/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = here.split(path.sep).includes('dist') ? path.resolve(here, '../../..') : path.resolve(here, '../..');
const dir = path.join(root, 'test/query/snapshots');

const base: Query = {
  websiteId: '00000000-0000-4000-8000-000000000001',
  websiteDomain: 'example.com',
  range: { start: new Date('2026-01-01T00:00:00.000Z'), end: new Date('2026-01-31T23:59:59.999Z') },
  timeZone: 'UTC',
  rows: 'traffic',
  metrics: ['pageviews'],
  dimensions: [],
  filter: null,
  orderBy: [],
  limit: null,
  offset: 0,
  compare: null,
  now: new Date('2026-02-01T00:00:00.000Z'),
};

const QUERIES: Record<string, Query> = {
  stats: { ...base, metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'] },
  'paths-filtered': {
    ...base,
    metrics: ['pageviews'],
    dimensions: [{ kind: 'field', name: 'path' }],
    filter: { kind: 'and', children: [{ kind: 'leaf', dim: 'browser', op: 'eq', values: ['chrome'] }, { kind: 'leaf', dim: 'referrer', op: 'contains', values: ['news'] }] },
    orderBy: [{ key: 'pageviews', dir: 'desc' }],
    limit: 10,
  },
  'series-new-york': { ...base, timeZone: 'America/New_York', metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'day' }] },
  'entry-pages': { ...base, metrics: ['visits'], dimensions: [{ kind: 'field', name: 'entry' }], orderBy: [{ key: 'visits', dir: 'desc' }], limit: 5 },
};

for (const [name, q] of Object.entries(QUERIES)) {
  for (const dialect of ['duckdb', 'postgres', 'clickhouse'] as const) {
    test(`${name} on ${dialect}`, () => {
      const d = dialectFor(dialect);
      const { text, params } = d.render(compileAggregate(q, d));
      const actual = `${text}\n-- params: ${JSON.stringify(params)}\n`;
      const file = path.join(dir, `${name}.${dialect}.sql`);
      if (process.env.UPDATE_SNAPSHOTS === '1' || !fs.existsSync(file)) {
        if (process.env.CI && !fs.existsSync(file)) assert.fail(`snapshot ${file} is missing (run with UPDATE_SNAPSHOTS=1 and commit it)`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(file, actual);
      }
      assert.equal(actual, fs.readFileSync(file, 'utf8'), `compiled SQL differs from ${path.relative(root, file)}`);
    });
  }
}
