// The embedded store's migrations: the shared schema, then DuckDB-only additions (version 100+).
import type { Migration } from '../sql/migrate.js';
import { baseMigrations } from '../sql/schema.js';

export const migrations: Migration[] = [...baseMigrations];
