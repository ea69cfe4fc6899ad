// Which sources answered an analytics request, as the response header `x-dashi-source`
// (`rollups`, `events`, or `events+rollups` when the request used both), and the request header
// `x-dashi-source: events` by which an admin has every query of the request read raw rows (the
// benchmark's raw-path column; a user checking a number). Others sending it are ignored.
//
// The engine is shared by every request: it asks `answerObserver` for the current request's state,
// which an AsyncLocalStorage entered before the handler holds.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AnswerSource } from '../query/engine.js';
import type { AppContext } from '../server/context.js';
import { isAdmin } from '../server/permissions.js';

export const SOURCE_HEADER = 'x-dashi-source';

interface RequestSources {
  force?: 'events';
  readonly seen: Set<AnswerSource>;
  answered(sources: readonly AnswerSource[]): void;
}

const current = new AsyncLocalStorage<RequestSources>();
const byRequest = new WeakMap<FastifyRequest, RequestSources>();

/** The QueryEngine's observer: the state of the request being answered, if any. */
export const answerObserver = (): RequestSources | undefined => current.getStore();

async function forced(req: FastifyRequest, ctx: AppContext): Promise<'events' | undefined> {
  if (req.headers[SOURCE_HEADER] !== 'events') return undefined;
  const auth = await ctx.auth.resolve(req).catch(() => null);
  return auth?.kind === 'user' && isAdmin(auth.user) ? 'events' : undefined;
}

/** Adds both headers to the routes of `scope`. */
export function trackAnswerSources(scope: FastifyInstance, ctx: AppContext): void {
  // preHandler: after the body is parsed, so the handler runs inside the storage's context.
  scope.addHook('preHandler', (req, _reply, done) => {
    const seen = new Set<AnswerSource>();
    const state: RequestSources = { seen, answered: (sources) => sources.forEach((s) => seen.add(s)) };
    byRequest.set(req, state);
    forced(req, ctx).then((force) => {
      state.force = force;
      current.run(state, done);
    }, done);
  });
  scope.addHook('onSend', (req, reply, payload, done) => {
    const seen = byRequest.get(req)?.seen;
    if (seen?.size) reply.header(SOURCE_HEADER, [...seen].sort().join('+'));
    done(null, payload);
  });
}
