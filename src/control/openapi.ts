import type { RouteOptions } from 'fastify';
import { REFUSAL_MESSAGES } from '../http/gate.js';
import { sortKeys, type Json } from '../http/routes/openapi.js';

/**
 * The control plane's own OpenAPI 3.1 document, built from the routes as registered: each route's schema (the one
 * Fastify validates its params, query and body with) carries its operationId, summary and every answer it can give
 * (`x-responses`), so the document cannot drift from what is served. Schemas given a name with `named()` become
 * `components.schemas` entries (a `$ref` wherever the same object is used). Served at GET /emulator/v1/openapi.json
 * and committed as openapi/control-plane.json.
 */

type Schema = Record<string, unknown>;

/** One answer of a route: its description, the body schema (none for 204) and an example taken from a real answer. */
export interface Answer { description: string; schema?: unknown; example?: unknown }

export interface RouteDoc {
  hide: true;
  operationId: string; tags: string[]; summary: string; description: string;
  body?: unknown;
  querystring?: { type?: string; properties?: Record<string, unknown>; required?: string[] };
  params?: { type: 'object'; properties: Record<string, Schema>; required: string[] };
  'x-responses': Record<string, Answer>;
  /** Needs no control token (health). */
  'x-public'?: boolean;
}

const names = new Map<object, { name: string; example?: unknown }>();

/** Gives a schema a name in `components.schemas` (and an example from a real answer); returns the same object. */
export function named<T extends object>(name: string, schema: T, example?: unknown): T {
  names.set(schema, { name, example });
  return schema;
}

/** Whether a schema was given a name (it is then a `$ref` in the document). */
export const isNamed = (schema: object): boolean => names.has(schema);

/** A body schema: an object of these properties and no others; no body (or `null`) is accepted unless some are required. */
export const obj = (properties: Record<string, unknown>, extra: { required?: string[] } & Record<string, unknown> = {}) =>
  ({ type: extra.required?.length ? 'object' : ['object', 'null'], additionalProperties: false, properties, ...extra });
export const str = { type: 'string' } as const;

/** An answer with a body: `doc()` takes these, or a sentence (204, or an error in the `{error, message}` shape). */
export const ok = (description: string, schema: unknown, example?: unknown): Answer => ({ description, schema, ...(example !== undefined ? { example } : {}) });
/** An error answer with the example of a real one. */
export const err = (description: string, error: string, message: string): Answer => ({ description, example: { error, message } });

/**
 * A route's schema and its document entry, hidden from the VSP API document. `responses` lists what the route
 * itself answers; the document adds what every route can meet: 403 from the gate, 401 without the control token,
 * and for a body 400 (not JSON, or not matching its schema), 413 (too large) and 415 (not sent as JSON).
 */
export function doc(operationId: string, tags: string[], summary: string, description: string, responses: Record<number, string | Answer>,
  rest: { body?: unknown; querystring?: RouteDoc['querystring']; params?: Record<string, string>; public?: boolean } = {}): RouteDoc {
  const out: RouteDoc = {
    hide: true, operationId, tags, summary, description,
    'x-responses': Object.fromEntries(Object.entries(responses).map(([code, a]) => [code, typeof a === 'string' ? { description: a } : a])),
  };
  if (rest.body !== undefined) out.body = rest.body;
  if (rest.querystring !== undefined) out.querystring = rest.querystring;
  if (rest.params !== undefined) {
    out.params = {
      type: 'object', required: Object.keys(rest.params),
      properties: Object.fromEntries(Object.entries(rest.params).map(([k, description]) => [k, { type: 'string', description }])),
    };
  }
  if (rest.public) out['x-public'] = true;
  return out;
}

/** The tags of the document, in the order a reader meets them. */
export const TAGS: Array<{ name: string; description: string }> = [
  { name: 'health', description: 'Readiness and this document.' },
  { name: 'state', description: 'Reset to a fixture, and export the whole model as JSON (itself a fixture).' },
  { name: 'checkpoints', description: 'Save the whole state (or one array\'s) under a name and bring it back in milliseconds.' },
  { name: 'arrays', description: 'Arrays on demand: parallel test files each get a storage id of their own.' },
  { name: 'clock', description: 'The virtual clock every timestamp, job and pair transition reads.' },
  { name: 'timing', description: 'How long jobs and pair transitions take on the virtual clock.' },
  { name: 'faults', description: 'Fault rules: HTTP errors, latency, broken connections, failed jobs, suspended pairs, full pools; seeded and scoped.' },
  { name: 'journal', description: 'The last requests the emulated arrays received and what they answered.' },
  { name: 'determinism', description: 'The seed of tokens and generated names.' },
  { name: 'host I/O', description: 'What a host connected to the array would do: writes, content fingerprints and write workloads that fill pools.' },
];

/** The control plane's error body. */
export const ControlErrorSchema = named('ControlError', {
  type: 'object', additionalProperties: false, required: ['error', 'message'],
  description: 'Every control-plane error: a stable code and a sentence that says what to do.',
  properties: {
    error: {
      type: 'string', pattern: '^[a-z][A-Za-z]*$',
      description: 'badRequest, badFixture (400); unauthorized (401); crossSite, hostNotAllowed (403); notFound, fixtureNotFound (404); ' +
        'conflict, limitReached, faultFailed, volumeNotAccessible, poolFull, geometryChanged, badGeometry (409); payloadTooLarge (413); ' +
        'unsupportedMediaType (415); notImplemented (501)',
    },
    message: { type: 'string' },
  },
}, { error: 'notFound', message: 'no checkpoint "nightly"' });

const ERROR_EXAMPLES: Record<string, { error: string; message: string }> = {
  400: { error: 'badRequest', message: 'body must NOT have additional properties' },
  401: { error: 'unauthorized', message: 'the control plane needs Authorization: Bearer <control token>' },
  403: { error: 'hostNotAllowed', message: REFUSAL_MESSAGES.hostNotAllowed },
  404: { error: 'notFound', message: 'no array 886000999999' },
  409: { error: 'conflict', message: 'array 886000123456 already exists' },
  413: { error: 'payloadTooLarge', message: 'the request body is larger than this route accepts' },
  415: { error: 'unsupportedMediaType', message: 'the body must be JSON sent as Content-Type: application/json (got "text/plain")' },
  501: { error: 'notImplemented', message: 'pair faults need the pair module (engine.pairHooks.suspendPairs is not implemented)' },
};

const VERSION_HEADER = { 'x-vsp-emulator': { $ref: '#/components/headers/EmulatorVersion' } };
const errorContent = (example: unknown) => ({ 'application/json': { schema: ControlErrorSchema, example } });
const errorAnswer = (description: string, status: number, example?: unknown) =>
  ({ description, headers: VERSION_HEADER, content: errorContent(example ?? ERROR_EXAMPLES[status]) });

/** Answers every route (or every route with a body) can give, shared as `components.responses`. */
const SHARED_RESPONSES = {
  Unauthorized: {
    description: 'The emulator runs with `--control-token` and the request has no `Authorization: Bearer <token>` with it.',
    headers: { ...VERSION_HEADER, 'WWW-Authenticate': { description: 'Always `Bearer realm="vsp-emulator"`.', schema: { type: 'string', const: 'Bearer realm="vsp-emulator"' } } },
    content: errorContent(ERROR_EXAMPLES[401]),
  },
  ForbiddenHost: errorAnswer('Refused by the gate: `hostNotAllowed`, a Host name that is not localhost, an IP address or allowed by ' +
    '`--allowed-host` (DNS rebinding guard).', 403),
  Forbidden: errorAnswer('Refused by the gate: `hostNotAllowed` (a Host name that is not localhost, an IP address or allowed by ' +
    '`--allowed-host`: DNS rebinding guard), or `crossSite` (a page of another site: an `Origin` that is not the emulator\'s own, ' +
    'or `Sec-Fetch-Site: cross-site`).', 403, { error: 'crossSite', message: REFUSAL_MESSAGES.crossSite }),
  PayloadTooLarge: errorAnswer('`payloadTooLarge`: the body is larger than 64 KiB.', 413),
  FixtureTooLarge: errorAnswer('`payloadTooLarge`: the body is larger than 8 MiB.', 413),
  UnsupportedMediaType: errorAnswer('`unsupportedMediaType`: a body must be sent as `Content-Type: application/json` (or `application/<x>+json`).', 415),
};

/** Replaces named schemas by `$ref`s (collecting them into `schemas`), deep-copying everything else. */
function withRefs(v: unknown, schemas: Record<string, unknown>, root = false): unknown {
  if (Array.isArray(v)) return v.map((x) => withRefs(x, schemas));
  if (!v || typeof v !== 'object') return v;
  const n = names.get(v);
  if (n && !root) {
    if (!(n.name in schemas)) {
      schemas[n.name] = null; // claimed first: a schema that contains itself stays a reference
      schemas[n.name] = withRefs(v, schemas, true);
    }
    return { $ref: `#/components/schemas/${n.name}` };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withRefs(x, schemas)]));
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export interface ControlDocOptions { version: string; token: boolean }

/**
 * The document of the routes as registered. Without a control token (the committed file), `bearer` is declared
 * optional on every route but health (`security: [{}, {bearer: []}]`), so generated clients can still send one to an
 * emulator started with `--control-token`; with a token it is required.
 */
export function buildControlOpenApi(routes: RouteOptions[], opts: ControlDocOptions): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {};
  const ids = new Set<string>();
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    const url = r.url.replace(/\/+$/, '') || '/';
    const path = url.replace(/:(\w+)/g, '{$1}');
    const s = (r.schema ?? {}) as Partial<RouteDoc>;
    for (const m of methods) {
      const where = `${m} ${url}`;
      if (!s.operationId || !s['x-responses']) throw new Error(`control-plane route ${where} has no doc() schema`);
      if (ids.has(s.operationId)) throw new Error(`operationId ${s.operationId} is used twice`);
      ids.add(s.operationId);
      const isPublic = s['x-public'] === true;
      const parameters: unknown[] = [...url.matchAll(/:(\w+)/g)].map((x) => {
        const p = s.params?.properties[x[1]!];
        return { name: x[1], in: 'path', required: true, ...(p?.description ? { description: p.description } : {}), schema: { type: 'string' } };
      });
      for (const [name, schema] of Object.entries(s.querystring?.properties ?? {})) {
        const { description, ...rest } = schema as Schema;
        parameters.push({ name, in: 'query', required: s.querystring?.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
      }
      const hasBody = s.body !== undefined && METHODS_WITH_BODY.has(m);
      const responses: Record<string, unknown> = {};
      const own = s['x-responses'];
      const badInput = hasBody ? 'the body is not JSON, or does not match its schema' : null;
      for (const [code, a] of Object.entries(own)) {
        const status = Number(code);
        if (status >= 400 && a.schema === undefined) {
          const description = status === 400 && badInput ? `\`badRequest\`: ${badInput}, or ${a.description}.` : `${a.description}.`;
          responses[code] = errorAnswer(description, status, a.example);
        } else if (status === 204) {
          responses[code] = { description: a.description, headers: VERSION_HEADER };
        } else {
          if (a.schema === undefined) throw new Error(`${where}: answer ${code} has no schema`);
          const example = a.example ?? names.get(a.schema as object)?.example;
          responses[code] = { description: a.description, headers: VERSION_HEADER, content: { 'application/json': { schema: a.schema, ...(example !== undefined ? { example } : {}) } } };
        }
      }
      if (badInput && !own[400]) responses[400] = errorAnswer(`\`badRequest\`: ${badInput}.`, 400);
      if (!isPublic) responses[401] = { $ref: '#/components/responses/Unauthorized' };
      responses[403] = { $ref: `#/components/responses/${m === 'GET' ? 'ForbiddenHost' : 'Forbidden'}` };
      if (hasBody) {
        responses[413] = { $ref: `#/components/responses/${(r.bodyLimit ?? 0) > 64 * 1024 ? 'FixtureTooLarge' : 'PayloadTooLarge'}` };
        responses[415] = { $ref: '#/components/responses/UnsupportedMediaType' };
      }
      const body = s.body as { type?: unknown } | undefined;
      paths[path] ??= {};
      paths[path]![m.toLowerCase()] = {
        operationId: s.operationId, summary: s.summary, description: s.description, tags: s.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(hasBody ? {
          requestBody: {
            required: !(Array.isArray(body?.type) && body.type.includes('null')),
            content: { 'application/json': { schema: s.body } },
          },
        } : {}),
        responses,
        security: isPublic ? [] : opts.token ? [{ bearer: [] }] : [{}, { bearer: [] }],
      };
    }
  }
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'vsp-emulator control plane',
      version: opts.version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description: 'Test and trainer controls of the Hitachi VSP emulator: health, reset, checkpoints, state export, arrays on ' +
        'demand, virtual clock, timing profiles, faults, request journal, seeding, and host I/O (writes, content fingerprints and ' +
        'write workloads that fill pools). Errors are `{"error": code, "message": text}` with a 4xx status: 400 badRequest (bad JSON, ' +
        'a value out of range, an unknown key), 401 unauthorized (no control token), 403 from the gate (crossSite, hostNotAllowed), ' +
        '404 notFound, 409 conflict or limitReached, 413 payloadTooLarge (64 KiB; 8 MiB for reset and arrays), 415 unsupportedMediaType ' +
        '(a body must be sent as Content-Type: application/json). Every response carries `x-vsp-emulator: <version>`. With ' +
        '`--control-token`, every route except health needs `Authorization: Bearer <token>`; `--no-control-plane` removes all of /emulator/v1/.',
    },
    servers: [{ url: 'http://127.0.0.1:23450', description: 'the emulator on its default port, from the same machine (`--host` and `--port` change where it listens)' }],
    tags: TAGS,
    paths: withRefs(paths, schemas),
    components: {
      schemas,
      responses: withRefs(SHARED_RESPONSES, schemas),
      headers: { EmulatorVersion: { description: 'The emulator\'s version, on every response.', schema: { type: 'string' } } },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token given with `--control-token` (`Authorization: Bearer <token>`).' },
      },
    },
  };
  // Keys sorted (a byte-stable file), but paths in the order the routes are registered: the order a reader meets them.
  const sorted = sortKeys(document as unknown as Json) as Record<string, Json>;
  const sortedPaths = sorted.paths as Record<string, Json>;
  sorted.paths = Object.fromEntries(Object.keys(paths).map((p) => [p, sortedPaths[p]!]));
  return sorted;
}

/** The document as the committed file holds it: two-space JSON with a final newline. */
export const controlOpenApiText = (document: Record<string, unknown>): string => `${JSON.stringify(document, null, 2)}\n`;

const published = new WeakMap<object, () => string>();

/** Makes the control plane's document (as text) reachable from its controller, for /docs. */
export function publishControlDocument(owner: object, text: () => string): void { published.set(owner, text); }
/** The document the control plane of this controller serves (undefined before its routes are registered). */
export function controlDocumentOf(owner: object): string | undefined { return published.get(owner)?.(); }
