// Request bodies of the ingestion endpoints. Unknown keys are ignored (Umami's tracker sends
// extras such as `duration`); nulls count as absent.
import { z } from 'zod';
import { LIMITS } from './data.js';

const text = (max?: number) => (max ? z.string().max(max, `must be at most ${max} characters`) : z.string()).nullish();
const id = z.guid('must be a website id (uuid)');
const record = z.record(z.string(), z.unknown(), 'must be an object').nullish();
// A few days of clock skew is fine; far-future or negative timestamps are a client bug.
const timestamp = z
  .number('must be unix seconds')
  .int('must be whole unix seconds')
  .min(0, 'must be unix seconds')
  .refine((t) => t <= Date.now() / 1000 + 7 * 86400, 'must not be in the future')
  .nullish();

export const sendPayload = z.object({
  website: id,
  url: text(),
  hostname: text(100),
  language: text(35),
  referrer: text(),
  screen: text(11),
  title: text(),
  name: text(LIMITS.eventName),
  tag: text(50),
  id: text(50),
  data: record,
  timestamp,
  ip: text(45),
  userAgent: text(1000),
  browser: text(20),
  os: text(20),
  device: text(20),
});

export type SendPayload = z.output<typeof sendPayload>;

export const sendBody = z.object({
  type: z.enum(['event', 'identify', 'performance'], 'must be "event" or "identify"'),
  payload: z.object({}, 'must be an object').passthrough(),
});

// v1 /api/collect: website is the uuid or the old integer id.
export const collectPayload = z.object({
  website: z.union([z.string().min(1).max(36), z.number().int().positive()], 'must be a website id'),
  url: text(),
  hostname: text(100),
  language: text(35),
  referrer: text(),
  screen: text(11),
  event_type: text(50),
  event_value: text(LIMITS.eventName),
  event_data: record,
});

export const collectBody = z.object({
  type: z.enum(['pageview', 'event'], 'must be "pageview" or "event"'),
  payload: z.object({}, 'must be an object').passthrough(),
});


/** Zod issues as one message that names the fields, e.g. `payload.name: must be at most 50 characters`. */
export function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path].filter((p) => p !== '').join('.')}: ${i.message}`)
    .join('; ');
}
