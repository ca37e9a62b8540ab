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
 * An entry as recorded: the time as a number, headers as they came, bodies as the journal stores them (text or a
 * Buffer up to the per-body cap, or a small summary object; never a live request object); `list()` turns them into
 * the JournalEntry a client reads. `bytes` is what its bodies count against the journal's byte budget.
 */
export interface RawEntry extends Omit<JournalEntry, 'time' | 'requestHeaders'> {
  timeMs: number;
  requestHeaders: Record<string, string | string[] | undefined>;
  bytes: number;
}

export interface JournalFilter {
  method?: string; path?: string; status?: string; storageDeviceId?: string; jobId?: number; operation?: string;
  fault?: string; since?: number; limit?: number; pending?: boolean; kind?: string;
}

/**
 * Memory bounds: each stored body is at most `bodyBytes` of text (a larger one is kept as `{truncated: true, bytes}`),
 * all stored bodies together at most `byteBudget` (oldest entries dropped first), and a body is shown only if it
 * nests at most `depth` levels.
 */
export const JOURNAL_LIMITS = { bodyBytes: 64 * 1024, byteBudget: 16 * 1024 * 1024, depth: 64 } as const;

/** What a client reads in place of a value the journal does not show. */
export const REDACTED = '<redacted>';

/**
 * Buffers that hold JSON text (list answers rendered by SQLite): the journal records them as the text they are, as
 * it does the string bodies of the other JSON answers, not as opaque bytes.
 */
export const jsonBuffers = new WeakSet<Buffer>();

type Summary = { truncated: true; bytes?: number };
const summary = (bytes?: number): Summary => (bytes === undefined ? { truncated: true } : { truncated: true, bytes });

/**
 * A body as the journal stores it, and what it counts against the budget. Strings and Buffers up to the cap are
 * kept as they are (no copy, no parse: the hot path); other values (a parsed request body) become JSON text,
 * unless the sender's Content-Length already says they are over the cap.
 */
export function storeBody(body: unknown, declaredBytes?: number): { stored: unknown; bytes: number } {
  const cap = JOURNAL_LIMITS.bodyBytes;
  if (body === undefined || body === null || body === '') return { stored: null, bytes: 0 };
  if (typeof body === 'string') {
    return body.length > cap ? { stored: summary(Buffer.byteLength(body)), bytes: 0 } : { stored: body, bytes: body.length };
  }
  if (Buffer.isBuffer(body)) return body.length > cap ? { stored: summary(body.length), bytes: 0 } : { stored: body, bytes: body.length };
  if (declaredBytes !== undefined && declaredBytes > cap) return { stored: summary(declaredBytes), bytes: 0 };
  let text: string | undefined;
  try { text = JSON.stringify(body); } catch { /* cyclic, too deep or a stream: summarised */ }
  if (typeof text !== 'string') return { stored: summary(declaredBytes), bytes: 0 };
  return text.length > cap ? { stored: summary(Buffer.byteLength(text)), bytes: 0 } : { stored: text, bytes: text.length };
}

/** Keys whose values are credentials: shown as `<redacted>` wherever they appear in a body. */
const SECRET_KEY = /token|passw|secret/i;
/** The invalid-token error quotes the token it refused (KART40006-E). */
const TOKEN_IN_TEXT = /\(token = [^)]*\)/g;

/**
 * A stored body as a client reads it: JSON parsed, credentials redacted, anything deeper than the depth limit
 * (or otherwise unreadable) summarised. Never throws, whatever was stored.
 */
export function journalBody(stored: unknown): unknown {
  if (stored === undefined || stored === null) return null;
  const text = Buffer.isBuffer(stored) ? stored.toString('utf8') : stored;
  if (typeof text !== 'string') return stored; // a summary or a note the journal made itself
  if (text.length === 0) return null;
  let value: unknown;
  try { value = JSON.parse(text); } catch { return text.replace(TOKEN_IN_TEXT, `(token = ${REDACTED})`); }
  try { return redact(value, 0); } catch { return summary(Buffer.byteLength(text)); }
}

/** A copy with secrets redacted; throws beyond the depth limit (the caller summarises). */
function redact(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.includes('(token = ') ? v.replace(TOKEN_IN_TEXT, `(token = ${REDACTED})`) : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth >= JOURNAL_LIMITS.depth) throw new RangeError('too deep');
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const value = SECRET_KEY.test(k) && (typeof x === 'string' || typeof x === 'number') ? REDACTED : redact(x, depth + 1);
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true }); // `__proto__` stays data
  }
  return out;
}

const SECRET_HEADERS = new Set(['authorization', 'remote-authorization', 'proxy-authorization']);

/** Headers with credentials redacted (the scheme stays, so a test can see Basic vs Session); cookies hidden. */
export function journalHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    const scheme = SECRET_HEADERS.has(k) ? /^(\S+)\s+\S/.exec(value) : null;
    out[k] = scheme ? `${scheme[1]} ${REDACTED}` : SECRET_HEADERS.has(k) || k === 'cookie' ? REDACTED : value;
  }
  return out;
}

/** Path matching shared by fault rules and journal filters (see `pathMatcher` in faults.ts). */
export type PathTest = (path: string) => boolean;

/**
 * A ring of the last `capacity` entries whose stored bodies together stay within a byte budget (oldest entries
 * dropped first): adding is O(1) whatever the size (the hot path of every request).
 */
export class Journal {
  private ring: Array<RawEntry | undefined>;
  /** Index of the oldest entry; `count` entries follow it (wrapping). */
  private head = 0;
  private count = 0;
  private seq = 0;
  private dropped = 0;
  private bytes = 0;

  constructor(private capacity = 1000, private byteBudget: number = JOURNAL_LIMITS.byteBudget) {
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
    this.bytes = kept.reduce((sum, e) => sum + e.bytes, 0);
  }

  /** Changes the byte budget of stored bodies (at least one body's cap); drops the oldest entries beyond it. */
  setByteBudget(n: number): void {
    this.byteBudget = Math.max(JOURNAL_LIMITS.bodyBytes, n);
    this.evict();
  }

  /**
   * Adds an entry (arrival of a request, or an event) and returns it for later completion. Once the ring is full,
   * the entry it drops is reused for the new one when its request is over (nothing writes to it any more): entries
   * then stay in V8's old generation instead of a new one being promoted there for every request, which made the
   * journal the costliest part of a GET (garbage collection).
   */
  add(partial: Omit<RawEntry, 'seq' | 'bytes'>): RawEntry {
    const oldest = this.count === this.capacity ? this.ring[this.head] : undefined;
    const droppedBytes = oldest?.bytes ?? 0;
    const entry = oldest !== undefined && !oldest.pending ? assignEntry(oldest, partial) : partial as RawEntry;
    entry.seq = ++this.seq;
    entry.bytes = 0;
    if (entry.requestBody !== null || entry.responseBody !== null) {
      const req = storeBody(entry.requestBody);
      const res = storeBody(entry.responseBody);
      entry.requestBody = req.stored;
      entry.responseBody = res.stored;
      entry.bytes = req.bytes + res.bytes;
    }
    return this.place(entry, droppedBytes);
  }

  /**
   * `add` of a request as it arrives (no bodies yet, pending), the hot path of every request: written straight into
   * the entry the ring drops (or a new one) without an intermediate object. The intermediate object of `add` was
   * worse than its allocation: while the ring fills, every such object becomes an entry and lives on, so V8 marks its
   * allocation site long-lived (allocation-site pretenuring) and from then on allocates it in the old generation,
   * where each request's throwaway copy piled up (+0.6 MB per scavenge, scavenges 2-6x longer; `--trace-gc`).
   */
  addRequest(timeMs: number, method: string, url: string, path: string, storageDeviceId: string | null, userId: string | null,
    requestHeaders: RawEntry['requestHeaders']): RawEntry {
    const oldest = this.count === this.capacity ? this.ring[this.head] : undefined;
    const droppedBytes = oldest?.bytes ?? 0;
    requestHeaders = this.sharedHeaders(requestHeaders);
    let entry: RawEntry;
    if (oldest !== undefined && !oldest.pending) {
      entry = oldest;
      entry.kind = 'request'; entry.timeMs = timeMs; entry.method = method; entry.url = url; entry.path = path;
      entry.storageDeviceId = storageDeviceId; entry.userId = userId; entry.requestHeaders = requestHeaders;
      entry.requestBody = null; entry.status = null; entry.responseBody = null; entry.jobId = null;
      entry.operation = null; entry.fault = null; entry.pending = true; entry.durationMs = null;
    } else {
      // The field order of every other entry (assignEntry keeps it), so all entries share one shape.
      entry = {
        kind: 'request', timeMs, method, url, path, storageDeviceId, userId, requestHeaders, requestBody: null,
        status: null, responseBody: null, jobId: null, operation: null, fault: null, pending: true, durationMs: null,
      } as RawEntry;
    }
    entry.seq = ++this.seq;
    entry.bytes = 0;
    return this.place(entry, droppedBytes);
  }

  /** The headers of the last arrival whose headers were new (see sharedHeaders). */
  private lastHeaders: RawEntry['requestHeaders'] | null = null;

  /**
   * The headers object of an earlier request when this one sent exactly the same headers (a client's requests
   * mostly do), else this request's own. Entries then share one object instead of each keeping its request's
   * headers and their strings alive until the ring drops it: the young generation's collector copies everything
   * alive, and a ring of 1,000 requests' headers doubled its pause (`--trace-gc`). Stored headers are never changed.
   */
  private sharedHeaders(headers: RawEntry['requestHeaders']): RawEntry['requestHeaders'] {
    const last = this.lastHeaders;
    if (last !== null && last !== headers) {
      let n = 0;
      let same = true;
      for (const k in headers) {
        if (headers[k] !== last[k] || typeof headers[k] !== 'string') { same = false; break; }
        n++;
      }
      if (same) {
        for (const _ in last) n--;
        if (n === 0) return last;
      }
    }
    this.lastHeaders = headers;
    return headers;
  }

  /** Puts a new entry at the ring's end (over the oldest one when full). */
  private place(entry: RawEntry, droppedBytes: number): RawEntry {
    if (this.count < this.capacity) {
      this.ring[(this.head + this.count) % this.capacity] = entry;
      this.count++;
    } else {
      this.bytes -= droppedBytes;
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
    this.bytes += entry.bytes;
    this.evict();
    return entry;
  }

  /**
   * Stores what a request sent (capped; see `storeBody`). `declaredBytes` is its Content-Length, so a body over
   * the cap is summarised without being serialised. An entry already dropped keeps nothing.
   */
  setRequestBody(entry: RawEntry, body: unknown, declaredBytes?: number): void {
    this.setBody(entry, 'requestBody', body, declaredBytes);
  }

  /** Stores what a request was answered (a string or Buffer payload, kept without copying up to the cap). */
  setResponseBody(entry: RawEntry, payload: unknown): void {
    this.setBody(entry, 'responseBody', payload);
  }

  private setBody(entry: RawEntry, field: 'requestBody' | 'responseBody', body: unknown, declaredBytes?: number): void {
    const live = this.count > 0 && entry.seq >= this.ring[this.head]!.seq;
    if (!live) { entry[field] = null; return; }
    const before = entry[field];
    const previous = typeof before === 'string' || Buffer.isBuffer(before) ? before.length : 0;
    if (typeof body === 'string' && body.length <= JOURNAL_LIMITS.bodyBytes && body !== '') {
      // Every JSON answer of the API: kept as it is (storeBody's first case without its result object).
      entry[field] = body;
      entry.bytes += body.length - previous;
      this.bytes += body.length - previous;
      this.evict();
      return;
    }
    const { stored, bytes } = storeBody(body, declaredBytes);
    entry[field] = stored;
    entry.bytes += bytes - previous;
    this.bytes += bytes - previous;
    this.evict();
  }

  /** Drops the oldest entries while the stored bodies are over budget (the newest entry always stays). */
  private evict(): void {
    while (this.bytes > this.byteBudget && this.count > 1) {
      const oldest = this.ring[this.head]!;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
      this.bytes -= oldest.bytes;
    }
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
    this.bytes = 0;
    return n;
  }

  /** Sizes and limits; `bytes` is what the stored bodies hold now, out of `byteBudget`. */
  stats() {
    return { capacity: this.capacity, size: this.count, dropped: this.dropped, lastSeq: this.seq, bytes: this.bytes, byteBudget: this.byteBudget };
  }

  private ordered(): RawEntry[] {
    const out: RawEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.head + i) % this.capacity]!);
    return out;
  }
}

/** `to` with every field of `from` (the same fields in the same order, so the object keeps its shape). */
function assignEntry(to: RawEntry, from: Omit<RawEntry, 'seq' | 'bytes'>): RawEntry {
  to.kind = from.kind; to.timeMs = from.timeMs; to.method = from.method; to.url = from.url; to.path = from.path;
  to.storageDeviceId = from.storageDeviceId; to.userId = from.userId; to.requestHeaders = from.requestHeaders;
  to.requestBody = from.requestBody; to.status = from.status; to.responseBody = from.responseBody; to.jobId = from.jobId;
  to.operation = from.operation; to.fault = from.fault; to.pending = from.pending; to.durationMs = from.durationMs;
  return to;
}

/** The entry a client reads: RFC 3339 time, redacted headers, JSON bodies with credentials redacted. */
function view(e: RawEntry): JournalEntry {
  return {
    seq: e.seq, kind: e.kind, time: new Date(e.timeMs).toISOString(), method: e.method, url: e.url, path: e.path,
    storageDeviceId: e.storageDeviceId, userId: e.userId, requestHeaders: journalHeaders(e.requestHeaders),
    requestBody: journalBody(e.requestBody), status: e.status, responseBody: journalBody(e.responseBody), jobId: e.jobId,
    operation: e.operation, fault: e.fault, pending: e.pending, durationMs: e.durationMs,
  };
}

/** `503`, `5xx`, `4xx` or a comma list of them. */
function statusMatcher(spec: string): (s: number) => boolean {
  const parts = spec.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  return (s) => parts.some((p) => (/^\dxx$/.test(p) ? Math.floor(s / 100) === Number(p[0]) : Number(p) === s));
}
