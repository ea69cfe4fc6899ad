// The x-umami-cache token: carries a visit from hit to hit. Only trackers echo it back, opaquely,
// so a compact HMAC-signed JSON is enough (no JWT library on the hot path).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VisitToken {
  websiteId: string;
  sessionId: string;
  visitId: string;
  /** Unix seconds when the visit started. */
  iat: number;
}

export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', 'dashi-visit-token').update(secret).digest();
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }

  sign(token: VisitToken): string {
    const body = Buffer.from(JSON.stringify([token.websiteId, token.sessionId, token.visitId, token.iat])).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The token's contents, or null when it is missing, malformed or not ours. */
  verify(value: string | undefined): VisitToken | null {
    if (!value || value.length > 1000) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    const sig = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
    try {
      const [websiteId, sessionId, visitId, iat] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (typeof websiteId !== 'string' || typeof sessionId !== 'string' || typeof visitId !== 'string' || typeof iat !== 'number') return null;
      return { websiteId, sessionId, visitId, iat };
    } catch {
      return null;
    }
  }
}
