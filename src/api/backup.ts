// POST /api/admin/backup {dir}: a backup of the embedded store made by the running server, into a
// directory on the server's machine (what `dashi backup --url` calls; the store is one process).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { packageVersion } from '../mcp/reference.js';
import { BackupError } from '../store/duckdb/backup.js';
import { nativeBackupAdvice } from '../store/native-backup.js';
import type { AppContext } from '../server/context.js';
import { badRequest, forbidden } from '../server/errors.js';
import { keyWebsiteIds, requireAdmin } from '../server/permissions.js';
import { parse } from '../server/validate.js';

export const backupBody = z.object({ dir: z.string('must be a directory path').min(1).max(4096) });

export function registerBackup(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/admin/backup', async (req) => {
    await requireAdmin(req, ctx);
    if (await keyWebsiteIds(req, ctx)) throw forbidden('This API key is limited to some websites: a backup holds them all');
    const { dir } = parse(backupBody, req.body);
    const { store } = ctx;
    if (store.kind !== 'duckdb') throw badRequest(nativeBackupAdvice(store.kind));
    if (!store.backup) throw badRequest('An in-memory store has nothing to back up');
    try {
      const manifest = await store.backup(dir, packageVersion());
      req.log.info({ dir, tables: manifest.tables }, 'backup written');
      return { dir, manifest };
    } catch (err) {
      if (err instanceof BackupError) throw badRequest(err.message);
      throw err;
    }
  });
}
