// Paged lists as Umami answers them: {data, count, page, pageSize, orderBy, search}.
import { z } from 'zod';
import type { Page, PageRequest } from '../store/types.js';
import { parse } from '../server/validate.js';

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).optional(),
  // Seed 001 names the search text `query`; newer Umami calls it `search`.
  query: z.string().max(200).optional(),
  search: z.string().max(200).optional(),
  orderBy: z.string().max(50).optional(),
  sortDescending: z.enum(['true', 'false']).optional(),
});

export function parsePaging(query: unknown, defaultPageSize = 20): PageRequest {
  const q = parse(pageQuery.passthrough(), query, 'query');
  return {
    page: q.page,
    pageSize: q.pageSize ?? defaultPageSize,
    search: (q.search ?? q.query) || undefined,
    orderBy: q.orderBy,
    sortDescending: q.sortDescending === 'true',
  };
}

export function paged<T, U>(result: Page<T>, req: PageRequest, map: (item: T) => U) {
  return {
    data: result.data.map(map),
    count: result.count,
    page: req.page,
    pageSize: req.pageSize,
    orderBy: req.orderBy ?? null,
    search: req.search ?? null,
  };
}

/** Umami's `includeTeams`: personal lists include team websites unless it is "false". */
export function includeTeams(query: unknown): boolean {
  const v = (query as Record<string, unknown> | undefined)?.includeTeams;
  return v !== 'false' && v !== '0';
}
