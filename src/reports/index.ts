// Every report by the name its route and saved reports use.

import { attribution } from './attribution.js';
import { funnel } from './funnel.js';
import { goal, goals } from './goals.js';
import { insights } from './insights.js';
import { journey } from './journey.js';
import type { ReportDef } from './report.js';
import { retention } from './retention.js';
import { revenue } from './revenue.js';
import { utm } from './utm.js';

export const REPORTS: Readonly<Record<string, ReportDef>> = {
  insights,
  breakdown: insights,
  funnel,
  retention,
  utm,
  goals,
  goal,
  journey,
  revenue,
  attribution,
};

/** Types a saved report may have: those above, plus newer Umami's performance report. */
export const SAVED_REPORT_TYPES: readonly string[] = [...Object.keys(REPORTS), 'performance'];

export type { ReportDef, ReportEnv } from './report.js';
