import type { FastifyInstance } from 'fastify';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Deep copy with object keys in sorted order, so a document is byte-stable whatever the route order (both documents use it). */
export function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

/** The OpenAPI 3 document of the routes the app serves, deterministic (sorted keys, no timestamps). */
export function openApiDocument(app: FastifyInstance): Record<string, unknown> {
  return sortKeys(JSON.parse(JSON.stringify(app.swagger())) as Json) as Record<string, unknown>;
}

/** The document as the committed file holds it: two-space JSON with a final newline. */
export function openApiText(app: FastifyInstance): string {
  return `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
}

/** `GET /openapi.json`: the emulator describes its own REST routes (no auth; outside /ConfigurationManager). */
export function openApiRoutes(app: FastifyInstance): void {
  let cached: string | null = null;
  app.get('/openapi.json', { schema: { hide: true } }, async (_req, reply) => {
    cached ??= openApiText(app);
    return reply.type('application/json').send(cached);
  });
}
