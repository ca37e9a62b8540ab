import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, once, type LoadOptions, type LoadRequest, type LoadResult } from './load.js';

/** dist/ (the built emulator) as seen from dist/bench/; BENCH_DIST measures another build (an A/B comparison). */
export const DIST = process.env.BENCH_DIST || join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Spawned {
  child: ChildProcess;
  /** HTTP port the child listens on (loopback). */
  port: number;
  /** Wall time from spawn to the ready line, ms. */
  readyMs: number;
  /** The ready line as printed. */
  line: string;
  stop(): Promise<void>;
}

/** Starts `node <script> ...args` and resolves once a stdout line matches `ready` (bounded by `timeoutMs`). */
export function spawnReady(script: string, args: string[], ready: RegExp, opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [script, ...args], {
      cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} printed no ready line in ${opts.timeoutMs ?? 20000} ms: ${err}`)); },
      opts.timeoutMs ?? 20000);
    child.stderr!.on('data', (d) => { err += d; });
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => ready.test(l));
      if (!line) return;
      clearTimeout(timer);
      const readyMs = performance.now() - t0;
      const port = Number(ready.exec(line)![1]);
      resolve({
        child, port, readyMs, line,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
      });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code} before its ready line: ${err}`)); });
  });
}

const EMULATOR_READY = /ready http:\/\/[^:]+:(\d+)/;

/** Starts the built emulator (`dist/main.js`) in a scratch working directory; loopback only. */
export async function spawnEmulator(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Spawned & { startupMs: number }> {
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'vsp-bench-'));
  const s = await spawnReady(join(DIST, 'main.js'), ['--host', '127.0.0.1', ...args], EMULATOR_READY, { cwd, timeoutMs: opts.timeoutMs });
  const startupMs = Number(/startup_ms=(\d+)/.exec(s.line)?.[1] ?? NaN);
  return {
    ...s, startupMs,
    stop: async () => { await s.stop(); if (!opts.cwd) rmSync(cwd, { recursive: true, force: true }); },
  };
}

/** Starts the bare Fastify baseline with static bodies of the given sizes. */
export function spawnBare(readBody: string, jobBody: string): Promise<Spawned> {
  return spawnReady(join(DIST, 'bench', 'bare.js'), [], /bare ready (\d+)/, { env: { BENCH_READ_BODY: readBody, BENCH_JOB_BODY: jobBody } });
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux; null elsewhere). Divided by
 * the requests served it is the cost per request, which other work on the machine hardly changes (throughput does).
 */
export function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return null;
  }
}

export interface BenchSettings { durationMs: number; connections: number; maxRequests: number }

export function settingsFromEnv(env: NodeJS.ProcessEnv): BenchSettings {
  const num = (v: string | undefined, d: number) => (v !== undefined && Number(v) > 0 ? Number(v) : d);
  return {
    durationMs: num(env.BENCH_SECONDS, 3) * 1000,
    connections: num(env.BENCH_CONNECTIONS, 16),
    maxRequests: num(env.BENCH_MAX_REQUESTS, 2_000_000),
  };
}

export interface BenchRow { name: string; result: LoadResult; baseline?: { name: string; result: LoadResult; target?: number } }

/**
 * One of the figures an issue sets (issue 11: two read ratios, start-up, readiness of the largest model): printed
 * where it is measured and again in the summary at the end of the run.
 */
export interface BenchTarget { name: string; measured: string; threshold: string; met: boolean; note?: string }

/** What a bench section receives: settings, process helpers, the load generator and a printer. */
export interface BenchContext {
  /** Records (and prints) a target's figure: `met` / `NOT met` against its threshold. */
  target: (t: BenchTarget) => void;
  /** Every target recorded so far, in order. */
  targets: BenchTarget[];
  settings: BenchSettings;
  spawnEmulator: typeof spawnEmulator;
  spawnBare: typeof spawnBare;
  load: (o: Omit<LoadOptions, 'durationMs' | 'connections' | 'maxRequests'> & Partial<LoadOptions>) => Promise<LoadResult>;
  once: (port: number, r: LoadRequest) => Promise<{ status: number; body: string }>;
  /** Prints one result line (and its ratio to a baseline when given). */
  print: (row: BenchRow) => void;
  /** Prints a free-form line under the section. */
  note: (text: string) => void;
  /** Session login on an emulator port: the `Authorization` header value. */
  login: (port: number, prefix?: string) => Promise<string>;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

export function printRow(row: BenchRow): void {
  const r = row.result;
  const errs = r.errors ? `  errors=${r.errors} ${JSON.stringify(r.statuses)}` : '';
  let line = `  ${row.name.padEnd(52)} ${fmt(r.rps).padStart(9)} req/s   p50 ${fmt(r.p50Ms, 2).padStart(6)} ms   p99 ${fmt(r.p99Ms, 2).padStart(6)} ms${errs}`;
  if (row.baseline) {
    const ratio = (r.rps / row.baseline.result.rps) * 100;
    const target = row.baseline.target;
    line += `\n  ${''.padEnd(52)} = ${fmt(ratio, 1)}% of ${row.baseline.name}` +
      (target !== undefined ? ` (target >= ${target}%: ${ratio >= target ? 'met' : 'NOT met'})` : '');
  }
  process.stdout.write(`${line}\n`);
}

export const describeTarget = (t: BenchTarget) =>
  `${t.name}: ${t.measured} (target ${t.threshold}: ${t.met ? 'met' : 'NOT met'})${t.note ? `; ${t.note}` : ''}`;

export function createContext(settings: BenchSettings): BenchContext {
  const targets: BenchTarget[] = [];
  return {
    targets,
    target(t) { targets.push(t); process.stdout.write(`  TARGET ${describeTarget(t)}\n`); },
    settings, spawnEmulator, spawnBare, once,
    load: (o) => load({ durationMs: settings.durationMs, connections: settings.connections, maxRequests: settings.maxRequests, ...o }),
    print: printRow,
    note: (text) => process.stdout.write(`  ${text}\n`),
    async login(port, prefix = '/ConfigurationManager/v1/objects') {
      const r = await once(port, {
        method: 'POST', path: `${prefix}/sessions`,
        headers: { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`, 'Content-Type': 'application/json' },
      });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.body}`);
      return `Session ${(JSON.parse(r.body) as { token: string }).token}`;
    },
  };
}

/**
 * Best of `rounds` alternating runs of each case: other work on the machine only ever slows a run down, so the
 * best round is the steadiest estimate of what each server can do, and alternating keeps both under the same load.
 */
export async function bestOf(rounds: number, cases: Array<() => Promise<LoadResult>>): Promise<LoadResult[]> {
  const best: Array<LoadResult | null> = cases.map(() => null);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const res = await cases[i]!();
      if (!best[i] || res.rps > best[i]!.rps) best[i] = res;
    }
  }
  return best as LoadResult[];
}
