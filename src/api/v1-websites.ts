// Seed 000 (Umami v1) website routes and shapes. v1 ids are integers (website_id, user_id);
// every v1 route also accepts the website's uuid.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.js';
import { requireUser } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { parse } from '../server/validate.js';
import { isUuid } from '../store/sql/executor.js';
import { createWebsite, newShareSlug } from './websites.js';
import { v1WebsitesJson } from './v1-shapes.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const createBody = z.object({
  domain: z.string().trim().min(1).max(500),
  name: z.string().trim().min(1).max(100),
  enable_share_url: flag.optional(),
  public: flag.optional(),
});

/** A v1 `:id`: the integer website_id or the website uuid. Returns the uuid, or null. */
export async function resolveV1WebsiteId(ctx: AppContext, raw: string): Promise<string | null> {
  if (isUuid(raw)) return raw;
  if (/^\d{1,9}$/.test(raw)) return (await ctx.store.websites.getByLegacyId(Number(raw)))?.id ?? null;
  return null;
}

export function registerV1(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/website', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    const body = parse(createBody, req.body);
    const share = body.enable_share_url || body.public;
    const website = await createWebsite(ctx, user, { name: body.name, domain: body.domain, shareId: share ? newShareSlug().slice(0, 8) : null });
    return (await v1WebsitesJson(ctx, [website]))[0];
  }));
}
