// Saved segments (and cohorts): a named filter set of one website. `segmentFilter` turns a
// `segment=<id>` parameter into the filter tree every read endpoint can AND into its own.

import { z } from 'zod';
import type { Store } from '../store/types.js';
import type { Dialect } from '../query/dialects/dialect.js';
import { compileFilter } from '../query/filters.js';
import type { Filter } from '../query/types.js';
import { fail, parseFields, parseFilterInput, ReportInputError } from './report-input.js';

export const SEGMENT_TYPES = ['segment', 'cohort'] as const;

export const segmentParameters = z
  .object({
    filters: z.array(z.object({ name: z.string(), operator: z.string().optional(), value: z.unknown() }).passthrough()).max(50).default([]),
    match: z.enum(['all', 'any']).optional(),
    dateRange: z.unknown().optional(),
    action: z.object({ type: z.string().max(50), value: z.string().max(500) }).optional(),
  })
  .passthrough();

/**
 * Validate a segment's parameters (its filters must compile, for `dialect` when given: a regular
 * expression the store cannot use is refused when saved); returns them as stored.
 */
export function checkSegmentParameters(parameters: unknown, dialect?: Dialect): z.output<typeof segmentParameters> {
  const p = parseFields(segmentParameters, parameters ?? {});
  const filter = parseFilterInput(p.filters, 'parameters.filters', p.match);
  if (dialect) compileFilter(filter, { websiteId: '00000000-0000-4000-8000-000000000000', range: { start: new Date(0), end: new Date(0) }, rows: 'all' }, dialect);
  return p;
}

/** The filter tree of a stored segment's parameters (null when it has no filters). */
export function filterOfSegment(parameters: unknown): Filter | null {
  const p = segmentParameters.safeParse(parameters ?? {});
  if (!p.success) return null;
  return parseFilterInput(p.data.filters, 'segment', p.data.match);
}

/**
 * The saved filter set `segmentId` of `websiteId`, for `segment=<id>` on any read endpoint.
 * Throws a ReportInputError (a QueryError, which the server answers with a 400) when the id is
 * not a segment of that website.
 */
export async function segmentFilter(store: Pick<Store, 'segments'>, websiteId: string, segmentId: string | undefined | null): Promise<Filter | null> {
  if (!segmentId) return null;
  if (!z.guid().safeParse(segmentId).success) return fail('segment', 'must be a segment id (uuid)');
  const segment = await store.segments.get(segmentId);
  if (!segment || segment.websiteId !== websiteId) throw new ReportInputError('Invalid segment: no such segment for this website', 'segment');
  return filterOfSegment(segment.parameters);
}
