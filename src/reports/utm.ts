// UTM: for each UTM field, pageviews per value (top 50), as seed 001's map of value to count.
// Each field is one breakdown Query through the shared engine.

import type { ReportDef, ReportEnv } from './report.js';
import { scopeQuery } from './report-input.js';

const FIELDS: readonly [string, string][] = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign'],
  ['utm_content', 'utmContent'],
  ['utm_term', 'utmTerm'],
];

async function run(env: ReportEnv) {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, dim] of FIELDS) {
    const result = await env.engine.run(
      scopeQuery(env.scope, {
        metrics: ['pageviews'],
        dimensions: [{ kind: 'field', name: dim }],
        orderBy: [{ key: 'pageviews', dir: 'desc' }, { key: 'd0', dir: 'asc' }],
        limit: 50,
      }),
    );
    out[key] = Object.fromEntries(result.rows.map((r) => [String(r.dims[0]), r.values.pageviews ?? 0]));
  }
  return out;
}

export const utm: ReportDef = { validate: () => undefined, run };
