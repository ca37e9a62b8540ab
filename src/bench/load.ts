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

/**
 * Reads one response at a time from a socket: resolves [status, body] per request. The socket reads into one
 * buffer of its own (`onread`), and a body is copied out only when the caller wants it: with bodies of hundreds of
 * KB, allocating and joining a buffer per read made the generator, not the server, the limit.
 */
class Conn {
  private socket!: Socket;
  /** Bytes of a header split over reads (copied: the read buffer is reused). */
  private partial: Buffer = Buffer.alloc(0);
  private status = 0;
  /** Body length of the response being read, -1 while its header is not complete. */
  private bodyLen = -1;
  private bodyAt = 0;
  private body: Buffer | null = null;
  private waiting: ((r: [number, Buffer]) => void) | null = null;
  private failed: ((e: Error) => void) | null = null;
  constructor(private readonly wantBody: boolean) {}

  attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', (e) => this.failed?.(e));
    socket.on('close', () => this.failed?.(new Error('connection closed')));
  }

  /** The `onread` callback: `buf` is the shared read buffer, valid only during the call. */
  onRead(nread: number, buf: Buffer): void {
    let chunk = buf.subarray(0, nread);
    while (chunk.length > 0) {
      if (this.bodyLen < 0) {
        const data = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
        const end = data.indexOf(CRLFCRLF);
        if (end < 0) { this.partial = Buffer.from(data); return; }
        this.partial = Buffer.alloc(0);
        const head = data.subarray(0, end).toString('latin1');
        this.status = Number(head.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.bodyLen = m ? Number(m[1]) : 0;
        this.bodyAt = 0;
        this.body = this.wantBody ? Buffer.allocUnsafe(this.bodyLen) : null;
        chunk = data.subarray(end + 4);
      }
      const take = Math.min(chunk.length, this.bodyLen - this.bodyAt);
      if (this.body) chunk.copy(this.body, this.bodyAt, 0, take);
      this.bodyAt += take;
      chunk = chunk.subarray(take);
      if (this.bodyAt === this.bodyLen) {
        const done: [number, Buffer] = [this.status, this.body ?? Buffer.alloc(0)];
        this.bodyLen = -1;
        this.body = null;
        const w = this.waiting;
        this.waiting = null;
        this.failed = null;
        w?.(done);
      }
    }
  }

  send(bytes: Buffer): Promise<[number, Buffer]> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket.write(bytes);
    });
  }

  close(): void { this.socket.destroy(); }
}

function open(port: number, wantBody: boolean): Promise<Conn> {
  const conn = new Conn(wantBody);
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port, onread: { buffer: Buffer.allocUnsafe(256 * 1024), callback: (n, b) => { conn.onRead(n, b as Buffer); return true; } } }, () => {
      s.off('error', reject);
      conn.attach(s);
      resolve(conn);
    });
    s.once('error', reject);
  });
}

/** One request over a fresh connection (set-up steps: login, finding body sizes). */
export async function once(port: number, r: LoadRequest): Promise<{ status: number; body: string }> {
  const c = await open(port, true);
  try {
    const [status, body] = await c.send(encodeRequest(port, r));
    return { status, body: body.toString('utf8') };
  } finally { c.close(); }
}

/** Runs the load and reports throughput and latency percentiles. */
export async function load(o: LoadOptions): Promise<LoadResult> {
  const ok = new Set(o.ok ?? [200]);
  const conns = await Promise.all(Array.from({ length: o.connections }, () => open(o.port, o.check !== undefined)));
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
