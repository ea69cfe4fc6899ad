// Errors a store's write raises, so the writer above it can tell a hit the store refuses (its
// own data: retrying cannot help, the client gets a 4xx) from a store that is failing (retry
// later, 503). Each store classifies its own errors.

/** The store refused the rows themselves (a value it cannot hold, a constraint), not the write. */
export class RowRejectedError extends Error {
  constructor(cause: unknown) {
    super(`The store refused the hit: ${cause instanceof Error ? cause.message.split('\n')[0].slice(0, 300) : String(cause)}`, { cause });
  }
}

/** Rethrows `err` as a RowRejectedError when `refused(err)`, else as it is. */
export function classify(err: unknown, refused: (err: unknown) => boolean): never {
  throw refused(err) ? new RowRejectedError(err) : err;
}
