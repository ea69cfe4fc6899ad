// Which Umami schema a database holds, read from its columns rather than from a version number:
// Umami 2.10 has no visit_id and names data keys event_key/session_key with hostname and
// subdivision1 on session; 2.11+ renamed them and moved hostname onto website_event; 3.x moved
// share links into their own table. Each expression below reads a column where it exists.
import type { UmamiDialect } from './source.js';

export interface UmamiShape {
  /** 'v3' when the share table exists, else 'v2'. */
  readonly version: 'v2' | 'v3';
  readonly dialect: UmamiDialect;
  /** website_event has visit_id; without it visits are a session's clock hours (as Umami's own migration 05 fills them). */
  readonly hasVisitId: boolean;
  readonly hasSegments: boolean;
  /** share links: website.share_id (v2) or the share table (v3). */
  readonly shares: 'website' | 'table' | 'none';
  /** `alias.column` when the table has the first of `names`, else NULL. */
  col(table: string, alias: string, ...names: string[]): string;
  has(table: string, column: string): boolean;
}

const REQUIRED = ['user', 'website', 'website_event', 'session'];

export class UmamiShapeError extends Error {}

export function umamiShape(dialect: UmamiDialect, columns: Map<string, Set<string>>): UmamiShape {
  const missing = REQUIRED.filter((t) => !columns.has(t));
  if (missing.length) throw new UmamiShapeError(`not an Umami database: no table ${missing.map((t) => `"${t}"`).join(', ')}`);
  const has = (table: string, column: string) => columns.get(table)?.has(column) ?? false;
  return {
    version: columns.has('share') ? 'v3' : 'v2',
    dialect,
    hasVisitId: has('website_event', 'visit_id'),
    hasSegments: columns.has('segment'),
    shares: columns.has('share') ? 'table' : has('website', 'share_id') ? 'website' : 'none',
    has,
    col(table, alias, ...names) {
      const name = names.find((n) => has(table, n));
      return name ? `${alias}."${name}"` : 'NULL';
    },
  };
}
