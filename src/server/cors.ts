import type { Config } from '../config.js';

/**
 * CORS and caching headers of every /api/* answer, as Umami sends them. Any origin, and never
 * Access-Control-Allow-Credentials: the tracker and bearer-token clients need no cookie, and a
 * page's credentialed request can neither pass a preflight nor read an answer (src/server/csrf.ts
 * refuses the simple requests that need neither).
 */
export function apiHeaders(config: Pick<Config, 'corsMaxAge'>): [string, string][] {
  return [
    ['access-control-allow-origin', '*'],
    ['access-control-allow-headers', '*'],
    ['access-control-allow-methods', 'GET, DELETE, POST, PUT'],
    ['access-control-max-age', String(config.corsMaxAge)],
    ['cache-control', 'no-cache'],
  ];
}
