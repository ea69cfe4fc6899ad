// Time zones without a zone database in SQL: the offsets that apply inside a range are worked out
// here (from the runtime's IANA data via Intl) and handed to the dialect as a short list of
// segments, so the database only adds a constant per segment to each timestamp.

import { QueryError, type TimeRange, type Unit } from './types.js';

const ALIASES: Record<string, string> = { 'Asia/Calcutta': 'Asia/Kolkata', UTC: 'UTC', utc: 'UTC', 'Etc/UTC': 'UTC' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Canonical IANA name, or a QueryError naming `param`. */
export function normalizeTimeZone(zone: string | undefined, param = 'timezone'): string {
  if (zone === undefined || zone === '') return 'UTC';
  const name = ALIASES[zone] ?? zone;
  try {
    formatter(name);
    return name;
  } catch {
    throw new QueryError(`Invalid ${param}: unknown time zone '${zone}'`, param);
  }
}

/** Offset of `zone` from UTC at instant `ms`, in whole minutes (local = utc + offset). */
export function offsetMinutes(zone: string, ms: number): number {
  if (zone === 'UTC') return 0;
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wall - whole) / 60000);
}

/** A stretch of time with one UTC offset: applies to instants >= from (until the next segment). */
export interface OffsetSegment {
  readonly from: Date | null;
  readonly offsetMinutes: number;
}

const DAY = 86_400_000;

/**
 * The offsets in force over [start, end]. Samples every 6 hours and bisects to the minute where
 * the offset changes; zones change offset at most a few times a year, never twice in 6 hours.
 */
export function offsetSegments(zone: string, range: TimeRange): OffsetSegment[] {
  const start = range.start.getTime();
  const end = range.end.getTime();
  const segments: OffsetSegment[] = [{ from: null, offsetMinutes: offsetMinutes(zone, start) }];
  if (zone === 'UTC') return segments;
  const step = DAY / 4;
  let prevT = start;
  let prevOff = segments[0].offsetMinutes;
  for (let t = start + step; ; t += step) {
    const at = Math.min(t, end);
    const off = offsetMinutes(zone, at);
    if (off !== prevOff) {
      let lo = prevT; // offset prevOff
      let hi = at; // offset off
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (mid <= lo || mid >= hi) break;
        if (offsetMinutes(zone, mid) === prevOff) lo = mid;
        else hi = mid;
      }
      segments.push({ from: new Date(hi), offsetMinutes: off });
      prevOff = off;
    }
    prevT = at;
    if (at >= end) break;
  }
  return segments;
}

/** Umami's previous period: the range of equal length ending just before `range` starts. */
export function previousRange(range: TimeRange): TimeRange {
  const length = range.end.getTime() - range.start.getTime() + 1;
  return { start: new Date(range.start.getTime() - length), end: new Date(range.start.getTime() - 1) };
}

export const UNITS: readonly Unit[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

/** Format a wall-clock Date (UTC fields hold local time) as Umami's `YYYY-MM-DD HH:MM:SS`. */
export function wallClockLabel(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
