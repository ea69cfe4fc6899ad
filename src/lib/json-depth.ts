// One nesting limit for client JSON that is stored or flattened: event and session data, saved
// report and segment parameters, report bodies. Umami flattens event data to dot-separated keys,
// so anything deeper than a few levels is a mistake or an attack; deep values also overflow
// recursive code and the stores' JSON parsers (PostgreSQL jsonb, DuckDB JSON).

/** Most levels of objects and arrays one JSON value may nest (the value itself is level 1). */
export const MAX_JSON_DEPTH = 16;

/**
 * The path (`a.b.0`) of the first object or array nested deeper than `limit` levels, or null.
 * Iterative: a body of a million `[` must not overflow the stack.
 */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  const stack: [unknown, number, string][] = [[value, 1, '']];
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return path;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    for (const [k, x] of entries) {
      if (typeof x === 'object' && x !== null) stack.push([x, depth + 1, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** `Invalid <field>: …` text for a value nested too deeply, or null when it is within the limit. */
export function depthProblem(value: unknown, field: string): string | null {
  const at = tooDeep(value);
  if (at === null) return null;
  return `Invalid ${field}: nested more than ${MAX_JSON_DEPTH} levels deep${at ? ` (at ${field}.${at})` : ''}`;
}
