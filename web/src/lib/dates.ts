// Date ranges in a chosen IANA time zone, series buckets, and the helpers that fill empty
// buckets client-side (the API only returns buckets that have data).

export type Unit = 'minute' | 'hour' | 'day' | 'month' | 'year';

export interface Range {
  /** The value kept in the URL: '7d', 'today', 'custom:2024-01-01:2024-01-31', ... */
  value: string;
  startAt: number;
  endAt: number;
  unit: Unit;
}

export const RANGE_OPTIONS: { value: string; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: '24h', label: 'Last 24 hours' },
  { value: 'week', label: 'This week' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'month', label: 'This month' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'year', label: 'This year' },
  { value: '12mo', label: 'Last 12 months' },
  { value: 'all', label: 'All time' },
  { value: 'custom', label: 'Custom range…' },
];

export const localTimeZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

export function timeZones(): string[] {
  const list = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return list.includes('UTC') ? list : ['UTC', ...list];
}

interface Wall {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  mi: number;
  s: number;
  wd: number; // 0 = Sunday
}

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmts.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    fmts.set(tz, f);
  }
  return f;
}

const WD = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function wall(ms: number, tz: string): Wall {
  const parts: Record<string, string> = {};
  for (const p of fmt(tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { y: +parts.year, m: +parts.month, d: +parts.day, h: +parts.hour % 24, mi: +parts.minute, s: +parts.second, wd: WD.indexOf(parts.weekday) };
}

function offset(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the wall clock in tz shows this date and time (overflowing fields roll over). */
export function fromWall(y: number, m: number, d: number, h = 0, mi = 0, tz = 'UTC'): number {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const o1 = offset(guess, tz);
  const t = guess - o1;
  const o2 = offset(t, tz);
  return o1 === o2 ? t : guess - o2;
}

const DAY = 86_400_000;

function startOfDay(ms: number, tz: string, addDays = 0): number {
  const w = wall(ms, tz);
  return fromWall(w.y, w.m, w.d + addDays, 0, 0, tz);
}

function startOfMonth(ms: number, tz: string, addMonths = 0): number {
  const w = wall(ms, tz);
  return fromWall(w.y, w.m + addMonths, 1, 0, 0, tz);
}

/** Pick a sensible unit for a span. */
export function defaultUnit(startAt: number, endAt: number): Unit {
  const span = endAt - startAt;
  if (span <= 2 * DAY) return 'hour';
  if (span <= 92 * DAY) return 'day';
  return 'month';
}

/** Units the unit switch offers for a span (bounded so a chart never has thousands of points). */
export function allowedUnits(startAt: number, endAt: number): Unit[] {
  const span = endAt - startAt;
  const out: Unit[] = [];
  if (span <= 3 * 60 * 60_000) out.push('minute');
  if (span <= 31 * DAY) out.push('hour');
  if (span >= DAY - 1000 && span <= 3 * 366 * DAY) out.push('day');
  if (span >= 28 * DAY) out.push('month');
  if (span >= 365 * DAY) out.push('year');
  return out.length ? out : ['day'];
}

export function parseRange(value: string | null, tz: string, now = Date.now(), allTimeStart?: number): Range {
  const v = value || '7d';
  const endOfToday = startOfDay(now, tz, 1) - 1;
  const mk = (startAt: number, endAt: number, unit?: Unit): Range => ({ value: v, startAt, endAt, unit: unit ?? defaultUnit(startAt, endAt) });
  switch (v) {
    case 'today':
      return mk(startOfDay(now, tz), endOfToday, 'hour');
    case '24h': {
      const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
      return mk(hourStart - 23 * 3_600_000, hourStart + 3_600_000 - 1, 'hour');
    }
    case 'week': {
      const w = wall(now, tz);
      const back = (w.wd + 6) % 7; // weeks start on Monday
      const start = fromWall(w.y, w.m, w.d - back, 0, 0, tz);
      return mk(start, fromWall(w.y, w.m, w.d - back + 7, 0, 0, tz) - 1, 'day');
    }
    case '7d':
      return mk(startOfDay(now, tz, -6), endOfToday, 'day');
    case 'month':
      return mk(startOfMonth(now, tz), startOfMonth(now, tz, 1) - 1, 'day');
    case '30d':
      return mk(startOfDay(now, tz, -29), endOfToday, 'day');
    case '90d':
      return mk(startOfDay(now, tz, -89), endOfToday, 'day');
    case 'year': {
      const w = wall(now, tz);
      return mk(fromWall(w.y, 1, 1, 0, 0, tz), fromWall(w.y + 1, 1, 1, 0, 0, tz) - 1, 'month');
    }
    case '12mo':
      return mk(startOfMonth(now, tz, -11), startOfMonth(now, tz, 1) - 1, 'month');
    case 'all': {
      const start = startOfDay(allTimeStart ?? now - 365 * DAY, tz);
      return mk(start, endOfToday);
    }
    default: {
      const m = /^custom:(\d{4})-(\d{2})-(\d{2}):(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (m) {
        const a = fromWall(+m[1], +m[2], +m[3], 0, 0, tz);
        const b = fromWall(+m[4], +m[5], +m[6] + 1, 0, 0, tz) - 1;
        if (b > a) return mk(a, b);
      }
      return { ...parseRange('7d', tz, now), value: '7d' };
    }
  }
}

export function rangeLabel(r: Range, tz: string): string {
  const opt = RANGE_OPTIONS.find((o) => o.value === r.value);
  if (opt) return opt.label;
  return `${formatDate(r.startAt, tz)} – ${formatDate(r.endAt, tz)}`;
}

/** The period of equal length just before (or one year before) a range. */
export function previousRange(r: { startAt: number; endAt: number }, mode: 'prev' | 'yoy', tz: string): { startAt: number; endAt: number } {
  if (mode === 'yoy') {
    const a = wall(r.startAt, tz);
    const b = wall(r.endAt, tz);
    return { startAt: fromWall(a.y - 1, a.m, a.d, a.h, a.mi, tz), endAt: fromWall(b.y - 1, b.m, b.d, b.h, b.mi, tz) + 59_999 };
  }
  const len = r.endAt - r.startAt + 1;
  return { startAt: r.startAt - len, endAt: r.startAt - 1 };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function isoDate(ms: number, tz: string): string {
  const w = wall(ms, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

function label(w: Pick<Wall, 'y' | 'm' | 'd' | 'h' | 'mi'>): string {
  return `${w.y}-${pad(w.m)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:00`;
}

/** Bucket labels ('YYYY-MM-DD HH:MM:SS', wall clock in tz) covering a range, oldest first. */
export function buckets(startAt: number, endAt: number, unit: Unit, tz: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (l: string) => {
    if (!seen.has(l)) {
      seen.add(l);
      out.push(l);
    }
  };
  if (unit === 'minute' || unit === 'hour') {
    const step = unit === 'minute' ? 60_000 : 3_600_000;
    for (let t = Math.floor(startAt / step) * step; t <= endAt && out.length < 5000; t += step) {
      const w = wall(t, tz);
      push(label({ ...w, mi: unit === 'hour' ? 0 : w.mi }));
    }
    return out;
  }
  const a = wall(startAt, tz);
  for (let i = 0; out.length < 5000; i++) {
    const d = unit === 'day' ? new Date(Date.UTC(a.y, a.m - 1, a.d + i)) : unit === 'month' ? new Date(Date.UTC(a.y, a.m - 1 + i, 1)) : new Date(Date.UTC(a.y + i, 0, 1));
    const l = label({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: 0, mi: 0 });
    if (fromWall(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, tz) > endAt) break;
    push(l);
  }
  return out;
}

/** Normalise an API bucket label to 'YYYY-MM-DD HH:MM:SS'. */
export function normLabel(x: string | number): string {
  if (typeof x === 'number') return String(x);
  const s = x.replace('T', ' ').replace(/Z$/, '');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s} 00:00:00`;
  return s.slice(0, 19);
}

/** Values of a sparse [{x, y}] series for every bucket (0 where the API had none). */
export function fill(series: { x: string; y: number }[] | undefined, labels: string[]): number[] {
  const byLabel = new Map<string, number>();
  for (const p of series ?? []) byLabel.set(normLabel(p.x), (byLabel.get(normLabel(p.x)) ?? 0) + Number(p.y));
  return labels.map((l) => byLabel.get(l) ?? 0);
}

export function formatBucket(l: string, unit: Unit): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(l);
  if (!m) return l;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  const o: Intl.DateTimeFormatOptions = { timeZone: 'UTC' };
  if (unit === 'minute' || unit === 'hour') Object.assign(o, { hour: 'numeric', minute: '2-digit', ...(unit === 'hour' ? { month: 'short', day: 'numeric' } : {}) });
  else if (unit === 'day') Object.assign(o, { month: 'short', day: 'numeric', weekday: 'short' });
  else if (unit === 'month') Object.assign(o, { month: 'long', year: 'numeric' });
  else Object.assign(o, { year: 'numeric' });
  return new Intl.DateTimeFormat(undefined, o).format(d);
}

/** A short tick label for the chart's x axis. */
export function axisLabel(l: string, unit: Unit, multiDay: boolean): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(l);
  if (!m) return l;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  const o: Intl.DateTimeFormatOptions = { timeZone: 'UTC' };
  if (unit === 'minute') Object.assign(o, { hour: 'numeric', minute: '2-digit' });
  else if (unit === 'hour') Object.assign(o, multiDay ? { month: 'short', day: 'numeric', hour: 'numeric' } : { hour: 'numeric' });
  else if (unit === 'day') Object.assign(o, { month: 'short', day: 'numeric' });
  else if (unit === 'month') Object.assign(o, { month: 'short', year: '2-digit' });
  else Object.assign(o, { year: 'numeric' });
  return new Intl.DateTimeFormat(undefined, o).format(d);
}

export function formatDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(ms));
}

export function formatDateTime(value: string | number, tz: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(undefined, { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(d);
}
