import type { FaultEffect, FaultMatch, FaultRuleInput } from './control/faults.js';
import type { JournalEntry, JournalFilter } from './control/journal.js';
import type { TimingProfile } from './domain/timing.js';
import type { ArraySpec, Fixture } from './store/fixture.js';

/**
 * A small typed client of the control plane (`/emulator/v1/`), over HTTP: the same calls work against an emulator
 * started in-process (`startEmulator(...).control`), the CLI, or the Docker image. Every method answers the parsed
 * body; a 4xx/5xx answer throws a ControlClientError carrying the control plane's `error` code and message.
 */

export interface ControlClientOptions {
  /** `--control-token`: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Another fetch (a proxy, a recorder); the global one by default. */
  fetch?: typeof fetch;
}

/** A control-plane refusal: `status` and the body's `error` code (`badRequest`, `notFound`, `limitReached`, …). */
export class ControlClientError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly method: string, readonly path: string) {
    super(`${method} /emulator/v1${path}: ${status} ${code}: ${message}`);
    this.name = 'ControlClientError';
  }
}

export interface Health {
  status: 'ready' | 'starting'; version: string; fixture: string | null; arrays: string[]; clock: ClockState; timing: string;
  faults: number; checkpoints: number; held: number; seed: number | null;
  /** What the emulator started from: loaded from a fixture or resumed from its database (newer emulators). */
  start?: { state: 'loaded' | 'resumed'; fixture: string | null; db: string; fresh: boolean; counts: { arrays: number; ldevs: number; pairs: number }; note?: string };
  /** Arrays, LDEVs and pairs now (newer emulators). */
  counts?: { arrays: number; ldevs: number; pairs: number };
  [more: string]: unknown;
}
export interface ClockState { mode: 'real' | 'manual'; speed: number; time: string; epochMs: number }
export interface ResetOptions { fixture?: string | Fixture; storageDeviceId?: string; seed?: number | null; keep?: string[] }
export interface ResetResult { storageDeviceIds: string[]; fixture: string | null; durationMs: number }
export interface CheckpointInfo {
  name: string; storageDeviceId: string | null; description: string | null; createdTime: string; fixture: string | null; rows: Record<string, number>;
}
export interface ArrayInfo { storageDeviceId: string; model: string; serialNumber: number; fixture: string | null; onDemand: boolean }
export interface CreateArrayOptions {
  /** A fixture name in the fixtures folder, or a fixture object (default: the running fixture). */
  fixture?: string | Fixture;
  /** Which array section of the fixture: its storageDeviceId, serial (as text) or index (default the first). */
  from?: string | number;
  /** An inline array section instead of a fixture's. */
  array?: ArraySpec;
  storageDeviceId?: string; serialNumber?: number; model?: string;
}
export interface FaultView {
  id: string; description: string | null; match: FaultMatch | null; effect: FaultEffect; times: number | null; probability: number; seed: number;
  phase: 'request' | 'submit' | 'immediate' | 'scheduled'; dueTime?: string; matched?: number; applied?: number;
  /** What an immediate pair/pool rule did. */
  result?: Record<string, unknown>;
  [more: string]: unknown;
}
export interface JournalPage { data: JournalEntry[]; [stats: string]: unknown }
export interface IoWrite {
  storageDeviceId?: string; ldevId: number; offset?: number | string; length: number | string; pattern?: string; seed?: number;
}
export interface FingerprintQuery { storageDeviceId?: string; ldevId: number; offset?: number | string; length?: number | string }
export interface WorkloadInput {
  storageDeviceId?: string; ldevId: number; ratePerSecond?: number; MiBps?: number; ioSize?: number | string; random?: boolean;
  durationSeconds: number; seed?: number;
}

export type { FaultRuleInput, FaultEffect, FaultMatch, JournalEntry, JournalFilter, TimingProfile };

/** The control client's methods, grouped as the control plane's paths are. */
export function createControlClient(baseUrl: string | URL, opts: ControlClientOptions = {}) {
  const root = `${String(baseUrl).replace(/\/+$/, '')}/emulator/v1`;
  const doFetch = opts.fetch ?? fetch;

  async function request<T>(method: string, path: string, body?: unknown, query?: object): Promise<T> {
    const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString() : '';
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const r = await doFetch(`${root}${path}${qs ? `?${qs}` : ''}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    const parsed = text === '' ? null : safeJson(text);
    if (!r.ok) {
      const e = (parsed ?? {}) as { error?: string; message?: string };
      throw new ControlClientError(r.status, e.error ?? 'http', e.message ?? (text.slice(0, 200) || r.statusText), method, path);
    }
    return parsed as T;
  }
  const enc = encodeURIComponent;

  return {
    /** Any control-plane call not covered below: `request('GET', '/state')`. */
    request,
    /** Readiness and what the emulator runs (fixture, arrays, clock, counts). Never needs the token. */
    health: () => request<Health>('GET', '/health'),
    /** Back to the fixture state (another fixture, or one array only), atomically. */
    reset: (r: ResetOptions = {}) => request<ResetResult>('POST', '/reset', r),
    /** The whole model (or one array) as JSON; itself a fixture. */
    state: (q: { storageDeviceId?: string; tables?: string; secrets?: boolean } = {}) => request<Record<string, unknown>>('GET', '/state', undefined, q),
    checkpoints: {
      list: () => request<{ data: CheckpointInfo[] }>('GET', '/checkpoints').then((b) => b.data),
      save: (name: string, o: { storageDeviceId?: string; description?: string } = {}) => request<CheckpointInfo>('POST', `/checkpoints/${enc(name)}`, o),
      get: (name: string) => request<CheckpointInfo>('GET', `/checkpoints/${enc(name)}`),
      restore: (name: string, o: { clock?: 'restore' | 'keep'; keep?: string[] } = {}) =>
        request<CheckpointInfo & { clock: string; durationMs: number; clockNow: ClockState }>('POST', `/checkpoints/${enc(name)}/restore`, o),
      delete: (name: string) => request<null>('DELETE', `/checkpoints/${enc(name)}`),
    },
    clock: {
      get: () => request<ClockState>('GET', '/clock'),
      /** Freeze (`manual`), resume (`real`), change speed, or set the time (RFC 3339 or a Date). */
      set: (c: { mode?: 'real' | 'manual'; speed?: number; time?: string | Date }) =>
        request<ClockState>('POST', '/clock', { ...c, ...(c.time instanceof Date ? { time: c.time.toISOString() } : {}) }),
      /** Moves virtual time forward, firing every job and pair transition that falls due, in order. */
      advance: (seconds: number) => request<ClockState>('POST', '/clock/advance', { seconds }),
    },
    timing: {
      get: () => request<TimingProfile>('GET', '/timing'),
      replace: (t: Partial<TimingProfile>) => request<TimingProfile>('PUT', '/timing', t),
      update: (t: Partial<TimingProfile>) => request<TimingProfile>('PATCH', '/timing', t),
    },
    faults: {
      list: () => request<{ data: FaultView[] }>('GET', '/faults').then((b) => b.data),
      get: (id: string) => request<FaultView>('GET', `/faults/${enc(id)}`),
      add: (rule: FaultRuleInput) => request<FaultView>('POST', '/faults', rule),
      delete: (id: string) => request<null>('DELETE', `/faults/${enc(id)}`),
      clear: () => request<{ deleted: number }>('DELETE', '/faults'),
    },
    journal: {
      list: (f: JournalFilter = {}) => request<JournalPage>('GET', '/journal', undefined, f),
      clear: () => request<{ cleared: number }>('DELETE', '/journal'),
      setCapacity: (capacity: number) => request<Record<string, number>>('PUT', '/journal/settings', { capacity }),
    },
    seed: {
      get: () => request<{ seed: number | null }>('GET', '/seed'),
      set: (seed: number | null) => request<{ seed: number | null }>('POST', '/seed', { seed }),
    },
    io: {
      write: (w: IoWrite) => request<Record<string, unknown>>('POST', '/io/write', w),
      fingerprint: (q: FingerprintQuery) => request<{ fingerprint: string; algorithm: 'sha256'; offset: number; length: number; [k: string]: unknown }>('GET', '/io/fingerprint', undefined, q),
      workloads: {
        start: (w: WorkloadInput) => request<Record<string, unknown>>('POST', '/io/workloads', w),
        list: () => request<{ data: Array<Record<string, unknown>> }>('GET', '/io/workloads').then((b) => b.data),
        get: (id: number | string) => request<Record<string, unknown>>('GET', `/io/workloads/${enc(String(id))}`),
        delete: (id: number | string) => request<null>('DELETE', `/io/workloads/${enc(String(id))}`),
      },
    },
    arrays: {
      list: () => request<{ data: ArrayInfo[] }>('GET', '/arrays').then((b) => b.data),
      create: (o: CreateArrayOptions = {}) => request<ArrayInfo>('POST', '/arrays', o),
      delete: (storageDeviceId: string) => request<null>('DELETE', `/arrays/${enc(storageDeviceId)}`),
    },
  };
}

export type ControlClient = ReturnType<typeof createControlClient>;

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}
