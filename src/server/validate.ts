import { z } from 'zod';
import { badRequest } from './errors.js';

/** Parse with zod; on failure throw a 400 whose message names the offending field(s). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    const parts = result.error.issues.slice(0, 5).map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : where;
      return `${field}: ${issue.message}`;
    });
    throw badRequest(`Invalid ${where}: ${parts.join('; ')}`);
  }
  const nul = nulPath(schema, result.data);
  if (nul !== null) throw badRequest(`Invalid ${where}: ${nul || where}: must not contain NUL characters`);
  return result.data;
}

/** Any 8-4-4-4-12 hex id, as the store accepts (zod's uuid() would refuse non-RFC variants). */
export const uuid = z.guid('must be a UUID');

/**
 * Where a parsed value holds a string with a NUL character (PostgreSQL text and jsonb cannot hold
 * one, so such input must be refused the same way on every store), or null. Only the fields an
 * object schema declares are looked at: passthrough extras belong to other parsers. Iterative, so
 * any nesting depth is fine.
 */
function nulPath(schema: z.ZodType, data: unknown): string | null {
  const declared = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
  const stack: [unknown, string][] =
    declared && data !== null && typeof data === 'object'
      ? declared.map((k): [unknown, string] => [(data as Record<string, unknown>)[k], k])
      : [[data, '']];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return path ? `${path}.${k}` : k;
        stack.push([child, path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}
