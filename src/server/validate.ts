import { z } from 'zod';
import { badRequest } from './errors.js';

/** Parse with zod; on failure throw a 400 whose message names the offending field(s). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const parts = result.error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : where;
    return `${field}: ${issue.message}`;
  });
  throw badRequest(`Invalid ${where}: ${parts.join('; ')}`);
}

/** Any 8-4-4-4-12 hex id, as the store accepts (zod's uuid() would refuse non-RFC variants). */
export const uuid = z.guid('must be a UUID');
