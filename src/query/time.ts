// Time zones without a zone database in SQL: the offsets that apply inside a range are worked out
// here (from the runtime's IANA data via Intl) and handed to the dialect as a short list of
// segments, so the database only adds a constant per segment to each timestamp.

import { own } from '../lib/own.js';
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
  const name = own(ALIASES, zone) ?? zone;
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

export const DAY_MS = 86_400_000;

/** A stretch of time with one UTC offset: applies to instants >= from (until the next segment). */
export interface OffsetSegment {
  readonly from: Date | null;
  readonly offsetMinutes: number;
}


const segmentCache = new Map<string, OffsetSegment[]>();

/**
 * The offsets in force over [start, end]. Samples once a week and bisects to the second where the
 * offset changes (no zone changes offset twice within a week). Cached: dashboards repeat ranges.
 */
export function offsetSegments(zone: string, range: TimeRange): OffsetSegment[] {
  const start = range.start.getTime();
  const end = range.end.getTime();
  const key = `${zone}|${start}|${end}`;
  const cached = segmentCache.get(key);
  if (cached) return cached;
  const segments: OffsetSegment[] = [{ from: null, offsetMinutes: offsetMinutes(zone, start) }];
  if (zone !== 'UTC') {
    const step = 7 * DAY_MS;
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
  }
  if (segmentCache.size > 1000) segmentCache.clear();
  segmentCache.set(key, segments);
  return segments;
}

/**
 * The comparison period. `prev`: the range of equal length ending just before `range` starts
 * (Umami shifts by whole minutes, which overlaps the two periods by up to a minute; we do not).
 * `yoy`: the same instants one calendar year earlier (UTC).
 */
export function compareRange(range: TimeRange, mode: 'prev' | 'yoy' = 'prev'): TimeRange {
  if (mode === 'yoy') {
    const back = (d: Date) => {
      const x = new Date(d.getTime());
      x.setUTCFullYear(x.getUTCFullYear() - 1);
      return x;
    };
    return { start: back(range.start), end: back(range.end) };
  }
  const length = range.end.getTime() - range.start.getTime() + 1;
  return { start: new Date(range.start.getTime() - length), end: new Date(range.start.getTime() - 1) };
}

/** Format a wall-clock Date (UTC fields hold local time) as Umami's `YYYY-MM-DD HH:MM:SS`. */
export function wallClockLabel(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export const UNIT_MS: Record<'minute' | 'hour' | 'day', number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };

/** Label of the bucket whose integer key the compiler grouped by (see compile.ts timeKey). */
export function timeLabel(unit: Unit, key: number): string {
  switch (unit) {
    case 'month':
      return `${Math.floor(key / 12)}-${String((key % 12) + 1).padStart(2, '0')}-01 00:00:00`;
    case 'year':
      return `${key}-01-01 00:00:00`;
    case 'week':
      return wallClockLabel(new Date((key * 7 - 3) * DAY_MS));
    default:
      return wallClockLabel(new Date(key * UNIT_MS[unit]));
  }
}

type CalendarUnit = 'hour' | 'day' | 'week' | 'month' | 'year';

/** Start of the unit containing wall-clock time `wall` (ms, UTC fields = local time), `back` units earlier. */
function wallStart(wall: number, unit: CalendarUnit, back: number): number {
  const t = new Date(wall);
  const [y, m, d, h] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()];
  switch (unit) {
    case 'hour':
      return Date.UTC(y, m, d, h - back);
    case 'day':
      return Date.UTC(y, m, d - back);
    case 'week':
      // Weeks start on Sunday, as in Umami's date ranges (en-US).
      return Date.UTC(y, m, d - t.getUTCDay() - 7 * back);
    case 'month':
      return Date.UTC(y, m - back, 1);
    case 'year':
      return Date.UTC(y - back, 0, 1);
  }
}

/** The instant whose wall-clock time in `zone` is `wall`. */
function wallToUtc(wall: number, zone: string): number {
  const guess = wall - offsetMinutes(zone, wall) * 60_000;
  return wall - offsetMinutes(zone, guess) * 60_000;
}

/**
 * A date range as Umami's date filter writes it (cohorts, the query endpoint, MCP tools):
 * `range:<startMs>:<endMs>`, `all`, or `<n><unit>` (unit hour, day, week, month or year): the
 * current unit and the n - 1 before it (`0day` = today), in `zone`. An object `{startDate,
 * endDate}` works too. Bad input is a QueryError naming `field`.
 */
export function relativeRange(value: unknown, now: Date, zone: string, floor: Date, field = 'dateRange'): TimeRange {
  const bad = (message: string): never => {
    throw new QueryError(`Invalid ${field}: ${message}`, field);
  };
  const clamp = (start: number, end: number): TimeRange => ({ start: new Date(Math.max(start, floor.getTime())), end: new Date(end) });
  const at = (v: unknown): number => parseInstant(v, field);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    return clamp(at(o.startDate), at(o.endDate));
  }
  if (typeof value !== 'string') return bad('must be a string such as 30day or range:<startMs>:<endMs>');
  if (value === 'all') return clamp(floor.getTime(), now.getTime());
  const custom = /^range:(\d{1,16}):(\d{1,16})$/.exec(value);
  if (custom) return clamp(at(custom[1]), at(custom[2]));
  const rel = /^(\d{1,4})(hour|day|week|month|year)$/.exec(value);
  if (!rel) return bad(`'${value}' is not one of all, range:<startMs>:<endMs>, <n>hour|day|week|month|year`);
  const n = Number(rel[1]);
  const unit = rel[2] as CalendarUnit;
  const wallNow = now.getTime() + offsetMinutes(zone, now.getTime()) * 60_000;
  const start = wallToUtc(wallStart(wallNow, unit, Math.max(n - 1, 0)), zone);
  const end = wallToUtc(wallStart(wallNow, unit, -1), zone) - 1;
  return clamp(start, end);
}

const MAX_MS = 8.64e15;

/**
 * An instant from a client: epoch milliseconds (a number or its digits) or, with `iso`, an ISO
 * 8601 date. Anything else is a QueryError naming `field`.
 */
export function parseInstant(value: unknown, field: string, iso = true): number {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) n = Number(value);
  else if (iso && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) n = Date.parse(value);
  if (!Number.isFinite(n) || Math.abs(n) > MAX_MS) {
    throw new QueryError(`Invalid ${field}: ${iso ? 'must be epoch milliseconds or an ISO 8601 date' : 'must be a number (epoch milliseconds)'}`, field);
  }
  return n;
}
