// Expensive reads share one small concurrency limit per process (REPORT_CONCURRENCY): every
// report run, and every analytics read by a share-link caller (anyone holding a share URL can send
// them). Excess requests wait briefly in a bounded queue (REPORT_QUEUE_SIZE), then get a 429.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/context.js';
import { SHARE_TOKEN_HEADER } from '../server/auth-service.js';
import { Gate } from '../server/gate.js';

const QUEUE_WAIT_MS = 10_000;

const gates = new WeakMap<AppContext, Gate>();

export function heavyReads(ctx: AppContext): Gate {
  let gate = gates.get(ctx);
  if (!gate) {
    gate = new Gate({
      limit: ctx.config.reportConcurrency,
      queueSize: ctx.config.reportQueueSize,
      waitMs: QUEUE_WAIT_MS,
      retryAfter: 2,
      message: 'Too many reports and shared-dashboard queries are running; retry shortly',
    });
    gates.set(ctx, gate);
  }
  return gate;
}

/** Hooks for a plugin scope: requests with a share token hold a place of the gate until answered. */
export function limitShareReads(scope: FastifyInstance, ctx: AppContext): void {
  const held = new WeakMap<FastifyRequest, () => void>();
  const leave = async (req: FastifyRequest) => {
    held.get(req)?.();
    held.delete(req);
  };
  scope.addHook('preHandler', async (req) => {
    if (!req.headers[SHARE_TOKEN_HEADER]) return;
    held.set(req, await heavyReads(ctx).enter());
  });
  scope.addHook('onResponse', leave);
  scope.addHook('onRequestAbort', leave);
}
