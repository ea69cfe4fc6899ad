// An error that becomes Umami's envelope {error: {message, code, status}} with this status. A leaf
// module, so every layer (server, api, ingest, reports) can throw it.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { error: { message: this.message, code: this.code, status: this.status } };
  }
}
