// The dashboard: static files built from web/ into dist/web, served at BASE_PATH/. Any GET path
// that is not a file and not under /api/ answers index.html (the single-page app routes it, e.g.
// /websites/:id or /share/:shareId). index.html gets <base href="BASE_PATH/"> at start, so one
// build works under any base path. DISABLE_UI registers nothing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from './context.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** dist/web, whether this file runs compiled (dist/src/server) or from source (src/server). */
export function webRoot(): string {
  const compiled = here.split(path.sep).includes('dist');
  return compiled ? path.resolve(here, '../../web') : path.resolve(here, '../../dist/web');
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return listFiles(path.join(dir, e.name), rel);
    return /\.(gz|br)$/.test(e.name) ? [] : [rel];
  });
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The dashboard's Content-Security-Policy: its own files only, plus the inline scripts of
 * index.html by hash (the theme is set before first paint), and no framing except by the
 * ALLOWED_FRAME_URLS the operator lists.
 */
export function dashboardCsp(html: string, frameAncestors: string[]): string {
  const hashes = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self'${hashes.map((h) => ` ${h}`).join('')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

export async function registerUi(app: FastifyInstance, ctx: Pick<AppContext, 'config' | 'log'>, root = webRoot()): Promise<void> {
  if (ctx.config.disableUi) return;
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) {
    ctx.log.warn({ root }, 'dashboard files not found (run npm run build); the UI is not served');
    return;
  }
  const base = ctx.config.basePath;
  const html = fs
    .readFileSync(indexFile, 'utf8')
    .replace('<!--dashi:base-->', `<base href="${escapeAttr(base)}/">`);
  const files = new Set(listFiles(root).filter((f) => f !== 'index.html'));
  const csp = dashboardCsp(html, ctx.config.allowedFrameUrls);
  // X-Frame-Options cannot name origins; with ALLOWED_FRAME_URLS the CSP alone decides.
  const frameOptions = ctx.config.allowedFrameUrls.length ? null : 'DENY';

  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const sendIndex = (reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache').header('content-security-policy', csp);
    if (frameOptions) reply.header('x-frame-options', frameOptions);
    return reply.type('text/html; charset=utf-8').send(html);
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    let p = decodeURIComponentSafe(req.url.split('?')[0]);
    if (p === null) return reply.callNotFound();
    if (base) p = p.slice(base.length);
    p = p.replace(/^\/+/, '');
    if (p === 'api' || p.startsWith('api/')) return reply.callNotFound();
    if (files.has(p)) {
      // Hashed build output never changes; everything else is revalidated.
      const immutable = p.startsWith('assets/');
      return reply.sendFile(p, { maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0, immutable, cacheControl: true });
    }
    // A missing asset is a 404, not the app: a stale index.html must not load HTML as script.
    if (p.startsWith('assets/') || /\.(js|css|map|png|svg|ico|json|txt|woff2?)$/.test(p)) return reply.callNotFound();
    return sendIndex(reply);
  };

  if (base) {
    app.get(base, handler);
    app.get(`${base}/*`, handler);
  } else {
    app.get('/*', handler);
  }
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
