// `dashi import <source> ...`: bring data from elsewhere. Each source is its own module.
import { ConfigError } from '../config.js';
import { IMPORT_UMAMI_USAGE, importUmamiCommand } from './import-umami.js';

export const IMPORT_USAGE = [IMPORT_UMAMI_USAGE].join('\n');

export async function importCommand(args: string[]): Promise<void> {
  const [source, ...rest] = args;
  if (source === 'umami') return importUmamiCommand(rest);
  throw new ConfigError(`dashi import needs a source${source ? ` (not '${source}')` : ''}\n\nUsage:\n${IMPORT_USAGE}`);
}
