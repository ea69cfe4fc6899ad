// GET /api/openapi.json: an OpenAPI 3.1 document built from ./operations.ts, whose request schemas
// are the zod schemas the routes validate with (z.toJSONSchema). Built once per process.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { AppContext } from '../../server/context.js';
import { FILTER_PARAMS } from '../../query/filters.js';
import { OPERATIONS, type Access, type Operation } from './operations.js';
import { errorJson } from './responses.js';

type Json = Record<string, unknown>;

/** Fastify's `/a/:b` as OpenAPI's `/a/{b}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const SECURITY: Record<Access, Json[]> = {
  public: [],
  user: [{ bearer: [] }, { apiKey: [] }, { cookie: [] }],
  admin: [{ bearer: [] }, { apiKey: [] }, { cookie: [] }],
  website: [{ bearer: [] }, { apiKey: [] }, { cookie: [] }, { shareToken: [] }],
};

const ACCESS_NOTE: Record<Access, string> = {
  public: 'Public.',
  user: 'A signed-in user (or an API key).',
  admin: 'Admins only.',
  website: "Anyone who may view the website: its owner, its team's members, admins, or a share token of it.",
};

/** JSON Schema of a zod schema, with its named parts (meta id) moved to components. */
class Schemas {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    delete json.$schema;
    for (const [id, def] of Object.entries(defs)) this.components[id] ??= tidy(def);
    return tidy(json);
  }
}

/** `#/$defs/X` -> components; drop the regular expressions zod writes beside a uuid or date-time format. */
function tidy(node: Json): Json {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out[k] = x.replace(/^#\/\$defs\//, '#/components/schemas/');
      else if (k === 'pattern' && ((v as Json).format === 'uuid' || (v as Json).format === 'date-time')) continue;
      else out[k] = walk(x);
    }
    return out;
  };
  return walk(node) as Json;
}

function parameters(op: Operation, schemas: Schemas): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', obj: z.ZodObject | undefined) => {
    if (!obj) return;
    const json = schemas.convert(obj, 'input');
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, schema] of Object.entries((json.properties ?? {}) as Record<string, Json>)) {
      const { description, ...rest } = schema;
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  };
  add('path', op.params);
  add('query', op.query);
  // Path parameters the route reads without a schema of its own.
  for (const [, name] of op.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    if (!out.some((p) => p.in === 'path' && p.name === name)) out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (op.filters) out.push({ $ref: '#/components/parameters/Filters' }, { $ref: '#/components/parameters/FilterScope' });
  return out;
}

function operationId(op: Operation): string {
  const words = op.path
    .replace(/^\/api\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by ${w.slice(1)}` : w))
    .join(' ')
    .split(' ');
  return [op.method, ...words].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

function build(config: Pick<Config, 'basePath'>): Json {
  const schemas = new Schemas();
  const paths: Record<string, Json> = {};
  const error = schemas.convert(errorJson, 'output');
  for (const op of OPERATIONS) {
    const item = (paths[openApiPath(op.path)] ??= {});
    const ok =
      'text' in op.response
        ? { description: op.response.text, content: { [op.response.mediaType ?? 'text/plain']: { schema: op.response.mediaType ? {} : { type: 'string' } } } }
        : { description: 'OK', content: { 'application/json': { schema: schemas.convert(op.response as z.ZodType, 'output') } } };
    const params = parameters(op, schemas);
    item[op.method] = {
      operationId: operationId(op),
      summary: op.summary,
      description: [op.description, ACCESS_NOTE[op.access]].filter(Boolean).join(' '),
      tags: [op.tag],
      security: SECURITY[op.access],
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemas.convert(op.body, 'input'), ...(op.example?.body ? { example: op.example.body } : {}) } },
            },
          }
        : {}),
      responses: { '200': ok, '4XX': { $ref: '#/components/responses/Error' } },
    };
  }
  const filterProps = Object.fromEntries(FILTER_PARAMS.map((name) => [name, { type: 'string', maxLength: 500 }]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dashi API',
      version: '1',
      description:
        "Dashi speaks Umami's API (v2, and v1 for older clients). Errors use Umami's envelope {error: {message, code, status}}; a caller without permission gets 401.",
    },
    servers: [{ url: config.basePath || '/' }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: schemas.components,
      responses: { Error: { description: 'Bad input (400), no permission (401), not found (404), ...', content: { 'application/json': { schema: error } } } },
      parameters: {
        Filters: {
          name: 'filters',
          in: 'query',
          style: 'form',
          explode: true,
          description:
            'Filter parameters, each `value` (equals) or `op.value` with op eq, neq (comma lists), c (contains), dnc (does not contain), re (regex), nre; repeats take numeric suffixes (path1=...); match=any ORs them.',
          schema: { type: 'object', properties: { ...filterProps, match: { type: 'string', enum: ['all', 'any'] } }, additionalProperties: false },
        },
        FilterScope: {
          name: 'scope',
          in: 'query',
          style: 'form',
          explode: true,
          description: 'segment: a saved segment id; cohort: a saved cohort id; excludeBounce: only visits with more than one pageview.',
          schema: {
            type: 'object',
            properties: { segment: { type: 'string', format: 'uuid' }, cohort: { type: 'string', format: 'uuid' }, excludeBounce: { type: 'string', enum: ['true', 'false', '1', '0'] } },
            additionalProperties: false,
          },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token from POST /api/auth/login (an API key works here too).' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-umami-api-key', description: 'An API key.' },
        shareToken: { type: 'apiKey', in: 'header', name: 'x-umami-share-token', description: 'From GET /api/share/{shareId}: read-only access to that one website.' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'umami.auth', description: 'The login token as a cookie, as Umami v1 clients send it.' },
      },
    },
  };
}

let cached: { basePath: string; doc: Json } | null = null;

export function openApiDocument(config: Pick<Config, 'basePath'>): Json {
  if (cached?.basePath !== config.basePath) cached = { basePath: config.basePath, doc: build(config) };
  return cached.doc;
}

export function registerOpenApi(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/openapi.json', async () => openApiDocument(ctx.config));
}
