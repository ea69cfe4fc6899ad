// The x-umami-cache token: carries a visit from hit to hit. Only trackers echo it back, opaquely,
// and a forged one could at most pick the visit id of the forger's own hits, so a keyed
// SHA-256 envelope (one hash call, no JWT library) is enough on this hot path.
import crypto, { createHash, timingSafeEqual } from 'node:crypto';

export interface VisitToken {
  websiteId: string;
  sessionId: string;
  visitId: string;
  /** Unix seconds when the visit started. */
  iat: number;
}

const oneShot = (crypto as { hash?: (alg: string, data: string, enc: string) => Buffer }).hash;

export class TokenSigner {
  private readonly key: string;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`dashi-visit-token:${secret}`).digest('hex');
  }

  private mac(body: string): Buffer {
    const data = `${this.key}.${body}.${this.key}`;
    return oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
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
