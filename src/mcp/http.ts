// MCP over Streamable HTTP at /mcp, stateless: each POST gets a fresh MCP server whose tools call
// the REST routes of this same app in process (fastify.inject) with the request's own credentials,
// so answers equal the REST answers and every permission, key limit and rate limit applies.
// Authenticated by an API key (Authorization: Bearer dashi_… or x-umami-api-key) or a login token
// sent as a bearer token; not by the cookie, so a web page cannot drive it with a visitor's session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { AppContext } from '../server/context.js';
import { errorBody } from '../server/errors.js';
import { API_KEY_HEADER } from '../server/key-auth.js';
import { packageVersion, readmeApiSection } from './reference.js';
import { createMcpServer, type Rest } from './tools.js';

const FORWARDED = ['authorization', API_KEY_HEADER, 'user-agent'];
const DROPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'cookie']);

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export function registerMcp(app: FastifyInstance, ctx: AppContext): void {
  const version = packageVersion();

  app.post('/mcp', async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = await ctx.auth.resolve(req);
    if (!auth || auth.kind !== 'user' || auth.via === 'cookie') {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody(401, 'MCP needs an API key: send Authorization: Bearer dashi_… or x-umami-api-key: dashi_…'));
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const rest: Rest = async (method, path, body) => {
      const res = await app.inject({
        method,
        url: ctx.config.basePath + path,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.statusCode, body: parseBody(res.body) };
    };
    const server = createMcpServer({ rest, scope: auth.apiKey ? auth.apiKey.scope : 'write', version, fallbackReference: readmeApiSection });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      const requestHeaders = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (DROPPED.has(name) || value === undefined) continue;
        requestHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const request = new Request(`http://localhost${req.url}`, { method: 'POST', headers: requestHeaders, body: JSON.stringify(req.body ?? null) });
      const response = await transport.handleRequest(request, { parsedBody: req.body });
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        reply.header(name, value);
      });
      return reply.send(await response.text());
    } finally {
      await server.close();
    }
  });

  // Stateless: no server-to-client stream and no session to end.
  const notAllowed = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.code(405).header('allow', 'POST').send(errorBody(405, 'Method not allowed: MCP here is stateless, POST /mcp'));
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}
