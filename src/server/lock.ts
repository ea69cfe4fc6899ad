// Metadata writes run one at a time. Routes check, then write ("is this username free?", "is this
// user already a member?"); two concurrent requests would both pass the check, and the embedded
// store also refuses concurrent updates of one row ("Conflict on tuple deletion"). Both would end
// as duplicates or 500s. Metadata writes are rare, so a process-wide queue costs nothing that
// matters; the ingestion hot path never takes it.
import type { FastifyReply, FastifyRequest } from 'fastify';

export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export const metadataWrites = new Mutex();

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** A route handler that checks and writes metadata, run under the metadata write lock. */
export const serialized =
  (handler: Handler): Handler =>
  (req, reply) =>
    metadataWrites.run(() => handler(req, reply));
