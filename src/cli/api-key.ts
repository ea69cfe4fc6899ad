// `dashi api-key create|list|revoke`: API keys from the command line. The CLI opens the configured
// store itself. With a server store (DATABASE_URL) that works while servers run, and a revocation is
// seen by them at once. The embedded store allows one process per file, so for it the server must be
// stopped (or use the dashboard's Settings → API keys, or POST /api/me/api-keys).
import { parseArgs } from 'node:util';
import { apiKeyJson, issueApiKey } from '../api/api-keys.js';
import { ConfigError, loadConfig } from '../config.js';
import { HttpError } from '../server/errors.js';
import { openStore } from '../store/index.js';
import { openPostgresStore } from '../store/postgres/index.js';
import type { Store, User } from '../store/types.js';
import { trafficRollups } from '../query/rollups/embedded-rollups.js';

export const API_KEY_USAGE = `       dashi api-key create --user NAME --name NAME --scope read|write [--website ID]... [--expires DATE] [--json]
       dashi api-key list --user NAME [--json]
       dashi api-key revoke --user NAME KEY_ID`;

async function open(): Promise<Store> {
  const config = loadConfig();
  // Keys are metadata, which lives in PostgreSQL whenever DATABASE_URL is set (ClickHouse included).
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl);
  try {
    return await openStore(config, trafficRollups);
  } catch (err) {
    if (/in use by another process/.test((err as Error).message)) {
      throw new ConfigError(
        `The embedded store (${config.dataDir}) is open by a running Dashi server, and DuckDB allows one process per file.\n` +
          'Stop the server and run this again, or manage keys in the dashboard (Settings → API keys) or with POST /api/me/api-keys.',
      );
    }
    throw err;
  }
}

async function userNamed(store: Store, name: string | undefined): Promise<User> {
  if (!name) throw new ConfigError(`--user is required\n\nUsage:\n${API_KEY_USAGE}`);
  const found = await store.users.getWithHashByUsername(name);
  if (!found) throw new ConfigError(`No user named '${name}'`);
  const { passwordHash: _omit, ...user } = found;
  return user;
}

/** DATE: milliseconds, or an ISO 8601 date or date-time (a bare date means its start, UTC). */
function expiry(raw: string | undefined): number | string | undefined {
  if (raw === undefined) return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
}

export async function apiKeyCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string' },
      website: { type: 'string', multiple: true },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [sub, ...rest] = positionals;
  if (!['create', 'list', 'revoke'].includes(sub ?? '')) throw new ConfigError(`Usage:\n${API_KEY_USAGE}`);
  const store = await open();
  try {
    const user = await userNamed(store, values.user);
    if (sub === 'create') {
      const key = await issueApiKey(store, user, { name: values.name ?? '', scope: values.scope as 'read', websiteIds: values.website, expiresAt: expiry(values.expires) });
      if (values.json) return console.log(JSON.stringify(key));
      console.log(`Created API key '${key.name}' (scope ${key.scope}) for ${user.username}, id ${key.id}` + (key.expiresAt ? `, expires ${key.expiresAt.toISOString()}` : ''));
      if (key.websiteIds) console.log(`Limited to websites: ${key.websiteIds.join(', ')}`);
      console.log(`\n${key.key}\n\nCopy it now: it is not shown again.`);
      return;
    }
    if (sub === 'list') {
      const keys = (await store.apiKeys.listByUser(user.id)).map(apiKeyJson);
      if (values.json) return console.log(JSON.stringify(keys));
      if (!keys.length) return console.log(`${user.username} has no API keys`);
      for (const k of keys) {
        const when = (d: Date | null) => (d ? d.toISOString() : 'never');
        console.log(`${k.id}  ${k.prefix}…  ${k.scope.padEnd(5)}  ${k.name}  created ${when(k.createdAt)}  last used ${when(k.lastUsedAt)}  expires ${when(k.expiresAt)}${k.websiteIds ? `  websites ${k.websiteIds.join(',')}` : ''}`);
      }
      return;
    }
    const id = rest[0];
    if (!id) throw new ConfigError(`revoke needs the key's id (see dashi api-key list)\n\nUsage:\n${API_KEY_USAGE}`);
    if (!(await store.apiKeys.delete(user.id, id))) throw new ConfigError(`${user.username} has no API key ${id}`);
    console.log(`Revoked API key ${id}`);
  } catch (err) {
    if (err instanceof HttpError) throw new ConfigError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}
