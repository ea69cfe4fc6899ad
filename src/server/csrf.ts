// Cookies are never enough for a cross-site write. Seed 000 (v1) clients send the login token as
// `Cookie: umami.auth=…`, so the cookie still authenticates, but a browser also attaches it to
// requests other pages make (a sibling subdomain is "same-site", so SameSite does not stop it).
// The rule, applied where a request is authenticated by the cookie alone:
// - GET, HEAD and OPTIONS may use it (they change nothing; CORS `*` without credentials keeps
//   the answers from other pages' scripts).
// - Any other method needs a JSON body (or none): HTML forms cannot send `application/json`,
//   and a cross-origin script that does must pass a preflight, which never allows credentials.
// - ... and must come from Dashi's own origin: `Sec-Fetch-Site` same-origin or none when the
//   browser sends it, else an `Origin` naming this host. A request with neither header is not from
//   a browser (curl, scripts, server-side clients) and carries the cookie only if its sender chose to.
import type { FastifyRequest } from 'fastify';
import { forbidden } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when a browser sent the request (every current browser sends one of these on a POST). */
export function fromBrowser(req: FastifyRequest): boolean {
  return header(req, 'origin') !== undefined || header(req, 'sec-fetch-site') !== undefined;
}

/** The host names (with port) this request was addressed to: Host, and a proxy's X-Forwarded-Host. */
function ownHosts(req: FastifyRequest): string[] {
  const hosts = [header(req, 'host'), header(req, 'x-forwarded-host')?.split(',')[0]];
  return hosts.filter((h): h is string => !!h).map((h) => h.trim().toLowerCase());
}

function sameOrigin(req: FastifyRequest, origin: string): boolean {
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    host = url.host.toLowerCase();
  } catch {
    return false; // includes `Origin: null` (sandboxed frames, opaque redirects)
  }
  // A proxy may reach Dashi over http while the browser uses https: the host decides, and neither
  // header can be set by a page on another origin without a preflight.
  return ownHosts(req).includes(host);
}

/** Why a cookie-authenticated request is refused, or null when it may proceed. */
export function cookieRefusal(req: FastifyRequest): string | null {
  if (SAFE_METHODS.has(req.method)) return null;
  const type = header(req, 'content-type');
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type.trim())) {
    return 'A write authenticated by the umami.auth cookie must send Content-Type: application/json (or use Authorization: Bearer)';
  }
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return null;
    return `Cross-site request refused: the umami.auth cookie only authorizes writes from this origin (Sec-Fetch-Site: ${site.slice(0, 20)}); use Authorization: Bearer`;
  }
  const origin = header(req, 'origin');
  if (origin === undefined || sameOrigin(req, origin)) return null;
  return 'Cross-origin request refused: the umami.auth cookie only authorizes writes from this origin; use Authorization: Bearer';
}

/** Throws 403 when a request authenticated by the cookie alone may not write. */
export function checkCookieWrite(req: FastifyRequest): void {
  const why = cookieRefusal(req);
  if (why) throw forbidden(why);
}

/**
 * Whether the client reached us over HTTPS: TLS here, or a proxy saying so. X-Forwarded-Proto is
 * believed from anyone because it only ever makes the cookie stricter (Secure).
 */
export function overHttps(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const proto = header(req, 'x-forwarded-proto')?.split(',')[0].trim().toLowerCase();
  if (proto === 'https') return true;
  return /(^|[;,\s])proto=("?)https\2(\s*[;,]|$)/i.test(header(req, 'forwarded') ?? '');
}
