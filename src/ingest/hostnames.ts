// A website's allowed hostnames: `example.com` matches that host only, `*.example.com` any
// subdomain of it (not example.com itself). Patterns are stored normalised (lower case, ASCII
// punycode, no trailing dot), and so is a hit's hostname before it is compared.
import { domainToASCII } from 'node:url';

/** Most patterns one website may list. */
export const MAX_ALLOWED_HOSTNAMES = 100;

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** The normalised pattern, or null when `text` is not a hostname or `*.` + hostname. */
export function normalizeHostnamePattern(text: string): string | null {
  let s = text.trim().toLowerCase();
  const wildcard = s.startsWith('*.');
  if (wildcard) s = s.slice(2);
  s = s.replace(/\.$/, '');
  if (s === '' || s.length > 253) return null;
  // IDN to punycode, as browsers report location.hostname; '' when it is not a domain.
  const ascii = /^[\x21-\x7e]+$/.test(s) ? s : domainToASCII(s);
  if (!ascii || !ascii.split('.').every((label) => LABEL.test(label))) return null;
  return wildcard ? `*.${ascii}` : ascii;
}

/** Lower case, no trailing dot, no :port. */
export function normalizeHostname(host: string): string {
  let h = host.trim().toLowerCase();
  const colon = h.lastIndexOf(':');
  if (colon > 0 && h.indexOf(':') === colon && /^\d+$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (!/^[\x21-\x7e]*$/.test(h)) h = domainToASCII(h) || h;
  return h;
}

export type HostnameCheck = (hostname: string) => boolean;

/** A matcher for the patterns; null when the list is empty (every hostname is accepted). */
export function hostnameMatcher(patterns: readonly string[]): HostnameCheck | null {
  if (patterns.length === 0) return null;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const p of patterns) {
    if (p.startsWith('*.')) suffixes.push(p.slice(1));
    else exact.add(p);
  }
  return (hostname) => {
    const h = normalizeHostname(hostname);
    if (exact.has(h)) return true;
    for (const s of suffixes) if (h.length > s.length && h.endsWith(s)) return true;
    return false;
  };
}
