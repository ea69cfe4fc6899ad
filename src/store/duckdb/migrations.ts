// The embedded store's migrations: the shared schema, then DuckDB-only additions (version 100+).
import type { Migration } from '../sql/migrate.js';
import { baseMigrations } from '../sql/schema.js';
import { channelPointerMigration, edgePointersMigration, entryExitTiesMigration, pageVisitMigration, rollupMigration, visitAttributesMigration, visitSpanMigration } from './rollup-migrations.js';

export const migrations: Migration[] = [
  ...baseMigrations,
  {
    version: 100,
    name: 'journal',
    // The last journal segment whose rows are in the tables (see journal.ts).
    statements: ['CREATE TABLE journal_state (last_loaded BIGINT NOT NULL)', 'INSERT INTO journal_state VALUES (0)'],
  },
  rollupMigration,
  visitSpanMigration,
  pageVisitMigration,
  channelPointerMigration,
  visitAttributesMigration,
  entryExitTiesMigration,
  edgePointersMigration,
];
