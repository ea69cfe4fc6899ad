// Every report type the editor offers, in menu order: one module each.
import { attribution } from './attribution';
import type { ReportKind } from './form';
import { funnel } from './funnel';
import { goals } from './goals';
import { insights } from './insights';
import { journey } from './journey';
import { retention } from './retention';
import { revenue } from './revenue';
import { utm } from './utm';

export const REPORT_KINDS: readonly ReportKind[] = [insights, funnel, retention, utm, goals, journey, revenue, attribution];

export const reportKind = (type: string): ReportKind | undefined => REPORT_KINDS.find((k) => k.type === type);
