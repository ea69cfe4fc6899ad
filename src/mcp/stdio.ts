// `dashi mcp --url … --api-key …`: an MCP server on stdin/stdout for desktop agents, whose tools
// call the REST API of the given Dashi server with the key. stdout carries the protocol only.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { API_KEY_HEADER } from '../server/key-auth.js';
import { packageVersion, readmeApiSection } from './reference.js';
import { createMcpServer, type Rest } from './tools.js';

export class McpStartError extends Error {}

/** REST calls to `url` (which may include a BASE_PATH) with the key. */
export function restOver(url: string, apiKey: string): Rest {
  const base = url.replace(/\/+$/, '');
  return async (method, path, body) => {
    const headers: Record<string, string> = { [API_KEY_HEADER]: apiKey, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  };
}

export async function runStdioMcp(url: string, apiKey: string): Promise<void> {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new McpStartError(`--url: '${url}' is not a URL (e.g. http://localhost:3000)`);
  }
  const rest = restOver(parsedUrl.toString(), apiKey);
  let current;
  try {
    current = await rest('GET', '/api/me/api-keys/current');
  } catch (err) {
    throw new McpStartError(`Cannot reach Dashi at ${url}: ${(err as Error).message}`);
  }
  if (current.status === 401) throw new McpStartError(`Dashi at ${url} refused the API key (unknown, revoked or expired)`);
  if (current.status !== 200) throw new McpStartError(`Dashi at ${url} answered ${current.status} to GET /api/me/api-keys/current: is this a Dashi server?`);
  const scope = (current.body as { scope?: string }).scope === 'write' ? 'write' : 'read';
  const server = createMcpServer({ rest, scope, version: packageVersion(), fallbackReference: readmeApiSection });
  await server.connect(new StdioServerTransport());
}
