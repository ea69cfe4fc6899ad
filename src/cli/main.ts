#!/usr/bin/env node
// dashi <command>: start (default) runs the server.
import { ConfigError } from '../config.js';
import { handleSignals, startServer } from '../server/start.js';

const USAGE = `Usage: dashi [start]

Commands:
  start   run the server (configuration from environment variables; see README)`;

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'start';
  if (command === 'start') {
    handleSignals(await startServer());
    return;
  }
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
