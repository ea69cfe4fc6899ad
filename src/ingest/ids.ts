// Session and visit ids, derived like Umami's so ids stay stable across a switch:
// uuid(...parts) = UUIDv5(DNS namespace, sha512hex(parts + sha512hex(secret))).
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

export type SaltRotation = 'day' | 'week' | 'month';

export function sha512(...parts: string[]): string {
  return createHash('sha512').update(parts.join('')).digest('hex');
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

export class Ids {
  private readonly secret: string;
  private readonly salts = new Map<string, string>();

  constructor(appSecret: string, private readonly rotation: SaltRotation = 'month') {
    this.secret = sha512(appSecret);
  }

  uuid(...parts: string[]): string {
    return uuidv5(sha512(...parts, this.secret), uuidv5.DNS);
  }

  private salt(date: Date, period: SaltRotation | 'hour'): string {
    const key = periodStart(date, period).toUTCString();
    let salt = this.salts.get(key);
    if (!salt) {
      if (this.salts.size > 1000) this.salts.clear();
      salt = sha512(key);
      this.salts.set(key, salt);
    }
    return salt;
  }

  /** Anonymous visitor: website, address and browser within one salt period. */
  sessionId(websiteId: string, ip: string, userAgent: string, at: Date): string {
    return this.uuid(websiteId, ip, userAgent, this.salt(at, this.rotation));
  }

  /** Identified visitor (identify's id): the same session across devices and periods. */
  distinctSessionId(websiteId: string, distinctId: string): string {
    return this.uuid(websiteId, distinctId);
  }

  /** A visit without a cache token: the session within one clock hour. */
  visitId(sessionId: string, at: Date): string {
    return this.uuid(sessionId, this.salt(at, 'hour'));
  }
}
