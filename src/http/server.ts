import Fastify, { type FastifyContextConfig, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import FindMyWay from 'find-my-way';
import swagger from '@fastify/swagger';
import { VspError } from '../domain/errors.js';
import type { Engine } from '../engine/context.js';
import sjson from 'secure-json-parse';
import { authenticate } from './auth.js';
import { browserRefusal, createHostCheck, normalizeUrl, REFUSAL_MESSAGES } from './gate.js';
import { addressedArrayHas, CM, sendError, type ModelHas } from './vsp.js';
import { addComponents, schemaController, swaggerOptions } from './schemas/document.js';

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'] | false;
  https?: { key: string | Buffer; cert: string | Buffer };
  version?: string;
  /** Host names browsers may reach us by, besides localhost names and IP literals (see gate.ts). */
  allowedHosts?: readonly string[];
}

/** Bodies nested deeper than this are refused: no request of any client nests more than a few levels. */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text opens more than `max` arrays/objects at once (strings skipped); linear, no recursion. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) { if (++depth > max) return true; }
    else if (c === 125 || c === 93) depth--;
  }
  return false;
}

type Compile = (def: unknown) => unknown;
type Factory = (external: unknown, options: unknown) => Compile;
type Validator = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };

/**
 * The schema controller of schemas/document.ts with every compilation deferred to the first request that needs it:
 * Fastify compiles ~300 route validators (and builds an ajv instance per schema pool) while routes are registered,
 * over half of start-up, although a run of the emulator meets a few dozen routes. Same compilers, same schemas,
 * same answers; only the moment of compiling changes (a route's first request pays its ~1 ms). The wrapper
 * carries `errors` (Fastify reads them after a `false`) and `schemaEnv` (so ajv gets the parent object it needs to
 * coerce a root value).
 */
export const lazySchemaController = (() => {
  const factories = (schemaController as { compilersFactory: { buildValidator: Factory; buildSerializer: Factory } }).compilersFactory;
  const lazyFactory = (build: Factory, wrap: (compiled: () => Validator) => Validator): Factory => (external, options) => {
    let compiler: Compile | null = null;
    return (def) => {
      let fn: Validator | null = null;
      return wrap(() => (fn ??= (compiler ??= build(external, options))(def) as Validator));
    };
  };
  const validator = (compiled: () => Validator): Validator => {
    const v: Validator = (data, ctx) => {
      const f = compiled();
      const ok = f.schemaEnv ? f(data, ctx) : f(data);
      v.errors = f.errors;
      return ok;
    };
    v.schemaEnv = true;
    return v;
  };
  const serializer = (compiled: () => Validator): Validator => (data) => compiled()(data);
  return {
    ...schemaController,
    compilersFactory: {
      buildValidator: lazyFactory(factories.buildValidator, validator),
      buildSerializer: lazyFactory(factories.buildSerializer, serializer),
    },
  } as FastifyServerOptions['schemaController'];
})();

/** Per server: what runs once a request has passed the gate and authentication (see `onArrival`). */
const arrivals = new WeakMap<object, Array<(req: FastifyRequest) => void>>();
const arrivalHooks = (app: FastifyInstance) => {
  const list: Array<(req: FastifyRequest) => void> = [];
  arrivals.set(app, list);
  return list;
};

/**
 * Runs `fn` for every request that passed the gate and authentication, inside the server's own onRequest hook (as a
 * separate onRequest hook registered after it would, at the cost of one hook less per request). A Fastify instance
 * not made by createServer gets an ordinary hook.
 */
export function onArrival(app: FastifyInstance, fn: (req: FastifyRequest) => void): void {
  const list = arrivals.get(app);
  if (list) list.push(fn);
  else app.addHook('onRequest', (req, _reply, done) => { fn(req); done(); });
}

/** The control plane and web view answer in their own shape; everything else in the array's dialect. */
const isEmulatorPath = (url: string) => url === '/emulator' || url.startsWith('/emulator/') || url.startsWith('/emulator?');

type AjvError = { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string };

/** Maps a Fastify/ajv validation failure onto the array's KART ids. */
function validationToVsp(err: { validation?: AjvError[]; validationContext?: string }): VspError {
  const first = err.validation?.[0];
  const where = err.validationContext ?? 'body';
  const path = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
  if (!first) return new VspError('invalidJson', { detail: 'invalid request' });
  switch (first.keyword) {
    case 'additionalProperties': {
      const name = String(first.params.additionalProperty);
      return new VspError('unknownAttribute', { attribute: path ? `${path}.${name}` : name });
    }
    case 'required': {
      const name = String(first.params.missingProperty);
      return new VspError(where === 'querystring' ? 'requiredQuery' : 'requiredParameter', { attribute: path ? `${path}.${name}` : name });
    }
    default:
      return new VspError('invalidValue', { attribute: path || where, value: first.message ?? first.keyword });
  }
}

/**
 * The Fastify instance with the array's wire conventions: JSON bodies that may be empty or `null`, VSP error
 * objects for every failure, 405 for a known URL with another method, authentication by route config.
 */
export async function createServer(engine: Engine, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    https: opts.https ?? null,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
    bodyLimit: 8 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // One canonical path for everything that reads the URL after this point (see gate.ts).
    rewriteUrl: (req: { url?: string }) => normalizeUrl(req.url ?? '/'),
    // Malformed percent-escapes and over-long ids reach the client as VSP error objects, not Fastify's own body.
    frameworkErrors: (error: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) => {
      if (opts.version) reply.header('x-vsp-emulator', opts.version);
      const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'the object ID is too long' : 'the URL is not correctly encoded';
      if (isEmulatorPath(req.url)) return reply.code(400).type('application/json').send({ error: 'badRequest', message: detail });
      return sendError(engine, req, reply, new VspError('invalidValue', { attribute: 'URL', value: detail }));
    },
    schemaController: lazySchemaController,
    // `code.optimize: false` skips ajv's code-optimising passes: same validation, schemas compile ~2x faster (start-up).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: false, allErrors: false, code: { optimize: false } } },
  } as FastifyServerOptions) as unknown as FastifyInstance;

  // The contract: components, then the OpenAPI 3.1 document built from each route's one declaration (schemas/document.ts).
  await app.register(swagger, swaggerOptions(opts.version ?? '0.0.0') as never);
  addComponents(app);

  // Clients send `Content-Type: application/json` with no body (Terraform, Ansible), `null` (Terraform DELETE),
  // or forget the header (curl): an empty body is "no body"; anything else must be JSON. `__proto__` and
  // `constructor.prototype` keys are refused (secure-json-parse, Fastify's own parser), as is deep nesting.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body).trim();
    if (text === '' || text === 'null') return done(null, undefined);
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(new VspError('invalidJson', { detail: `nested deeper than ${MAX_JSON_DEPTH} levels` }), undefined);
    }
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (e) {
      done(new VspError('invalidJson', { detail: (e as Error).message }), undefined);
    }
  });

  // A secondary router knows every (method, url) so a known URL with another method answers 405, not 404.
  // Built at the first 404 from the routes noted here: a second router of every route costs start-up time that
  // most runs never use.
  // A route the addressed array's model lacks (config.modelHas) does not make its URL known: another method is a 404 too.
  // The route's options are kept, not its gate: a plugin's own onRoute hook (the simple API's) may set the gate after ours.
  const routes: Array<[string, string, { config?: unknown }]> = [];
  let knownRouter: ReturnType<typeof FindMyWay> | null = null;
  const known = () => {
    if (knownRouter) return knownRouter;
    knownRouter = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
    for (const [m, url, options] of routes) {
      const modelHas = (options.config as FastifyContextConfig | undefined)?.modelHas;
      try { knownRouter.on(m as 'GET', url, () => undefined, { modelHas }); } catch { /* duplicate shape across prefixes */ }
    }
    return knownRouter;
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD') routes.push([m, route.url, route]);
    knownRouter = null;
  });

  // One callback-style (not async) hook for the gate, authentication and the arrival hooks (the journal): each
  // further hook, and each promise, costs every request of the hot read path.
  const version = opts.version;
  const hostAllowed = createHostCheck(opts.allowedHosts);
  const arrived = arrivalHooks(app);
  const arrive = (req: FastifyRequest, done: (err?: Error) => void) => {
    for (let i = 0; i < arrived.length; i++) arrived[i]!(req);
    done();
  };
  app.addHook('onRequest', (req, reply, done) => {
    if (version) reply.header('x-vsp-emulator', version);
    const emulator = isEmulatorPath(req.url);
    const refusal = browserRefusal(req, hostAllowed, emulator);
    if (refusal !== null) {
      if (!emulator) return done(new VspError(refusal === 'crossSite' ? 'crossSiteRefused' : 'hostNotAllowed'));
      return reply.code(403).type('application/json').send({ error: refusal, message: REFUSAL_MESSAGES[refusal] });
    }
    // Credentials are checked for every route of the API, decided by the route the router chose (never by a
    // second reading of the URL); an unknown URL needs none to learn that it is unknown. `routeOptions` is a
    // getter that builds a fresh object per read: read once (the route's config carries its url).
    const config = req.routeOptions.config as (FastifyContextConfig & { url?: string }) | undefined;
    const route = config?.url;
    if (route === undefined || !route.startsWith(CM + '/')) return arrive(req, done);
    // A route the addressed array's model lacks (e.g. the simple API on VSP 5000) is an unknown URL, credentials or not.
    const modelHas = config!.modelHas;
    if (modelHas && !addressedArrayHas(engine, modelHas, req.params)) return done(new VspError('noResource', { url: req.url.split('?')[0]! }));
    try {
      engine.clock.runDue();
      authenticate(engine, req, config!.auth ?? 'session');
    } catch (e) {
      return done(e as Error);
    }
    arrive(req, done);
  });

  app.setErrorHandler((error, req, reply) => {
    const e = error as unknown as { validation?: AjvError[]; validationContext?: string; code?: string; statusCode?: number };
    if (error instanceof VspError) return sendError(engine, req, reply, error);
    if (e.validation) {
      // No body at all where an object is needed: the array says a required parameter is missing (KART20008-E).
      if (e.validationContext === 'body' && req.body === undefined) {
        const required = (req.routeOptions.schema?.body as { required?: string[] } | undefined)?.required;
        return sendError(engine, req, reply, new VspError('requiredParameter', { attribute: required?.[0] ?? 'body' }));
      }
      return sendError(engine, req, reply, validationToVsp(e));
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(engine, req, reply, new VspError('unsupportedMediaType', { value: String(req.headers['content-type'] ?? '') }));
    }
    if (e.code?.startsWith('FST_ERR_CTP') || e.statusCode === 400) {
      return sendError(engine, req, reply, new VspError('invalidJson', { detail: error instanceof Error ? error.message : String(error) }));
    }
    if (e.statusCode === 413) return sendError(engine, req, reply, new VspError('invalidJson', { detail: 'request body too large' }));
    req.log.error({ err: error }, 'unexpected error');
    return sendError(engine, req, reply, new VspError('internal', { detail: error instanceof Error ? error.message : String(error) }));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => {
      if (m === req.method) return false;
      const found = known().find(m as 'GET', path);
      const modelHas = (found?.store as { modelHas?: ModelHas } | undefined)?.modelHas;
      return found !== null && (!modelHas || addressedArrayHas(engine, modelHas, found.params));
    });
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(engine, req, reply, new VspError('methodNotAllowed', { method: req.method }));
    }
    return sendError(engine, req, reply, new VspError('noResource', { url: path }));
  });

  return app;
}

