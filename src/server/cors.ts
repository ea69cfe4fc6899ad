import type { Config } from '../config.js';

/** CORS and caching headers of every /api/* answer, as Umami sends them. */
export function apiHeaders(config: Pick<Config, 'corsMaxAge'>): [string, string][] {
  return [
    ['access-control-allow-origin', '*'],
    ['access-control-allow-headers', '*'],
    ['access-control-allow-methods', 'GET, DELETE, POST, PUT'],
    ['access-control-max-age', String(config.corsMaxAge)],
    ['cache-control', 'no-cache'],
  ];
}
