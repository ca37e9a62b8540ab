import Type, { type TSchema } from 'typebox';

/**
 * Schema fragments shared by every route of the VSP REST API. Request schemas keep the array's tolerance: JSON
 * `null` means "not given" for every optional attribute (Terraform sends nulls), so optional scalars are
 * `type: [x, 'null']` (not `anyOf`: with ajv's type coercion an `anyOf` branch would turn `null` into 0 or "").
 */

/** An optional request attribute that may also be sent as JSON `null`. */
export const nullable = <T>(type: 'integer' | 'string' | 'boolean', extra: Record<string, unknown> = {}) =>
  Type.Unsafe<T | null>({ type: [type, 'null'], ...extra });
export const int = nullable<number>('integer');
export const str = nullable<string>('string');
export const bool = nullable<boolean>('boolean');

/** A string limited to the given values (a plain `enum` with its type, which fast-json-stringify and generators read). */
export const strEnum = <const V extends readonly string[]>(values: V, extra: Record<string, unknown> = {}) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...extra });

/**
 * A path parameter as the document shows it. The handler parses the raw URL segment itself (literal comma or
 * %2C, leading zeros, the array's id ranges), so params are not validated by ajv (server.ts) and reach the
 * handler as strings; the static type says so.
 */
export const pathInt = (description: string, extra: Record<string, unknown> = {}) =>
  Type.Unsafe<string>({ type: 'integer', minimum: 0, description, ...extra });
export const pathStr = (description: string, extra: Record<string, unknown> = {}) =>
  Type.Unsafe<string>({ type: 'string', description, ...extra });

/** The array's async-request headers (ref 1.5): parsed by submitJob, tolerant of any value, so documented only. */
export const jobHeaders = Type.Object({
  'Response-Job-Status': Type.Optional(Type.Unsafe<string>({
    type: 'string', enum: ['Completed', 'Completed;'],
    description: 'Hold the answer until the job completes (Cinder sends `Completed;`); bounded by Response-Max-Wait.',
  })),
  'Response-Max-Wait': Type.Optional(Type.Unsafe<string>({
    type: 'integer', minimum: 0,
    description: 'Seconds (virtual time) to hold the answer with Response-Job-Status; default 60. When it passes, the answer is 202 with the running job.',
  })),
});

const JSON_TYPE = 'application/json';
const ref = (id: string) => Type.Ref(id);
const content = (id: string) => ({ [JSON_TYPE]: { schema: ref(id) } });

/** A response of a component schema, in the `content` form Fastify and @fastify/swagger both read. */
export function answer(description: string, id: string, headers?: Record<string, TSchema | object>) {
  return { description, ...(headers ? { headers } : {}), content: content(id) };
}

const EMULATOR_HEADER = { 'x-vsp-emulator': { type: 'string', description: 'The emulator version (on every response).' } };

const ERRORS = {
  400: 'Invalid request: unknown attribute (KART40038-E), missing parameter (KART20008-E) or query (KART40044-E), invalid combination (KART40046-E, KART20016-E), invalid value or URL (KART40039-E), bad JSON (KART40040-E).',
  401: 'No or invalid credentials (KART40005-E), or an unknown or expired session token (KART40006-E, message contains "The specified token is invalid").',
  403: 'Refused by the emulator\'s browser guard: a cross-site page (VSPEMU40301-E) or a Host name that is not allowed (VSPEMU40302-E).',
  404: 'Unknown object (KART30013-E "Specified object does not exist", errorCode.errorCode EX_ENOOBJ), unknown storage id, or no resource at the URL (KART20009-E).',
  405: 'The URL exists with other methods (KART20010-E); the Allow header lists them.',
  503: 'Busy: 64 sessions exist (KART40062-E, POST sessions) or the server is busy (KART00003-E); Retry-After says when to retry.',
} as const;

const ERROR_HEADERS: Partial<Record<keyof typeof ERRORS, Record<string, object>>> = {
  405: { allow: { type: 'string', description: 'The methods the URL accepts.' } },
  503: { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying.' } },
};

type ErrorStatus = keyof typeof ERRORS | 412;

/** Every error status a route of the API can answer, with the VSP error object. `extra` adds 412 for pair actions. */
export function errorResponses(extra: Partial<Record<ErrorStatus, string>> = {}, omit: ErrorStatus[] = []) {
  const out: Record<string, ReturnType<typeof answer>> = {};
  const all: Partial<Record<ErrorStatus, string>> = { ...ERRORS, ...extra };
  for (const [code, text] of Object.entries(all)) {
    const status = Number(code) as ErrorStatus;
    if (omit.includes(status)) continue;
    out[code] = answer(text!, 'VspError', ERROR_HEADERS[status as keyof typeof ERRORS]);
  }
  return out;
}

/** A read: 200 with the object, plus every error. */
export function readResponses(id: string, description: string, omit: ErrorStatus[] = []) {
  return { 200: answer(description, id, EMULATOR_HEADER), ...errorResponses({}, omit) };
}

/** A mutation: 202 with the job, plus every error (412 where the pair's state refuses it synchronously). */
export function jobResponses(extra: Partial<Record<ErrorStatus, string>> = {}) {
  return {
    202: answer('Accepted: the job. With `Response-Job-Status: Completed` it is the completed job (state Succeeded or Failed, a Failed job carries `error`).',
      'Job', { 'x-vsp-job-id': { type: 'integer', description: 'The job id (also in the body).' }, ...EMULATOR_HEADER }),
    ...errorResponses(extra),
  };
}

/** 412 of a pair action refused synchronously by the pair's state (fidelity.pairRefusalForm: split and clone by default). */
export const PAIR_412 = {
  412: 'The pair\'s status refuses the operation synchronously: split KART30094-E, clone KART30095-E, other operations KART30096-E when `pairRefusalForm` makes them synchronous.',
};

/** `{"data": [...]}`: every list of the API. */
export const listOf = (itemId: string, description: string) =>
  Type.Object({ data: Type.Array(ref(itemId)) }, { description });
