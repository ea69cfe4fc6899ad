// What to use instead of `dashi backup` on the server stores: their own tools (README: Backup and restore).
import type { StoreKind } from './types.js';

export function nativeBackupAdvice(kind: Exclude<StoreKind, 'duckdb'>): string {
  const postgres =
    'PostgreSQL holds the data: back it up with its own tools, e.g. pg_dump --format=custom --file=dashi.dump "$DATABASE_URL", and restore with pg_restore --clean --if-exists --dbname="$DATABASE_URL" dashi.dump.';
  if (kind === 'postgres') return `dashi backup and restore are for the embedded store. ${postgres}`;
  return (
    `dashi backup and restore are for the embedded store. Metadata: ${postgres} ` +
    "Events in ClickHouse: BACKUP DATABASE <db> TO Disk('backups', 'dashi.zip') and RESTORE DATABASE <db> FROM Disk('backups', 'dashi.zip') (a backups disk in the server's configuration), or clickhouse-backup."
  );
}
