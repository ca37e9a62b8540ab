import { defaultCatalog, renderError, VspError } from '../domain/errors.js';

/** A control-plane failure: HTTP status, a stable code and a sentence (`{"error": code, "message": …}` on the wire). */
export class ControlError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const badRequest = (message: string) => new ControlError(400, 'badRequest', message);
export const notFound = (message: string) => new ControlError(404, 'notFound', message);
export const conflict = (message: string) => new ControlError(409, 'conflict', message);
export const limitReached = (message: string) => new ControlError(409, 'limitReached', message);

/**
 * The control plane's limits (README "Security and limits"): beyond them a request gets 400 (a value out of range)
 * or 409 `limitReached` (a store that is full).
 */
export const LIMITS = {
  /** Longest stretch of virtual time one body may ask for: a clock advance, a latency, a fault's afterSeconds (100 years). */
  spanMs: 100 * 365.25 * 24 * 3600 * 1000,
  /** The virtual clock stays within years 1970 to 9999. */
  minTimeMs: 0,
  maxTimeMs: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  /** Clock speed factor (real mode): above 0, at most this. */
  maxSpeed: 1e6,
  /** Fault rules held at once, and the largest `times` and `retryAfter` of one. */
  faultRules: 256,
  faultTimes: 1_000_000_000,
  retryAfterSeconds: 86_400,
  /** Body of any control route but reset and arrays (which take inline fixtures up to the server's 8 MiB). */
  bodyBytes: 64 * 1024,
  /** A timing value: job and transition durations (ms), and per-GiB figures (ms, or seconds for clone copies). */
  timingMs: 86_400_000,
  timingPerGiBMs: 3_600_000,
  cloneSecondsPerGiB: 3_600,
} as const;

/** The code of a 4xx status in the control plane's error shape. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 405: 'methodNotAllowed', 409: 'conflict',
  413: 'payloadTooLarge', 415: 'unsupportedMediaType',
};
const codeOf = (status: number) => (Object.hasOwn(CODE_OF_STATUS, status) ? CODE_OF_STATUS[status]! : 'badRequest');

/**
 * The control-plane error (status, code, sentence) for any failure a request can meet before or inside a handler:
 * our own ControlErrors, schema validation, the root JSON parser's VspError (bad JSON, nesting too deep), Fastify's
 * body errors (too large, bad Content-Length) and any other 4xx Fastify raises. `null` for an unexpected error (a bug).
 */
export function controlErrorOf(error: unknown): ControlError | null {
  if (error instanceof ControlError) return error;
  if (error instanceof VspError) {
    if (!Object.hasOwn(defaultCatalog, error.key)) return null;
    const { status, body } = renderError(defaultCatalog, error);
    return status >= 400 && status < 500 ? new ControlError(status, codeOf(status), body.message) : null;
  }
  const e = error as { validation?: unknown; statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  const message = typeof e.message === 'string' ? e.message : 'bad request';
  if (e.validation) return badRequest(message);
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ControlError(413, 'payloadTooLarge', 'the request body is larger than this route accepts');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ControlError(415, 'unsupportedMediaType', 'send the body as JSON (Content-Type: application/json)');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new ControlError(e.statusCode, codeOf(e.statusCode), message);
  return null;
}

/** Whether a Content-Type names JSON (`application/json`, `application/<x>+json`, with any parameters). */
export function isJsonType(type: string | undefined): boolean {
  const essence = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

/** Whether a request carries a body (a non-zero Content-Length, or a chunked one). */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const n = Number(headers['content-length'] ?? 0);
  return !(n === 0);
}

/** 415 unless a request's body (if it has one) is declared JSON: the control plane's bodies are JSON documents. */
export function checkJsonBody(headers: Record<string, string | string[] | undefined>): void {
  if (!hasBody(headers)) return;
  const type = headers['content-type'];
  if (!isJsonType(typeof type === 'string' ? type : undefined)) {
    throw new ControlError(415, 'unsupportedMediaType', `the body must be JSON sent as Content-Type: application/json (got ${type === undefined ? 'none' : JSON.stringify(String(type).slice(0, 100))})`);
  }
}
