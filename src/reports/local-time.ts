// Local days and buckets for reports, through the dialect's offset segments (never a zone
// database in SQL), and the small conversions back from wall-clock labels.

import { localCreatedAt } from '../query/compile.js';
import type { Dialect } from '../query/dialects/dialect.js';
import type { Sql } from '../query/sql.js';
import { offsetMinutes } from '../query/time.js';
import type { Unit } from '../query/types.js';
import type { ReportScope } from './report-input.js';

/** `YYYY-MM-DD HH:MM:SS` label of the unit containing each row's `created_at`, in the scope's zone. */
export function localBucket(s: ReportScope, d: Dialect, unit: Unit): Sql {
  return d.bucketLabel(localCreatedAt({ timeZone: s.timeZone, range: s.range }, d), unit);
}

function wallMs(label: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?/.exec(label);
  if (!m) throw new Error(`not a wall-clock label: ${label}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** The instant at which a wall-clock time occurs in `zone` (the later one when it repeats). */
export function wallClockToInstant(label: string, zone: string): Date {
  const wall = wallMs(label);
  let guess = wall - offsetMinutes(zone, wall) * 60_000;
  guess = wall - offsetMinutes(zone, guess) * 60_000;
  return new Date(guess);
}
