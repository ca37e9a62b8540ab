import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from '../app.js';
import { defaultCatalog } from '../domain/errors.js';
import { webRoot } from '../ui/assets.js';
import type { Credentials, FuzzRequest, RouteSpec, Schema, Surface } from './fuzzArbs.js';

/**
 * The harness of the hardening fuzz (issue 10 item 9): an in-process emulator listening on loopback (real HTTP, so
 * request lines go out exactly as generated: `//x`, absolute-form, percent-encoded letters), the routes of both
 * OpenAPI documents and of the web view, and one check per request: no 5xx (but the array's own session-limit 503),
 * a well-formed error body in the surface's dialect, state unchanged by a refused request, the server healthy after.
 * Every request starts from the same saved state, so a failing case replays (and shrinks) exactly.
 */

const CM = '/ConfigurationManager';
const OBJ = `${CM}/v1/objects`;
const EMU = '/emulator/v1';
const UI = '/emulator/ui';
const BASE = 'fuzz-baseline';
export const FUZZ_CONTROL_TOKEN = 'fuzz-control-token';

export interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string; error?: string }

export interface FuzzHarness {
  built: App;
  host: string;
  creds: Credentials;
  routes: RouteSpec[];
  /** Sends one request from the baseline state and returns what is wrong with how it was answered (empty: nothing). */
  runOne(r: FuzzRequest): Promise<{ answer: Answer; problems: string[] }>;
  close(): Promise<void>;
}

/** The web view's routes (hidden from both documents), with what their wildcards take. */
function uiRoutes(controlPaths: string[]): RouteSpec[] {
  const proxied = controlPaths.map((p) => p.slice(EMU.length + 1).replace(/\{[^}]+\}/g, '1'));
  const r = (method: string, template: string, extra: Partial<RouteSpec> = {}): RouteSpec => ({ surface: 'ui', method, template, query: [], ...extra });
  return [
    r('GET', UI), r('GET', `${UI}/`), r('GET', `${UI}/index.html`),
    r('GET', `${UI}/{*}`, { wild: ['index.html', 'app/main.js', 'nope.js', '../../package.json', 'app/../index.html'] }),
    r('GET', `${UI}/api/view`, { query: [{ name: 'storageDeviceId', schema: { type: 'string' } }, { name: 'since', schema: { type: 'integer', minimum: 0 } }] }),
    r('GET', `${UI}/api/scenarios`),
    // An endless event stream: the harness takes its status and headers as the answer.
    r('GET', `${UI}/api/events`),
    r('POST', `${UI}/login`, { body: { type: 'object', properties: { token: { type: 'string' } } } }),
    r('POST', `${UI}/logout`),
    ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => r(m, `${UI}/api/control/{*}`, { wild: [...proxied, '../v1/reset', './reset', '%2E%2E/reset'] })),
  ];
}

type OpenApi = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> };

function routesOf(doc: OpenApi, surface: Surface): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'head' || typeof op !== 'object') continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} }));
      const body = op.requestBody?.content?.['application/json']?.schema;
      out.push({ surface, method: method.toUpperCase(), template, query, ...(body ? { body } : {}) });
    }
  }
  return out;
}

/** Which dialect answers a path: the array's error object, or the control plane's `{error, message}`. */
export function surfaceOfPath(path: string): Surface {
  const p = path.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
  if (p.startsWith(`${EMU}/`) || p === EMU) return 'control';
  if (p.startsWith(`${UI}/`) || p === UI) return 'ui';
  return 'api';
}

/** The array's ids (KARTnnnnn-E) and the emulator's own for refusals the array has no word for (VSPEMUnnnnn-E). */
const MESSAGE_ID = /^(KART|VSPEMU)\d{5}-[EWI]$/;

/** What is wrong with an error body in the array's dialect (null: well formed). */
export function vspErrorProblem(a: Answer): string | null {
  if (!String(a.headers['content-type'] ?? '').startsWith('application/json')) return `content-type ${a.headers['content-type']}`;
  let b: Record<string, unknown>;
  try { b = JSON.parse(a.text) as Record<string, unknown>; } catch { return 'body is not JSON'; }
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'body is not an object';
  if (typeof b.messageId !== 'string' || !MESSAGE_ID.test(b.messageId)) return `messageId ${JSON.stringify(b.messageId)}`;
  for (const k of ['message', 'solution', 'detailCode']) if (typeof b[k] !== 'string' || !(b[k] as string).length) return `${k} ${JSON.stringify(b[k])}`;
  if (b.solutionType !== 'SEE_ERROR_DETAIL' && b.solutionType !== 'RETRY') return `solutionType ${JSON.stringify(b.solutionType)}`;
  // `cause` is absent from some of the array's own errors (the doc's KART20008-E example): a string when present.
  for (const k of ['cause', 'errorSource']) if (k in b && typeof b[k] !== 'string') return `${k} ${JSON.stringify(b[k])}`;
  return null;
}

/** What is wrong with an error body in the control plane's dialect `{error, message}` (null: well formed). */
export function controlErrorProblem(a: Answer): string | null {
  let b: Record<string, unknown>;
  try { b = JSON.parse(a.text) as Record<string, unknown>; } catch { return `body is not JSON: ${a.text.slice(0, 80)}`; }
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'body is not an object';
  if (typeof b.error !== 'string' || !b.error.length) return `error ${JSON.stringify(b.error)}`;
  if (typeof b.message !== 'string') return `message ${JSON.stringify(b.message)}`;
  return null;
}

/** The one 5xx the array itself sends to a client: 503 KART40062-E when 64 sessions exist (POST sessions). */
function legitimate5xx(surface: Surface, a: Answer, r: FuzzRequest, uiBuilt: boolean): boolean {
  if (surface === 'api' && a.status === 503) {
    try { return (JSON.parse(a.text) as { messageId?: string }).messageId === 'KART40062-E'; } catch { return false; }
  }
  // The page when dist/web was not built: a 503 that says how to build it (only without a build).
  return surface === 'ui' && a.status === 503 && !uiBuilt && r.method === 'GET';
}

/** One HTTP exchange on loopback, the path sent as is; bounded in wall time. */
function send(port: number, r: { method: string; path: string; headers: Record<string, string>; body?: Buffer }, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: Answer) => { if (!done) { done = true; clearTimeout(timer); resolve(a); } };
    const timer = setTimeout(() => { req.destroy(); finish({ status: 0, headers: {}, text: '', error: `no answer in ${timeoutMs} ms` }); }, timeoutMs);
    // One connection per exchange: a reused keep-alive socket that the server closed after an error would blame the next request.
    const headers = { ...r.headers, connection: 'close', ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        // The web view's event stream never ends: its status and headers are the answer.
        finish({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
        req.destroy();
        return;
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: e.message }));
    });
    req.on('error', (e) => finish({ status: 0, headers: {}, text: '', error: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` }));
    // A server that answers early (413) and closes while the body is still going out: the answer counts, not the reset.
    req.on('socket', (s) => { s.on('error', () => undefined); });
    if (r.body) req.end(r.body); else req.end();
  });
}

/** State of the model as GET /emulator/v1/state shows it, minus what a request may touch without changing anything. */
async function stateText(built: App, token?: string): Promise<string> {
  const res = await built.app.inject({ method: 'GET', url: `${EMU}/state`, headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.statusCode !== 200) return `state export answered ${res.statusCode}: ${res.body.slice(0, 200)}`;
  const s = JSON.parse(res.body) as { tables: Record<string, unknown>; exportedTime?: string; description?: string };
  // Sessions: a use refreshes last_access, an expired token is dropped on sight (both by design).
  // (exportedTime stays: a refused request must not move virtual time either.)
  delete s.tables.sessions;
  return JSON.stringify(s);
}

/** The path a router sees: no scheme and host, unreserved letters decoded, no empty or `.` segments, `..` resolved, no trailing slash. */
export function normalizedPath(path: string): string {
  let p = path.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
  p = p.replace(/%([0-9a-f]{2})/gi, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m;
  });
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '' && seg !== '.') out.push(seg);
  }
  return `/${out.join('/')}`;
}

const PUBLIC_GET = new Set([`${OBJ}/storages`, `${CM}/configuration/version`, '/openapi.json', `${EMU}/health`, UI]);
const PUBLIC_ANY = new Set([`${UI}/login`, `${UI}/logout`]);

/** Routes anyone may use: the array's storages list and version, the documents, health, the web view's sign-in. */
function isPublic(method: string, path: string): boolean {
  const p = normalizedPath(path);
  if (PUBLIC_ANY.has(p)) return true;
  // POST sessions needs Basic credentials; other methods on a public URL still answer 405 (a 4xx).
  return (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && PUBLIC_GET.has(p);
}

/** Whether the request carries a credential that the surface it reaches accepts. */
function validCredential(r: FuzzRequest): boolean {
  return ['sessionValid', 'basicValid', 'bearerValid', 'open'].includes(r.cred) || (r.cred === 'bearer' && surfaceOfPath(normalizedPath(r.path)) !== 'api');
}

/** A one-line reproducer of a request (curl), bodies cut to 200 characters. */
export function reproducer(r: FuzzRequest): string {
  const h = Object.entries(r.headers).filter(([k]) => k !== 'host').map(([k, v]) => ` -H '${k}: ${v}'`).join('');
  const body = r.body ? (r.body.length > 200 ? ` --data-binary '<${r.bodyKind}, ${r.body.length} bytes: ${r.body.subarray(0, 60).toString('utf8')}...>'` : ` --data-binary '${r.body.toString('utf8')}'`) : '';
  const path = r.path.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/(.)\1{39,}/g, (run, c: string) => `$(printf '${c}%.0s' {1..${run.length}})`);
  return `curl -sS -X ${r.method} --path-as-is "http://HOST${path}"${h}${body}` + (r.form === 'absolute' ? '  (absolute-form request line)' : '');
}

export async function startFuzzHarness(opts: { controlToken?: string } = {}): Promise<FuzzHarness> {
  const controlToken = opts.controlToken ?? FUZZ_CONTROL_TOKEN;
  const built = await buildApp({ db: ':memory:', clock: 'manual', timing: 'instant', startTime: Date.UTC(2026, 0, 5, 10, 0, 0), seed: 1, controlToken });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (built.app.server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const ctl = built.control!;
  const bearer = { authorization: `Bearer ${controlToken}` };
  const basicAuth = { authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };
  // A session left to expire (idle longer than its aliveTime; the row stays until a request shows its token), then ours.
  const old = await built.app.inject({ method: 'POST', url: `${OBJ}/sessions`, headers: basicAuth, payload: { aliveTime: 1 } });
  built.engine.clock.advance(2000);
  const login = await built.app.inject({ method: 'POST', url: `${OBJ}/sessions`, headers: basicAuth });
  if (login.statusCode !== 200 || old.statusCode !== 200) throw new Error(`fuzz harness: login answered ${login.statusCode}, ${old.statusCode}`);
  const creds: Credentials = {
    sessionToken: (JSON.parse(login.body) as { token: string }).token, user: 'maintenance', password: 'raid-maintenance', controlToken,
    storageDeviceId: built.engine.defaultSid(), expiredToken: (JSON.parse(old.body) as { token: string }).token,
  };
  // A pair, its group and an S-VOL, so pair and group routes have something to act on.
  const auth = { authorization: `Session ${creds.sessionToken}`, 'content-type': 'application/json', 'x-vsp-emulator-instant': '1' };
  await built.app.inject({ method: 'POST', url: `${OBJ}/ldevs`, headers: auth, payload: { ldevId: 10, poolId: 0, byteFormatCapacity: '10G' } });
  await built.app.inject({ method: 'POST', url: `${OBJ}/snapshots`, headers: auth, payload: { snapshotGroupName: 'g1', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true } });

  const apiDoc = JSON.parse((await built.app.inject({ method: 'GET', url: '/openapi.json' })).body) as OpenApi;
  const controlDoc = JSON.parse((await built.app.inject({ method: 'GET', url: `${EMU}/openapi.json`, headers: bearer })).body) as OpenApi;
  const control = routesOf(controlDoc, 'control');
  const routes = [...routesOf(apiDoc, 'api'), { surface: 'api' as const, method: 'GET', template: '/openapi.json', query: [] }, ...control,
    ...uiRoutes(Object.keys(controlDoc.paths))];
  const uiBuilt = webRoot() !== null;

  ctl.model.saveCheckpoint(BASE, {});

  async function baseline(): Promise<void> {
    ctl.releaseHeld();
    for (const cp of ctl.model.listCheckpoints()) if (cp.name !== BASE) ctl.model.deleteCheckpoint(cp.name);
    built.engine.clock.setMode('manual');
    built.engine.clock.setSpeed(1);
    ctl.model.restoreCheckpoint(BASE, { clock: 'restore' });
  }

  async function probe(method: string, url: string, headers: Record<string, string>): Promise<Answer> {
    return send(port, { method, path: url, headers: { host, ...headers } });
  }

  // The state as exported while it is known to be the baseline's (null: restore before the next request). A refused
  // request leaves it as it was, so most requests need no restore.
  let clean: string | null = null;

  async function runOne(r: FuzzRequest): Promise<{ answer: Answer; problems: string[] }> {
    ctl.clearFaults();
    ctl.journal.clear();
    if (clean === null) {
      await baseline();
      clean = await stateText(built, controlToken);
    }
    const before = clean;
    const problems: string[] = [];
    const a = await send(port, r);
    const surface = surfaceOfPath(r.path);
    const nonCanonical = normalizedPath(r.path) !== r.path.split('?')[0]!.replace(/(.)\/$/, '$1') || /\/\.\.?(\/|$|\?)/.test(r.path);
    if (a.error && a.status === 0) problems.push(`no HTTP answer: ${a.error}`);
    if (a.status >= 500 && !legitimate5xx(surface, a, r, uiBuilt)) problems.push(`${a.status}: ${a.text.slice(0, 160)}`);
    if (a.status >= 400 && r.method !== 'HEAD') {
      const isLoginPage = r.surface === 'ui' && a.status === 401 && String(a.headers['content-type'] ?? '').startsWith('text/html');
      const vsp = vspErrorProblem(a);
      const ctlShape = controlErrorProblem(a);
      const bad = isLoginPage || (surface === 'ui' && a.status === 503 && !uiBuilt) ? null
        : nonCanonical ? (vsp && ctlShape ? `${vsp} / ${ctlShape}` : null)
          : surface === 'api' ? vsp : ctlShape;
      if (bad) problems.push(`${a.status} error body not well formed (${surface}): ${bad}`);
    }
    // An internal error (KART00001-E) is a 500 in disguise, synchronous or inside a Failed job's `error`.
    if (/"messageId":"KART00001-E"/.test(a.text)) problems.push(`internal error: ${a.text.slice(0, 200)}`);
    if (a.status >= 200 && a.status < 400 && !validCredential(r) && !isPublic(r.method, r.path)) {
      problems.push(`${a.status} without valid credentials (${r.cred}): ${a.text.slice(0, 120)}`);
    }
    if (a.status >= 400) {
      const after = await stateText(built, controlToken);
      if (after !== before) {
        problems.push(`${a.status} refused, yet the state changed: ${firstDifference(before, after)}`);
        clean = null;
      }
    } else {
      clean = null;
    }
    if (a.status === 201 && /\/faults$/.test(r.route) && r.method === 'POST') {
      // A fault rule that was accepted must not turn later requests into 5xx unless it asks for one.
      const rule = JSON.parse(a.text) as { effect?: { type?: string; status?: number; error?: string } };
      const e = rule.effect ?? {};
      const entry = typeof e.error === 'string' && Object.hasOwn(defaultCatalog, e.error) ? (defaultCatalog as Record<string, { status: number }>)[e.error] : undefined;
      const asks5xx = e.type === 'http' && ((e.status ?? 0) >= 500 || (entry?.status ?? 0) >= 500);
      if (e.type !== 'latency' && e.type !== 'transport' && !asks5xx) {
        const p = await probe('GET', `${OBJ}/pools`, { authorization: `Session ${creds.sessionToken}` });
        if (p.status >= 500 || p.status === 0) problems.push(`after fault ${JSON.stringify(e)}: GET pools answered ${p.status} ${p.text.slice(0, 120)}`);
      }
      ctl.clearFaults();
    }
    for (const [url, want] of [[`${EMU}/health`, 200], [`${EMU}/journal`, 0], [`${UI}/api/view`, 0], [`${OBJ}/pools`, 0]] as const) {
      const headers: Record<string, string> = url.startsWith(CM) ? { authorization: `Session ${creds.sessionToken}` } : bearer;
      const p = await probe('GET', url, headers);
      if (want ? p.status !== want : p.status >= 500 || p.status === 0) problems.push(`afterwards GET ${url} answered ${p.status} ${p.error ?? ''}${p.text.slice(0, 120)}`);
    }
    return { answer: a, problems };
  }

  return {
    built, host, creds, routes, runOne,
    async close() { await built.close(); },
  };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 60), i + 60))} → ${JSON.stringify(b.slice(Math.max(0, i - 60), i + 60))}`;
}

/** A key that groups findings of one kind on one route. */
export function findingKey(r: FuzzRequest, problem: string): string {
  return `${r.route} [${r.form}] ${problem.replace(/\d{3,}/g, 'N').slice(0, 70)}`;
}

