import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import FindMyWay from 'find-my-way';
import { normalizeUrl } from '../../src/http/gate.js';

/**
 * The contract test's machinery: a recorder of every answer the API gives a test's emulators, and a checker that
 * holds each answer to openapi/vsp-rest-api.json: the status is one the operation declares, the declared headers
 * are there, and the body validates against the response schema in a strict reading (an object schema that does
 * not say `additionalProperties` is closed, so a field rendered but not declared fails, as does a required one
 * that is missing). test/contract/setup.ts runs the check after each test file.
 */

export interface Recorded { method: string; url: string; status: number; headers: Record<string, unknown>; body: string }

type Json = Record<string, unknown>;
const CM = '/ConfigurationManager/';
const FAULT_HEADER = 'x-vsp-emulator-fault';

const recorded: Recorded[] = [];

/** Records every answer `server` sends to a /ConfigurationManager URL (the control plane and web view are not ours). */
export function recordServer(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!normalizeUrl(req.url ?? '/').startsWith(CM)) return;
    const chunks: Buffer[] = [];
    const take = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8'));
    };
    // Fastify passes its headers to writeHead rather than setting them one by one: keep both.
    const headers: Record<string, unknown> = {};
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const h = rest.find((x) => x && typeof x === 'object' && !Array.isArray(x)) as Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(h ?? {})) headers[k.toLowerCase()] = v;
      return writeHead(status, ...rest);
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => { take(chunk, rest[0]); return write(chunk, ...rest); }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => { take(chunk, rest[0]); return end(chunk, ...rest); }) as typeof res.end;
    res.on('finish', () => {
      recorded.push({ method: req.method ?? 'GET', url: req.url ?? '/', status: res.statusCode, headers: { ...res.getHeaders(), ...headers }, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Takes the answers recorded so far (the next check starts afresh). */
export function takeRecorded(): Recorded[] {
  return recorded.splice(0, recorded.length);
}

/** Every object schema that does not say otherwise becomes closed; explicit `additionalProperties: true` stays open. */
function closed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(closed);
  if (!v || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(x as Json).map(([p, s]) => [p, closed(s)])) : closed(x);
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const BASE = 'https://vsp-emulator.invalid/openapi';

export interface Problem { request: string; status: number; problem: string }

/** A checker over one document (loaded once per test file). */
export function createChecker(file = new URL('../../openapi/vsp-rest-api.json', import.meta.url)) {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Json>>; components: Json };
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: BASE, components: closed(doc.components) as Json });
  const router = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      router.on(method.toUpperCase() as 'GET', path.replace(/\{(\w+)\}/g, ':$1'), () => undefined, { path, method });
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    let v = compiled.get(key);
    if (v === undefined) {
      const s = typeof schema.$ref === 'string' && schema.$ref.startsWith('#') ? { $ref: `${BASE}${schema.$ref}` }
        : JSON.parse(JSON.stringify(closed(schema)).replaceAll('"#/components/', `"${BASE}#/components/`)) as Json;
      const fresh = ajv.compile(s);
      compiled.set(key, fresh);
      return fresh;
    }
    return v;
  };
  const resolve = (r: Json): Json => {
    const ref = r.$ref;
    if (typeof ref !== 'string') return r;
    const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref)!;
    return (doc.components[section!] as Record<string, Json>)[name!]!;
  };
  const errorSchema = { $ref: '#/components/schemas/VspError' };

  function check(r: Recorded): string | null {
    const path = normalizeUrl(r.url).split('?')[0]!;
    const contentType = String(r.headers['content-type'] ?? '');
    const faulted = r.headers[FAULT_HEADER] !== undefined;
    if (r.method === 'HEAD') return null;
    // A fault rule of the control plane may break the answer on purpose (malformed, empty): only its error objects are held.
    if (faulted && r.status < 400) return null;
    if (!contentType.startsWith('application/json')) return `content-type ${contentType || '(none)'}`;
    if (r.headers['x-vsp-emulator'] === undefined) return 'no x-vsp-emulator header';
    let body: unknown;
    try { body = JSON.parse(r.body); } catch { return `body is not JSON: ${r.body.slice(0, 80)}`; }
    const found = router.find(r.method as 'GET', path) as { store?: { path: string; method: string } } | null;
    const op = found?.store ? doc.paths[found.store.path]![found.store.method] as { responses: Record<string, Json> } : undefined;
    const declared = op ? op.responses[String(r.status)] : undefined;
    if (!declared) {
      // Not an operation (unknown URL: 404, other method: 405), or a status a fault rule chose: the error object still holds.
      if (op && !faulted) return `status ${r.status} is not declared for ${found!.store!.method.toUpperCase()} ${found!.store!.path}`;
      if (r.status < 400) return `status ${r.status} without an operation`;
      return validate(validatorFor(errorSchema), body);
    }
    const response = resolve(declared);
    for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, { schema?: Json }>)) {
      const value = r.headers[name.toLowerCase()];
      if (value === undefined) return `header ${name} is missing`;
      if (h.schema?.type === 'integer' && !/^[0-9]+$/.test(String(value))) return `header ${name} is not an integer: ${String(value)}`;
    }
    const schema = (response.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;
    return schema ? validate(validatorFor(schema), body) : null;
  }

  function validate(v: ValidateFunction, body: unknown): string | null {
    if (v(body)) return null;
    const e = v.errors![0]!;
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : e.keyword === 'required' ? ` (${String(e.params.missingProperty)})` : '';
    return `body${e.instancePath} ${e.message}${extra}`;
  }

  /** The answers that break the contract, one line each. */
  return (answers: Recorded[]): Problem[] => {
    const out: Problem[] = [];
    for (const r of answers) {
      const problem = check(r);
      if (problem) out.push({ request: `${r.method} ${r.url}`, status: r.status, problem });
    }
    return out;
  };
}
