import type { RouteOptions } from 'fastify';

/**
 * The control plane's own OpenAPI document, built from the routes as registered (their JSON schemas, summaries
 * and `x-responses`), so it cannot drift from what is served. Served at GET /emulator/v1/openapi.json.
 */

export interface RouteDoc {
  summary?: string; description?: string; tags?: string[];
  body?: unknown; querystring?: { type?: string; properties?: Record<string, unknown>; required?: string[] };
  'x-responses'?: Record<string, string>;
}

/** A body schema: an object of these properties and no others; no body (or `null`) is accepted unless some are required. */
export const obj = (properties: Record<string, unknown>, extra: { required?: string[] } & Record<string, unknown> = {}) =>
  ({ type: extra.required?.length ? 'object' : ['object', 'null'], additionalProperties: false, properties, ...extra });
export const str = { type: 'string' } as const;

/** A route's schema: its document entry, hidden from the VSP API document. */
export function doc(tags: string[], summary: string, description: string, responses: Record<string, string>, rest: Partial<RouteDoc> = {}): RouteDoc & { hide: true } {
  return { hide: true, tags, summary, description, 'x-responses': responses, ...rest };
}

export function buildControlOpenApi(routes: RouteOptions[], opts: { version: string; token: boolean; publicPaths: string[] }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    const url = r.url.replace(/\/+$/, '') || '/';
    const path = url.replace(/:(\w+)/g, '{$1}');
    const s = (r.schema ?? {}) as RouteDoc;
    for (const m of methods) {
      const params: unknown[] = [...url.matchAll(/:(\w+)/g)].map((x) => ({ name: x[1], in: 'path', required: true, schema: { type: 'string' } }));
      for (const [name, schema] of Object.entries(s.querystring?.properties ?? {})) {
        params.push({ name, in: 'query', required: s.querystring?.required?.includes(name) ?? false, schema });
      }
      const responses = Object.fromEntries(Object.entries(s['x-responses'] ?? { 200: 'OK' }).map(([code, description]) => [code, { description }]));
      paths[path] ??= {};
      paths[path]![m.toLowerCase()] = {
        summary: s.summary, description: s.description, tags: s.tags,
        ...(params.length ? { parameters: params } : {}),
        ...(s.body ? { requestBody: { required: false, content: { 'application/json': { schema: s.body } } } } : {}),
        responses,
        ...(opts.token && !opts.publicPaths.includes(url) ? { security: [{ bearer: [] }] } : { security: [] }),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vsp-emulator control plane',
      version: opts.version,
      description: 'Test and trainer controls of the Hitachi VSP emulator: health, reset, checkpoints, state export, arrays on ' +
        'demand, virtual clock, timing profiles, faults, request journal, seeding, and host I/O (writes, content fingerprints and ' +
        'write workloads that fill pools). Errors are `{"error": code, "message": text}` with a 4xx status: 400 badRequest (bad JSON, ' +
        'a value out of range, an unknown key), 404 notFound, 409 conflict or limitReached, 413 payloadTooLarge (64 KiB; 8 MiB for reset and ' +
        'arrays), 415 unsupportedMediaType (a body must be sent as Content-Type: application/json). ' +
        'Every response carries `x-vsp-emulator: <version>`. With `--control-token`, every route except health needs ' +
        '`Authorization: Bearer <token>`; `--no-control-plane` removes all of /emulator/v1/.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
