// `dashi mcp --url URL --api-key KEY`: the stdio MCP server (src/mcp/stdio.ts).
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { McpStartError, runStdioMcp } from '../mcp/stdio.js';

export const MCP_USAGE = '       dashi mcp --url URL --api-key KEY   (or DASHI_URL, DASHI_API_KEY)';

export async function mcpCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, 'api-key': { type: 'string' } } });
  const url = values.url ?? process.env.DASHI_URL ?? 'http://localhost:3000';
  const key = values['api-key'] ?? process.env.DASHI_API_KEY;
  if (!key) throw new ConfigError(`dashi mcp needs --api-key (or DASHI_API_KEY): create one in Settings → API keys\n\nUsage:\n${MCP_USAGE}`);
  try {
    await runStdioMcp(url, key);
  } catch (err) {
    if (err instanceof McpStartError) throw new ConfigError(err.message);
    throw err;
  }
}
