// The Query model: what every analytics endpoint (and later every report) asks the engine for.
// Routes build one of these; the compiler turns it into SQL for a dialect. Nothing here knows HTTP
// or Umami's response shapes.

export type Unit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Which rows of website_event a query reads: page traffic (pageviews) or custom events. */
export type RowKind = 'traffic' | 'custom' | 'all';

export type MetricName =
  | 'pageviews'
  | 'events'
  | 'visitors'
  | 'visits'
  | 'bounces'
  | 'totaltime'
  | 'countries'
  | 'uniqueEvents'
  | 'bounceRate'
  | 'visitDuration'
  | 'viewsPerVisit';

export type DimensionRef =
  | { kind: 'field'; name: string }
  | { kind: 'time'; unit: Unit }
  | { kind: 'weekday' }
  | { kind: 'hourOfDay' };

export type FilterOp = 'eq' | 'neq' | 'contains' | 'notContains' | 'regex' | 'notRegex';

export type Filter =
  | { kind: 'and' | 'or'; children: readonly Filter[] }
  | { kind: 'not'; child: Filter }
  | { kind: 'leaf'; dim: string; op: FilterOp; values: readonly string[] }
  /** Only visits with more than one page-traffic row in the query's range (Umami's `excludeBounce`). */
  | { kind: 'excludeBounce' }
  /** Only sessions with a row inside `range` (null: the query's) matching `filter` (Umami's `cohort`). */
  | { kind: 'cohort'; range: TimeRange | null; filter: Filter | null };

/** Inclusive UTC instants, as Umami's `created_at BETWEEN startAt AND endAt`. */
export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}

export interface OrderBy {
  /** A metric name, or `d0`, `d1`, ... for the dimensions in order. */
  readonly key: string;
  readonly dir: 'asc' | 'desc';
}

export interface Query {
  readonly websiteId: string;
  /** The website's own domain, so referrer breakdowns can leave out self-referrals. */
  readonly websiteDomain: string | null;
  readonly range: TimeRange;
  readonly timeZone: string;
  readonly rows: RowKind;
  readonly metrics: readonly MetricName[];
  readonly dimensions: readonly DimensionRef[];
  readonly filter: Filter | null;
  readonly orderBy: readonly OrderBy[];
  readonly limit: number | null;
  readonly offset: number;
  /** Also run the same query over a comparison period (see compareRange). */
  readonly compare: 'prev' | 'yoy' | null;
  /** Injected clock; the engine never reads the system time itself. */
  readonly now: Date;
  /**
   * Dimensions whose breakdown rules (no empty values, no self-referrals) apply although the query
   * does not group by them: the "other" row of a breakdown cut at its limit.
   */
  readonly restOf?: readonly DimensionRef[];
}

/** Neutral result row: positional dimension values, then metrics by name. */
export interface ResultRow {
  readonly dims: readonly (string | number | null)[];
  readonly values: Readonly<Record<string, number>>;
}

export interface QueryResult {
  readonly rows: ResultRow[];
  /** Rows of the comparison period, matched by dimension tuple; present when compare was asked. */
  readonly prev?: ResultRow[];
  /** What answered, over every period run: `rollups` (pre-aggregated tables) and/or `events` (raw rows). */
  readonly sources?: readonly ('rollups' | 'events')[];
}

/** Raised for a Query the engine cannot answer (turned into a 400 by the API layer). */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}
