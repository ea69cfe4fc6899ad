// Test-only: a fresh Umami database (PostgreSQL or MariaDB, random name, dropped afterwards) made
// from the fixture DDL in test/fixtures/umami/, filled with a small known dataset whose metrics
// are worked out by hand below. Rows list every column any Umami version has; each insert keeps
// the columns the schema at hand has (2.10's event_key/subdivision1/session.hostname, ...).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import bcrypt from 'bcryptjs';
import { root } from './server.js';

export type UmamiFixture = 'v2-postgresql' | 'v2-mysql' | 'v3-postgresql';

const pgAdmin = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const myAdmin = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

const DAY = 86_400_000;
const MIN = 60_000;

/** Umami's first admin (its migration 01 makes it, password "umami"). */
export const UMAMI_ADMIN = { id: '41e2b680-648e-4b09-bcd7-3e2b10c06264', username: 'admin', password: 'umami', hash: '$2b$10$BUli0c.muyCW1ErNJc3jL.vFRFtFJWrT8/GcR4A.sUdCznaXiqFXa' };
export const ALICE = { id: 'a11ce000-0000-4000-8000-000000000001', username: 'alice', password: 'alice-in-umami' };
export const IDS = {
  bob: 'b0b00000-0000-4000-8000-000000000002',
  team: '7ea30000-0000-4000-8000-000000000001',
  w1: 'c0ffee00-0000-4000-8000-000000000001',
  w2: 'c0ffee00-0000-4000-8000-000000000002',
  /** Deleted in Umami: not imported. */
  w3: 'c0ffee00-0000-4000-8000-000000000003',
  report: 'e7000000-0000-4000-8000-000000000001',
  segment: '5e900000-0000-4000-8000-000000000001',
  signup: 'e0000000-0000-4000-8000-000000000008',
  s1: '5e550000-0000-4000-8000-000000000001',
};

export interface UmamiDb {
  fixture: UmamiFixture;
  /** PostgreSQL's URL carries a password (its trust auth ignores it), to check it is never printed. */
  url: string;
  password: string;
  /** Midnight UTC of the dataset's first day (5 days before the run). */
  day: Date;
  drop(): Promise<void>;
}

type Row = Record<string, unknown>;

/**
 * Website w1, days D and D+1 (UTC), times as offsets from D:
 * - s1 (Chrome, Linux, desktop, US-CA): visit 1 at 10:00 "/", 10:02 "/pricing", 10:03 event
 *   "signup" {plan: "pro", seats: 3}; visit 2 at 15:00 "/" (a bounce). Session data company=Acme.
 * - s2 (Firefox, Windows, desktop, DE-BE): visit 3 at 11:00 "/docs" (a bounce).
 * - s3 (Safari, iOS, mobile, US-NY): visit 4 on D+1 at 09:00 "/", 09:05 "/docs", 09:10 "/pricing".
 * - s4 (Chrome, Mac OS, laptop, FR): D-40 at 08:00 "/" (outside the 30-day window).
 * Website w2 (team's): s5 (Edge, Windows, GB) at D 12:00 "/", 12:01 "/about".
 * Website w3 (deleted): s6 one page view.
 * Every visit stays within one clock hour, so Umami 2.10's visits (session and hour) are the same.
 *
 * w1 on [D, D+2): pageviews 7, visitors 3, visits 4, bounces 2, totaltime 120 + 600 = 720 s;
 * per day: D 4 views / 2 sessions, D+1 3 / 1. Events (all rows) 8.
 */
function dataset(day: Date, aliceHash: string) {
  const at = (days: number, h: number, m = 0) => new Date(day.getTime() + days * DAY + h * 60 * MIN + m * MIN);
  const user = (id: string, username: string, password: string, role: string, deleted: Date | null = null): Row => ({ user_id: id, username, password, role, created_at: at(-100, 0), deleted_at: deleted, display_name: null });
  const users = [user(UMAMI_ADMIN.id, 'admin', UMAMI_ADMIN.hash, 'admin'), user(ALICE.id, ALICE.username, aliceHash, 'user'), user(IDS.bob, 'bob', aliceHash, 'user', at(-50, 0))];
  const team = [{ team_id: IDS.team, name: 'Team A', access_code: 'team_abc', created_at: at(-90, 0), deleted_at: null }];
  const teamUser = [
    { team_user_id: '7ea30000-0000-4000-8000-0000000000a1', team_id: IDS.team, user_id: UMAMI_ADMIN.id, role: 'team-owner', created_at: at(-90, 0) },
    { team_user_id: '7ea30000-0000-4000-8000-0000000000a2', team_id: IDS.team, user_id: ALICE.id, role: 'team-member', created_at: at(-90, 0) },
  ];
  const site = (id: string, name: string, extra: Row): Row => ({ website_id: id, name, domain: `${name.toLowerCase()}.example`, user_id: null, team_id: null, created_by: UMAMI_ADMIN.id, created_at: at(-80, 0), deleted_at: null, share_id: null, ...extra });
  const websites = [
    site(IDS.w1, 'W1', { user_id: UMAMI_ADMIN.id, share_id: 'w1share' }),
    site(IDS.w2, 'W2', { team_id: IDS.team }),
    site(IDS.w3, 'W3', { user_id: ALICE.id, deleted_at: at(-1, 0) }),
  ];
  const sess = (n: number, website: string, created: Date, attrs: [string, string, string, string, string, string, string]): Row => {
    const [browser, os, device, country, region, city, host] = attrs;
    return { session_id: `5e550000-0000-4000-8000-00000000000${n}`, website_id: website, browser, os, device, screen: '1920x1080', language: 'en-US', country, region, subdivision1: region, city, hostname: host, distinct_id: n === 1 ? 'u-1' : null, created_at: created };
  };
  const sessions = [
    sess(1, IDS.w1, at(0, 10), ['chrome', 'Linux', 'desktop', 'US', 'US-CA', 'San Francisco', 'w1.example']),
    sess(2, IDS.w1, at(0, 11), ['firefox', 'Windows 10', 'desktop', 'DE', 'DE-BE', 'Berlin', 'w1.example']),
    sess(3, IDS.w1, at(1, 9), ['ios', 'iOS', 'mobile', 'US', 'US-NY', 'New York', 'w1.example']),
    sess(4, IDS.w1, at(-40, 8), ['chrome', 'Mac OS', 'laptop', 'FR', 'FR-IDF', 'Paris', 'w1.example']),
    sess(5, IDS.w2, at(0, 12), ['edge-chromium', 'Windows 10', 'desktop', 'GB', 'GB-LND', 'London', 'w2.example']),
    sess(6, IDS.w3, at(0, 13), ['chrome', 'Linux', 'desktop', 'US', 'US-CA', 'San Francisco', 'w3.example']),
  ];
  const visit = (n: number) => `0a150000-0000-4000-8000-00000000000${n}`;
  let e = 0;
  const ev = (session: Row, v: number, t: Date, path: string, extra: Row = {}): Row => ({
    event_id: `e0000000-0000-4000-8000-${String(++e).padStart(12, "0")}`,
    website_id: session.website_id,
    session_id: session.session_id,
    visit_id: visit(v),
    created_at: t,
    url_path: path,
    url_query: null,
    referrer_domain: v === 1 ? 'news.example' : null,
    page_title: `Title ${path}`,
    event_type: 1,
    event_name: null,
    hostname: session.hostname,
    utm_source: v === 1 ? 'newsletter' : null,
    ...extra,
  });
  const [s1, s2, s3, s4, s5, s6] = sessions;
  const events = [
    ev(s1, 1, at(0, 10, 0), '/'),
    ev(s1, 1, at(0, 10, 2), '/pricing'),
    ev(s1, 2, at(0, 15, 0), '/'),
    ev(s2, 3, at(0, 11, 0), '/docs'),
    ev(s3, 4, at(1, 9, 0), '/'),
    ev(s3, 4, at(1, 9, 5), '/docs'),
    ev(s3, 4, at(1, 9, 10), '/pricing'),
    ev(s1, 1, at(0, 10, 3), '/pricing', { event_type: 2, event_name: 'signup' }),
    ev(s4, 5, at(-40, 8), '/'),
    ev(s5, 6, at(0, 12, 0), '/'),
    ev(s5, 6, at(0, 12, 1), '/about'),
    ev(s6, 7, at(0, 13, 0), '/'),
  ];
  const datum = (id: string, key: string, value: Row): Row => ({ event_data_id: id, website_id: IDS.w1, website_event_id: IDS.signup, data_key: key, event_key: key, created_at: at(0, 10, 3), string_value: null, number_value: null, date_value: null, ...value });
  const eventData = [
    datum('da7a0000-0000-4000-8000-000000000001', 'plan', { string_value: 'pro', data_type: 1 }),
    datum('da7a0000-0000-4000-8000-000000000002', 'seats', { string_value: '3', number_value: 3, data_type: 2 }),
  ];
  const sessionData = [
    { session_data_id: 'da7a0000-0000-4000-8000-000000000003', website_id: IDS.w1, session_id: s1.session_id, data_key: 'company', session_key: 'company', event_key: 'company', string_value: 'Acme', number_value: null, date_value: null, data_type: 1, distinct_id: 'u-1', created_at: at(0, 10, 1), deleted_at: null },
  ];
  const parameters = { steps: [{ type: 'path', value: '/' }, { type: 'path', value: '/pricing' }], window: 60 };
  const report = [{ report_id: IDS.report, user_id: UMAMI_ADMIN.id, website_id: IDS.w1, type: 'funnel', name: 'Pricing funnel', description: 'home to pricing', parameters: JSON.stringify(parameters), created_at: at(-10, 0) }];
  const segment = [{ segment_id: IDS.segment, website_id: IDS.w1, type: 'segment', name: 'Americans', parameters: JSON.stringify({ filters: [{ name: 'country', operator: 'eq', value: 'US' }] }), created_at: at(-10, 0) }];
  const share = [{ share_id: '5a4e0000-0000-4000-8000-000000000001', entity_id: IDS.w1, name: 'W1', share_type: 1, slug: 'w1share', parameters: JSON.stringify({ overview: true }), created_at: at(-10, 0) }];
  const tables: Record<string, Row[]> = { user: users, team, team_user: teamUser, website: websites, session: sessions, website_event: events, event_data: eventData, session_data: sessionData, report, segment, share };
  return tables;
}

/** Creates, loads and fills a fresh Umami database of the given kind. */
export async function createUmamiDb(fixture: UmamiFixture): Promise<UmamiDb> {
  const name = `umami_test_${randomBytes(6).toString('hex')}`;
  const ddl = fs.readFileSync(path.join(root, 'test/fixtures/umami', `${fixture}.sql`), 'utf8');
  const statements = ddl
    .split(/;\s*\n/)
    .map((s) => s.replace(/^--.*$/gm, '').trim())
    .filter(Boolean);
  const day = new Date(Math.floor(Date.now() / DAY) * DAY - 5 * DAY);
  const data = dataset(day, await bcrypt.hash(ALICE.password, 10));
  const password = `pw-${randomBytes(8).toString('hex')}`;
  if (fixture === 'v2-mysql') {
    const admin = await mysql.createConnection({ uri: myAdmin });
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.end();
    const u = new URL(myAdmin);
    const conn = await mysql.createConnection({ uri: `${u.protocol}//${u.username}@${u.host}/${name}`, timezone: 'Z' });
    await conn.query("SET time_zone = '+00:00'");
    for (const s of statements) await conn.query(s);
    const [cols] = (await conn.query('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()')) as unknown as [Row[]];
    const has = columnsOf(cols);
    for (const [table, rows] of Object.entries(data)) {
      if (!has.has(table)) continue;
      for (const row of rows) {
        const keys = Object.keys(row).filter((k) => has.get(table)!.has(k));
        await conn.query(`INSERT INTO \`${table}\` (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`, keys.map((k) => row[k]));
      }
    }
    await conn.end();
    return {
      fixture,
      password,
      // The local MariaDB's root has no password, and refuses one.
      url: `mysql://${u.username}@${u.host}/${name}`,
      day,
      async drop() {
        const c = await mysql.createConnection({ uri: myAdmin });
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        await c.end();
      },
    };
  }
  const admin = postgres(pgAdmin, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(pgAdmin);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max: 1, onnotice: () => undefined, connection: { TimeZone: 'UTC' } });
  for (const s of statements) await sql.unsafe(s);
  const has = columnsOf(await sql.unsafe(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`));
  for (const [table, rows] of Object.entries(data)) {
    if (!has.has(table)) continue;
    for (const row of rows) {
      const keys = Object.keys(row).filter((k) => has.get(table)!.has(k));
      await sql.unsafe(`INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`, keys.map((k) => row[k]) as never[]);
    }
  }
  await sql.end();
  const withPassword = new URL(u.toString());
  withPassword.password = password;
  return {
    fixture,
    password,
    url: withPassword.toString(),
    day,
    async drop() {
      const a = postgres(pgAdmin, { max: 1, onnotice: () => undefined });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

function columnsOf(rows: Row[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = String(r.t);
    if (!m.has(t)) m.set(t, new Set());
    m.get(t)!.add(String(r.c));
  }
  return m;
}
