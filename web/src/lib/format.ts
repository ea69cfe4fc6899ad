// Numbers, durations, percentages and display names for dimension values.

const nf = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const formatNumber = (n: number) => (Math.abs(n) >= 100_000 ? compact.format(n) : formatExact(n));

/** Every digit, grouped (1,234,567): for full tables. */
export const formatExact = (n: number) => nf.format(Math.round(n));

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

export const formatPercent = (x: number) => `${Math.round(x * 100)}%`;

/** Relative change between two values; null when there is nothing to compare with. */
export function change(value: number, prev: number): number | null {
  if (!prev) return null;
  return (value - prev) / prev;
}

let regionNames: Intl.DisplayNames | null = null;
let languageNames: Intl.DisplayNames | null = null;
try {
  regionNames = new Intl.DisplayNames(undefined, { type: 'region' });
  languageNames = new Intl.DisplayNames(undefined, { type: 'language' });
} catch {
  // older engines: show codes
}

export function countryName(code: string | null | undefined): string {
  if (!code) return 'Unknown';
  try {
    return regionNames?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export function languageName(code: string | null | undefined): string {
  if (!code) return 'Unknown';
  try {
    return languageNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

const CHANNELS: Record<string, string> = {
  direct: 'Direct',
  referral: 'Referral',
  organicSearch: 'Organic search',
  paidSearch: 'Paid search',
  organicSocial: 'Organic social',
  paidSocial: 'Paid social',
  organicVideo: 'Organic video',
  paidVideo: 'Paid video',
  organicShopping: 'Organic shopping',
  paidShopping: 'Paid shopping',
  paidAds: 'Paid ads',
  email: 'Email',
  sms: 'SMS',
  affiliate: 'Affiliate',
};

const BROWSERS: Record<string, string> = {
  chrome: 'Chrome',
  crios: 'Chrome (iOS)',
  'chromium-webview': 'Chrome (webview)',
  'edge-chromium': 'Edge',
  edge: 'Edge (legacy)',
  'edge-ios': 'Edge (iOS)',
  firefox: 'Firefox',
  fxios: 'Firefox (iOS)',
  safari: 'Safari',
  ios: 'Safari (iOS)',
  'ios-webview': 'iOS webview',
  opera: 'Opera',
  'opera-mini': 'Opera Mini',
  samsung: 'Samsung Internet',
  android: 'Android browser',
  ie: 'Internet Explorer',
  yandexbrowser: 'Yandex',
  facebook: 'Facebook',
  instagram: 'Instagram',
  silk: 'Silk',
  miui: 'MIUI',
  kakaotalk: 'KakaoTalk',
  brave: 'Brave',
  vivaldi: 'Vivaldi',
};

/** How a dimension value is shown (the filter keeps the raw value). */
export function displayValue(type: string, x: string | null, extra?: { country?: string }): string {
  if (x === null || x === undefined || x === '') {
    if (type === 'referrer' || type === 'domain') return '(none)';
    return '(unknown)';
  }
  switch (type) {
    case 'country':
      return countryName(x);
    case 'language':
      return languageName(x);
    case 'channel':
      return CHANNELS[x] ?? x;
    case 'browser':
      return BROWSERS[x] ?? x;
    case 'device':
      return x.charAt(0).toUpperCase() + x.slice(1);
    case 'region':
    case 'city':
      return extra?.country ? `${x}, ${countryName(extra.country)}` : x;
    default:
      return x;
  }
}
