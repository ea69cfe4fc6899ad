// Insights (seed 001) and breakdown (newer Umami): the scope's traffic broken down by any
// combination of fields, with views, visitors, visits, bounces and total time per row — one
// Query through the shared engine. Breaking down by `event` reads custom-event rows.

import { z } from 'zod';
import { canonicalDimension, METRIC_TYPES } from '../query/dimensions.js';
import type { MetricName } from '../query/types.js';
import type { ReportDef, ReportEnv } from './report.js';
import { fail, parseFields, scopeQuery } from './report-input.js';

const fieldSchema = z.union([z.string().min(1).max(50), z.object({ name: z.string().min(1).max(50), type: z.string().optional(), label: z.string().optional() })]);

export function parseInsights(fields: Record<string, unknown>) {
  if (fields.fields === undefined || fields.fields === null) fail('fields', 'required: at least one {name}');
  const list = parseFields(z.object({ fields: z.array(fieldSchema, 'must be an array of {name, type, label}').max(5, 'at most 5 fields') }), fields).fields;
  if (list.length === 0) fail('fields', 'at least one field is required');
  return list.map((f, i) => {
    const name = typeof f === 'string' ? f : f.name;
    const dim = METRIC_TYPES.includes(name) ? canonicalDimension(name) : undefined;
    if (!dim) return fail(`fields.${i}.name`, `unknown field '${name}'`);
    return { name, dim };
  });
}

async function run(env: ReportEnv) {
  const fields = parseInsights(env.fields);
  const custom = fields.some((f) => f.dim === 'event');
  const first: MetricName = custom ? 'events' : 'pageviews';
  const metrics: MetricName[] = [first, 'visitors', 'visits', 'bounces', 'totaltime'];
  const result = await env.engine.run(
    scopeQuery(env.scope, {
      rows: custom ? 'custom' : 'traffic',
      metrics,
      dimensions: fields.map((f) => ({ kind: 'field' as const, name: f.dim })),
      orderBy: [{ key: first, dir: 'desc' }, ...fields.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const }))],
      limit: 500,
    }),
  );
  return result.rows.map((r) => {
    const row: Record<string, unknown> = {
      views: r.values[first] ?? 0,
      visitors: r.values.visitors ?? 0,
      visits: r.values.visits ?? 0,
      bounces: r.values.bounces ?? 0,
      totaltime: r.values.totaltime ?? 0,
    };
    fields.forEach((f, i) => (row[f.name] = r.dims[i]));
    return row;
  });
}

export const insights: ReportDef = { validate: parseInsights, savedFields: ['fields'], run };
