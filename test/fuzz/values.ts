// Hostile values for the bad-input suite: strings, numbers and JSON that a client may send, and
// their encodings (query strings that can carry lone surrogates and broken escapes, JSON text that
// can carry numbers JSON.stringify cannot write and nesting deeper than its stack allows).
import fc from 'fast-check';

/** A JSON value written as text, because JSON.stringify cannot produce it. */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
  toJSON(): string {
    return `RawJson(${this.label})`;
  }
}

/** `depth` nested objects (or arrays) around `1`: deeper than any recursive walker's stack. */
export function deep(depth: number, kind: 'object' | 'array' = 'object'): RawJson {
  const [open, close] = kind === 'object' ? ['{"a":', '}'] : ['[', ']'];
  return new RawJson(open.repeat(depth) + '1' + close.repeat(depth), `${depth} nested ${kind}s`);
}

/** JSON text for a value that may hold RawJson parts, without recursing through JSON.stringify. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${toJsonText(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'then'];

/** Patterns JavaScript accepts or rejects that RE2 (DuckDB, ClickHouse) or PostgreSQL refuse. */
export const BAD_REGEXES = [
  'a{1001}', 'a{1000}{1000}', 'x{2,1}', '\\q', '\\Z', '\\C', '\\8', '(?P<n>a)', '(?<n>a)\\k<n>', '(?<n>a)', '(?=a)', '(?!a)', '(?<=a)b',
  '(a)\\1', '[[:alpha:]]', '[z-a]', '(', ')', '[', '*', 'a**', '+', '?', '\\', '(?i)a', '(?#c)', '\\p{Greek}', '\\pN', '\\u{1F600}',
  '((((((((((a*)*)*)*)*)*)*)*)*)*)', '(a|a)*$', '.*'.repeat(60), '\\x{110000}', '[\\d-z]', '\\b{wb}', '\u0000', 'a\u0000b',
];

const LONE = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD800b', '\uDC00\uD800', 'x\uD83D', '\uDE00y'];

const SPECIAL_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\u0000'.repeat(40), ...LONE, ...PROTO_NAMES,
  'NaN', 'Infinity', '-Infinity', '-1', '-0', '0', '1e309', '-1e309', '1e-400', '9007199254740993', '99999999999999999999', '0x10', '1_000', ' 1', '1.5',
  'true', 'false', 'null', 'undefined', '[]', '{}', '[object Object]',
  '10000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '9999-12-31T23:59:59.999-12:00', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00',
  '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-02-30T00:00:00Z', '2026-13-01', '1970-01-01',
  "' OR '1'='1", '"; DROP TABLE website; --', '$1', '%', '%%', '_', '\\', '\\\\', '*', '%00', '..', '../../etc/passwd', '/', '//', '?', '#', '&', '=',
  '<script>alert(1)</script>', '=cmd|calc', '@SUM(1)', '\r\n', '\t', '\u2028', '\u202E', '\uFEFF', '\uFFFF', '\uFFFE', '𝕏', '👨‍👩‍👧', 'Ω'.repeat(300),
  'eq.', 're.', 'c.', '.', 'eq.__proto__', 'constructor.x', '__proto__.x', 'toString.x', 'hasOwnProperty.x', 'valueOf.', 'gt.5', 's.x',
  ...BAD_REGEXES.map((r) => `re.${r}`), ...BAD_REGEXES.slice(0, 12).map((r) => `nre.${r}`),
  'UTC', 'Etc/GMT+14', 'Mars/Olympus', 'America/New_York\u0000', 'day', 'minute', 'decade', 'all', '0day', '9999year', 'range:0:99999999999999999',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-4000-8000-00000000000G',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const anyUnit = fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: loneSurrogate }, { weight: 1, arbitrary: fc.constant('\u0000') });

/** The values that broke stores before: NUL, lone surrogates, dates past year 9999, RE2-refused patterns. */
export const TRICKY = [
  '\u0000', 'a\u0000b', '\uD800', 'a\uDC00', '\uD83Dx', '9999-12-31T23:59:59-14:00', '10000-01-01T00:00:00Z', '0000-01-01T00:00:00Z',
  ...PROTO_NAMES, ...['a{1001}', '\\q', '(?P<n>a)', '(?<n>a)', '\\C', '\\Z'].flatMap((r) => [`re.${r}`, `nre.${r}`]), 'constructor.x', 'toString.', 'valueOf.1',
];

/** Any string a client might send, hostile ones favoured. */
export const advString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 6, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: anyUnit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '\uD800', '\u0000', 'é', '%', '.', '𝕏'), fc.integer({ min: 200, max: 5000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('eq', 'neq', 'c', 'dnc', 're', 'nre', ...PROTO_NAMES), fc.constantFrom(...SPECIAL_STRINGS)).map(([op, v]) => `${op}.${v}`) },
);

/** A string field with its limit well past the size a server should take. */
export const hugeString = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(501, 1_001, 5_000) }, { weight: 1, arbitrary: fc.constantFrom(70_000, 300_000) }).map((n) => 'x'.repeat(n));

const RAW_NUMBERS = ['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.0000000000000000000000001', '1E+308', '4.9e-324'];

export const advNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1, -0, 0.5, -0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e15, 1e15 - 1, 1e16, 8.64e15, 8.64e15 + 1, 1e21, 1e308, -1e308, Number.MIN_VALUE, 253402300800000, 253402300799999),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t, t)),
);

/** An object whose own keys are prototype names (JSON.parse would make the same). */
export function protoObject(value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of PROTO_NAMES) Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

const depth = fc.constantFrom(64, 1000, 10_000);

/** Any JSON value, hostile ones favoured: wrong types, deep nesting, prototype keys. */
export const advJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: advString },
    { weight: 3, arbitrary: advNumber },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(advString, tie('v'), { maxKeys: 3 }) },
    { weight: 1, arbitrary: tie('v').map(protoObject) },
    { weight: 2, arbitrary: fc.tuple(depth, fc.constantFrom('object' as const, 'array' as const)).map(([n, k]) => deep(k === 'array' ? n * 3 : n, k)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  ),
})).v;

/** Percent-encode, keeping lone surrogates (as their WTF-8 bytes, which are not UTF-8). */
export function encode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(s[i]);
    }
  }
  return out;
}

/** Query strings as written: a value may repeat (array), or be sent raw (broken escapes). */
export type QueryValue = string | string[] | { raw: string };
export type QueryParts = Record<string, QueryValue>;

export function queryText(q: QueryParts): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'object' && !Array.isArray(v)) parts.push(v.raw);
    else for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encode(k)}=${encode(one)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Odd query string fragments appended raw. */
export const RAW_QUERY = [
  '%', '%zz=1', 'a=%E0%A4%A', 'path=%ED%A0%80', '=', '&&&', 'path[]=x', 'path[a]=b', '__proto__[x]=1', 'constructor[prototype][x]=1',
  'startAt', 'endAt=', 'a=b=c', 'path=%00', 'timezone=%FF', ';', '%2F%2E%2E', 'x=' + '%41'.repeat(2000),
];

/** Request body content types, the usual and the odd. */
export const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'application/vnd.api+json', 'application/jsonx', 'text/html', '*/*', 'application/json;;', 'APPLICATION/JSON', 'text/plain; charset=utf-16le', 'garbage',
];

/** Body texts that are not the JSON a route expects. */
export const RAW_BODIES = [
  '', ' ', '{', '[', '}', '{"a":1', 'null', '0', '-1', '"x"', 'true', '[]', '{}', 'a=1&b=2', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}',
  '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":1,"a":2}', '\uFEFF{}', '{"a":NaN}', '{"a":Infinity}', "{'a':1}",
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
];
