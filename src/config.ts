// Configuration from environment variables, with Umami's names so an Umami .env keeps working.
// An invalid value stops the start with a message that names the variable.
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', '0', '1', 'true', 'false', 'yes', 'no'].includes(v), 'expected true/false/1/0')
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const basePath = z
  .string()
  .trim()
  .refine((v) => v === '' || /^\/[A-Za-z0-9._~\-/]*$/.test(v), 'must start with / and contain only URL path characters')
  .transform((v) => v.replace(/\/+$/, ''));

/** A signing secret: at least 32 bytes (256 bits), what `openssl rand -hex 16` or more gives. */
const SECRET_MIN_BYTES = 32;
export const secretProblem = (value: string) =>
  Buffer.byteLength(value) >= SECRET_MIN_BYTES ? null : `must be at least ${SECRET_MIN_BYTES} bytes (it has ${Buffer.byteLength(value)}); generate one with: openssl rand -hex 32`;
const secret = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = secretProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Words TRUSTED_PROXIES accepts for common sets of proxy addresses. */
const PROXY_SETS: Record<string, string[]> = {
  none: [],
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};

const validAddressOrRange = (entry: string) => {
  try {
    if (entry.includes('/')) ipaddr.parseCIDR(entry);
    else ipaddr.parse(entry);
    return true;
  } catch {
    return false;
  }
};

const proxies = list.transform((entries, ctx) => {
  const out: string[] = [];
  for (const entry of entries) {
    const set = PROXY_SETS[entry.toLowerCase()];
    if (set) out.push(...set);
    else if (validAddressOrRange(entry)) out.push(entry);
    else ctx.addIssue({ code: 'custom', message: `not an address, CIDR range or one of ${Object.keys(PROXY_SETS).join(', ')}: ${entry.slice(0, 60)}` });
  }
  return out;
});

/** BACKUP_EVERY: a whole number of seconds, minutes, hours or days (`6h`, `1d`), in milliseconds. */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const every = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx) => {
    const m = /^(\d{1,6})(s|m|h|d)$/.exec(v);
    const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : 0;
    if (!m || ms < 1000 || ms > 366 * UNIT_MS.d) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30m, 6h or 1d (s, m, h, d; from 1s to 366d), not ${v.slice(0, 40)}` });
      return z.NEVER;
    }
    return ms;
  });

/** A memory size such as `256MB` or `1.5GiB` (at least 64 MB), as DuckDB's memory_limit in whole MB. */
const DUCKDB_UNITS: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
const memorySize = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const m = /^(\d{1,7}(?:\.\d{1,3})?)\s*([kmgt]i?b)$/i.exec(v);
    const bytes = m ? Number(m[1]) * DUCKDB_UNITS[m[2].toLowerCase()] : NaN;
    if (!(bytes >= 64e6)) {
      ctx.addIssue({ code: 'custom', message: 'must be a size of at least 64MB, such as 256MB or 1GB' });
      return z.NEVER;
    }
    return `${Math.floor(bytes / 1e6)}MB`;
  });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOSTNAME: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL')
    .optional(),
  CLICKHOUSE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^(https?:\/\/|chdb:.)/.test(v), 'must be an http(s):// URL (or chdb:<directory> for the in-process engine)')
    .optional(),
  REDIS_URL: z.string().trim().optional(),
  APP_SECRET: secret.optional(),
  // Umami v1's name for the secret; checked only when it is the one used (APP_SECRET unset).
  HASH_SALT: z.string().trim().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  CLIENT_IP_HEADER: z.string().trim().toLowerCase().optional(),
  TRUSTED_PROXIES: proxies.default(PROXY_SETS.loopback),
  IGNORE_IP: list.default([]),
  DISABLE_BOT_CHECK: flag.default(false),
  TRACKER_SCRIPT_NAME: list.default([]),
  COLLECT_API_ENDPOINT: z
    .string()
    .trim()
    .refine((v) => v === '' || v.startsWith('/'), 'must start with /')
    .optional(),
  BASE_PATH: basePath.default(''),
  SALT_ROTATION: z.enum(['day', 'week', 'month']).default('month'),
  REMOVE_TRAILING_SLASH: flag.default(false),
  DISABLE_LOGIN: flag.default(false),
  DISABLE_UI: flag.default(false),
  TOKEN_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_MAX_AGE: z.coerce.number().int().min(0).default(86400),
  GEOLITE_DB_PATH: z.string().trim().optional(),
  SKIP_LOCATION_HEADERS: flag.default(false),
  INGEST_QUEUE_SIZE: z.coerce.number().int().min(1).default(50_000),
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  ALLOWED_FRAME_URLS: z
    .string()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .refine((v) => v.every((s) => /^(https?:\/\/)?[A-Za-z0-9*.-]+(:\d+|:\*)?$/.test(s) || s === "'self'"), "must be origins such as https://example.com or 'self', separated by spaces")
    .default([]),
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  REPORT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(3),
  REPORT_QUEUE_SIZE: z.coerce.number().int().min(0).max(100_000).default(32),
  DATA_RETENTION_DAYS: z.coerce.number().int('must be whole days').min(1).max(36500).optional(),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(100).max(7 * 86_400_000).default(3_600_000),
  // Scheduled backups of the embedded store (src/server/backup-scheduler.ts).
  BACKUP_DIR: z.string().trim().optional(),
  BACKUP_EVERY: every.optional(),
  BACKUP_KEEP: z.coerce.number('must be a number').int('must be a whole number').min(1).max(10_000).default(7),
  DUCKDB_MEMORY_LIMIT: memorySize.default('256MB'),
  DUCKDB_THREADS: z.coerce.number().int().min(1).max(256).optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  clickhouseUrl: string | null;
  redisUrl: string | null;
  /** Set by the server at start: APP_SECRET, or one generated and kept under DATA_DIR. */
  appSecret: string | null;
  hashSalt: string | null;
  adminPassword: string | null;
  clientIpHeader: string | null;
  /**
   * Addresses and CIDR ranges of reverse proxies whose X-Forwarded-For the login throttle believes
   * (TRUSTED_PROXIES, loopback by default).
   */
  trustedProxies: string[];
  ignoreIp: string[];
  disableBotCheck: boolean;
  trackerScriptNames: string[];
  collectApiEndpoint: string | null;
  basePath: string;
  saltRotation: 'day' | 'week' | 'month';
  removeTrailingSlash: boolean;
  disableLogin: boolean;
  disableUi: boolean;
  tokenTtlSeconds: number;
  logLevel: string;
  corsMaxAge: number;
  /** A GeoLite2-City or DB-IP city .mmdb instead of the bundled DB-IP Lite files. */
  geoDbPath: string | null;
  /** Ignore CDN geo headers (cf-ipcountry, ...) and always use the IP database. */
  skipLocationHeaders: boolean;
  /** Hits waiting for the ingest writer before /api/send answers 503. */
  ingestQueueSize: number;
  /** Requests per minute one API key may make (per process). */
  apiKeyRateLimit: number;
  /** CSP frame-ancestors sources allowed to embed the dashboard (none by default). */
  allowedFrameUrls: string[];
  /** Time budget of one analytics query, in milliseconds; past it the store cancels the query. */
  queryTimeoutMs: number;
  /** Report runs and share-link analytics reads running at once in this process. */
  reportConcurrency: number;
  /** How many more may wait (up to 10 s) for a place before a 429. */
  reportQueueSize: number;
  /** Days raw analytics rows are kept for websites without their own setting; null: forever. */
  dataRetentionDays: number | null;
  /** How often the retention scheduler runs (the first run comes sooner, at most a minute after start). */
  retentionIntervalMs: number;
  /** Where scheduled backups go (BACKUP_DIR, absolute); null: none. */
  backupDir: string | null;
  /** Time between scheduled backups (BACKUP_EVERY, 1d by default). */
  backupEveryMs: number;
  /** Scheduled backups kept; older ones are deleted (BACKUP_KEEP). */
  backupKeep: number;
  /** The embedded store's memory limit (DuckDB's memory_limit), e.g. `256MB`; past it DuckDB spills to disk. */
  duckdbMemoryLimit: string;
  /** DuckDB worker threads of the embedded store; null: one per core. */
  duckdbThreads: number | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in a .env file with `NAME=`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema
    .superRefine((e, ctx) => {
      const problem = !e.APP_SECRET && e.HASH_SALT ? secretProblem(e.HASH_SALT) : null;
      if (problem) ctx.addIssue({ code: 'custom', path: ['HASH_SALT'], message: problem });
      if (e.BACKUP_EVERY !== undefined && !e.BACKUP_DIR) ctx.addIssue({ code: 'custom', path: ['BACKUP_EVERY'], message: 'needs BACKUP_DIR (where the backups go)' });
      if (e.BACKUP_DIR && e.DATABASE_URL) {
        ctx.addIssue({ code: 'custom', path: ['BACKUP_DIR'], message: 'scheduled backups are for the embedded store: back up PostgreSQL (and ClickHouse) with their own tools (README: Backup and restore)' });
      }
      if (e.BACKUP_DIR) {
        const dir = path.resolve(e.BACKUP_DIR);
        const rel = path.relative(path.resolve(e.DATA_DIR), dir);
        if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) ctx.addIssue({ code: 'custom', path: ['BACKUP_DIR'], message: `must be outside DATA_DIR (${path.resolve(e.DATA_DIR)})` });
      }
    })
    .safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOSTNAME,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL || null,
    clickhouseUrl: e.CLICKHOUSE_URL || null,
    redisUrl: e.REDIS_URL || null,
    appSecret: e.APP_SECRET || null,
    hashSalt: e.HASH_SALT || null,
    adminPassword: e.ADMIN_PASSWORD ?? null,
    clientIpHeader: e.CLIENT_IP_HEADER || null,
    trustedProxies: e.TRUSTED_PROXIES,
    ignoreIp: e.IGNORE_IP,
    disableBotCheck: e.DISABLE_BOT_CHECK,
    trackerScriptNames: e.TRACKER_SCRIPT_NAME,
    collectApiEndpoint: e.COLLECT_API_ENDPOINT || null,
    basePath: e.BASE_PATH,
    saltRotation: e.SALT_ROTATION,
    removeTrailingSlash: e.REMOVE_TRAILING_SLASH,
    disableLogin: e.DISABLE_LOGIN,
    disableUi: e.DISABLE_UI,
    tokenTtlSeconds: Math.max(1, Math.round(e.TOKEN_TTL_HOURS * 3600)),
    logLevel: e.LOG_LEVEL,
    corsMaxAge: e.CORS_MAX_AGE,
    geoDbPath: e.GEOLITE_DB_PATH || null,
    skipLocationHeaders: e.SKIP_LOCATION_HEADERS,
    ingestQueueSize: e.INGEST_QUEUE_SIZE,
    apiKeyRateLimit: e.API_KEY_RATE_LIMIT,
    allowedFrameUrls: e.ALLOWED_FRAME_URLS,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    reportConcurrency: e.REPORT_CONCURRENCY,
    reportQueueSize: e.REPORT_QUEUE_SIZE,
    dataRetentionDays: e.DATA_RETENTION_DAYS ?? null,
    retentionIntervalMs: e.RETENTION_INTERVAL_MS,
    backupDir: e.BACKUP_DIR ? path.resolve(e.BACKUP_DIR) : null,
    backupEveryMs: e.BACKUP_EVERY ?? UNIT_MS.d,
    backupKeep: e.BACKUP_KEEP,
    duckdbMemoryLimit: e.DUCKDB_MEMORY_LIMIT,
    duckdbThreads: e.DUCKDB_THREADS ?? null,
  };
}
