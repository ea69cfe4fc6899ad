// The embedded store's rollup migrations (versions 101-106, 108) as released: literal text, never
// generated from live constants, so changing a rollup's columns in code cannot change what an
// upgraded database already ran. A change to a rollup table is a new migration. Rows stored before
// a migration that sets `built = false` are rolled up when the store opens (DuckDbAnalytics.open).
import type { Migration } from '../sql/migrate.js';

export const rollupMigration: Migration = {
  version: 101,
  name: 'traffic-rollups',
  statements: [
    `CREATE TABLE rollup_pending (website_id UUID NOT NULL, session_id UUID NOT NULL, visit_id UUID NOT NULL, created_at TIMESTAMP NOT NULL,
      url_path VARCHAR, browser VARCHAR, os VARCHAR, device VARCHAR, screen VARCHAR, language VARCHAR, country VARCHAR, region VARCHAR, city VARCHAR, referrer_domain VARCHAR, url_query VARCHAR, page_title VARCHAR, hostname VARCHAR, tag VARCHAR, utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR, utm_content VARCHAR, utm_term VARCHAR, click INTEGER NOT NULL)`,
    `CREATE TABLE slot_count (website_id UUID NOT NULL, slot INTEGER NOT NULL, col VARCHAR NOT NULL, value VARCHAR, host VARCHAR, c BIGINT NOT NULL)`,
    `CREATE TABLE visit_rollup (
      website_id UUID NOT NULL, visit_id UUID NOT NULL, session_id UUID NOT NULL,
      t0 TIMESTAMP NOT NULL, t1 TIMESTAMP NOT NULL, c BIGINT NOT NULL, entry_path VARCHAR, exit_path VARCHAR, channel VARCHAR)`,
    `CREATE TABLE session_slot (website_id UUID NOT NULL, session_id UUID NOT NULL, slot INTEGER NOT NULL,
      browser VARCHAR, os VARCHAR, device VARCHAR, screen VARCHAR, language VARCHAR, country VARCHAR, region VARCHAR, city VARCHAR, c BIGINT NOT NULL, prev_slot INTEGER, prev_browser INTEGER, prev_os INTEGER, prev_device INTEGER, prev_screen INTEGER, prev_language INTEGER, prev_country INTEGER, prev_region INTEGER, prev_city INTEGER)`,
    `CREATE TABLE rollup_state (built BOOLEAN NOT NULL)`,
    `INSERT INTO rollup_state VALUES (false)`,
  ],
};

export const visitSpanMigration: Migration = {
  version: 102,
  name: 'visit-span',
  statements: [
    `CREATE TABLE visit_span (website_id UUID NOT NULL, slot0 INTEGER NOT NULL, slot1 INTEGER NOT NULL,
      visits BIGINT NOT NULL, bounces BIGINT NOT NULL, totaltime BIGINT NOT NULL)`,
    `UPDATE rollup_state SET built = false`,
  ],
};

export const pageVisitMigration: Migration = {
  version: 103,
  name: 'page-visit-rollup',
  statements: [
    `CREATE TABLE page_visit (website_id UUID NOT NULL, visit_id UUID NOT NULL, url_path VARCHAR, session_id UUID NOT NULL,
      t0 TIMESTAMP NOT NULL, t1 TIMESTAMP NOT NULL, c BIGINT NOT NULL, prev_t0 TIMESTAMP)`,
    `UPDATE rollup_state SET built = false`,
  ],
};

export const channelPointerMigration: Migration = {
  version: 104,
  name: 'visit-channel-pointer',
  statements: [
    `ALTER TABLE visit_rollup ADD COLUMN prev_channel_t0 TIMESTAMP`,
    `UPDATE rollup_state SET built = false`,
  ],
};

export const visitAttributesMigration: Migration = {
  version: 105,
  name: 'visit-attributes',
  statements: [
    `ALTER TABLE visit_rollup ADD COLUMN browser VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN os VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN device VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN screen VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN language VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN country VARCHAR`,
    `ALTER TABLE visit_rollup ADD COLUMN mixed BOOLEAN`,
    `ALTER TABLE visit_span ADD COLUMN mixed BIGINT`,
    `UPDATE rollup_state SET built = false`,
  ],
};

export const entryExitTiesMigration: Migration = {
  version: 106,
  name: 'entry-exit-ties',
  // Entry and exit pages of visits with several hits in their first or last instant are now
  // chosen by path: visits rolled up before picked any of them.
  statements: [`UPDATE rollup_state SET built = false`],
};

export const edgePointersMigration: Migration = {
  version: 108,
  name: 'next-pointers-attribute-spans',
  // session_slot's pointers forward (the session's next slot, and next slot with the same value),
  // so that a range's head slot is joined to its whole slots by reading the head slot alone; and
  // visit_span per session attribute value, of the visits whose attributes do not vary.
  statements: [
    `ALTER TABLE session_slot ADD COLUMN next_slot INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_browser INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_os INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_device INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_screen INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_language INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_country INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_region INTEGER`,
    `ALTER TABLE session_slot ADD COLUMN next_city INTEGER`,
    `CREATE TABLE visit_attribute_span (website_id UUID NOT NULL, attribute VARCHAR NOT NULL, value VARCHAR NOT NULL, slot0 INTEGER NOT NULL, slot1 INTEGER NOT NULL,
      visits BIGINT NOT NULL, bounces BIGINT NOT NULL, totaltime BIGINT NOT NULL)`,
    `UPDATE rollup_state SET built = false`,
  ],
};
