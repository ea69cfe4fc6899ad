// Session and visit ids, shaped like Umami's:
// uuid(...parts) = UUIDv5(DNS namespace, sha512hex(parts + sha512hex(secret))).
// An anonymous session hashes website, address and browser with the period's salt, which is
// random and lives only while its period is current (see salt.ts), never derived from the date:
// holding the secret does not let anyone recompute a past period's ids.
// Hashing is the hot path of every hit, so UUIDv5 is computed here with node:crypto directly
// (the uuid package re-parses the namespace on every call); a test pins it to uuid's output.
import crypto, { createHash } from 'node:crypto';
import { Lru } from './lru.js';

export type SaltRotation = 'day' | 'week' | 'month';

// RFC 4122 DNS namespace 6ba7b810-9dad-11d1-80b4-00c04fd430c8 as bytes.
const DNS_NAMESPACE = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');

// One-shot crypto.hash (Node >= 20.12) skips a Hash object per call.
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: string) => string | Buffer }).hash;

export function sha512(...parts: string[]): string {
  const data = parts.join('');
  return oneShot ? (oneShot('sha512', data, 'hex') as string) : createHash('sha512').update(data).digest('hex');
}

export function uuidv5(name: string): string {
  const input = Buffer.concat([DNS_NAMESPACE, Buffer.from(name, 'utf8')]);
  const b = oneShot ? (oneShot('sha1', input, 'buffer') as Buffer) : createHash('sha1').update(input).digest();
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The salt of one SALT_ROTATION period; `start` (ms) identifies the period. */
export interface PeriodSalt {
  start: number;
  value: string;
}

/** Start of the period in the server's local time zone, as Umami (date-fns) computes it. */
export function periodStart(date: Date, period: SaltRotation | 'hour'): Date {
  const y = date.getFullYear();
  const m = date.getMonth();
  const d = date.getDate();
  switch (period) {
    case 'month':
      return new Date(y, m, 1);
    case 'week':
      return new Date(y, m, d - date.getDay()); // weeks start on Sunday
    case 'day':
      return new Date(y, m, d);
    case 'hour':
      return new Date(y, m, d, date.getHours());
  }
}

/** Start of the period after the one holding `date`. */
export function nextPeriodStart(date: Date, period: SaltRotation): Date {
  const start = periodStart(date, period);
  const y = start.getFullYear();
  const m = start.getMonth();
  const d = start.getDate();
  switch (period) {
    case 'month':
      return new Date(y, m + 1, 1);
    case 'week':
      return new Date(y, m, d + 7);
    case 'day':
      return new Date(y, m, d + 1);
  }
}

/** A session id cached under its address, with the rest of what it was derived from. */
interface SessionEntry {
  start: number;
  websiteId: string;
  userAgent: string;
  id: string;
}

/** Most browsers remembered per address (a busy NAT may have more; the oldest are forgotten). */
const PER_ADDRESS = 16;

interface HourSalt {
  hour: string;
  /** Start of the hour (ms), a short cache key for the salt above. */
  hourStart: number;
}

export class Ids {
  private readonly secret: string;
  // Hour salts per wall-clock minute: every time zone offset is whole minutes, so a minute never
  // straddles an hour boundary. (A visit id hashes its session id, already salted at random.)
  private readonly salts = new Map<number, HourSalt>();
  // Real visitors send several hits; each id costs a sha512 and a sha1 (~5 µs together), while a
  // lookup by the same inputs (salt period instead of salt) costs a fraction of that. The caches
  // are keyed by strings the hit already has (address, session id) rather than by a long key
  // built per hit: hashing a fresh 200-character key cost more than the rest of the lookup.
  private readonly sessions = new Lru<string, SessionEntry[]>(50_000);
  private readonly visits = new Lru<string, { hourStart: number; id: string }>(50_000);

  constructor(appSecret: string) {
    this.secret = sha512(appSecret);
  }

  uuid(...parts: string[]): string {
    return uuidv5(sha512(...parts, this.secret));
  }

  private saltsAt(date: Date): HourSalt {
    const minute = Math.floor(date.getTime() / 60_000);
    let salts = this.salts.get(minute);
    if (!salts) {
      if (this.salts.size > 10_000) this.salts.clear();
      const hourStart = periodStart(date, 'hour');
      salts = { hour: sha512(hourStart.toUTCString()), hourStart: hourStart.getTime() };
      this.salts.set(minute, salts);
    }
    return salts;
  }

  /** Anonymous visitor: website, address and browser within one salt period. */
  sessionId(websiteId: string, ip: string, userAgent: string, salt: PeriodSalt): string {
    const start = salt.start;
    const known = this.sessions.get(ip);
    if (known !== undefined) {
      for (const e of known) if (e.start === start && e.websiteId === websiteId && e.userAgent === userAgent) return e.id;
    }
    const id = this.uuid(websiteId, ip, userAgent, salt.value);
    const entry: SessionEntry = { start, websiteId, userAgent, id };
    if (known === undefined) this.sessions.set(ip, [entry]);
    else if (known.unshift(entry) > PER_ADDRESS) known.pop();
    return id;
  }

  /** Identified visitor (identify's id): the same session across devices and periods. */
  distinctSessionId(websiteId: string, distinctId: string): string {
    return this.uuid(websiteId, distinctId);
  }

  /** A visit without a cache token: the session within one clock hour. */
  visitId(sessionId: string, at: Date): string {
    const salts = this.saltsAt(at);
    const known = this.visits.get(sessionId);
    if (known !== undefined && known.hourStart === salts.hourStart) return known.id;
    const id = this.uuid(sessionId, salts.hour);
    this.visits.set(sessionId, { hourStart: salts.hourStart, id });
    return id;
  }
}
