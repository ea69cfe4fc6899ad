// The ClickHouse store's schema as released migrations: literal text, never generated from the
// column lists (src/store/sql/columns.ts), so changing those in code cannot change what an
// existing database ran; a change to a table is a new migration. Version 1 is the schema every
// release before versioning created (with IF NOT EXISTS, so such a database adopts it as it is).
// ClickHouse has no transactions and several Dashi processes may start together on one server:
// every statement must be safe to run twice (IF NOT EXISTS, IF EXISTS), and a version is
// recorded once all its statements ran.
import { chTimestamp, type ChExecutor } from './executor.js';

export interface ChMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const CH_MIGRATIONS: readonly ChMigration[] = [
  {
    version: 1,
    name: 'events',
    statements: [
      `CREATE TABLE IF NOT EXISTS website_event (
  event_id UUID,
  website_id UUID,
  session_id UUID,
  visit_id UUID,
  created_at DateTime64(3, 'UTC'),
  event_type UInt8,
  event_name Nullable(String),
  event_category Nullable(String),
  url_path String,
  url_query Nullable(String),
  page_title Nullable(String),
  hostname LowCardinality(Nullable(String)),
  referrer_domain Nullable(String),
  referrer_path Nullable(String),
  referrer_query Nullable(String),
  utm_source Nullable(String),
  utm_medium Nullable(String),
  utm_campaign Nullable(String),
  utm_content Nullable(String),
  utm_term Nullable(String),
  gclid Nullable(String),
  fbclid Nullable(String),
  msclkid Nullable(String),
  ttclid Nullable(String),
  li_fat_id Nullable(String),
  twclid Nullable(String),
  tag Nullable(String),
  browser LowCardinality(Nullable(String)),
  os LowCardinality(Nullable(String)),
  device LowCardinality(Nullable(String)),
  screen LowCardinality(Nullable(String)),
  language LowCardinality(Nullable(String)),
  country LowCardinality(Nullable(String)),
  region LowCardinality(Nullable(String)),
  city Nullable(String),
  distinct_id Nullable(String)
) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (website_id, toStartOfHour(created_at), session_id, visit_id, created_at)`,
      `CREATE TABLE IF NOT EXISTS event_data (
  website_id UUID,
  session_id UUID,
  event_id UUID,
  event_name Nullable(String),
  url_path String,
  created_at DateTime64(3, 'UTC'),
  data_key String,
  string_value Nullable(String),
  number_value Nullable(Decimal(22, 4)),
  date_value Nullable(DateTime64(3, 'UTC')),
  data_type UInt8
) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (website_id, toStartOfHour(created_at), event_id, data_key)`,
      `CREATE TABLE IF NOT EXISTS session (
  session_id UUID,
  website_id UUID,
  created_at DateTime64(3, 'UTC'),
  browser LowCardinality(Nullable(String)),
  os LowCardinality(Nullable(String)),
  device LowCardinality(Nullable(String)),
  screen LowCardinality(Nullable(String)),
  language LowCardinality(Nullable(String)),
  country LowCardinality(Nullable(String)),
  region LowCardinality(Nullable(String)),
  city Nullable(String),
  distinct_id Nullable(String)
) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (website_id, session_id)`,
      `CREATE TABLE IF NOT EXISTS session_data (
  website_id UUID,
  session_id UUID,
  created_at DateTime64(3, 'UTC'),
  data_key String,
  string_value Nullable(String),
  number_value Nullable(Decimal(22, 4)),
  date_value Nullable(DateTime64(3, 'UTC')),
  data_type UInt8,
  distinct_id Nullable(String)
) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (website_id, session_id, data_key, created_at)`,
    ],
  },
];

/** Runs the migrations not yet recorded in schema_migrations, in version order; answers the versions it ran. */
export async function migrateClickHouse(ch: ChExecutor, migrations: readonly ChMigration[] = CH_MIGRATIONS): Promise<number[]> {
  await ch.command(`CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY version`);
  const done = new Set((await ch.query('SELECT DISTINCT version FROM schema_migrations')).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements) await ch.command(statement);
    await ch.insert('schema_migrations', [{ version: m.version, name: m.name, applied_at: chTimestamp(new Date()) }]);
    applied.push(m.version);
  }
  return applied;
}
