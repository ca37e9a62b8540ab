import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VspError } from '../domain/errors.js';
import type { Engine } from '../engine/context.js';
import type { SubmitDecision, SubmitInput } from '../engine/jobs.js';
import { applyDomainEffect, httpFaultResponse, jobFaultError, type DomainResult } from './effects.js';
import { embeddedPath, ID_KEYS, type FaultEffect, type FaultRule, type FaultSet, type RequestFacts } from './faults.js';
import type { Journal, RawEntry } from './journal.js';
import { onArrival } from '../http/server.js';

/**
 * The wire side of faults and the journal: Fastify hooks on every emulated-array request (not on the control
 * plane) and a submit hook in the job engine. A request meets at most one fault; rules that name an operation,
 * and `job` rules, are checked when the request submits its job, the others when it arrives.
 */

export const CONTROL_PREFIX = '/emulator/v1';
export const FAULT_HEADER = 'x-vsp-emulator-fault';

interface RequestState {
  req: FastifyRequest;
  started: number;
  entry: RawEntry;
  /** The entry's seq when made: the journal reuses an entry once its request is over (see Journal.add). */
  seq: number;
  /** Built when a rule first needs them (most requests meet no rule and never pay for this). */
  facts?: RequestFacts;
  fault: FaultRule | null;
  /** An HTTP fault decided inside the handler: onSend answers with it instead of the handler's error. */
  override?: { status: number; body: unknown; headers: Record<string, string> };
  latency?: FaultEffect;
  transport?: FaultEffect;
}

/** The declared body size, when the client sent one (a chunked body has none). */
const contentLength = (req: FastifyRequest): number | undefined => {
  const n = Number(req.headers['content-length']);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/** The emulator's own pages and documents (control plane, web view, /docs, /openapi.json): not requests to an array. */
const EMULATOR_OWN = /^\/(?:emulator|docs|openapi\.json)(?:[/?]|$)/;
const isControl = (url: string) => EMULATOR_OWN.test(url);
const pathOf = (url: string) => {
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  // Most URLs have no escape: the path is then the same string (no copy kept per journal entry).
  if (!p.includes('%')) return p;
  try { return decodeURIComponent(p); } catch { return p; }
};

/** ldevId, pvolLdevId/muNumber, poolId and snapshotGroupName named by the URL or found at the top of (or in `parameters` of) a body. */
export function idsOf(path: string, ...sources: unknown[]): Record<string, string> {
  const ids: Record<string, string> = {};
  const p = embeddedPath(path);
  let m: RegExpExecArray | null;
  if ((m = /\/snapshots\/(\d+),(\d+)(?:\/|$)/.exec(p))) { ids.pvolLdevId = m[1]!; ids.muNumber = m[2]!; }
  if ((m = /\/ldevs\/(\d+)(?:\/|$)/.exec(p))) ids.ldevId = m[1]!;
  if ((m = /\/pools\/(\d+)(?:\/|$)/.exec(p))) ids.poolId = m[1]!;
  if ((m = /\/snapshot-groups\/([^/]+)(?:\/|$)/.exec(p))) ids.snapshotGroupName = m[1]!;
  for (const src of sources) {
    for (const obj of [src, (src as { parameters?: unknown } | null)?.parameters]) {
      if (!obj || typeof obj !== 'object') continue;
      for (const k of ID_KEYS) {
        const v = (obj as Record<string, unknown>)[k];
        if (ids[k] === undefined && (typeof v === 'number' || typeof v === 'string')) ids[k] = String(v);
      }
    }
  }
  return ids;
}

/** Requests held by latency faults, released on their due time or at once by reset/restore/array delete. */
export class Holds {
  private held = new Set<{ sid: string | null; release: () => void }>();

  constructor(private engine: Engine) {}

  get size(): number { return this.held.size; }

  /** Holds for `ms` of virtual time (default), of wall time, or moves the virtual clock by `ms` (`advance`). */
  hold(effect: FaultEffect, sid: string | null): Promise<void> {
    const ms = effect.ms ?? (effect.seconds ?? 0) * 1000;
    const mode = effect.clock ?? 'virtual';
    if (mode === 'advance') {
      this.engine.clock.advance(ms);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let cancel = () => {};
      const h = { sid, release: () => { cancel(); this.held.delete(h); resolve(); } };
      this.held.add(h);
      if (mode === 'wall') {
        const t = setTimeout(h.release, ms);
        cancel = () => clearTimeout(t);
      } else {
        cancel = this.engine.clock.at(this.engine.clock.now() + ms, h.release);
      }
    });
  }

  release(sid?: string): void {
    for (const h of [...this.held]) if (sid === undefined || h.sid === sid || h.sid === null) h.release();
  }
}

export interface WireDeps {
  engine: Engine;
  faults: FaultSet;
  journal: Journal;
  holds: Holds;
  log: (obj: object, msg: string) => void;
}

/**
 * Installs the journal and fault hooks on the root instance (every route, every 404). Callback-style hooks and
 * lazy work (facts only when rules exist, bodies parsed only when the journal is read) keep the hot read path cheap.
 * Response payloads are kept as the string or Buffer sent (no copy) up to the journal's per-body cap.
 */
export function installWireHooks(app: FastifyInstance, deps: WireDeps): void {
  const { engine, faults, journal, holds } = deps;
  // The state rides on the raw request under a symbol (also the job engine's `origin` key). A WeakMap would do the
  // same job but costs ~5 µs a request in ephemeron garbage collection, a quarter of a GET's whole CPU time.
  const STATE = Symbol('vsp-emulator.request');
  type Carrier = { [STATE]?: RequestState };
  const states = {
    get: (raw: object): RequestState | undefined => (raw as Carrier)[STATE],
    set: (raw: object, st: RequestState): void => { (raw as Carrier)[STATE] = st; },
  };

  function begin(req: FastifyRequest): RequestState {
    const vsp = req.vsp as FastifyRequest['vsp'] | undefined;
    const entry = journal.addRequest(engine.clock.now(), req.method, req.url, pathOf(req.url), vsp?.sid ?? null, vsp?.userId || null, req.headers);
    const st: RequestState = { req, started: performance.now(), entry, seq: entry.seq, fault: null };
    states.set(req.raw, st);
    return st;
  }

  function factsOf(st: RequestState): RequestFacts {
    if (!st.facts) {
      const { req, entry } = st;
      st.facts = {
        method: req.method, path: entry.path!, storageDeviceId: entry.storageDeviceId, userId: entry.userId, operation: entry.operation,
        headers: req.headers, ids: idsOf(entry.path!, req.query, req.body),
      };
    }
    return st.facts;
  }

  function mark(st: RequestState, rule: FaultRule, detail?: Record<string, unknown>): void {
    st.fault = rule;
    st.entry.fault = { id: rule.id, type: rule.effect.type, ...(detail ? { detail } : {}) };
  }

  function domain(st: RequestState, rule: FaultRule): void {
    const sid = rule.effect.storageDeviceId ?? st.entry.storageDeviceId ?? engine.defaultSid();
    let detail: Record<string, unknown>;
    try {
      const r: DomainResult = applyDomainEffect(engine, rule.effect, sid);
      detail = { ...r };
    } catch (e) {
      deps.log({ err: e, fault: rule.id }, 'domain fault could not be applied');
      detail = { storageDeviceId: sid, error: e instanceof Error ? e.message : String(e) };
    }
    mark(st, rule, detail);
  }

  /** The answer of an HTTP fault; a 401 also expires the caller's session (unless `expireSession: false`). */
  function httpFault(st: RequestState, rule: FaultRule) {
    const session = (st.req.vsp as FastifyRequest['vsp'] | undefined)?.session;
    const r = httpFaultResponse(engine, rule, { path: st.entry.path!, token: session?.token });
    if (r.status === 401 && (rule.effect.expireSession ?? true) && session) engine.sessions.delete(session.sid, session.sessionId);
    mark(st, rule);
    return r;
  }

  function breakConnection(req: FastifyRequest, kind: string): void {
    const socket = req.raw.socket;
    if (kind === 'garbage') socket.write(Buffer.from('\u0000\u00ffHTTP/1.1 2\u0007\r\n{"jobId":', 'latin1'));
    if (kind === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  function finishBroken(st: RequestState, kind: string): void {
    st.entry.pending = false;
    st.entry.status = null;
    journal.setResponseBody(st.entry, { transport: kind });
    st.entry.durationMs = Math.round(performance.now() - st.started);
  }

  // Inside the server's own onRequest hook, after authentication (the entry names the array and the user).
  onArrival(app, (req) => { if (!isControl(req.url)) begin(req); });

  app.addHook('preValidation', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const st = states.get(req.raw);
    if (!st) return done();
    // Only a caller whose credentials were verified gets its body kept (an unknown URL or a refused login keeps none).
    if (req.body !== undefined && (req.vsp as FastifyRequest['vsp'] | undefined)?.userId) {
      journal.setRequestBody(st.entry, req.body, contentLength(req));
    }
    const rule = faults.has('request') ? faults.decide('request', factsOf(st)) : null;
    if (!rule) return done();
    const e = rule.effect;
    switch (e.type) {
      case 'http': {
        const r = httpFault(st, rule);
        reply.code(r.status).headers(r.headers).type('application/json').send(r.body);
        return; // a reply sent from a callback hook ends the chain
      }
      case 'latency': mark(st, rule); st.latency = e; return done();
      case 'transport':
        mark(st, rule);
        if ((e.when ?? 'after') === 'before' && e.kind !== 'malformed') {
          finishBroken(st, e.kind!);
          reply.hijack();
          breakConnection(req, e.kind!);
          return;
        }
        st.transport = e;
        return done();
      default: domain(st, rule); return done();
    }
  });

  engine.jobs.onSubmit((input: SubmitInput): SubmitDecision | void => {
    const st = input.origin ? states.get(input.origin) : undefined;
    if (st) {
      st.entry.operation = input.op;
      if (st.facts) st.facts.operation = input.op;
      if (st.fault) return; // one fault per request
    }
    if (!faults.has('submit')) return;
    const path = pathOf(input.request.url);
    const facts: RequestFacts = st ? { ...factsOf(st), ids: { ...idsOf('', input.params), ...factsOf(st).ids } } : {
      method: input.request.method, path, storageDeviceId: input.sid, userId: input.userId, operation: input.op, headers: {},
      ids: idsOf(path, input.params),
    };
    const rule = faults.decide('submit', facts);
    if (!rule) return;
    const e = rule.effect;
    if (e.type === 'job') {
      if (st) mark(st, rule);
      return { failWith: jobFaultError(engine, rule, input.request.url) };
    }
    if (!st) return; // the other effects need the request they answer
    switch (e.type) {
      case 'http':
        st.override = httpFault(st, rule);
        throw new VspError('internal', { detail: `fault ${rule.id}` }); // ends the handler; onSend answers with the override
      case 'latency': mark(st, rule); st.latency = e; return;
      case 'transport': mark(st, rule); st.transport = e; return;
      default: domain(st, rule); return;
    }
  });

  app.addHook('onSend', (req, reply, payload, done) => {
    let st = states.get(req.raw);
    if (!st) {
      if (isControl(req.url)) return done(null, payload);
      st = begin(req); // a request refused before our onRequest (authentication) is journaled here
    }
    let out = payload;
    if (st.override) {
      reply.code(st.override.status).headers(st.override.headers).type('application/json');
      out = JSON.stringify(st.override.body);
    }
    if (st.fault) reply.header(FAULT_HEADER, st.fault.id);
    st.entry.status = reply.statusCode;
    journal.setResponseBody(st.entry, out);
    const job = reply.getHeader('x-vsp-job-id');
    if (job !== undefined) st.entry.jobId = Number(job);
    if (st.transport) {
      const kind = st.transport.kind!;
      if (kind !== 'malformed') {
        finishBroken(st, kind);
        breakConnection(req, kind);
        return done(null, out);
      }
      const text = typeof out === 'string' ? out : Buffer.isBuffer(out) ? out.toString('utf8') : JSON.stringify(out ?? {});
      out = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      journal.setResponseBody(st.entry, out);
    }
    if (!st.latency) return done(null, out);
    holds.hold(st.latency, st.entry.storageDeviceId).then(() => done(null, out), done);
  });

  app.addHook('onResponse', (req, _reply, done) => {
    const st = states.get(req.raw);
    if (st && st.entry.pending && st.entry.seq === st.seq) {
      st.entry.pending = false;
      st.entry.durationMs = Math.round(performance.now() - st.started);
    }
    done();
  });
}
