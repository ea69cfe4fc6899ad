// The metric and dimension registries: every name resolves, every definition compiles on every
// dialect, and the aliases Umami accepts land on one definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDimension, dimension, METRIC_TYPES, visitParts } from '../../src/query/dimensions.js';
import { METRIC_NAMES, metric } from '../../src/query/metrics.js';
import { dialectFor } from '../../src/query/dialects/index.js';
import type { MetricName } from '../../src/query/types.js';

const METRICS: MetricName[] = ['pageviews', 'events', 'visitors', 'visits', 'bounces', 'totaltime', 'countries', 'uniqueEvents'];
const DIALECTS = (['duckdb', 'postgres', 'clickhouse'] as const).map(dialectFor);

test('every metric has a formula at some grain, on every dialect', () => {
  for (const name of METRICS) {
    const def = metric(name);
    assert.equal(def.name, name);
    assert.ok(def.row || def.visit, `${name} has no formula`);
    assert.ok(def.rows.length > 0, `${name} is defined on no rows`);
    for (const d of DIALECTS) {
      for (const f of [def.row, def.visit]) if (f) assert.ok(d.render(f(d)).text.length > 0);
    }
  }
  assert.throws(() => metric('constructor' as MetricName), /unknown metric/);
});

test('visit metrics are defined on visit groups; distinct counts are per dialect', () => {
  for (const name of ['bounces', 'totaltime'] as const) assert.equal(metric(name).row, undefined, `${name} needs visits`);
  assert.equal(dialectFor('duckdb').render(metric('visitors').row!(dialectFor('duckdb'))).text, 'count(DISTINCT session_id)');
  assert.equal(dialectFor('duckdb').render(metric('bounces').visit!(dialectFor('duckdb'))).text, 'sum(CASE WHEN c = 1 THEN 1 ELSE 0 END)');
});

test('every metric has a kind; ratios are of two other metrics, defined once', () => {
  const kinds = Object.fromEntries(METRIC_NAMES.map((name) => [name, metric(name).kind]));
  assert.deepEqual(kinds, {
    pageviews: 'additive', events: 'additive', visitors: 'distinct', visits: 'distinct', bounces: 'additive', totaltime: 'additive',
    countries: 'distinct', uniqueEvents: 'distinct', bounceRate: 'ratio', visitDuration: 'ratio', viewsPerVisit: 'ratio',
  });
  assert.deepEqual(metric('viewsPerVisit').ratio, { num: 'pageviews', den: 'visits' });
  assert.deepEqual(metric('bounceRate').ratio, { num: 'bounces', den: 'visits' });
  for (const name of METRIC_NAMES) assert.equal(metric(name).ratio !== undefined, metric(name).kind === 'ratio', name);
});

test("Umami's other spellings resolve to one dimension; unknown names do not", () => {
  const pairs: [string, string][] = [
    ['url', 'path'],
    ['host', 'hostname'],
    ['utm_source', 'utmSource'],
    ['utm_term', 'utmTerm'],
    ['distinct_id', 'distinctId'],
    ['browser', 'browser'],
  ];
  for (const [alias, name] of pairs) {
    assert.equal(canonicalDimension(alias), name);
    assert.equal(dimension(alias).name, name);
  }
  for (const bad of ['nope', 'constructor', '__proto__', 'toString', '']) assert.equal(canonicalDimension(bad), undefined, bad);
  assert.throws(() => dimension('nope'), /unknown dimension/);
});

test('every /metrics type is a dimension that compiles on every dialect; session attributes count visitors', () => {
  assert.ok(!METRIC_TYPES.includes('sessionId'));
  for (const type of METRIC_TYPES) {
    const def = dimension(type);
    for (const d of DIALECTS) {
      const parts = visitParts(def, d);
      assert.ok(parts.inputs.length > 0);
      for (const [, agg] of parts.inputs) assert.ok(d.render(agg).text.length > 0);
    }
    if (def.session) assert.equal(def.countBy, 'visitors', type);
  }
  for (const type of ['path', 'referrer', 'title', 'query', 'hostname', 'tag']) assert.equal(dimension(type).countBy, 'pageviews', type);
  for (const type of ['entry', 'exit', 'channel']) assert.equal(dimension(type).grain, 'visit', type);
  assert.equal(dimension('event').rows, 'custom');
});
