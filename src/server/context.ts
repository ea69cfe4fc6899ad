import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { AuthService } from './auth-service.js';

/** What every route module receives: configuration, the store, the logger and auth. */
export interface AppContext {
  config: Config & { appSecret: string };
  store: Store;
  log: FastifyBaseLogger;
  auth: AuthService;
}
