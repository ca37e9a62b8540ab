import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { VspError, renderError } from '../domain/errors.js';
import type { ModelFacts } from '../domain/models.js';
import type { Engine } from '../engine/context.js';
import { renderJob } from '../engine/jobs.js';
import type { JobRow } from '../store/jobs.js';
import type { SessionRow } from '../store/sessions.js';

export const CM = '/ConfigurationManager';
export const V1 = `${CM}/v1`;
export const OBJECTS = `${V1}/objects`;
export const SERVICES = `${V1}/services`;

/** What the wire layer resolved about a request: the array, the URL form, who is calling. */
export interface VspRequestContext {
  sid: string;
  /** Root the job `self` and `affectedResources` are written under for this request. */
  objectsPrefix: string;
  userId: string;
  session?: SessionRow;
}

declare module 'fastify' {
  interface FastifyRequest { vsp: VspRequestContext }
  interface FastifyContextConfig {
    /** 'none': no credentials; 'basic': Basic only (POST sessions); default: Session token or Basic. */
    auth?: 'none' | 'basic' | 'session';
    /**
     * What the addressed array's model must have for the route to exist (the simple API, retention, vClones…): where it
     * lacks it the URL answers as an unknown URL does, 404 KART20009-E, before credentials (TIA ref 1).
     */
    modelHas?: ModelHas;
  }
}

/** A route's model gate (`config.modelHas`): the facts of the array the request addresses, and the engine (fidelity). */
export type ModelHas = (facts: ModelFacts, engine: Engine) => boolean;

/**
 * Whether the array a request addresses (`storageDeviceId` of the storage-scoped form, else the default array) passes
 * the route's model gate. An unknown storage id passes: authentication answers it (404 for that storage).
 */
export function addressedArrayHas(engine: Engine, has: ModelHas, params: unknown): boolean {
  const sid = (params as { storageDeviceId?: string } | undefined)?.storageDeviceId ?? engine.defaultSid();
  const array = engine.arrays.get(sid);
  return !array || has(array.facts, engine);
}

/** A scope of API routes whose schemas (TypeBox) type their handlers' query and body. */
export type ApiScope = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * Registers the same routes under both URL forms of the API: embedded (`/v1/objects/...`) and storage-scoped
 * (`/v1/objects/storages/{storageDeviceId}/...`), so either form reaches one handler.
 */
export function objectRoutes(app: FastifyInstance, register: (scope: ApiScope) => void): void {
  app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>()), { prefix: OBJECTS });
  app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>()), { prefix: `${OBJECTS}/storages/:storageDeviceId` });
}

/** The services domain in both forms: `/v1/services/...` and `/v1/{storageDeviceId}/services/...`. */
export function serviceRoutes(app: FastifyInstance, register: (scope: ApiScope) => void): void {
  app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>()), { prefix: SERVICES });
  app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>()), { prefix: `${V1}/:storageDeviceId/services` });
}

/** Throws a catalog error; typed `never` so handlers read naturally. */
export function fail(key: string, vars: Record<string, string | number> = {}): never {
  throw new VspError(key, vars);
}

/** Renders a VspError as the array's error object, with the request URL as errorSource. */
export function sendError(engine: Engine, req: FastifyRequest, reply: FastifyReply, err: VspError): FastifyReply {
  const { status, body } = renderError(engine.catalog, err, req.url.split('?')[0]);
  return reply.code(status).type('application/json').send(body);
}

const COMPLETED_HEADER = /^\s*completed\s*;?\s*$/i;

/** The raw request body as the job's `requestBody` string. */
export function requestBodyString(req: FastifyRequest): string {
  return req.body === undefined || req.body === null ? '' : JSON.stringify(req.body);
}

/**
 * Submits a command as a job and answers 202 with the job object. With `Response-Job-Status: Completed` the
 * answer is held until the job completes or `Response-Max-Wait` seconds (virtual) pass.
 */
export async function submitJob(engine: Engine, req: FastifyRequest, reply: FastifyReply, op: string, params: unknown): Promise<FastifyReply> {
  const instantHeader = req.headers['x-vsp-emulator-instant'];
  let job: JobRow = engine.jobs.submit({
    sid: req.vsp.sid, userId: req.vsp.userId, op, params,
    request: { url: req.url, method: req.method, body: requestBodyString(req) },
    selfPrefix: engine.fidelity.jobUrlForm === 'embedded' ? OBJECTS : req.vsp.objectsPrefix,
    instant: instantHeader === 'true' || instantHeader === '1',
    origin: req.raw,
  });
  const wantCompleted = COMPLETED_HEADER.test(String(req.headers['response-job-status'] ?? ''));
  if (wantCompleted && job.completedAt === null) {
    const raw = Number(req.headers['response-max-wait']);
    const maxWait = Number.isFinite(raw) && raw >= 0 ? raw : engine.fidelity.responseMaxWaitDefaultSeconds;
    job = await engine.jobs.waitFor(job.jobId, job.createdAt + maxWait * 1000);
  }
  reply.header('x-vsp-job-id', String(job.jobId));
  return reply.code(202).send(renderJob(job, engine.clock.now()));
}

/** Parses `a,b` composite ids (literal comma or %2C, already decoded by the router). */
export function splitId(id: string, parts: number): string[] | null {
  const out = id.split(',');
  return out.length === parts && out.every((p) => p.length > 0) ? out : null;
}

/** Strict non-negative integer from a path or query string ("12" yes, "1e1"/"-1"/"x" no). */
export function intParam(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const s = typeof value === 'number' ? String(value) : String(value ?? '');
  if (!/^-?\d+$/.test(s)) fail('invalidValue', { attribute: name, value: s });
  const n = Number(s);
  if (n < min || n > max) fail('invalidValue', { attribute: name, value: s });
  return n;
}
