// The Store interface: everything above src/store/ talks to storage only through these types.
// DuckDB, PostgreSQL and ClickHouse (events; metadata in PostgreSQL) implement it.

export type StoreKind = 'duckdb' | 'postgres' | 'clickhouse';

/** SQL dialect the query compiler must emit for this store's analytics tables. */
export type DialectName = 'duckdb' | 'postgres' | 'clickhouse';

export type UserRole = 'admin' | 'user' | 'view-only';
export type TeamRole = 'team-owner' | 'team-manager' | 'team-member' | 'team-view-only';

export interface User {
  id: string;
  legacyId: number;
  username: string;
  role: UserRole;
  displayName: string | null;
  logoUrl: string | null;
  /** Raised by every password change; login tokens from an earlier epoch are refused. */
  sessionEpoch: number;
  createdAt: Date;
  updatedAt: Date | null;
}

/** Only the auth layer ever sees the hash. */
export interface UserWithHash extends User {
  passwordHash: string;
}

export interface Team {
  id: string;
  name: string;
  accessCode: string | null;
  logoUrl: string | null;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface TeamMember {
  id: string;
  teamId: string;
  userId: string;
  role: TeamRole;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface Website {
  id: string;
  legacyId: number;
  name: string;
  domain: string | null;
  /** Slug of the website's share link, or null when sharing is off. */
  shareId: string | null;
  resetAt: Date | null;
  userId: string | null;
  teamId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  /** Hostname patterns hits must match (`example.com`, `*.example.com`); empty accepts all. */
  allowedHostnames: string[];
}

export interface Report {
  id: string;
  userId: string;
  websiteId: string;
  type: string;
  name: string;
  description: string;
  parameters: unknown;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface Segment {
  id: string;
  websiteId: string;
  type: string;
  name: string;
  parameters: unknown;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface Page<T> {
  data: T[];
  count: number;
}

export interface PageRequest {
  page: number; // 1-based
  pageSize: number;
  search?: string;
  orderBy?: string;
  sortDescending?: boolean;
}

/** Event types, as Umami numbers them. */
export const EventType = { pageView: 1, customEvent: 2, linkEvent: 3, pixelEvent: 4, performance: 5 } as const;
/** Event/session data value types, as Umami numbers them. */
export const DataType = { string: 1, number: 2, boolean: 3, date: 4, array: 5 } as const;

/** One row of website_event. Session attributes are copied onto every event. */
export interface EventRow {
  eventId: string;
  websiteId: string;
  sessionId: string;
  visitId: string;
  createdAt: Date;
  eventType: number;
  eventName: string | null;
  /** v1 /api/collect `event_type` (e.g. "click"); null for v2 hits. */
  eventCategory: string | null;
  urlPath: string;
  urlQuery: string | null;
  pageTitle: string | null;
  hostname: string | null;
  referrerDomain: string | null;
  referrerPath: string | null;
  referrerQuery: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  gclid: string | null;
  fbclid: string | null;
  msclkid: string | null;
  ttclid: string | null;
  liFatId: string | null;
  twclid: string | null;
  tag: string | null;
  browser: string | null;
  os: string | null;
  device: string | null;
  screen: string | null;
  language: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  distinctId: string | null;
}

export interface DataRow {
  websiteId: string;
  sessionId: string;
  createdAt: Date;
  dataKey: string;
  stringValue: string | null;
  numberValue: number | null;
  dateValue: Date | null;
  dataType: number;
}

export interface EventDataRow extends DataRow {
  eventId: string;
  eventName: string | null;
  urlPath: string | null;
}

export interface SessionDataRow extends DataRow {
  distinctId: string | null;
}

export interface SessionRow {
  sessionId: string;
  websiteId: string;
  createdAt: Date;
  browser: string | null;
  os: string | null;
  device: string | null;
  screen: string | null;
  language: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  distinctId: string | null;
}

/** What one writer flush hands the store: applied atomically and durably, or not at all. */
export interface WriteBatch {
  events: EventRow[];
  eventData: EventDataRow[];
  sessions: SessionRow[];
  sessionData: SessionDataRow[];
}

/** Row of an analytics query: column name to plain JS value (numbers, strings, Date, null). */
export type Row = Record<string, unknown>;

export interface AnalyticsStore {
  readonly dialect: DialectName;
  /** Run compiled SQL (from src/query/ only). Placeholders are `$1, $2, ...` for duckdb/postgres. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Durably write one batch; resolves after commit. */
  write(batch: WriteBatch): Promise<void>;
  /** Remove a website's analytics rows: all of them (reset, delete), or those created in [from, to). */
  deleteWebsiteData(websiteId: string, range?: { from: Date; to: Date }): Promise<void>;
  /** Journal lines the embedded store refused and set aside (DATA_DIR/dead-letter); null elsewhere. */
  deadLetters?(): { lines: number; segments: number; dir: string } | null;
  /**
   * Run deletes of one website's rows (SQL from src/query/purge.ts, rendered for this dialect) as
   * one unit, then bring the website's rollups in line with its remaining rows. `touched`: a
   * SELECT of session_id, visit_id and created_at of the traffic rows the deletes remove, so the
   * rollups can be patched where those rows were rather than rebuilt.
   */
  deleteRows(websiteId: string, statements: readonly Statement[], touched?: Statement): Promise<void>;
  /**
   * Retention: remove the website's rows created before `before` (events, event data, session
   * data, and sessions left without events), oldest first in small batches. Answers the events
   * and sessions removed.
   */
  deleteOlderThan(websiteId: string, before: Date): Promise<{ events: number; sessions: number }>;
  /** Traffic rollups (tables visit_rollup and session_slot, see src/query/rollups/traffic-maintenance.ts), if kept. */
  readonly rollups?: TrafficRollups;
  /** Loading large amounts of rows as CSV (imports), where the store has a faster path than write(). */
  readonly bulk?: BulkLoad;
  /**
   * A website's rows of one analytics table created in [from, to), as CSV in CsvRows' format with
   * the table's columns in order (sql/columns.ts): what another store's bulk load reads
   * (migrate-store). The embedded store and PostgreSQL have it; ClickHouse's rows are read as rows.
   */
  csvOut?(table: string, websiteId: string, range: { from: Date; to: Date }): Promise<NodeJS.ReadableStream>;
}

/**
 * One analytics table's rows as CSV text in PostgreSQL's csv format: every column of the table in
 * its order (src/store/sql/columns.ts), NULL as an unquoted empty field, an empty string as "",
 * timestamps as UTC `2026-01-31 23:59:59.999`. `csv` opens the stream; it is read once.
 */
export interface CsvRows {
  readonly table: string;
  csv(): Promise<NodeJS.ReadableStream>;
}

/**
 * Rows in two steps, so the next batch can be read while the current one is stored: `stage`
 * reads every table's CSV (into files or staging tables, as the store keeps them), `load` then
 * stores them in one transaction (with the rollups' queue). A stage that fails, or a load the
 * store refuses, stores nothing; `discard` drops what a stage holds.
 */
export interface BulkLoad {
  /** With `keep`, the load leaves out every row whose key (src/store/sql/columns.ts) a stored row in `keep` has. */
  stage(parts: readonly CsvRows[], keep?: StoredRows): Promise<StagedRows>;
}

/** A website's stored rows created in [from, to). */
export interface StoredRows {
  readonly websiteId: string;
  readonly from: Date;
  readonly to: Date;
}

export interface StagedRows {
  load(): Promise<void>;
  discard(): Promise<void>;
}

/** One SQL statement rendered for a dialect, with its parameters. */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/**
 * How the embedded store keeps its traffic rollups: tables the query layer reads, so the query
 * layer defines them (src/query/rollups/) and the composition root hands them to the store.
 */
export interface RollupMaintenance {
  readonly slotMs: number;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly pageColumns: readonly string[];
  readonly visitAttributes: readonly string[];
  /** Appends the traffic rows of `source` (a relation with website_event's columns) to rollup_pending. */
  pendingInsert(source: string): string;
  /** Merges rollup_pending into the rollups and empties it, in one transaction. */
  readonly refreshStatements: readonly Statement[];
  /** Rolls up a website's stored rows (null: every website) from scratch. */
  buildStatements(websiteId: string | null): readonly Statement[];
  /** Whether the rollups can be cut at this instant (a slot boundary), as retention does. */
  trimmable(cutoff: Date): boolean;
  /** Cuts a website's rollups at `cutoff`, after its raw rows before it were deleted (retention). */
  trimStatements(websiteId: string, cutoff: Date): readonly Statement[];
  /** The temp table patchStatements reads: session_id, visit_id, created_at of deleted traffic rows. */
  readonly purgedTable: string;
  /** Rolls up again the sessions, visits and slots a purge touched (listed in purgedTable). */
  patchStatements(websiteId: string): readonly Statement[];
}

export type RollupRead<T> = { readonly answer: T } | { readonly failed: unknown } | { readonly behind: string };

export interface TrafficRollups {
  /** Width of session_slot's slots in milliseconds. */
  readonly slotMs: number;
  /** Session attributes with a pointer column `prev_<name>`, and the columns it follows. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Page columns with page views per slot and value (table slot_count). */
  readonly pageColumns: readonly string[];
  /** Session attributes visit_rollup keeps per visit, with a flag for visits where any of them varies. */
  readonly visitAttributes: readonly string[];
  /** Bring the rollups up to date with every acknowledged hit. */
  refresh(): Promise<void>;
  /**
   * Brings the rollups up to date, then runs `body`'s reads (rollups and raw rows alike) in one
   * snapshot in which none of the website's stored rows is still waiting to be merged, so the two
   * agree. `failed`: the refresh's error; `behind`: why no such snapshot could be had.
   */
  read<T>(websiteId: string, body: (run: (sql: string, params: unknown[]) => Promise<Row[]>) => Promise<T>): Promise<RollupRead<T>>;
  /** Roll up every stored row from scratch (after rows were written in SQL, e.g. a bulk load). */
  rebuild(): Promise<void>;
}

export interface UserRepo {
  create(input: { id?: string; username: string; passwordHash: string; role: UserRole }): Promise<User>;
  get(id: string): Promise<User | null>;
  getWithHashByUsername(username: string): Promise<UserWithHash | null>;
  getWithHash(id: string): Promise<UserWithHash | null>;
  /** A new passwordHash also raises sessionEpoch, in the same transaction. */
  update(id: string, patch: { username?: string; passwordHash?: string; role?: UserRole; displayName?: string | null }): Promise<User | null>;
  delete(id: string): Promise<void>;
  list(page: PageRequest): Promise<Page<User>>;
  count(): Promise<number>;
}

export interface TeamRepo {
  create(input: { name: string; accessCode: string; ownerId: string }): Promise<{ team: Team; member: TeamMember }>;
  get(id: string): Promise<Team | null>;
  getByAccessCode(code: string): Promise<Team | null>;
  update(id: string, patch: { name?: string; accessCode?: string }): Promise<Team | null>;
  delete(id: string): Promise<void>;
  /** Teams the user belongs to (all teams when userId is null). */
  list(userId: string | null, page: PageRequest): Promise<Page<Team>>;
  members(teamId: string, page: PageRequest): Promise<Page<TeamMember & { username: string }>>;
  member(teamId: string, userId: string): Promise<TeamMember | null>;
  membershipsOf(userId: string): Promise<TeamMember[]>;
  addMember(teamId: string, userId: string, role: TeamRole): Promise<TeamMember>;
  updateMember(teamId: string, userId: string, role: TeamRole): Promise<TeamMember | null>;
  removeMember(teamId: string, userId: string): Promise<void>;
}

export interface WebsiteFilter {
  /** Websites owned by this user. */
  userId?: string;
  /** Websites of these teams. */
  teamIds?: string[];
  /** With both set: owned OR in teams. With neither: all websites. */
  /** Only these websites (AND with the above), e.g. those an API key is limited to. */
  ids?: string[];
}

export interface WebsitePatch {
  name?: string;
  domain?: string | null;
  shareId?: string | null;
  userId?: string | null;
  teamId?: string | null;
  resetAt?: Date;
  allowedHostnames?: string[];
}

/** create() was given an id that a website has, or had before it was deleted. */
export class WebsiteIdTakenError extends Error {
  constructor(readonly deleted: boolean) {
    super(deleted ? 'this id belonged to a deleted website and cannot be reused' : 'a website with this id already exists');
  }
}

/** A website created, changed or deleted by this process. */
export interface WebsiteChange {
  kind: 'create' | 'update' | 'delete';
  id: string;
  legacyId: number;
}

/** What creating a website takes. */
export interface NewWebsite {
  id?: string;
  name: string;
  domain: string | null;
  shareId: string | null;
  userId: string | null;
  teamId: string | null;
  createdBy: string;
  allowedHostnames?: string[];
}

export interface WebsiteRepo {
  /** Throws WebsiteIdTakenError when `id` is, or was, a website's id. */
  create(input: NewWebsite): Promise<Website>;
  get(id: string): Promise<Website | null>;
  getByLegacyId(legacyId: number): Promise<Website | null>;
  getByShareId(shareId: string): Promise<Website | null>;
  update(id: string, patch: WebsitePatch): Promise<Website | null>;
  /** Deletes the website's metadata and keeps its id as a tombstone. */
  delete(id: string): Promise<void>;
  list(filter: WebsiteFilter, page: PageRequest): Promise<Page<Website>>;
  /**
   * Calls `listener` after each change this process commits, and waits for it before the change's
   * promise resolves (ingestion drops its cached copy and finishes in-flight writes). Other
   * processes on the same store learn of changes only by reading again.
   */
  onChange(listener: (change: WebsiteChange) => void | Promise<void>): () => void;
}

/** The random salt of the current SALT_ROTATION period, shared by every process on the store. */
export interface SaltRepo {
  /**
   * The salt of the period starting at `periodStart`, created from `candidate` if no process
   * made one yet (race-free), replacing and so destroying the previous period's. When another
   * process already moved on to a later period, that period's salt is returned instead.
   */
  claim(rotation: string, periodStart: Date, candidate: string): Promise<{ periodStart: Date; salt: string }>;
}

export type RefusedReason = 'hostname' | 'missingHostname' | 'bot' | 'ignoredIp';
export const REFUSED_REASONS: readonly RefusedReason[] = ['hostname', 'missingHostname', 'bot', 'ignoredIp'];

/**
 * Hits refused at ingestion, counted per website and reason. Counts are kept in memory and
 * written to metadata every few seconds and on close; a crash loses at most that interval.
 */
export interface RefusedRepo {
  add(websiteId: string, reason: RefusedReason): void;
  /** Stored counts plus this process's unwritten ones; `since` is when counting began (null: nothing refused yet). */
  get(websiteId: string): Promise<{ reasons: Record<RefusedReason, number>; since: Date | null }>;
  clear(websiteId: string): Promise<void>;
  /** Writes pending counts now. */
  flush(): Promise<void>;
}

export interface ReportRepo {
  create(input: { userId: string; websiteId: string; type: string; name: string; description: string; parameters: unknown }): Promise<Report>;
  get(id: string): Promise<Report | null>;
  update(id: string, patch: { websiteId?: string; type?: string; name?: string; description?: string; parameters?: unknown }): Promise<Report | null>;
  delete(id: string): Promise<void>;
  /**
   * `websiteIds`/`userId`: reports of those websites or by that user. `viewerId`: reports the user
   * wrote plus reports of every website the user owns or sees through a team.
   */
  list(filter: { websiteIds?: string[]; userId?: string; viewerId?: string; type?: string }, page: PageRequest): Promise<Page<Report>>;
}

export interface SegmentRepo {
  create(input: { websiteId: string; type: string; name: string; parameters: unknown }): Promise<Segment>;
  get(id: string): Promise<Segment | null>;
  update(id: string, patch: { type?: string; name?: string; parameters?: unknown }): Promise<Segment | null>;
  delete(id: string): Promise<void>;
  list(websiteId: string, filter: { type?: string }, page: PageRequest): Promise<Page<Segment>>;
}

/** Revoked login tokens, shared by every process on the same store. */
export interface TokenRepo {
  revoke(tokenId: string, expiresAt: Date): Promise<void>;
  isRevoked(tokenId: string): Promise<boolean>;
}

/** Raw metadata rows, for copying them to another store (`dashi migrate-store`). */
export interface MetadataCopy {
  /** Every row of a metadata table. */
  rows(table: string): Promise<Row[]>;
  /** Inserts the rows whose `key` column is not in the table yet; answers how many it inserted. */
  insertMissing(table: string, key: string, rows: Row[]): Promise<number>;
  /** Moves the v1 integer-id sequences past the ids present (after a copy). */
  syncSequences(): Promise<void>;
}

export type ApiKeyScope = 'read' | 'write';

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  /** The key's first characters (`dashi_` and a few more), to recognise it in lists. */
  prefix: string;
  scope: ApiKeyScope;
  /** The websites the key is limited to, or null for every website its owner may see. */
  websiteIds: string[] | null;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** API keys, stored by the SHA-256 of the secret. */
export interface ApiKeyRepo {
  create(input: { userId: string; name: string; hash: string; prefix: string; scope: ApiKeyScope; websiteIds: string[] | null; expiresAt: Date | null }): Promise<ApiKey>;
  getByHash(hash: string): Promise<ApiKey | null>;
  listByUser(userId: string): Promise<ApiKey[]>;
  /** Deletes the key if it belongs to the user; false when there was none. */
  delete(userId: string, id: string): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
}

/** A website's own data settings; null when it has none (defaults apply). */
export interface WebsiteSettings {
  websiteId: string;
  /** Days raw analytics rows are kept; null: forever. */
  retentionDays: number | null;
}

export interface WebsiteSettingsRepo {
  get(websiteId: string): Promise<WebsiteSettings | null>;
  set(websiteId: string, settings: { retentionDays: number | null }): Promise<void>;
  delete(websiteId: string): Promise<void>;
  list(): Promise<WebsiteSettings[]>;
}

export type PurgeKind = 'purge' | 'forget' | 'retention';

/** One deletion of analytics rows, as recorded in purge_log. */
export interface PurgeRecord {
  id: string;
  websiteId: string;
  /** Who asked; null for the retention scheduler. */
  userId: string | null;
  kind: PurgeKind;
  /** The filter parameters (purge), {sessionId} (forget) or {before} (retention). */
  filters: Record<string, unknown>;
  startAt: Date | null;
  endAt: Date | null;
  events: number;
  sessions: number;
  createdAt: Date;
}

export interface PurgeLogRepo {
  add(entry: Omit<PurgeRecord, 'id' | 'createdAt'>): Promise<PurgeRecord>;
  list(websiteId: string, page: PageRequest): Promise<Page<PurgeRecord>>;
}

/** What `dashi backup` writes beside the snapshot (manifest.json; src/store/duckdb/backup.ts). */
export interface BackupManifest {
  format: 'dashi-backup';
  version: number;
  createdAt: string;
  dashiVersion: string;
  store: 'duckdb';
  /** Rows per table in the snapshot. */
  tables: Record<string, number>;
  /** Every file of the backup but the manifest, by path relative to it. */
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface Store {
  readonly kind: StoreKind;
  readonly users: UserRepo;
  readonly teams: TeamRepo;
  readonly websites: WebsiteRepo;
  readonly reports: ReportRepo;
  readonly segments: SegmentRepo;
  readonly tokens: TokenRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly salts: SaltRepo;
  readonly refused: RefusedRepo;
  readonly websiteSettings: WebsiteSettingsRepo;
  readonly purgeLog: PurgeLogRepo;
  readonly analytics: AnalyticsStore;
  /** The metadata tables' raw rows, for copying between stores. */
  readonly metadataCopy: MetadataCopy;
  /**
   * The embedded store only: a consistent snapshot into the directory `target` (which must not
   * exist yet, or be empty), holding every hit acknowledged before the call.
   */
  readonly backup?: (target: string, dashiVersion: string) => Promise<BackupManifest>;
  close(): Promise<void>;
}
