// Request parameters of the analytics routes that are not part of a request's scope (src/api/scope.ts
// owns the website, range, zone, unit and filters): paging-style integers, compare, plain strings.

import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { AppContext } from '../../server/context.js';
import { QueryEngine } from '../../query/engine.js';
import { answerObserver } from '../answer-source.js';

export type Params = Record<string, unknown>;

export interface Analytics {
  ctx: AppContext;
  engine: QueryEngine;
  /** The clock; tests and benchmarks may pin it. */
  now(): Date;
}

export function analytics(ctx: AppContext): Analytics {
  return { ctx, engine: new QueryEngine(ctx.store.analytics, { log: ctx.log, observer: answerObserver }), now: () => new Date() };
}

export const query = (req: FastifyRequest): Params => (req.query ?? {}) as Params;

function single(p: Params, name: string): string | undefined {
  const v = p[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

export function str(p: Params, name: string): string | undefined {
  const v = single(p, name);
  return v === '' ? undefined : v;
}

export function parseInteger(p: Params, name: string, fallback: number, min: number, max: number): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`Invalid ${name}: must be a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`Invalid ${name}: must be between ${min} and ${max}`);
  return n;
}

export function parseCompare(p: Params): 'prev' | 'yoy' {
  const v = str(p, 'compare');
  if (v === undefined || v === 'prev') return 'prev';
  if (v === 'yoy') return 'yoy';
  throw badRequest(`Invalid compare: '${v}' is not one of prev, yoy`);
}
