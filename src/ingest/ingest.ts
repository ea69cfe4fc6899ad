// One hit from request to rows: validate, look up the website, enrich (UA, bot, IP, geo),
// derive session and visit, build rows and hand them to the writer.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../lib/http-error.js';
import type { z } from 'zod';
import type { EventDataRow, EventRow, RefusedReason, RefusedRepo, SaltRepo, SessionDataRow, SessionRow, Store, Website } from '../store/types.js';
import { EventType } from '../store/types.js';
import { clientInfo } from './client.js';
import { DataLimitError, flattenData, type DataValue } from './data.js';
import { geoFromHeaders, type Geo, type GeoDb } from './geo.js';
import { hostnameMatcher, type HostnameCheck } from './hostnames.js';
import { Ids, type PeriodSalt, type SaltRotation } from './ids.js';
import { clientIp, ipMatcher, isPublicIp, normalizeIp } from './ip.js';
import { Lru } from './lru.js';
import { collectBody, collectPayload, describe, sendBody, sendPayload, type SendPayload } from './payload.js';
import { TokenSigner } from './token.js';
import { SaltKeeper } from './salt.js';
import { pageColumns, parseUrl, referrerColumns, type PageUrl, type Referrer } from './url.js';
import { storableRows } from './storable-rows.js';
import { QueueFullError, Writer, WriterClosedError, type HitRows } from './writer.js';
import { RowRejectedError } from '../store/store-errors.js';

const VISIT_SECONDS = 30 * 60;
/** How soon a process sees a website change made by another process on a server store. */
export const WEBSITE_CACHE_MS_SHARED = 5_000;
const NO_GEO: Geo = { country: null, region: null, city: null };

const bad = (message: string) => new HttpError(400, 'bad-request', message);

export interface HitRequest {
  headers: Record<string, string | string[] | undefined>;
  socketIp: string | undefined;
}

export interface SendResult {
  cache: string;
  sessionId: string;
  visitId: string;
}

export type Outcome = { kind: 'ok'; result: SendResult } | { kind: 'bot' };

export interface IngestOptions {
  appSecret: string;
  saltRotation: SaltRotation;
  removeTrailingSlash: boolean;
  disableBotCheck: boolean;
  ignoreIp: string[];
  clientIpHeader: string | null;
  skipLocationHeaders: boolean;
  /**
   * How long a website looked up for ingestion is trusted (default 60 s). Changes made in this
   * process apply at once; changes by other processes on the same store within this time.
   */
  websiteCacheMs?: number;
  /** Hears of a store failure that a hit was answered 503 for. */
  log?: { warn(details: object, msg: string): void };
}

/** Where ingestion keeps what it shares with other processes (none: this process only). */
export interface IngestState {
  salts?: SaltRepo | null;
  refused?: RefusedRepo | null;
}

interface Extra {
  /** v1 collect's event_type. */
  category?: string | null;
}

/** The hit's page URL and referrer columns. */
interface Urls {
  page: PageUrl;
  referrer: Referrer;
}

const NO_REFERRER: Referrer = { domain: null, path: null, query: null };

type Sites = Pick<Store['websites'], 'get' | 'getByLegacyId'> & Partial<Pick<Store['websites'], 'onChange'>>;

/** A website as ingestion caches it, with its hostname check. */
interface KnownSite {
  site: Website | null;
  allow: HostnameCheck | null;
  until: number;
}

export class Ingestor {
  private readonly ids: Ids;
  private readonly salts: SaltKeeper;
  private readonly refused: RefusedRepo | null;
  private readonly tokens: TokenSigner;
  private readonly ignored: (ip: string | null) => boolean;
  private readonly sites = new Lru<string, KnownSite>(10_000);
  private readonly siteMs: number;
  // Websites deleted by this process: a hit that looked one up just before is not written.
  private readonly retired = new Set<string>();
  // Writes handed to the writer and not yet settled, so a deletion can wait for them.
  private readonly inflight = new Set<Promise<void>>();
  // Sessions already given a session row, so clients without a cache token do not add one per hit.
  private readonly seen = new Lru<string, true>(200_000);

  constructor(
    private readonly opts: IngestOptions,
    private readonly websites: Sites,
    private readonly writer: Writer,
    private readonly geo: GeoDb | null,
    state: IngestState = {},
  ) {
    this.ids = new Ids(opts.appSecret);
    this.salts = new SaltKeeper(state.salts ?? null, opts.saltRotation);
    this.refused = state.refused ?? null;
    this.tokens = new TokenSigner(opts.appSecret);
    this.ignored = ipMatcher(opts.ignoreIp);
    this.siteMs = opts.websiteCacheMs ?? 60_000;
    websites.onChange?.(async (change) => {
      this.sites.delete(change.id);
      this.sites.delete(String(change.legacyId));
      if (change.kind === 'delete') this.retired.add(change.id);
      // Hits already queued land before the caller goes on (to delete the website's rows).
      if (change.kind !== 'create') await Promise.allSettled([...this.inflight]);
    });
  }

  /** Website by uuid or legacy integer id, cached briefly (misses too). */
  private async known(key: string | number): Promise<KnownSite> {
    const cacheKey = String(key);
    const hit = this.sites.get(cacheKey);
    const now = Date.now();
    if (hit && hit.until > now) return hit;
    let site;
    try {
      site =
        typeof key === 'number' || /^\d+$/.test(key)
          ? Number(key) <= 2 ** 31 ? await this.websites.getByLegacyId(Number(key)) : null
          : await this.websites.get(key);
    } catch (err) {
      // The store could not answer (out of memory under a merge, a lost connection): the hit is
      // not the cause. What was known a moment ago still holds, for a little longer; without it,
      // a retry may well be stored.
      this.opts.log?.warn({ err }, 'website lookup failed');
      if (hit) {
        hit.until = now + 5_000;
        return hit;
      }
      throw new HttpError(503, 'service-unavailable', 'Could not look up the website, retry later', { 'retry-after': '5' });
    }
    const known: KnownSite = { site, allow: site ? hostnameMatcher(site.allowedHostnames ?? []) : null, until: now + Math.min(this.siteMs, site ? 60_000 : 10_000) };
    this.sites.set(cacheKey, known);
    return known;
  }

  private refuse(websiteId: string, reason: RefusedReason): void {
    this.refused?.add(websiteId, reason);
  }

  /** POST /api/send */
  async send(body: unknown, req: HitRequest): Promise<Outcome> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('Body must be a JSON object with type and payload');
    const outer = parse(sendBody, body, '');
    const payload = parse(sendPayload, outer.payload, 'payload');
    const known = await this.known(payload.website);
    if (!known.site) throw bad('Website not found.');
    return this.hit(outer.type, payload, known, req, {});
  }

  /** POST /api/collect (v1): pageview or event with event_type/event_value. */
  async collect(body: unknown, req: HitRequest): Promise<Outcome> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('Body must be a JSON object with type and payload');
    const outer = parse(collectBody, body, '');
    const p = parse(collectPayload, outer.payload, 'payload');
    const known = await this.known(p.website);
    const site = known.site;
    if (!site) throw bad('Website not found.');
    if (outer.type === 'event' && !p.event_value) throw bad('payload.event_value: required for events');
    const payload: SendPayload = {
      website: site.id,
      url: p.url,
      hostname: p.hostname,
      language: p.language,
      referrer: p.referrer,
      screen: p.screen,
      name: outer.type === 'event' ? p.event_value : undefined,
      data: p.event_data,
    };
    return this.hit('event', payload, known, req, { category: outer.type === 'event' ? (p.event_type ?? null) : null });
  }

  private async hit(type: 'event' | 'identify' | 'performance', p: SendPayload, known: KnownSite, req: HitRequest, extra: Extra): Promise<Outcome> {
    const site = known.site!;
    // Parsed once here, for validation and for the event row (a missing URL is the site's root).
    const page = pageColumns(p.url ?? '', p.hostname ?? undefined, this.opts.removeTrailingSlash);
    if (page === null) throw bad('payload.url: not a valid URL');
    const ref = p.referrer ? referrerColumns(p.referrer, p.hostname ?? undefined) : NO_REFERRER;
    if (ref === null) throw bad('payload.referrer: not a valid URL');
    const urls: Urls = { page, referrer: ref };
    let data: DataValue[] = [];
    try {
      if (p.data) data = flattenData(p.data, 'payload.data');
    } catch (err) {
      if (err instanceof DataLimitError) throw bad(err.message);
      throw err;
    }

    if (known.allow !== null) {
      // The page's own hostname: the payload's, else an absolute URL's (www. kept).
      const host = p.hostname || (p.url && /^https?:\/\//i.test(p.url) ? parseUrl(p.url, undefined)?.hostname : null);
      if (!host) {
        this.refuse(site.id, 'missingHostname');
        throw new HttpError(403, 'forbidden', 'payload.hostname: required, this website accepts hits only from its allowed hostnames');
      }
      if (!known.allow(host)) {
        this.refuse(site.id, 'hostname');
        throw new HttpError(403, 'forbidden', 'payload.hostname: not an allowed hostname of this website');
      }
    }

    const header = req.headers['user-agent'];
    const userAgent = p.userAgent ?? (Array.isArray(header) ? header[0] : header) ?? '';
    const client = clientInfo(userAgent, p.screen ?? undefined);
    // No User-Agent at all is not a browser; @umami/node sends one.
    if (!this.opts.disableBotCheck && (client.bot || !userAgent)) {
      this.refuse(site.id, 'bot');
      return { kind: 'bot' };
    }

    let ip: string | null;
    if (p.ip) {
      ip = normalizeIp(p.ip);
      if (!ip) throw bad('payload.ip: not an IP address');
    } else {
      ip = clientIp(req.headers, req.socketIp, this.opts.clientIpHeader ?? undefined);
    }
    if (this.ignored(ip)) {
      this.refuse(site.id, 'ignoredIp');
      throw new HttpError(403, 'forbidden', 'Forbidden');
    }

    const now = new Date();
    const createdAt = p.timestamp != null ? new Date(p.timestamp * 1000) : now;
    const geo = this.locate(ip, req, Boolean(p.ip));

    const distinctId = p.id ?? null;
    let sessionId: string;
    if (distinctId) {
      sessionId = this.ids.distinctSessionId(site.id, distinctId);
    } else {
      const current = this.salts.salt();
      const salt = current instanceof Promise ? await saltOrUnavailable(current) : current;
      sessionId = this.ids.sessionId(site.id, ip ?? 'undefined', userAgent, salt);
    }

    // Visit: carried by the cache token for up to 30 minutes from its start, else session + hour.
    const nowSec = Math.floor(now.getTime() / 1000);
    const rawCache = req.headers['x-umami-cache'];
    const cacheHeader = Array.isArray(rawCache) ? rawCache[0] : rawCache;
    const token = this.tokens.verify(cacheHeader);
    const sameSession = token !== null && token.websiteId === site.id && token.sessionId === sessionId;
    let visitId: string;
    let iat: number;
    if (sameSession && (p.timestamp != null || nowSec - token.iat <= VISIT_SECONDS)) {
      visitId = token.visitId;
      iat = token.iat;
    } else {
      visitId = this.ids.visitId(sessionId, sameSession ? now : createdAt);
      iat = nowSec;
    }
    const unchanged = sameSession && visitId === token.visitId && iat === token.iat;
    const result: SendResult = {
      cache: unchanged ? (cacheHeader as string) : this.tokens.sign({ websiteId: site.id, sessionId, visitId, iat }),
      sessionId,
      visitId,
    };
    if (type === 'performance') return { kind: 'ok', result }; // web vitals are not stored (yet)

    const session: SessionRow = {
      sessionId,
      websiteId: site.id,
      createdAt,
      browser: p.browser ?? client.browser,
      os: p.os ?? client.os,
      device: p.device ?? client.device,
      screen: p.screen ?? null,
      language: p.language ?? null,
      country: geo.country,
      region: geo.region,
      city: geo.city,
      distinctId,
    };
    const rows: HitRows = { events: [], eventData: [], sessions: [], sessionData: [] };
    const newSession = !sameSession && this.seen.get(sessionId) === undefined;
    if (newSession) {
      rows.sessions.push(session);
      this.seen.set(sessionId, true);
    }

    if (type === 'identify') {
      for (const d of data) rows.sessionData.push(dataRow<SessionDataRow>(d, site.id, sessionId, createdAt, { distinctId }));
    } else {
      const event = this.eventRow(p, site.id, session, visitId, createdAt, extra, urls);
      rows.events.push(event);
      for (const d of data) {
        rows.eventData.push(dataRow<EventDataRow>(d, site.id, sessionId, createdAt, { eventId: event.eventId, eventName: event.eventName, urlPath: event.urlPath }));
      }
    }
    if (rows.events.length || rows.sessions.length || rows.sessionData.length) {
      if (this.retired.has(site.id)) throw bad('Website not found.');
      const written = this.writer.enqueue(storableRows(rows));
      this.inflight.add(written);
      try {
        await written;
      } catch (err) {
        if (newSession) this.seen.delete(sessionId);
        throw writeError(err);
      } finally {
        this.inflight.delete(written);
      }
    }
    return { kind: 'ok', result };
  }

  private locate(ip: string | null, req: HitRequest, ipFromPayload: boolean): Geo {
    if (!ipFromPayload && !this.opts.skipLocationHeaders) {
      const fromCdn = geoFromHeaders(req.headers);
      if (fromCdn) return fromCdn;
    }
    if (!ip || !this.geo || !isPublicIp(ip)) return NO_GEO;
    return this.geo.lookup(ip);
  }

  private eventRow(p: SendPayload, websiteId: string, s: SessionRow, visitId: string, createdAt: Date, extra: Extra, urls: Urls): EventRow {
    const { page, referrer: ref } = urls;
    return {
      eventId: randomUUID(),
      websiteId,
      sessionId: s.sessionId,
      visitId,
      createdAt,
      eventType: p.name ? EventType.customEvent : EventType.pageView,
      eventName: p.name ?? null,
      eventCategory: extra.category ?? null,
      urlPath: page.path,
      urlQuery: page.query,
      pageTitle: p.title ? safeDecodeComponent(p.title).slice(0, 500) : null,
      hostname: page.hostname,
      referrerDomain: ref.domain,
      referrerPath: ref.path,
      referrerQuery: ref.query,
      utmSource: page.params.utm_source ?? null,
      utmMedium: page.params.utm_medium ?? null,
      utmCampaign: page.params.utm_campaign ?? null,
      utmContent: page.params.utm_content ?? null,
      utmTerm: page.params.utm_term ?? null,
      gclid: page.params.gclid ?? null,
      fbclid: page.params.fbclid ?? null,
      msclkid: page.params.msclkid ?? null,
      ttclid: page.params.ttclid ?? null,
      liFatId: page.params.li_fat_id ?? null,
      twclid: page.params.twclid ?? null,
      tag: p.tag ?? null,
      browser: s.browser,
      os: s.os,
      device: s.device,
      screen: s.screen,
      language: s.language,
      country: s.country,
      region: s.region,
      city: s.city,
      distinctId: s.distinctId,
    };
  }
}

function dataRow<T>(d: DataValue, websiteId: string, sessionId: string, createdAt: Date, extra: Omit<T, keyof DataValueRow>): T {
  return {
    websiteId,
    sessionId,
    createdAt,
    dataKey: d.key,
    stringValue: d.stringValue,
    numberValue: d.numberValue,
    dateValue: d.dateValue,
    dataType: d.type,
    ...extra,
  } as T;
}

type DataValueRow = Omit<SessionDataRow, 'distinctId'>;

function safeDecodeComponent(s: string): string {
  if (!s.includes('%')) return s; // nothing to decode (most titles)
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw bad(describe(r.error, prefix));
  return r.data;
}

/** A new period's salt; 503 when the store cannot be reached for it. */
async function saltOrUnavailable(loading: Promise<PeriodSalt>): Promise<PeriodSalt> {
  try {
    return await loading;
  } catch {
    throw new HttpError(503, 'service-unavailable', 'Could not read the visitor salt, retry later', { 'retry-after': '5' });
  }
}

function writeError(err: unknown): HttpError {
  // The hit's own data, which no retry will store: the client's error, not the server's.
  if (err instanceof RowRejectedError) return bad('payload: the store cannot hold a value of this hit');
  if (err instanceof QueueFullError) return new HttpError(503, 'service-unavailable', err.message, { 'retry-after': '1' });
  if (err instanceof WriterClosedError) return new HttpError(503, 'service-unavailable', err.message, { 'retry-after': '5' });
  return new HttpError(503, 'service-unavailable', 'Could not store the hit, retry later', { 'retry-after': '5' });
}
