// The first admin account (admin / umami, as Umami) and whether an admin still uses that password:
// the dashboard warns admins until it is changed.
import type { Store, User } from '../store/types.js';
import { checkPassword } from './auth-service.js';

export const DEFAULT_ADMIN = { username: 'admin', password: 'umami' } as const;

// bcrypt costs ~50 ms, so each stored hash is checked once; a changed password is a new hash.
const checked = new Map<string, boolean>();

/** True when this admin's password is still the default one (always false for other roles). */
export async function usesDefaultPassword(store: Store, user: User): Promise<boolean> {
  if (user.role !== 'admin') return false;
  const hash = (await store.users.getWithHash(user.id))?.passwordHash;
  if (!hash) return false;
  let result = checked.get(hash);
  if (result === undefined) {
    result = await checkPassword(DEFAULT_ADMIN.password, hash);
    if (checked.size > 1000) checked.clear();
    checked.set(hash, result);
  }
  return result;
}
