// Umami's error envelope: {error: {message, code, status}}. Throw an HttpError anywhere in a
// handler; the server's error handler turns it (and Fastify's own client errors) into the envelope.

import { HttpError } from '../lib/http-error.js';

export { HttpError };

export const serverError = () => new HttpError(500, 'server-error', 'Server error');
export const badRequest = (message = 'Bad request') => new HttpError(400, 'bad-request', message);
export const unauthorized = (message = 'Unauthorized') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message = 'Forbidden') => new HttpError(403, 'forbidden', message);
export const notFound = (message = 'Not found') => new HttpError(404, 'not-found', message);
export const tooLarge = (message = 'Request body is too large') => new HttpError(413, 'payload-too-large', message);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests') =>
  new HttpError(429, 'too-many-requests', message, { 'retry-after': String(retryAfterSeconds) });
export const unavailable = (retryAfterSeconds: number, message = 'Service busy, retry later') =>
  new HttpError(503, 'service-unavailable', message, { 'retry-after': String(retryAfterSeconds) });

/** JSON sent as text (text/plain, sendBeacon, `curl -d`): an empty body is no body. */
export function parseJsonText(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Body is not valid JSON');
  }
}

const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
};

/** The envelope for a client error answered without an HttpError (Fastify's own, MCP's). */
export function errorBody(status: number, message: string) {
  return { error: { message, code: CLIENT_ERROR_CODES[status] ?? 'bad-request', status } };
}
