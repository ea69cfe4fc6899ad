// Client address from proxy headers or the socket, and IGNORE_IP matching.
import ipaddr from 'ipaddr.js';

type Headers = Record<string, string | string[] | undefined>;

// Checked in this order after CLIENT_IP_HEADER, the same list Umami reads.
const PROXY_HEADERS = [
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-nf-client-connection-ip',
  'do-connecting-ip',
  'x-real-ip',
  'x-appengine-user-ip',
  'x-forwarded-for',
  'forwarded',
  'x-client-ip',
  'x-cluster-client-ip',
  'x-forwarded',
];

function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** First address in a header value, without port, brackets, quotes or `for=`. */
function firstAddress(name: string, value: string): string {
  let v = value.split(',')[0].trim();
  if (name === 'forwarded' || name === 'x-forwarded') {
    const m = /for=([^;,\s]+)/i.exec(value);
    v = m ? m[1] : v;
  }
  v = v.replace(/^"|"$/g, '');
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  // a.b.c.d:port; bare IPv6 has more than one colon and is left alone
  const colon = v.indexOf(':');
  if (colon > 0 && colon === v.lastIndexOf(':')) return v.slice(0, colon);
  return v;
}

// A dotted quad without leading zeros: already the canonical form ipaddr.js prints. Matching it
// first skips ipaddr's general parser (several regexps) for nearly every hit.
const CANONICAL_V4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Canonical text form (IPv4-mapped IPv6 becomes IPv4), or null when not an address. */
export function normalizeIp(value: string): string | null {
  if (CANONICAL_V4.test(value)) return value;
  try {
    return ipaddr.process(value).toString();
  } catch {
    return null;
  }
}

export function clientIp(headers: Headers, socketAddress: string | undefined, customHeader?: string): string | null {
  const names = customHeader ? [customHeader.toLowerCase(), ...PROXY_HEADERS] : PROXY_HEADERS;
  for (const name of names) {
    const value = headerValue(headers, name);
    if (!value) continue;
    const ip = normalizeIp(firstAddress(name, value));
    if (ip) return ip;
  }
  return socketAddress ? normalizeIp(socketAddress) : null;
}

/** True for addresses on the public internet (not private, loopback, link-local, ...). */
export function isPublicIp(ip: string): boolean {
  if (CANONICAL_V4.test(ip)) {
    const dot1 = ip.indexOf('.');
    const dot2 = ip.indexOf('.', dot1 + 1);
    const dot3 = ip.indexOf('.', dot2 + 1);
    const octets = [+ip.slice(0, dot1), +ip.slice(dot1 + 1, dot2), +ip.slice(dot2 + 1, dot3), +ip.slice(dot3 + 1)];
    return new ipaddr.IPv4(octets).range() === 'unicast';
  }
  try {
    const addr = ipaddr.process(ip);
    return addr.range() === 'unicast';
  } catch {
    return false;
  }
}

/** Matcher for a list of addresses and CIDR ranges such as IGNORE_IP. Invalid entries throw. */
export function ipMatcher(entries: string[]): (ip: string | null) => boolean {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const exact = new Set<string>();
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    if (raw.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(raw);
      ranges.push([addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr, bits]);
    } else {
      const ip = normalizeIp(raw);
      if (!ip) throw new Error(`IGNORE_IP: not an address: ${raw}`);
      exact.add(ip);
    }
  }
  if (ranges.length === 0 && exact.size === 0) return () => false;
  return (ip) => {
    if (!ip) return false;
    if (exact.has(ip)) return true;
    if (ranges.length === 0) return false;
    const addr = ipaddr.process(ip);
    return ranges.some((r) => r[0].kind() === addr.kind() && addr.match(r));
  };
}
