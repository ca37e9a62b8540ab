import { connect, type Socket } from 'node:net';

/**
 * A small, bounded HTTP/1.1 load generator over loopback: N keep-alive connections, each sending one request at a
 * time (no pipelining) and reading the answer by Content-Length. It is deliberately lean (pre-built request bytes,
 * no header parsing beyond the status line and Content-Length) so that it is cheaper than the servers it measures.
 * Bounded in both count and time; it only ever connects to 127.0.0.1.
 */
export interface LoadRequest { method: string; path: string; headers?: Record<string, string>; body?: string }

export interface LoadOptions {
  port: number;
  connections: number;
  durationMs: number;
  /** Hard cap on requests across all connections. */
  maxRequests: number;
  /** The request a connection sends next; `seq` counts that connection's requests, `conn` is its index. */
  next: (conn: number, seq: number) => LoadRequest;
  /** Statuses counted as success (others count as errors). */
  ok?: number[];
  /** Optional check of each answer's body (e.g. the job state); a false counts as an error. */
  check?: (status: number, body: string) => boolean;
}

export interface LoadResult { requests: number; errors: number; seconds: number; rps: number; p50Ms: number; p99Ms: number; statuses: Record<number, number> }

const HOST = '127.0.0.1';

export function encodeRequest(port: number, r: LoadRequest): Buffer {
  const body = r.body ?? '';
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `Host: ${HOST}:${port}`, 'Connection: keep-alive'];
  for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
  if (body !== '' || r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Reads one response at a time from a socket: resolves [status, body] per request. */
class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((r: [number, Buffer]) => void) | null = null;
  private failed: ((e: Error) => void) | null = null;
  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => { this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]); this.drain(); });
    socket.on('error', (e) => this.failed?.(e));
    socket.on('close', () => this.failed?.(new Error('connection closed')));
  }

  private drain(): void {
    if (!this.waiting) return;
    const end = this.buf.indexOf(CRLFCRLF);
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    const body = this.buf.subarray(end + 4, end + 4 + len);
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiting;
    this.waiting = null;
    this.failed = null;
    w([status, body]);
  }

  send(bytes: Buffer): Promise<[number, Buffer]> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket.write(bytes);
      this.drain();
    });
  }

  close(): void { this.socket.destroy(); }
}

function open(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port }, () => { s.off('error', reject); resolve(new Conn(s)); });
    s.once('error', reject);
  });
}

/** One request over a fresh connection (set-up steps: login, finding body sizes). */
export async function once(port: number, r: LoadRequest): Promise<{ status: number; body: string }> {
  const c = await open(port);
  try {
    const [status, body] = await c.send(encodeRequest(port, r));
    return { status, body: body.toString('utf8') };
  } finally { c.close(); }
}

/** Runs the load and reports throughput and latency percentiles. */
export async function load(o: LoadOptions): Promise<LoadResult> {
  const ok = new Set(o.ok ?? [200]);
  const conns = await Promise.all(Array.from({ length: o.connections }, () => open(o.port)));
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let requests = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + o.durationMs;
  // Requests whose bytes never change are encoded once per (conn, shape).
  const cache = new Map<string, Buffer>();
  const bytesOf = (r: LoadRequest) => {
    const key = `${r.method} ${r.path} ${r.body ?? ''}`;
    let b = cache.get(key);
    if (!b) { b = encodeRequest(o.port, r); if (cache.size < 10000) cache.set(key, b); }
    return b;
  };
  await Promise.all(conns.map(async (c, i) => {
    for (let seq = 0; requests < o.maxRequests && performance.now() < deadline; seq++) {
      requests++;
      const t0 = performance.now();
      let status = 0;
      let body: Buffer;
      try { [status, body] = await c.send(bytesOf(o.next(i, seq))); } catch { errors++; break; }
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!ok.has(status) || (o.check && !o.check(status, body.toString('utf8')))) errors++;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  for (const c of conns) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! : 0;
  return { requests, errors, seconds, rps: requests / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), statuses };
}
