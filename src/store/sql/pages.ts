// A page of a metadata list and its total count: the list, search, order, page and count pattern
// every repository's \`list\` shares, written once.
import type { Page, PageRequest, Row } from '../types.js';
import { HttpError } from '../../lib/http-error.js';
import { own } from '../../lib/own.js';
import type { Executor } from './executor.js';

function orderAndLimit(page: PageRequest, orderColumns: Record<string, string>, fallback: string): string {
  const chosen = page.orderBy ? own(orderColumns, page.orderBy) : orderColumns[fallback];
  if (chosen === undefined) {
    throw new HttpError(400, 'bad-request', `Invalid orderBy: '${page.orderBy}' is not one of ${Object.keys(orderColumns).join(', ')}`);
  }
  const column = chosen;
  const dir = page.sortDescending ? 'DESC' : 'ASC';
  const size = Math.max(1, Math.min(1000, Math.floor(page.pageSize)));
  const offset = Math.max(0, (Math.floor(page.page) - 1) * size);
  return ` ORDER BY ${column} ${dir} LIMIT ${size} OFFSET ${offset}`;
}

const searchPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => '\\' + c)}%`;

export interface ListQuery {
  /** `SELECT …` without FROM. */
  readonly select: string;
  /** ` FROM …` (with joins), shared by the rows and the count. */
  readonly from: string;
  /** Conditions over `params` ($1…), ANDed. */
  readonly conds?: readonly string[];
  readonly params?: readonly unknown[];
  /** Columns page.search looks in (case-insensitive substring). */
  readonly search?: readonly string[];
  /** orderBy names the API accepts, and their columns. */
  readonly order: Readonly<Record<string, string>>;
  /** The orderBy used when none is given. */
  readonly fallback: string;
}

export async function pageOf<T>(db: Executor, q: ListQuery, page: PageRequest, map: (row: Row) => T): Promise<Page<T>> {
  const conds = [...(q.conds ?? [])];
  const params = [...(q.params ?? [])];
  if (page.search && q.search?.length) {
    params.push(searchPattern(page.search));
    const n = params.length;
    conds.push(`(${q.search.map((c) => `${c} ILIKE $${n} ESCAPE '\\'`).join(' OR ')})`);
  }
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  const rows = await db.all(`${q.select}${q.from}${where}${orderAndLimit(page, q.order, q.fallback)}`, params);
  const [{ n }] = await db.all(`SELECT count(*) AS n${q.from}${where}`, params);
  return { data: rows.map(map), count: Number(n) };
}
