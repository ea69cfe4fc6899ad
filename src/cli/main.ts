#!/usr/bin/env node
// dashi <command>: `start` (default) runs the server; `migrate-store` copies all data to another store.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { handleSignals, startServer } from '../app/start.js';
import { openStore } from '../store/index.js';
import { transferStore } from '../store/transfer.js';
import { describeDays } from '../store/day-copy.js';
import { trafficRollups } from '../query/rollups/embedded-rollups.js';
import { API_KEY_USAGE, apiKeyCommand } from './api-key.js';
import { MCP_USAGE, mcpCommand } from './mcp.js';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './backup.js';
import { EXPORT_USAGE, exportCommand } from './export.js';
import { IMPORT_USAGE, importCommand } from './import.js';
import { progressBar } from './progress.js';

const USAGE = `Usage: dashi [start]
       dashi migrate-store [--to-database-url URL] [--to-clickhouse-url URL] [--to-data-dir DIR]
${API_KEY_USAGE}
${MCP_USAGE}
${BACKUP_USAGE}
${EXPORT_USAGE}
${IMPORT_USAGE}

Commands:
  start          run the server (configuration from environment variables; see README)
  migrate-store  copy every user, team, website, report and event from the configured store
                 (DATA_DIR, DATABASE_URL, CLICKHOUSE_URL) to the one named by the flags.
                 Stop the server first when the source is the embedded store. Safe to run
                 again: it resumes, and verifies row counts at the end.
  api-key        create, list or revoke a user's API keys (embedded store: stop the server first)
  mcp            an MCP server on stdio for desktop agents, calling the server at --url with --api-key
  backup         a consistent snapshot of the embedded store into a new directory, while the server
                 ingests (through it, with --api-key) or with it stopped
  restore        check a backup and put it in place as DATA_DIR (server stopped; the old contents are kept aside)
  export         a website's raw events and sessions (NDJSON, CSV or Parquet) to --out or stdout
  import dashi   load such an NDJSON export; safe to run again (stored events and sessions are skipped)
                 (export and import: through the server with --url and --api-key, else the store
                 directly, which for the embedded store needs the server stopped)
  import umami   copy users, teams, websites (same ids), reports, segments and all events from a live
                 Umami database; safe to run again. With --url/--api-key the running server does it`;

async function migrateStore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { 'to-database-url': { type: 'string' }, 'to-clickhouse-url': { type: 'string' }, 'to-data-dir': { type: 'string' } },
  });
  const sourceConfig = loadConfig();
  const targetConfig = loadConfig({
    ...process.env,
    DATABASE_URL: values['to-database-url'] ?? '',
    CLICKHOUSE_URL: values['to-clickhouse-url'] ?? '',
    DATA_DIR: values['to-data-dir'] ?? '',
  });
  if (!values['to-database-url'] && !values['to-data-dir']) throw new ConfigError(`migrate-store needs --to-database-url or --to-data-dir\n\n${USAGE}`);
  const source = await openStore(sourceConfig, trafficRollups);
  const target = await openStore(targetConfig, trafficRollups);
  try {
    console.log(`Copying ${source.kind} → ${target.kind}`);
    const report = await transferStore(source, target, progressBar);
    console.log('Metadata rows copied:', report.metadata);
    for (const line of describeDays(report)) console.log(line);
    let ok = true;
    for (const [table, { source: s, target: t }] of Object.entries(report.analytics)) {
      console.log(`  ${table}: source ${s}, target ${t}${s === t ? '' : '  MISMATCH'}`);
      ok &&= s === t;
    }
    if (!ok) throw new Error('Row counts differ (the target had rows of its own, or the source changed during the copy); run again to resume');
    console.log('Done: counts match.');
  } finally {
    await source.close();
    await target.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'start';
  if (command === 'start') {
    handleSignals(await startServer());
    return;
  }
  if (command === 'migrate-store') return migrateStore(argv.slice(1));
  if (command === 'api-key') return apiKeyCommand(argv.slice(1));
  if (command === 'mcp') return mcpCommand(argv.slice(1));
  if (command === 'backup') return backupCommand(argv.slice(1));
  if (command === 'restore') return restoreCommand(argv.slice(1));
  if (command === 'export') return exportCommand(argv.slice(1));
  if (command === 'import') return importCommand(argv.slice(1));
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  console.error(`Unknown command: ${command}\n\n${USAGE}`);
  process.exit(2);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
