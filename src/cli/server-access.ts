// How a data command (export, import) reaches the data: the running server at --url with an API
// key, or the configured store opened directly (the embedded store only while no server has it).
import { ConfigError, loadConfig } from '../config.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { trafficRollups } from '../query/rollups/embedded-rollups.js';
import { API_KEY_HEADER } from '../server/key-auth.js';

export interface ServerAccess {
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** The server to call when --url or DASHI_URL is given (with --api-key or DASHI_API_KEY), else null. */
export function serverOf(values: { url?: string; 'api-key'?: string }): ServerAccess | null {
  const url = (values.url ?? process.env.DASHI_URL)?.replace(/\/+$/, '');
  if (!url) return null;
  const key = values['api-key'] ?? process.env.DASHI_API_KEY;
  if (!key) throw new ConfigError('--url needs --api-key (or DASHI_API_KEY): create one in Settings → API keys');
  return {
    url,
    fetch: (path, init = {}) => fetch(url + path, { ...init, headers: { ...(init.headers as Record<string, string>), [API_KEY_HEADER]: key } }),
  };
}

export async function openConfiguredStore(): Promise<Store> {
  const config = loadConfig();
  try {
    return await openStore(config, trafficRollups);
  } catch (err) {
    if (/in use by another process|Could not set lock/i.test((err as Error).message)) {
      throw new ConfigError(
        `The embedded store (${config.dataDir}) is open by a running Dashi server, and DuckDB allows one process per file.\n` +
          'Stop the server, or pass --url http://host:port --api-key dashi_… to go through it.',
      );
    }
    throw err;
  }
}
