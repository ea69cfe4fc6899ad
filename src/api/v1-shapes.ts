// The v1 website shape (seed 000): integer ids beside the uuid, owners by their v1 integer id.
import type { Website } from '../store/types.js';
import type { AppContext } from '../server/context.js';

export async function v1WebsitesJson(ctx: AppContext, websites: Website[]) {
  const owners = new Map<string, number | null>();
  for (const w of websites) {
    if (w.userId && !owners.has(w.userId)) owners.set(w.userId, (await ctx.store.users.get(w.userId))?.legacyId ?? null);
  }
  return websites.map((w) => ({
    website_id: w.legacyId,
    website_uuid: w.id,
    user_id: w.userId ? owners.get(w.userId) ?? null : null,
    name: w.name,
    domain: w.domain,
    share_id: w.shareId,
    created_at: w.createdAt,
  }));
}
