// Slows password guessing at /api/auth/login without letting an attacker lock real users out.
//
// Which address a login counts against: behind a reverse proxy every connection comes from the
// proxy, so its X-Forwarded-For is read, but only when the connection comes from a trusted proxy
// (TRUSTED_PROXIES, loopback by default), and from the right: each trusted proxy appends the
// address it saw, so the right-most hop that is not a trusted proxy is the client, and anything
// to its left was written by the client. CLIENT_IP_HEADER, when set, is read the same way from any
// peer (the operator says their proxy sets it, as in Umami). IPv6 clients usually hold a whole
// /64, so IPv6 addresses count per /64.
//
// What is counted, in one bounded LRU map (least recently used entries go first; an attacker
// cannot flush it, and an entry in use stays):
// - per address: 20 failures in 15 minutes, over any usernames;
// - per address and username: 5 failures in 15 minutes;
// - per username, over all addresses: after 10 failures in 15 minutes each further attempt waits
//   1 s after the last failure, doubling up to 60 s. That caps a distributed guesser at about one
//   guess a minute per account while a real user waits at most a minute; an address the user
//   has logged in from recently is not delayed at all.
import ipaddr from 'ipaddr.js';
import { ipMatcher, normalizeIp } from '../ingest/ip.js';
import { Lru } from '../ingest/lru.js';

type Headers = Record<string, string | string[] | undefined>;
export type ProxyMatcher = (ip: string) => boolean;

/** Matcher for the expanded TRUSTED_PROXIES list (Config.trustedProxies). */
export function proxyMatcher(entries: string[]): ProxyMatcher {
  const match = ipMatcher(entries);
  return (ip) => match(ip);
}

/** One hop of a forwarding header: without quotes, brackets or port. */
function hopText(raw: string): string {
  const v = raw.trim().replace(/^"|"$/g, '');
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  const colon = v.indexOf(':');
  // a.b.c.d:port; bare IPv6 has more than one colon
  return colon > 0 && colon === v.lastIndexOf(':') ? v.slice(0, colon) : v;
}

/** The client address of a login request (see the top of this file). */
export function loginAddress(headers: Headers, socketAddress: string | undefined, clientIpHeader: string | null, trusted: ProxyMatcher): string {
  const peer = (socketAddress && normalizeIp(socketAddress)) || 'unknown';
  const name = clientIpHeader ?? (trusted(peer) ? 'x-forwarded-for' : null);
  const raw = name ? headers[name] : undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!value) return peer;
  const hops = value.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hopText(hops[i]));
    // Left of something that is not an address, everything was written by the client.
    if (!ip) break;
    client = ip;
    if (!trusted(ip)) break;
  }
  return client;
}

/** The unit an address is counted in: IPv4 whole, IPv6 by /64. */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    const parts = (ipaddr.parse(ip) as ipaddr.IPv6).parts;
    return `${parts
      .slice(0, 4)
      .map((p) => p.toString(16))
      .join(':')}::/64`;
  } catch {
    return ip;
  }
}

export interface LoginThrottleOptions {
  windowMs?: number;
  perAddress?: number;
  perAddressUser?: number;
  /** Failures for one username (any address) before attempts are delayed. */
  perUserFree?: number;
  perUserMaxDelayMs?: number;
  /** How long a successful login keeps its address exempt from the per-username delay. */
  knownAddressMs?: number;
  /** Entries kept (least recently used go first). */
  maxKeys?: number;
}

export class LoginThrottle {
  private readonly entries: Lru<string, number[]>;
  private readonly windowMs: number;
  private readonly perAddress: number;
  private readonly perAddressUser: number;
  private readonly perUserFree: number;
  private readonly perUserMaxDelayMs: number;
  private readonly knownAddressMs: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.perAddress = options.perAddress ?? 20;
    this.perAddressUser = options.perAddressUser ?? 5;
    this.perUserFree = options.perUserFree ?? 10;
    this.perUserMaxDelayMs = options.perUserMaxDelayMs ?? 60_000;
    this.knownAddressMs = options.knownAddressMs ?? 30 * 24 * 3_600_000;
    this.entries = new Lru(options.maxKeys ?? 100_000);
  }

  get size(): number {
    return this.entries.size;
  }

  private keys(address: string, username: string) {
    const user = username.trim().toLowerCase();
    return { address: `a ${address}`, addressUser: `au ${address} ${user}`, user: `u ${user}`, known: `ok ${address} ${user}` };
  }

  /** Failure times of a key still inside the window, oldest first. */
  private recent(key: string, now: number): number[] {
    const list = this.entries.get(key);
    if (!list) return [];
    const kept = list.filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.entries.delete(key);
    else if (kept.length !== list.length) this.entries.set(key, kept);
    return kept;
  }

  private windowWait(key: string, limit: number, now: number): number {
    const list = this.recent(key, now);
    return list.length >= limit ? list[list.length - limit] + this.windowMs - now : 0;
  }

  /** Seconds to wait before this attempt, or 0 when it may go ahead. */
  retryAfter(address: string, username: string, now = Date.now()): number {
    const k = this.keys(address, username);
    let wait = Math.max(this.windowWait(k.address, this.perAddress, now), this.windowWait(k.addressUser, this.perAddressUser, now));
    const known = this.entries.get(k.known);
    if (!(known && now - known[0] < this.knownAddressMs)) {
      const list = this.recent(k.user, now);
      const over = list.length - this.perUserFree;
      if (over >= 0) {
        const delay = Math.min(1000 * 2 ** over, this.perUserMaxDelayMs);
        wait = Math.max(wait, list[list.length - 1] + delay - now);
      }
    }
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
  }

  fail(address: string, username: string, now = Date.now()): void {
    const k = this.keys(address, username);
    const caps: [string, number][] = [
      [k.address, this.perAddress],
      [k.addressUser, this.perAddressUser],
      // enough failures to reach the longest delay
      [k.user, this.perUserFree + 16],
    ];
    for (const [key, cap] of caps) {
      const list = [...this.recent(key, now), now];
      this.entries.set(key, list.length > cap ? list.slice(-cap) : list);
    }
  }

  succeed(address: string, username: string, now = Date.now()): void {
    const k = this.keys(address, username);
    this.entries.delete(k.addressUser);
    this.entries.set(k.known, [now]);
  }
}
