// Wall-clock time from a UTC timestamp, given the zone's offsets over the range (time.ts): one
// `CASE` over the offset changes. Every dialect builds it the same way from its own two pieces.
import { sql, type Sql } from '../sql.js';
import type { OffsetSegment } from '../time.js';

export function localTimeCase(
  ts: Sql,
  segments: readonly OffsetSegment[],
  plusMinutes: (ts: Sql, minutes: number) => Sql,
  timestamp: (value: Date) => Sql,
): Sql {
  if (segments.length === 1) return plusMinutes(ts, segments[0].offsetMinutes);
  // Later segments first, so each WHEN only needs a lower bound.
  const whens = segments
    .slice(1)
    .reverse()
    .map((s) => sql`WHEN ${ts} >= ${timestamp(s.from as Date)} THEN ${plusMinutes(ts, s.offsetMinutes)} `);
  return sql`(CASE ${whens.reduce((a, b) => sql`${a}${b}`)}ELSE ${plusMinutes(ts, segments[0].offsetMinutes)} END)`;
}
