/**
 * The request journal: the last N requests the emulated arrays received and what they answered, so a test can
 * assert what its client sent (mockoon#632, WireMock's request journal). Entries are created when a request
 * arrives (`pending: true` while it is held by `Response-Job-Status` or a latency fault) and completed when
 * the response is sent. Control-plane requests are not journaled.
 */

export interface JournalFault { id: string; type: string; detail?: Record<string, unknown> }

export interface JournalEntry {
  /** Monotonic sequence number (never reused, also not by a clear). */
  seq: number;
  /** `request` for an API call; `event` for a fault applied outside any request (immediate or scheduled). */
  kind: 'request' | 'event';
  /** Virtual time of arrival, RFC 3339 with milliseconds. */
  time: string;
  method: string | null;
  url: string | null;
  /** Path without the query string. */
  path: string | null;
  storageDeviceId: string | null;
  userId: string | null;
  /** Request headers; the credentials of `Authorization` are replaced by `<redacted>`. */
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number | null;
  responseBody: unknown;
  /** The job the request created (from the 202 answer), if any. */
  jobId: number | null;
  /** The job operation the request submitted (`ldev.create`, …), if any. */
  operation: string | null;
  fault: JournalFault | null;
  /** True until the response is sent. */
  pending: boolean;
  /** Wall-clock milliseconds from arrival to response. */
  durationMs: number | null;
}

/**
 * An entry as recorded: the time as a number and bodies/headers as they came (the hot path does no copying or
 * parsing); `list()` turns them into the JournalEntry a client reads.
 */
export interface RawEntry extends Omit<JournalEntry, 'time' | 'requestHeaders'> {
  timeMs: number;
  requestHeaders: Record<string, string | string[] | undefined>;
}

export interface JournalFilter {
  method?: string; path?: string; status?: string; storageDeviceId?: string; jobId?: number; operation?: string;
  fault?: string; since?: number; limit?: number; pending?: boolean; kind?: string;
}

const MAX_BODY_CHARS = 64 * 1024;

/**
 * Buffers that hold JSON text (list answers rendered by SQLite): the journal records them as the text they are, as
 * it does the string bodies of the other JSON answers, not as opaque bytes.
 */
export const jsonBuffers = new WeakSet<Buffer>();

/** A body as the journal keeps it: JSON values as they are, large ones summarised. */
export function journalBody(body: unknown): unknown {
  const value = Buffer.isBuffer(body) && jsonBuffers.has(body) ? body.toString('utf8') : body;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    if (value.length === 0) return null;
    if (value.length > MAX_BODY_CHARS) return { truncated: true, chars: value.length };
    try { return JSON.parse(value); } catch { return value; }
  }
  if (Buffer.isBuffer(value)) return value.length > MAX_BODY_CHARS ? { truncated: true, bytes: value.length } : value.toString('utf8');
  const text = JSON.stringify(value);
  return text.length > MAX_BODY_CHARS ? { truncated: true, chars: text.length } : value;
}

/** Headers with credentials redacted (the scheme stays, so a test can see Basic vs Session). */
export function journalHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    out[k] = k === 'authorization' || k === 'remote-authorization' ? value.replace(/^(\S+)\s+.*$/s, '$1 <redacted>') : value;
  }
  return out;
}

/** Path matching shared by fault rules and journal filters (see `pathMatcher` in faults.ts). */
export type PathTest = (path: string) => boolean;

/** A ring of the last `capacity` entries: adding is O(1) whatever the size (the hot path of every request). */
export class Journal {
  private ring: Array<RawEntry | undefined>;
  /** Index of the oldest entry; `count` entries follow it (wrapping). */
  private head = 0;
  private count = 0;
  private seq = 0;
  private dropped = 0;

  constructor(private capacity = 1000) {
    this.ring = new Array<RawEntry | undefined>(capacity);
  }

  get size(): number { return this.count; }
  get limit(): number { return this.capacity; }

  setCapacity(n: number): void {
    const kept = this.ordered().slice(-n);
    this.dropped += this.count - kept.length;
    this.capacity = n;
    this.ring = new Array<RawEntry | undefined>(n);
    kept.forEach((e, i) => { this.ring[i] = e; });
    this.head = 0;
    this.count = kept.length;
  }

  /** Adds an entry (arrival of a request, or an event) and returns it for later completion. */
  add(partial: Omit<RawEntry, 'seq'>): RawEntry {
    const entry = partial as RawEntry;
    entry.seq = ++this.seq;
    if (this.count < this.capacity) {
      this.ring[(this.head + this.count) % this.capacity] = entry;
      this.count++;
    } else {
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
    return entry;
  }

  /** Entries matching the filter, oldest first; `limit` keeps the newest N. */
  list(f: JournalFilter, pathTest?: PathTest): JournalEntry[] {
    const statusTest = f.status === undefined ? null : statusMatcher(f.status);
    let out = this.ordered().filter((e) =>
      (f.kind === undefined || e.kind === f.kind) &&
      (f.method === undefined || (e.method ?? '').toUpperCase() === f.method.toUpperCase()) &&
      (pathTest === undefined || (e.path !== null && pathTest(e.path))) &&
      (statusTest === null || (e.status !== null && statusTest(e.status))) &&
      (f.storageDeviceId === undefined || e.storageDeviceId === f.storageDeviceId) &&
      (f.jobId === undefined || e.jobId === f.jobId) &&
      (f.operation === undefined || e.operation === f.operation) &&
      (f.fault === undefined || (f.fault === 'true' ? e.fault !== null : f.fault === 'false' ? e.fault === null : e.fault?.id === f.fault)) &&
      (f.since === undefined || e.seq > f.since) &&
      (f.pending === undefined || e.pending === f.pending));
    if (f.limit !== undefined) out = out.slice(Math.max(0, out.length - f.limit));
    return out.map(view);
  }

  /** Forgets every entry; sequence numbers continue. Returns how many were dropped. */
  clear(): number {
    const n = this.count;
    this.ring = new Array<RawEntry | undefined>(this.capacity);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
    return n;
  }

  stats() {
    return { capacity: this.capacity, size: this.count, dropped: this.dropped, lastSeq: this.seq };
  }

  private ordered(): RawEntry[] {
    const out: RawEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.head + i) % this.capacity]!);
    return out;
  }
}

/** The entry a client reads: RFC 3339 time, redacted headers, JSON bodies. */
function view(e: RawEntry): JournalEntry {
  const { timeMs, requestHeaders, requestBody, responseBody, ...rest } = e;
  return {
    seq: rest.seq, kind: rest.kind, time: new Date(timeMs).toISOString(), method: rest.method, url: rest.url, path: rest.path,
    storageDeviceId: rest.storageDeviceId, userId: rest.userId, requestHeaders: journalHeaders(requestHeaders),
    requestBody: journalBody(requestBody), status: rest.status, responseBody: journalBody(responseBody), jobId: rest.jobId,
    operation: rest.operation, fault: rest.fault, pending: rest.pending, durationMs: rest.durationMs,
  };
}

/** `503`, `5xx`, `4xx` or a comma list of them. */
function statusMatcher(spec: string): (s: number) => boolean {
  const parts = spec.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  return (s) => parts.some((p) => (/^\dxx$/.test(p) ? Math.floor(s / 100) === Number(p[0]) : Number(p) === s));
}
