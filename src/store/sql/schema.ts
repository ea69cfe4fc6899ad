// The schema shared by the SQL stores (DuckDB and PostgreSQL accept the same DDL). Each migration
// runs once, inside a transaction, and is recorded in schema_migrations. Never edit a released
// migration: add a new one. All timestamps are TIMESTAMP holding UTC.

import type { Migration } from './migrate.js';

export const baseMigrations: Migration[] = [
  {
    version: 1,
    name: 'metadata',
    statements: [
      `CREATE SEQUENCE users_legacy_seq START 1`,
      `CREATE TABLE users (
        user_id UUID PRIMARY KEY,
        legacy_id INTEGER NOT NULL DEFAULT nextval('users_legacy_seq'),
        username VARCHAR NOT NULL UNIQUE,
        password VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        display_name VARCHAR,
        logo_url VARCHAR,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      `CREATE TABLE teams (
        team_id UUID PRIMARY KEY,
        name VARCHAR NOT NULL,
        access_code VARCHAR UNIQUE,
        logo_url VARCHAR,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      `CREATE TABLE team_users (
        team_user_id UUID PRIMARY KEY,
        team_id UUID NOT NULL,
        user_id UUID NOT NULL,
        role VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      `CREATE SEQUENCE websites_legacy_seq START 1`,
      `CREATE TABLE websites (
        website_id UUID PRIMARY KEY,
        legacy_id INTEGER NOT NULL DEFAULT nextval('websites_legacy_seq'),
        name VARCHAR NOT NULL,
        domain VARCHAR,
        reset_at TIMESTAMP,
        user_id UUID,
        team_id UUID,
        created_by UUID,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      // One share link per website for now (Umami v2 semantics); slug is what URLs carry.
      `CREATE TABLE shares (
        share_id UUID PRIMARY KEY,
        website_id UUID NOT NULL,
        slug VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL
      )`,
      `CREATE TABLE reports (
        report_id UUID PRIMARY KEY,
        user_id UUID NOT NULL,
        website_id UUID NOT NULL,
        type VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL DEFAULT '',
        parameters VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      `CREATE TABLE segments (
        segment_id UUID PRIMARY KEY,
        website_id UUID NOT NULL,
        type VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        parameters VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP
      )`,
      `CREATE TABLE revoked_tokens (
        token_id VARCHAR PRIMARY KEY,
        expires_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'analytics',
    statements: [
      // No indexes on the analytics tables: appends stay fast and rows arrive in time order,
      // so DuckDB's per-row-group min/max (zonemaps) prune time ranges.
      `CREATE TABLE website_event (
        event_id UUID NOT NULL,
        website_id UUID NOT NULL,
        session_id UUID NOT NULL,
        visit_id UUID NOT NULL,
        created_at TIMESTAMP NOT NULL,
        event_type SMALLINT NOT NULL,
        event_name VARCHAR,
        event_category VARCHAR,
        url_path VARCHAR NOT NULL,
        url_query VARCHAR,
        page_title VARCHAR,
        hostname VARCHAR,
        referrer_domain VARCHAR,
        referrer_path VARCHAR,
        referrer_query VARCHAR,
        utm_source VARCHAR,
        utm_medium VARCHAR,
        utm_campaign VARCHAR,
        utm_content VARCHAR,
        utm_term VARCHAR,
        gclid VARCHAR,
        fbclid VARCHAR,
        msclkid VARCHAR,
        ttclid VARCHAR,
        li_fat_id VARCHAR,
        twclid VARCHAR,
        tag VARCHAR,
        browser VARCHAR,
        os VARCHAR,
        device VARCHAR,
        screen VARCHAR,
        language VARCHAR,
        country VARCHAR,
        region VARCHAR,
        city VARCHAR,
        distinct_id VARCHAR
      )`,
      `CREATE TABLE event_data (
        website_id UUID NOT NULL,
        session_id UUID NOT NULL,
        event_id UUID NOT NULL,
        event_name VARCHAR,
        url_path VARCHAR,
        created_at TIMESTAMP NOT NULL,
        data_key VARCHAR NOT NULL,
        string_value VARCHAR,
        number_value DECIMAL(19,4),
        date_value TIMESTAMP,
        data_type SMALLINT NOT NULL
      )`,
      // First sighting of each session; duplicates are possible and readers take the earliest.
      `CREATE TABLE session (
        session_id UUID NOT NULL,
        website_id UUID NOT NULL,
        created_at TIMESTAMP NOT NULL,
        browser VARCHAR,
        os VARCHAR,
        device VARCHAR,
        screen VARCHAR,
        language VARCHAR,
        country VARCHAR,
        region VARCHAR,
        city VARCHAR,
        distinct_id VARCHAR
      )`,
      // Identify data; latest value per (session_id, data_key) wins on read.
      `CREATE TABLE session_data (
        website_id UUID NOT NULL,
        session_id UUID NOT NULL,
        created_at TIMESTAMP NOT NULL,
        data_key VARCHAR NOT NULL,
        string_value VARCHAR,
        number_value DECIMAL(19,4),
        date_value TIMESTAMP,
        data_type SMALLINT NOT NULL,
        distinct_id VARCHAR
      )`,
    ],
  },
  {
    version: 3,
    name: 'unique-team-membership',
    // The check-then-insert in the routes is serialised within one process; across processes
    // on a server store, this index is what keeps a user from joining a team twice.
    statements: ['CREATE UNIQUE INDEX team_users_team_user ON team_users (team_id, user_id)'],
  },
  {
    version: 4,
    name: 'session-epochs',
    // Login tokens carry the epoch they were issued in; a password change raises it, which ends
    // every earlier session on every process. No row means epoch 0. A table of its own, not a
    // users column: DuckDB cannot replay a WAL holding ALTER TABLE users ADD COLUMN (it rebinds
    // the nextval() default with no database set), so a crash after the migration would leave
    // the file unopenable.
    statements: ['CREATE TABLE session_epochs (user_id UUID PRIMARY KEY, epoch INTEGER NOT NULL)'],
  },
  {
    version: 5,
    name: 'website-lifecycle-and-salts',
    statements: [
      // Every website id ever used; deleted_at marks a tombstone, so a deleted id is never reused
      // (rows other processes were still writing cannot resurface under a new website).
      `CREATE TABLE website_ids (
        website_id UUID PRIMARY KEY,
        deleted_at TIMESTAMP
      )`,
      'INSERT INTO website_ids (website_id) SELECT website_id FROM websites',
      // A website's allowed hostname patterns as a JSON array; no row accepts every hostname.
      // (A table of its own: DuckDB fails to replay an ALTER TABLE of websites from its WAL
      // after a crash, as websites has a nextval() default.)
      `CREATE TABLE website_hostnames (
        website_id UUID PRIMARY KEY,
        patterns VARCHAR NOT NULL
      )`,
      // The random salt of the current SALT_ROTATION period, one row per rotation: a new period
      // overwrites the row, so a past period's salt cannot be recovered from the live database.
      `CREATE TABLE visitor_salts (
        rotation VARCHAR PRIMARY KEY,
        period_start TIMESTAMP NOT NULL,
        salt VARCHAR NOT NULL
      )`,
      // Hits refused at ingestion, per website and reason, since first_at.
      `CREATE TABLE refused_hits (
        website_id UUID NOT NULL,
        reason VARCHAR NOT NULL,
        hits BIGINT NOT NULL,
        first_at TIMESTAMP NOT NULL,
        PRIMARY KEY (website_id, reason)
      )`,
    ],
  },
  {
    version: 6,
    name: 'api-keys',
    // Only the SHA-256 of a key is kept; key_prefix is its first characters, shown in lists.
    // website_ids is a JSON array of the websites the key is limited to, or NULL for all.
    statements: [
      `CREATE TABLE api_keys (
        api_key_id UUID PRIMARY KEY,
        user_id UUID NOT NULL,
        name VARCHAR NOT NULL,
        key_hash VARCHAR NOT NULL UNIQUE,
        key_prefix VARCHAR NOT NULL,
        scope VARCHAR NOT NULL,
        website_ids VARCHAR,
        expires_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL,
        last_used_at TIMESTAMP
      )`,
      'CREATE INDEX api_keys_user ON api_keys (user_id)',
    ],
  },
  {
    version: 7,
    name: 'data-control',
    // Per-website settings in a table of their own: DuckDB cannot replay a WAL holding ALTER TABLE
    // websites ADD COLUMN (see version 4). retention_days NULL keeps data forever; no row means
    // DATA_RETENTION_DAYS applies. purge_log records every deletion of analytics rows by filter,
    // by visitor (session) and by the retention scheduler (user_id NULL).
    statements: [
      'CREATE TABLE website_settings (website_id UUID PRIMARY KEY, retention_days INTEGER, updated_at TIMESTAMP NOT NULL)',
      `CREATE TABLE purge_log (
        purge_id UUID PRIMARY KEY,
        website_id UUID NOT NULL,
        user_id UUID,
        kind VARCHAR NOT NULL,
        filters VARCHAR NOT NULL,
        start_at TIMESTAMP,
        end_at TIMESTAMP,
        events BIGINT NOT NULL,
        sessions BIGINT NOT NULL,
        created_at TIMESTAMP NOT NULL
      )`,
    ],
  },
];
