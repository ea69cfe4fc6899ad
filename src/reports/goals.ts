// Goals: for each goal (a page or an event, `*` wildcards allowed), how many times it was reached
// (pageviews of the page, or occurrences of the event) and by how many visitors, with progress
// against the goal number. `goal` (newer Umami, one step): converting sessions against all.

import { z } from 'zod';
import { andFilters } from '../query/filters.js';
import type { ReportDef, ReportEnv } from './report.js';
import { fail, parseFields, scopeQuery } from './report-input.js';
import { stepFilter, STEP_TYPES, toStep, type Step } from './steps.js';

const goalSchema = z.object({
  type: z.string(),
  value: z.string().trim().min(1, 'required').max(500),
  goal: z.coerce.number('must be a number').positive('must be more than 0'),
});

export function parseGoals(fields: Record<string, unknown>) {
  const goals = fields.goals;
  if (goals === undefined || goals === null) fail('goals', 'required: an array of {type, value, goal}');
  if (!Array.isArray(goals)) fail('goals', 'must be an array of {type, value, goal}');
  const list = goals as unknown[];
  if (list.length === 0) fail('goals', 'at least one goal is required');
  if (list.length > 50) fail('goals', 'at most 50 goals');
  return list.map((g, i) => {
    const t = (g as Record<string, unknown> | null)?.type;
    if (typeof t !== 'string' || !(STEP_TYPES as readonly string[]).includes(t)) fail(`goals.${i}.type`, `unknown goal type '${String(t)}' (use url, path or event)`);
    const parsed = parseFields(goalSchema, g, `goals.${i}`);
    return { step: toStep(parsed), goal: parsed.goal };
  });
}

async function reached(env: ReportEnv, step: Step) {
  const metric = step.kind === 'event' ? 'events' : 'pageviews';
  const result = await env.engine.run(
    scopeQuery(env.scope, { rows: step.kind === 'event' ? 'custom' : 'traffic', metrics: [metric, 'visitors'], filter: andFilters(env.scope.filter, stepFilter(step)) }),
  );
  const v = result.rows[0]?.values ?? {};
  return { count: v[metric] ?? 0, visitors: v.visitors ?? 0 };
}

async function run(env: ReportEnv) {
  const out = [];
  for (const { step, goal } of parseGoals(env.fields)) {
    const { count, visitors } = await reached(env, step);
    out.push({ type: step.type, value: step.value, goal, result: count, visitors, progress: count / goal });
  }
  return out;
}

export const goals: ReportDef = { validate: parseGoals, savedFields: ['goals'], run };

// --- newer Umami's single `goal` report: {num, total} in distinct sessions ---

function parseGoal(fields: Record<string, unknown>): Step {
  const t = fields.type;
  if (typeof t !== 'string' || !(STEP_TYPES as readonly string[]).includes(t)) fail('type', `unknown goal type '${String(t)}' (use path or event)`);
  const v = fields.value;
  if (typeof v !== 'string' || v.trim() === '') fail('value', 'required');
  return toStep({ type: t as string, value: (v as string).trim() });
}

async function runGoal(env: ReportEnv) {
  const step = parseGoal(env.fields);
  const { visitors } = await reached(env, step);
  const all = await env.engine.run(scopeQuery(env.scope, { rows: 'all', metrics: ['visitors'] }));
  return { num: visitors, total: all.rows[0]?.values.visitors ?? 0 };
}

export const goal: ReportDef = { validate: parseGoal, run: runGoal };
