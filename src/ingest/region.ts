// DB-IP names regions ("California", "Mazovia"); Umami stores ISO 3166-2 codes ("US-CA").
// Map names to codes through the iso-3166-2 package, tolerating accents and admin-unit words.
import iso3166 from 'iso-3166-2';

const UNIT_WORDS =
  /\b(county|province|provincia|region|regione|state|estado|oblast|krai|kray|prefecture|department|departamento|governorate|district|voivodeship|canton|municipality|city|autonomous|republic|of|the|län|lan|kommune|fylke|land)\b/g;

function normalize(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(UNIT_WORDS, ' ')
    .replace(/[^a-z0-9]+/g, '');
}

const byCountry = new Map<string, Map<string, string>>();

function countryIndex(country: string): Map<string, string> {
  let index = byCountry.get(country);
  if (!index) {
    index = new Map();
    const sub = (iso3166.country(country)?.sub ?? {}) as Record<string, { name: string }>;
    for (const [code, { name }] of Object.entries(sub)) {
      const key = normalize(name);
      if (key && !index.has(key)) index.set(key, code);
    }
    byCountry.set(country, index);
  }
  return index;
}

const memo = new Map<string, string | null>();

/** `CC-RR` for a region name, or null when no subdivision matches. */
export function regionCode(country: string, name: string): string | null {
  const memoKey = `${country}|${name}`;
  const hit = memo.get(memoKey);
  if (hit !== undefined) return hit;
  const index = countryIndex(country);
  const key = normalize(name);
  let code = index.get(key) ?? null;
  if (!code && key.length >= 4) {
    // "Stockholm" -> "Stockholms län": accept a unique prefix match either way
    const matches = [...index].filter(([k]) => k.startsWith(key) || (k.length >= 4 && key.startsWith(k)));
    if (matches.length === 1) code = matches[0][1];
  }
  if (memo.size < 50_000) memo.set(memoKey, code);
  return code;
}
