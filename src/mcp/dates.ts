// Date ranges as agents write them: milliseconds, ISO strings, or Umami's relative forms (`24hour`,
// `7day`, `30day`, `0month`, ...) and a few names (`today`, `thisMonth`, `lastMonth`, ...), resolved
// in a time zone with the same calendar rules as cohort date ranges (src/api/analytics/params.ts).
import { normalizeTimeZone, parseInstant, relativeRange } from '../query/time.js';
import { QueryError } from '../query/types.js';

export const RANGE_NAMES = ['today', 'yesterday', 'thisWeek', 'lastWeek', 'thisMonth', 'lastMonth', 'thisYear', 'lastYear'] as const;

export class DateInputError extends Error {}

const NO_FLOOR = new Date(0);

/** One instant: milliseconds (number or digits) or an ISO 8601 string. */
export function toMillis(value: number | string, name: string): number {
  try {
    return parseInstant(value, name);
  } catch (err) {
    if (err instanceof QueryError) throw new DateInputError(`${name}: ${JSON.stringify(value)} is not a date (milliseconds or ISO 8601)`);
    throw err;
  }
}

function relative(value: string, now: Date, timezone: string): { startAt: number; endAt: number } {
  try {
    const r = relativeRange(value, now, timezone, NO_FLOOR);
    return { startAt: r.start.getTime(), endAt: r.end.getTime() };
  } catch (err) {
    if (err instanceof QueryError) {
      throw new DateInputError(`range: '${value}' is not one of <n>hour, <n>day, <n>week, <n>month, <n>year (e.g. 24hour, 7day, 30day), ${RANGE_NAMES.join(', ')}`);
    }
    throw err;
  }
}

/** The unit before the current one: from the start of `<2><unit>` to just before `<0><unit>`. */
function previous(unit: string, now: Date, timezone: string) {
  const two = relative(`2${unit}`, now, timezone);
  const current = relative(`0${unit}`, now, timezone);
  return { startAt: two.startAt, endAt: current.startAt - 1 };
}

/** A relative range (e.g. `7day`: today and the six days before, in `timezone`) as milliseconds. */
export function resolveRange(value: string, timezone: string, now = new Date()): { startAt: number; endAt: number } {
  const v = value.trim();
  switch (v) {
    case 'today':
      return relative('0day', now, timezone);
    case 'yesterday':
      return previous('day', now, timezone);
    case 'thisWeek':
      return relative('0week', now, timezone);
    case 'lastWeek':
      return previous('week', now, timezone);
    case 'thisMonth':
      return relative('0month', now, timezone);
    case 'lastMonth':
      return previous('month', now, timezone);
    case 'thisYear':
      return relative('0year', now, timezone);
    case 'lastYear':
      return previous('year', now, timezone);
  }
  return relative(v, now, timezone);
}

/** An IANA time zone (default UTC), checked. */
export function checkTimeZone(zone: string | undefined): string {
  try {
    return normalizeTimeZone(zone);
  } catch {
    throw new DateInputError(`timezone: unknown time zone '${zone}' (use an IANA name such as Europe/Zurich)`);
  }
}

export interface DateArgs {
  range?: string;
  startAt?: number | string;
  endAt?: number | string;
  timezone?: string;
}

/** startAt/endAt when given (endAt defaults to now), else `range` (default `defaultRange`). */
export function dateRange(args: DateArgs, defaultRange = '7day', now = new Date()): { startAt: number; endAt: number } {
  const timezone = checkTimeZone(args.timezone);
  if (args.startAt !== undefined) {
    const startAt = toMillis(args.startAt, 'startAt');
    const endAt = args.endAt === undefined ? now.getTime() : toMillis(args.endAt, 'endAt');
    if (startAt > endAt) throw new DateInputError('startAt: is after endAt');
    return { startAt, endAt };
  }
  if (args.endAt !== undefined) throw new DateInputError('endAt: give startAt too, or a range such as 7day');
  return resolveRange(args.range ?? defaultRange, timezone, now);
}
