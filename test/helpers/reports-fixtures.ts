// Shared fixture builder for the report tests: a real server, one website, and hits sent through
// POST /api/send back-dated with `timestamp`. Each visitor is a distinct (IP, User-Agent) pair, so
// the server derives a distinct session for each; `id` makes a visitor identified (a session id
// that does not rotate with the monthly salt).
import assert from 'node:assert/strict';
import { startDashi, stopAll, type Dashi } from './server.js';
import { testStores, type TestStore } from './stores.js';

export interface Visitor {
  readonly ip: string;
  readonly ua: string;
  /** Distinct id (identify): a stable session across salt periods. */
  readonly id?: string;
  /** Country code, sent as a CDN header (cf-ipcountry). */
  readonly country?: string;
  /** Region code within the country (cf-region-code), stored as COUNTRY-REGION. */
  readonly region?: string;
}

let counter = 0;

/** A new visitor with its own address and browser build number. */
export function visitor(id?: string, country?: string, region?: string): Visitor {
  counter++;
  return {
    country,
    region,
    ip: `203.0.113.${counter % 250}`,
    ua: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.${counter}.0 Safari/537.36`,
    id,
  };
}

export interface HitInput {
  url?: string;
  name?: string;
  referrer?: string;
  data?: Record<string, unknown>;
}

export class ReportFixture {
  token = '';
  websiteId = '';

  constructor(readonly dashi: Dashi) {}

  /** A server on `store` (the embedded one by default). */
  static async start(store?: TestStore, domain = 'shop.example'): Promise<ReportFixture> {
    const storeEnv = store ? await store.env() : {};
    // TZ=UTC: visit ids without a cache token roll over on the server's local clock hour.
    const dashi = await startDashi({ env: { TZ: 'UTC', APP_SECRET: 'reports-test-secret-of-at-least-32-bytes', ...storeEnv } });
    const f = new ReportFixture(dashi);
    f.token = await dashi.login();
    f.websiteId = await f.createWebsite('Shop', domain);
    return f;
  }

  async createWebsite(name: string, domain: string): Promise<string> {
    const res = await this.dashi.post('/api/websites', { name, domain }, { token: this.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.id;
  }

  /** One hit at an ISO instant (UTC, `Z`), as a pageview or (with `name`) a custom event. */
  async hit(v: Visitor, at: string, input: HitInput, websiteId = this.websiteId): Promise<void> {
    const ts = Date.parse(at);
    assert.ok(Number.isFinite(ts), `bad fixture time ${at}`);
    const payload: Record<string, unknown> = {
      website: websiteId,
      hostname: 'shop.example',
      language: 'en-US',
      screen: '1920x1080',
      url: input.url ?? '/',
      timestamp: Math.floor(ts / 1000),
    };
    if (input.name) payload.name = input.name;
    if (input.referrer) payload.referrer = input.referrer;
    if (input.data) payload.data = input.data;
    if (v.id) payload.id = v.id;
    const headers: Record<string, string> = { 'user-agent': v.ua, 'x-forwarded-for': v.ip };
    if (v.country) headers['cf-ipcountry'] = v.country;
    if (v.region) headers['cf-region-code'] = v.region;
    const res = await this.dashi.post('/api/send', { type: 'event', payload }, { headers });
    assert.equal(res.status, 200, `send failed: ${JSON.stringify(res.body)}`);
  }

  /** Several hits of one visitor: [iso, input] pairs. */
  async hits(v: Visitor, list: [string, HitInput | string][]): Promise<void> {
    for (const [at, input] of list) await this.hit(v, at, typeof input === 'string' ? { url: input } : input);
  }

  report(type: string, body: Record<string, unknown>, token = this.token) {
    return this.dashi.post(`/api/reports/${type}`, { websiteId: this.websiteId, ...body }, { token });
  }
}

/** Seed 001's dateRange for [start, end] (ISO instants). */
export function dateRange(startDate: string, endDate: string, unit = 'day') {
  return { startDate, endDate, unit, offset: 0, num: 1, value: 'custom' };
}

/** Floating-point results compared to a few decimals. */
export function close(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} expected ${expected}, got ${actual}`);
}

/** Every store this machine can run (DuckDB always; PostgreSQL and ClickHouse when reachable). */
export const STORES: TestStore[] = await testStores();

/** Stop the servers of a file and drop the databases made for them. */
export async function stopAllStores(): Promise<void> {
  await stopAll();
  for (const s of STORES) await s.cleanup();
}
