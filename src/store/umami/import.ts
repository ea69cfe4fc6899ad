// `dashi import umami`: copy an Umami database (v2 on PostgreSQL or MySQL, v3 on PostgreSQL) into
// a Dashi store. Metadata first, keyed by Umami's own ids (websites keep theirs, so trackers keep
// working; users keep their bcrypt hashes), rows already present are kept. Then analytics by
// website-day, like migrate-store (../day-copy.ts): a day whose four row counts already match is
// skipped, a partial one is deleted and copied again, so an interrupted import resumes and a
// second run adds nothing. Ends with the row counts of both sides and Umami's own page views,
// visitors and visits of the last 30 days per website (the caller compares them with Dashi's).
import { Readable } from 'node:stream';
import { v3 as uuidv3, v5 as uuidv5 } from 'uuid';
import type { CsvRows, EventDataRow, EventRow, Row, SessionDataRow, SessionRow, Store, WriteBatch } from '../types.js';
import { chunkCount, keyText, storedKeys, storeDays, type TransferProgress } from '../transfer.js';
import { tables } from '../sql/columns.js';
import { BULK_CHUNK_ROWS, copyByDays, DAY, websitePlan, type CopyDay, type DayCopyReport, type DayRange } from '../day-copy.js';
import { csvLine, tableIndex } from '../sql/csv.js';
import type { UmamiSource } from './source.js';
import { umamiShape, type UmamiShape } from './shape.js';

const HOUR = 3_600_000;
/** Namespace of the ids Dashi derives for Umami rows that have none (2.10's visits, v2 share links). */
const NAMESPACE = '5c3f4d0e-8b7a-4e21-9a60-2f1d3c4b5a69';
/** Lines of CSV per string handed to a stream. */
const CSV_LINES = 1000;

/**
 * The visit of an Umami 2.10 event (which has none): one per session and clock hour, as Umami's
 * migration to 2.11 made them. A name-based UUID (v3: MD5) so that SQL derives the same id
 * (visitIdSql); imports before 2026-12 used v5 (SHA-1), and their complete days are kept.
 */
export const derivedVisitId = (sessionId: string, createdAt: Date): string => uuidv3(`${sessionId}:${Math.floor(createdAt.getTime() / HOUR)}`, NAMESPACE);

/** derivedVisitId in PostgreSQL, from a session id (uuid or text) and an instant. */
export function visitIdSql(sessionId: string, createdAt: string): string {
  const name = `convert_to(${sessionId}::text || ':' || floor(extract(epoch FROM ${createdAt}) / 3600)::bigint::text, 'UTF8')`;
  const h = `md5(decode('${NAMESPACE.replaceAll('-', '')}', 'hex') || ${name})`;
  // RFC 4122 v3: version nibble 3, variant bits 10.
  return `overlay(overlay(${h} placing '3' from 13) placing translate(substr(${h}, 17, 1), '0123456789abcdef', '89ab89ab89ab89ab') from 17)::uuid`;
}
const FAR_FUTURE = new Date('2200-01-01T00:00:00Z');
export const STATS_DAYS = 30;

export interface UmamiImportOptions {
  /** Only these Umami websites (default: every website not deleted). */
  websiteIds?: string[];
  /** Only analytics rows created at or after this instant. */
  since?: Date;
  /** Checked before each chunk: an aborted import stops there (run it again to resume). */
  signal?: AbortSignal;
  /** The end of the stats window (default: now). */
  now?: Date;
  /** false: every chunk through the store's write() even where it has a bulk load (tests compare the two). */
  bulk?: boolean;
  /** Rows one chunk copies at most (default BULK_CHUNK_ROWS; a single day is never split). */
  chunkRows?: number;
}

export interface UmamiTotals {
  pageviews: number;
  visitors: number;
  visits: number;
}

export interface UmamiImportReport {
  version: 'v2' | 'v3';
  /** Metadata rows inserted per Dashi table (rows already there are kept). */
  metadata: Record<string, number>;
  /** Umami users whose username a different Dashi user already has: their websites and reports now belong to that user. */
  mergedUsers: string[];
  /** Website-days copied. */
  chunksCopied: number;
  /** Of the website-days copied, those the store's bulk load took (the others went through its write()). */
  chunksBulkLoaded: number;
  /** Website-days whose row counts already matched. */
  chunksSkipped: number;
  /** Days the bulk load refused, copied through the store's write() instead, with the first line of the error. */
  bulkFallbacks: DayCopyReport['fallbacks'];
  /** Rows per analytics table of the imported websites since `since`, on each side. */
  counts: Record<string, { umami: number; dashi: number }>;
  websites: { id: string; name: string; domain: string | null; umami: UmamiTotals }[];
  /** The stats window: [from, to], inclusive as Umami's BETWEEN. */
  window: { from: Date; to: Date };
}

export class UmamiImportError extends Error {}

const str = (v: unknown): string | null => (v == null ? null : String(v));
const num = (v: unknown): number | null => (v == null ? null : Number(v));
const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));

/** The session attributes Dashi keeps on both sessions and events, from a row with Umami's column names. */
const sessionAttributes = (r: Row) => ({
  browser: str(r.browser),
  os: str(r.os),
  device: str(r.device),
  screen: str(r.screen),
  language: str(r.language),
  country: str(r.country),
  region: str(r.region),
  city: str(r.city),
  distinctId: str(r.distinct_id),
});
const json = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? {}));

/** One Umami analytics table: how to count a website-day of it and read its rows as Dashi's. */
interface TableCopy {
  dashi: string;
  /** The alias of the table whose website_id and created_at place a row in a chunk. */
  alias: string;
  /** FROM and WHERE of a website-day (params: website id, from, to), with the table aliased. */
  from: string;
  select: string;
  map(r: Row): unknown;
  rows(b: WriteBatch): unknown[];
  /** PostgreSQL: FROM … WHERE and SELECT list giving the Dashi table's columns in order, as CSV text that loads as `map` would. */
  csv: { from: string; select: string };
}

// As the rows path reads them: instants to the millisecond (postgres.js makes a Date), floats
// through a double (Number), in the source connection's UTC.
const csvTs = (col: string) => `to_char(${col}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
const csvNum = (col: string) => `(${col})::float8`;

function tableCopies(shape: UmamiShape): TableCopy[] {
  const range = (a: string) => `${a}.website_id = ? AND ${a}.created_at >= ? AND ${a}.created_at < ?`;
  const e = (name: string) => shape.col('website_event', 'e', name);
  const s = (name: string, ...alt: string[]) => shape.col('session', 's', name, ...alt);
  const visit = shape.hasVisitId ? 'e.visit_id' : 'NULL';
  const events: TableCopy = {
    dashi: 'website_event', alias: 'e',
    from: `"website_event" e LEFT JOIN "session" s ON s.session_id = e.session_id WHERE ${range('e')}`,
    select: [
      'e.event_id, e.website_id, e.session_id, e.created_at, e.event_type, e.event_name, e.url_path, e.url_query, e.page_title',
      `${visit} AS visit_id, ${shape.has('website_event', 'hostname') ? 'e.hostname' : s('hostname')} AS hostname`,
      'e.referrer_domain, e.referrer_path, e.referrer_query',
      ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid', 'tag'].map((c) => `${e(c)} AS ${c}`),
      's.browser, s.os, s.device, s.screen, s.language, s.country, s.city',
      `${s('region', 'subdivision1')} AS region, ${s('distinct_id')} AS distinct_id`,
    ].join(', '),
    map: (r): EventRow => {
      const createdAt = date(r.created_at)!;
      const sessionId = String(r.session_id);
      return {
        eventId: String(r.event_id),
        websiteId: String(r.website_id),
        sessionId,
        // Umami 2.10 has no visits; its migration to 2.11 made one per session and clock hour.
        visitId: str(r.visit_id) ?? derivedVisitId(sessionId, createdAt),
        createdAt,
        eventType: Number(r.event_type),
        eventName: str(r.event_name),
        eventCategory: null,
        urlPath: String(r.url_path),
        urlQuery: str(r.url_query),
        pageTitle: str(r.page_title),
        hostname: str(r.hostname),
        referrerDomain: str(r.referrer_domain),
        referrerPath: str(r.referrer_path),
        referrerQuery: str(r.referrer_query),
        utmSource: str(r.utm_source),
        utmMedium: str(r.utm_medium),
        utmCampaign: str(r.utm_campaign),
        utmContent: str(r.utm_content),
        utmTerm: str(r.utm_term),
        gclid: str(r.gclid),
        fbclid: str(r.fbclid),
        msclkid: str(r.msclkid),
        ttclid: str(r.ttclid),
        liFatId: str(r.li_fat_id),
        twclid: str(r.twclid),
        tag: str(r.tag),
        ...sessionAttributes(r),
      };
    },
    rows: (b) => b.events,
    csv: {
      from: `"website_event" e LEFT JOIN "session" s ON s.session_id = e.session_id WHERE ${range('e')}`,
      select: [
        'e.event_id, e.website_id, e.session_id',
        shape.hasVisitId ? `coalesce(e.visit_id, ${visitIdSql('e.session_id', 'e.created_at')})` : visitIdSql('e.session_id', 'e.created_at'),
        `${csvTs('e.created_at')}, e.event_type, e.event_name, NULL, e.url_path, e.url_query, e.page_title`,
        shape.has('website_event', 'hostname') ? 'e.hostname' : s('hostname'),
        'e.referrer_domain, e.referrer_path, e.referrer_query',
        ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid', 'tag'].map((c) => e(c)),
        's.browser, s.os, s.device, s.screen, s.language, s.country',
        `${s('region', 'subdivision1')}, s.city, ${s('distinct_id')}`,
      ].join(', '),
    },
  };
  const value = 'string_value, number_value, date_value, data_type';
  const eventData: TableCopy = {
    dashi: 'event_data', alias: 'd',
    // Dashi keeps the session, name and path of the event on each datum; a datum without its event has none.
    from: `"event_data" d JOIN "website_event" e ON e.event_id = d.website_event_id WHERE ${range('d')}`,
    select: `d.website_id, e.session_id, d.website_event_id, e.event_name, e.url_path, d.created_at, ${shape.col('event_data', 'd', 'data_key', 'event_key')} AS data_key, ${value.replace(/(\w+)/g, 'd.$1')}`,
    map: (r): EventDataRow => ({ ...datum(r), eventId: String(r.website_event_id), eventName: str(r.event_name), urlPath: str(r.url_path) }),
    rows: (b) => b.eventData,
    csv: {
      from: `"event_data" d JOIN "website_event" e ON e.event_id = d.website_event_id WHERE ${range('d')}`,
      select: `d.website_id, e.session_id, d.website_event_id, e.event_name, e.url_path, ${csvTs('d.created_at')}, ${shape.col('event_data', 'd', 'data_key', 'event_key')}, d.string_value, ${csvNum('d.number_value')}, ${csvTs('d.date_value')}, d.data_type`,
    },
  };
  const sessions: TableCopy = {
    dashi: 'session', alias: 's',
    from: `"session" s WHERE ${range('s')}`,
    select: `s.session_id, s.website_id, s.created_at, s.browser, s.os, s.device, s.screen, s.language, s.country, ${s('region', 'subdivision1')} AS region, s.city, ${s('distinct_id')} AS distinct_id`,
    map: (r): SessionRow => ({
      sessionId: String(r.session_id),
      websiteId: String(r.website_id),
      createdAt: date(r.created_at)!,
      ...sessionAttributes(r),
    }),
    rows: (b) => b.sessions,
    csv: {
      from: `"session" s WHERE ${range('s')}`,
      select: `s.session_id, s.website_id, ${csvTs('s.created_at')}, s.browser, s.os, s.device, s.screen, s.language, s.country, ${s('region', 'subdivision1')}, s.city, ${s('distinct_id')}`,
    },
  };
  const sessionData: TableCopy = {
    dashi: 'session_data', alias: 'd',
    from: `"session_data" d WHERE ${range('d')}`,
    select: `d.website_id, d.session_id, d.created_at, ${shape.col('session_data', 'd', 'data_key', 'session_key', 'event_key')} AS data_key, ${value.replace(/(\w+)/g, 'd.$1')}, ${shape.col('session_data', 'd', 'distinct_id')} AS distinct_id`,
    map: (r): SessionDataRow => ({ ...datum(r), distinctId: str(r.distinct_id) }),
    rows: (b) => b.sessionData,
    csv: {
      from: `"session_data" d WHERE ${range('d')}`,
      select: `d.website_id, d.session_id, ${csvTs('d.created_at')}, ${shape.col('session_data', 'd', 'data_key', 'session_key', 'event_key')}, d.string_value, ${csvNum('d.number_value')}, ${csvTs('d.date_value')}, d.data_type, ${shape.col('session_data', 'd', 'distinct_id')}`,
    },
  };
  return [events, eventData, sessions, sessionData];
}

/** A chunk's rows of one table, read by the rows path, as CSV text in pieces. */
function* csvText(rows: Row[], t: TableCopy): Generator<string> {
  const line = csvLine(tableIndex(t.dashi));
  for (let i = 0; i < rows.length; i += CSV_LINES) {
    let out = '';
    for (const r of rows.slice(i, i + CSV_LINES)) out += line(t.map(r));
    yield out;
  }
}

function datum(r: Row) {
  return {
    websiteId: String(r.website_id),
    sessionId: String(r.session_id),
    createdAt: date(r.created_at)!,
    dataKey: String(r.data_key),
    stringValue: str(r.string_value),
    numberValue: num(r.number_value),
    dateValue: date(r.date_value),
    dataType: Number(r.data_type),
  };
}

async function sourceCount(source: UmamiSource, t: TableCopy, websiteId: string, from: Date, to: Date): Promise<number> {
  return Number((await source.query(`SELECT count(*) AS n FROM ${t.from}`, [websiteId, from, to]))[0].n);
}

/** A website's rows per UTC day (days since 1970) created at or after `since`, in one table of Umami's. */
async function sourceDays(source: UmamiSource, t: TableCopy, websiteId: string, since: Date): Promise<Map<number, number>> {
  const col = `${t.alias}.created_at`;
  const day = source.dialect === 'postgresql' ? `floor(extract(epoch FROM ${col}) / 86400)` : `FLOOR(UNIX_TIMESTAMP(${col}) / 86400)`;
  const rows = await source.query(`SELECT ${day} AS day, count(*) AS n FROM ${t.from} GROUP BY 1`, [websiteId, since, FAR_FUTURE]);
  return new Map(rows.map((r) => [Number(r.day), Number(r.n)]));
}

/** Umami's page views, visitors and visits of a website in [from, to] (its v2 and v3 stats SQL). */
export async function umamiStats(source: UmamiSource, shape: UmamiShape, websiteId: string, from: Date, to: Date): Promise<UmamiTotals> {
  const hour = shape.dialect === 'postgresql' ? "date_trunc('hour', created_at)" : "DATE_FORMAT(created_at, '%Y-%m-%d %H')";
  const visits = shape.hasVisitId ? 'count(DISTINCT visit_id)' : shape.dialect === 'postgresql' ? `count(DISTINCT (session_id, ${hour}))` : `count(DISTINCT session_id, ${hour})`;
  const [r] = await source.query(
    `SELECT count(*) AS pageviews, count(DISTINCT session_id) AS visitors, ${visits} AS visits
     FROM "website_event" WHERE website_id = ? AND created_at BETWEEN ? AND ? AND event_type NOT IN (2, 5)`,
    [websiteId, from, to],
  );
  return { pageviews: Number(r.pageviews), visitors: Number(r.visitors), visits: Number(r.visits) };
}

class Metadata {
  readonly inserted: Record<string, number> = {};
  /** Umami user id -> the Dashi user id its rows go to. */
  readonly userIds = new Map<string, string>();
  readonly merged: string[] = [];

  constructor(
    private readonly source: UmamiSource,
    private readonly shape: UmamiShape,
    private readonly target: Store,
  ) {}

  private async insert(table: string, key: string, rows: Row[]): Promise<void> {
    this.inserted[table] = (this.inserted[table] ?? 0) + (await this.target.metadataCopy.insertMissing(table, key, rows));
  }

  private user = (id: unknown) => (id == null ? null : (this.userIds.get(String(id)) ?? String(id)));

  async users(): Promise<void> {
    const dashi = new Map((await this.target.metadataCopy.rows('users')).map((r) => [String(r.username), String(r.user_id)]));
    const rows: Row[] = [];
    const displayName = this.shape.col('user', 'u', 'display_name');
    for (const u of await this.source.query(`SELECT u.user_id, u.username, u.password, u.role, u.logo_url, ${displayName} AS display_name, u.created_at, u.updated_at FROM "user" u WHERE u.deleted_at IS NULL`)) {
      const id = String(u.user_id);
      this.userIds.set(id, id);
      const existing = dashi.get(String(u.username));
      if (existing && existing !== id) {
        // Dashi's own user of that name (e.g. the first-start admin) stays; Umami's rows join it.
        this.userIds.set(id, existing);
        this.merged.push(String(u.username));
        continue;
      }
      rows.push({
        user_id: id,
        username: String(u.username),
        password: String(u.password),
        role: String(u.role),
        display_name: str(u.display_name),
        logo_url: str(u.logo_url),
        created_at: date(u.created_at) ?? new Date(),
        updated_at: date(u.updated_at),
      });
    }
    await this.insert('users', 'user_id', rows);
  }

  async teams(): Promise<void> {
    if (!this.shape.has('team', 'team_id')) return;
    const teams = await this.source.query(`SELECT team_id, name, access_code, logo_url, created_at, updated_at FROM "team" WHERE deleted_at IS NULL`);
    await this.insert(
      'teams',
      'team_id',
      teams.map((t) => ({ team_id: String(t.team_id), name: String(t.name), access_code: str(t.access_code), logo_url: str(t.logo_url), created_at: date(t.created_at) ?? new Date(), updated_at: date(t.updated_at) })),
    );
    const live = new Set(teams.map((t) => String(t.team_id)));
    const taken = new Set((await this.target.metadataCopy.rows('team_users')).map((m) => `${m.team_id} ${m.user_id}`));
    const members: Row[] = [];
    for (const m of await this.source.query(`SELECT team_user_id, team_id, user_id, role, created_at, updated_at FROM "team_user"`)) {
      const userId = this.user(m.user_id)!;
      const pair = `${m.team_id} ${userId}`;
      if (!live.has(String(m.team_id)) || !this.userIds.has(String(m.user_id)) || taken.has(pair)) continue;
      taken.add(pair);
      members.push({ team_user_id: String(m.team_user_id), team_id: String(m.team_id), user_id: userId, role: String(m.role), created_at: date(m.created_at) ?? new Date(), updated_at: date(m.updated_at) });
    }
    await this.insert('team_users', 'team_user_id', members);
  }

  /** The websites to import; they are created in Dashi with their Umami ids. */
  async websites(only: string[] | undefined): Promise<{ id: string; name: string; domain: string | null }[]> {
    const shareId = this.shape.shares === 'website' ? 'w.share_id' : 'NULL';
    let sites = await this.source.query(
      `SELECT w.website_id, w.name, w.domain, w.reset_at, w.user_id, w.team_id, ${this.shape.col('website', 'w', 'created_by')} AS created_by, ${shareId} AS share_id, w.created_at, w.updated_at FROM "website" w WHERE w.deleted_at IS NULL ORDER BY w.website_id`,
    );
    if (only) {
      const known = new Set(sites.map((w) => String(w.website_id)));
      const unknown = only.filter((id) => !known.has(id));
      if (unknown.length) throw new UmamiImportError(`no such website in the Umami database (or it is deleted): ${unknown.join(', ')}`);
      sites = sites.filter((w) => only.includes(String(w.website_id)));
    }
    const tombstones = new Set((await this.target.metadataCopy.rows('website_ids')).filter((r) => r.deleted_at != null).map((r) => String(r.website_id)));
    const gone = sites.filter((w) => tombstones.has(String(w.website_id)));
    if (gone.length) throw new UmamiImportError(`these website ids belonged to websites deleted in Dashi and cannot be reused: ${gone.map((w) => w.website_id).join(', ')}`);
    await this.insert(
      'websites',
      'website_id',
      sites.map((w) => ({
        website_id: String(w.website_id),
        name: String(w.name),
        domain: str(w.domain),
        reset_at: date(w.reset_at),
        user_id: this.user(w.user_id),
        team_id: str(w.team_id),
        created_by: this.user(w.created_by ?? w.user_id),
        created_at: date(w.created_at) ?? new Date(),
        updated_at: date(w.updated_at),
      })),
    );
    await this.insert(
      'website_ids',
      'website_id',
      sites.map((w) => ({ website_id: String(w.website_id), deleted_at: null })),
    );
    await this.shares(sites);
    return sites.map((w) => ({ id: String(w.website_id), name: String(w.name), domain: str(w.domain) }));
  }

  private async shares(sites: Row[]): Promise<void> {
    const ids = new Set(sites.map((w) => String(w.website_id)));
    let wanted: Row[] = [];
    if (this.shape.shares === 'website') {
      wanted = sites.filter((w) => w.share_id != null).map((w) => ({ share_id: uuidv5(`share:${w.website_id}`, NAMESPACE), website_id: String(w.website_id), slug: String(w.share_id), created_at: date(w.created_at) ?? new Date() }));
    } else if (this.shape.shares === 'table') {
      // share_type 1 shares a website (entity_id); other types share boards and links Dashi has not.
      const rows = await this.source.query(`SELECT share_id, entity_id, slug, created_at FROM "share" WHERE share_type = 1 ORDER BY created_at`);
      wanted = rows.filter((r) => ids.has(String(r.entity_id))).map((r) => ({ share_id: String(r.share_id), website_id: String(r.entity_id), slug: String(r.slug), created_at: date(r.created_at) ?? new Date() }));
    }
    // Dashi keeps one share link per website, and slugs are unique.
    const existing = await this.target.metadataCopy.rows('shares');
    const sites2 = new Set(existing.map((r) => String(r.website_id)));
    const slugs = new Set(existing.map((r) => String(r.slug)));
    const fresh: Row[] = [];
    for (const r of wanted) {
      if (sites2.has(String(r.website_id)) || slugs.has(String(r.slug))) continue;
      sites2.add(String(r.website_id));
      slugs.add(String(r.slug));
      fresh.push(r);
    }
    await this.insert('shares', 'share_id', fresh);
  }

  async reportsAndSegments(websiteIds: Set<string>): Promise<void> {
    if (this.shape.has('report', 'report_id')) {
      const reports = await this.source.query(`SELECT report_id, user_id, website_id, type, name, description, parameters, created_at, updated_at FROM "report"`);
      await this.insert(
        'reports',
        'report_id',
        reports
          .filter((r) => websiteIds.has(String(r.website_id)) && this.userIds.has(String(r.user_id)))
          .map((r) => ({
            report_id: String(r.report_id),
            user_id: this.user(r.user_id),
            website_id: String(r.website_id),
            type: String(r.type),
            name: String(r.name),
            description: str(r.description) ?? '',
            parameters: json(r.parameters),
            created_at: date(r.created_at) ?? new Date(),
            updated_at: date(r.updated_at),
          })),
      );
    }
    if (this.shape.hasSegments) {
      const segments = await this.source.query(`SELECT segment_id, website_id, type, name, parameters, created_at, updated_at FROM "segment"`);
      await this.insert(
        'segments',
        'segment_id',
        segments
          .filter((r) => websiteIds.has(String(r.website_id)))
          .map((r) => ({ segment_id: String(r.segment_id), website_id: String(r.website_id), type: String(r.type), name: String(r.name), parameters: json(r.parameters), created_at: date(r.created_at) ?? new Date(), updated_at: date(r.updated_at) })),
      );
    }
  }
}

export async function importUmami(source: UmamiSource, target: Store, options: UmamiImportOptions = {}, progress: TransferProgress = () => undefined): Promise<UmamiImportReport> {
  const shape = umamiShape(source.dialect, await source.columns());
  const since = options.since ?? new Date(0);

  const meta = new Metadata(source, shape, target);
  await meta.users();
  await meta.teams();
  const websites = await meta.websites(options.websiteIds);
  await meta.reportsAndSegments(new Set(websites.map((w) => w.id)));
  await target.metadataCopy.syncSequences();

  const copies = tableCopies(shape);
  const plan: CopyDay[] = [];
  for (const w of websites) {
    const want = await Promise.all(copies.map((t) => sourceDays(source, t, w.id, since)));
    const have = await Promise.all(copies.map((t) => storeDays(target.analytics, t.dashi, w.id, since)));
    plan.push(...websitePlan(w.id, want, have));
  }
  const readRows = (websiteId: string, { from, to }: DayRange) =>
    Promise.all(copies.map((t) => source.query(`SELECT ${t.select} FROM ${t.from}`, [websiteId, from, to])));
  // The bulk load, where the store has one (options.bulk false: never), takes Umami's rows as CSV:
  // from PostgreSQL's COPY (no value passes through JavaScript) or from the rows path's own rows (MySQL).
  const csvParts = (websiteId: string, { from, to }: DayRange): CsvRows[] =>
    copies.map((t) => ({
      table: t.dashi,
      csv: async () => {
        const params = [websiteId, from, to];
        if (source.copyCsv) return source.copyCsv(`SELECT ${t.csv.select} FROM ${t.csv.from}`, params);
        return Readable.from(csvText(await source.query(`SELECT ${t.select} FROM ${t.from}`, params), t));
      },
    }));
  const copy = await copyByDays({
    target: target.analytics,
    plan,
    since,
    chunkRows: options.chunkRows ?? BULK_CHUNK_ROWS,
    csvParts: options.bulk === false ? null : csvParts,
    // Umami's rows are added to whatever Dashi holds: its own hits on the same days stay.
    keepStored: true,
    // A website-day at a time, the next one read from Umami while this one is written.
    writeRows: async (websiteId, days, keep) => {
      let next: ReturnType<typeof readRows> | null = days.length ? readRows(websiteId, days[0]) : null;
      for (let i = 0; i < days.length; i++) {
        const rows = await next!;
        next = i + 1 < days.length ? readRows(websiteId, days[i + 1]) : null;
        next?.catch(() => undefined); // awaited in its turn, or dropped if this write fails
        try {
          const batch: WriteBatch = { events: [], eventData: [], sessions: [], sessionData: [] };
          for (const [k, t] of copies.entries()) {
            const list = t.rows(batch);
            const n = tableIndex(t.dashi);
            const stored = keep ? await storedKeys(target.analytics, n, websiteId, days[i]) : null;
            const key = keyText(n);
            const columns = new Map(tables[n].columns.map(([name, , get]) => [name, get]));
            for (const r of rows[k]) {
              const row = t.map(r);
              if (!stored?.has(key((c) => columns.get(c)!(row)))) list.push(row);
            }
          }
          await target.analytics.write(batch);
        } catch (err) {
          await next?.catch(() => undefined); // let the read finish before the caller closes the source
          throw err;
        }
      }
    },
    signal: options.signal,
    stopped: (done, total) => new UmamiImportError(`stopped after ${done} of ${total} website-days; run the import again to resume`),
    progress,
  });
  // The rollups are current when the import ends (bulk loads leave their rows queued).
  await target.analytics.rollups?.refresh();
  progress(copy.copied + copy.skipped, copy.copied + copy.skipped, 'done');

  const counts: UmamiImportReport['counts'] = {};
  for (const t of copies) {
    let umami = 0;
    let dashi = 0;
    for (const w of websites) {
      umami += await sourceCount(source, t, w.id, since, FAR_FUTURE);
      dashi += await chunkCount(target, t.dashi, w.id, since, FAR_FUTURE);
    }
    counts[t.dashi] = { umami, dashi };
  }
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - STATS_DAYS * DAY);
  const stats = [];
  for (const w of websites) stats.push({ ...w, umami: await umamiStats(source, shape, w.id, from, to) });
  return { version: shape.version, metadata: meta.inserted, mergedUsers: meta.merged, chunksCopied: copy.copied, chunksBulkLoaded: copy.bulkLoaded, chunksSkipped: copy.skipped, bulkFallbacks: copy.fallbacks, counts, websites: stats, window: { from, to } };
}
