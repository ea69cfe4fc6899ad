// The filter parser (Umami's `op.value` parameters) and compiler (a tree to a WHERE condition with
// bound values only), without a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, parseFilterParams, parseFilterValue } from '../../src/query/filters.js';
import { dialectFor } from '../../src/query/dialects/index.js';
import { QueryError, type Filter } from '../../src/query/types.js';

const leaf = (dim: string, op: string, values: string[]) => ({ kind: 'leaf', dim, op, values });

test('a bare value is eq; eq and neq take comma lists; other operators take the whole text', () => {
  assert.deepEqual(parseFilterValue('path', 'path', '/a'), leaf('path', 'eq', ['/a']));
  assert.deepEqual(parseFilterValue('path', 'path', 'eq./a,/b'), leaf('path', 'eq', ['/a', '/b']));
  assert.deepEqual(parseFilterValue('browser', 'browser', 'neq.chrome'), leaf('browser', 'neq', ['chrome']));
  assert.deepEqual(parseFilterValue('title', 'title', 'c.a,b'), leaf('title', 'contains', ['a,b']));
  assert.deepEqual(parseFilterValue('title', 'title', 'dnc.x'), leaf('title', 'notContains', ['x']));
  assert.deepEqual(parseFilterValue('path', 'path', 're.^/blog/'), leaf('path', 'regex', ['^/blog/']));
  assert.deepEqual(parseFilterValue('path', 'path', 'nre.\\.php$'), leaf('path', 'notRegex', ['\\.php$']));
  // A value with a dot whose prefix is no operator is the value itself.
  assert.deepEqual(parseFilterValue('hostname', 'hostname', 'www.example.com'), leaf('hostname', 'eq', ['www.example.com']));
});

test('operators Umami knows but does not apply to text, and patterns RE2 refuses, are errors naming the parameter', () => {
  for (const text of ['gt.5', 'bf.2024-01-01', 's.x']) {
    assert.throws(() => parseFilterValue('path1', 'path', text), (e: unknown) => e instanceof QueryError && e.param === 'path1');
  }
  for (const pattern of ['(?=a)', '(?<!a)b', '(a)\\1', '(']) {
    assert.throws(() => parseFilterValue('path', 'path', `re.${pattern}`), (e: unknown) => e instanceof QueryError && e.param === 'path');
  }
});

test('filter parameters become one tree: AND by default, OR with match=any; numbered repeats; unknown keys ignored', () => {
  assert.equal(parseFilterParams({ startAt: '1', unit: 'day' }), null);
  assert.deepEqual(parseFilterParams({ path: '/a' }), leaf('path', 'eq', ['/a']));
  assert.deepEqual(parseFilterParams({ url: '/a', host: 'x.com', utm_source: 'news', startAt: '1' }), {
    kind: 'and',
    children: [leaf('path', 'eq', ['/a']), leaf('hostname', 'eq', ['x.com']), leaf('utmSource', 'eq', ['news'])],
  });
  assert.deepEqual(parseFilterParams({ path: '/a', path1: '/b', match: 'any' }), { kind: 'or', children: [leaf('path', 'eq', ['/a']), leaf('path', 'eq', ['/b'])] });
  assert.deepEqual(parseFilterParams({ browser: ['chrome', 'firefox'] }), { kind: 'and', children: [leaf('browser', 'eq', ['chrome']), leaf('browser', 'eq', ['firefox'])] });
  assert.deepEqual(parseFilterParams({ path: '/a', browser: 'chrome' }, ['browser']), leaf('path', 'eq', ['/a']));
  // Empty values and non-strings are no filter.
  assert.equal(parseFilterParams({ path: '', browser: 5 }), null);
});

const scope = { websiteId: '00000000-0000-4000-8000-000000000001', range: { start: new Date(0), end: new Date(1000) }, rows: 'traffic' as const };

test('a leaf compiles to a predicate over the column with every value bound, on each dialect', () => {
  const f = leaf('browser', 'eq', ['chrome', "o'brien"]) as Filter;
  const duck = dialectFor('duckdb').render(compileFilter(f, scope, dialectFor('duckdb')));
  assert.equal(duck.text, "coalesce(browser, '') IN ($1, $2)");
  assert.deepEqual(duck.params, ['chrome', "o'brien"]);
  const pg = dialectFor('postgres').render(compileFilter(f, scope, dialectFor('postgres')));
  assert.deepEqual(pg.params, ['chrome', "o'brien"]);
  assert.ok(!pg.text.includes('chrome'), pg.text);
  const ch = dialectFor('clickhouse').render(compileFilter(f, scope, dialectFor('clickhouse')));
  assert.deepEqual(ch.params, ['chrome', "o'brien"]);
  assert.ok(!ch.text.includes('chrome'), ch.text);
});

test('and/or/not nest; empty and is TRUE, empty or is FALSE; no filter is TRUE', () => {
  const d = dialectFor('duckdb');
  const text = (f: Filter | null) => d.render(compileFilter(f, scope, d)).text;
  assert.equal(text(null), 'TRUE');
  assert.equal(text({ kind: 'and', children: [] }), 'TRUE');
  assert.equal(text({ kind: 'or', children: [] }), 'FALSE');
  const tree: Filter = { kind: 'or', children: [leaf('os', 'eq', ['linux']) as Filter, { kind: 'not', child: leaf('os', 'eq', ['mac']) as Filter }] };
  assert.equal(text(tree), "(coalesce(os, '') IN ($1) OR NOT (coalesce(os, '') IN ($2)))");
});

test('a filter on a visit value (entry page) or on custom-event rows becomes a semi-join on visits', () => {
  const d = dialectFor('duckdb');
  const entry = d.render(compileFilter(leaf('entry', 'eq', ['/landing']) as Filter, scope, d)).text;
  assert.match(entry, /^visit_id IN \(SELECT visit_id FROM \(SELECT visit_id, .* FROM website_event WHERE .* GROUP BY visit_id\) vf WHERE /);
  const event = d.render(compileFilter(leaf('event', 'eq', ['signup']) as Filter, scope, d)).text;
  assert.match(event, /^visit_id IN \(SELECT visit_id FROM website_event WHERE .* AND event_type = 2 AND /);
});

test('filter values are bound as stored text: NUL and lone surrogates become U+FFFD', () => {
  const d = dialectFor('postgres');
  const { params } = d.render(compileFilter(leaf('path', 'eq', ['/a\0b', '/\ud800']) as Filter, scope, d));
  assert.deepEqual(params, ['/a\ufffdb', '/\ufffd']);
});
