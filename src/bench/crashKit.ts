import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REALISTIC, type TimingProfile } from '../domain/timing.js';
import { readFixture } from '../store/fixture.js';
import { spawnReady, type Spawned } from './harness.js';
import { createdPairsMissing, invariantViolations } from './invariants.js';

/**
 * Crash runs (issue 10 item 9c): the built server on a database file, clients sending pair and LDEV mutations
 * without waiting for their jobs, `kill -9` at a random moment, a restart on the same file, then the checks: every
 * job the clients were answered 202 for is still recorded, every job and every timed pair transition completes after
 * the restart, the stored invariants hold (invariants.ts) and `PRAGMA integrity_check` is ok.
 * Used by test/hardening/crash.test.ts (a few kills) and dist/bench/crash.js (100 by default).
 */

export interface CrashOptions {
  /** dist/main.js of the build under test. */
  main: string;
  /** Scratch folder: the database, its fixture. */
  dir: string;
  kills: number;
  /**
   * Realistic job and pair timings divided by this (a timing file), so transitions are in flight at the kill and done
   * soon after the restart. The clock runs at speed 1: in real mode a restart starts virtual time at wall time again,
   * so a faster clock would leave the deadlines of the run before ahead of it (see the README's clock notes).
   */
  timeScale?: number;
  clients?: number;
  /** The kill comes uniformly between these many ms after the load starts. */
  killAfterMs?: [number, number];
  seed?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  kills: number;
  /** Jobs answered 202 before a kill. */
  acked: number;
  /** Requests answered at all, and those cut by the kill. */
  answered: number;
  cut: number;
  problems: string[];
  /** Restart to ready line, ms (each restart). */
  restartMs: number[];
  /** After each restart: ms until every job and timed transition was done. */
  settleMs: number[];
  /** Jobs and timed pair transitions the kills interrupted (pending in the file the killed server left), summed. */
  pendingAtKill: number;
  /** Of those, the ones still pending when the restarted server was ready (the others fell due during the restart). */
  pendingAtRestart: number;
  pairsAtEnd: number;
  jobsAtEnd: number;
}

const OBJ = '/ConfigurationManager/v1/objects';
const READY = /ready http:\/\/[^:]+:(\d+)/;
const SVOLS = Array.from({ length: 40 }, (_, i) => 100 + i);
const BASIC = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function call(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpRequest({
      host: '127.0.0.1', port, method, path, agent: false,
      headers: { authorization: BASIC, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** One mutation a client of the array might send: pair create/split/resync/restore/delete, LDEV create/delete. */
function mutation(rand: () => number): { method: string; path: string; body?: unknown } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const pvol = pick([0, 1]);
  const mu = Math.floor(rand() * 8);
  switch (pick(['create', 'create', 'split', 'resync', 'restore', 'delete', 'ldevCreate', 'ldevDelete'] as const)) {
    case 'create': return {
      method: 'POST', path: `${OBJ}/snapshots`,
      body: { snapshotGroupName: `crash${Math.floor(rand() * 4)}`, snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: pick(SVOLS), canCascade: true, isDataReductionForceCopy: true, autoSplit: rand() < 0.5 },
    };
    case 'split': return { method: 'POST', path: `${OBJ}/snapshots/${pvol},${mu}/actions/split/invoke` };
    case 'resync': return { method: 'POST', path: `${OBJ}/snapshots/${pvol},${mu}/actions/resync/invoke`, body: { parameters: { autoSplit: rand() < 0.5 } } };
    case 'restore': return { method: 'POST', path: `${OBJ}/snapshots/${pvol},${mu}/actions/restore/invoke`, body: { parameters: { autoSplit: true } } };
    case 'delete': return { method: 'DELETE', path: `${OBJ}/snapshots/${pvol},${mu}` };
    case 'ldevCreate': return { method: 'POST', path: `${OBJ}/ldevs`, body: { ldevId: 200 + Math.floor(rand() * 50), poolId: 0, byteFormatCapacity: '1G' } };
    case 'ldevDelete': return { method: 'DELETE', path: `${OBJ}/ldevs/${200 + Math.floor(rand() * 50)}` };
  }
}

/** Every duration of a timing profile divided by `scale`. */
function scaledTiming(t: TimingProfile, scale: number): TimingProfile {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / scale]));
  return { ...t, name: `realistic/${scale}`, jobQueuedMs: t.jobQueuedMs / scale, jobMs: div(t.jobMs), transitionMs: div(t.transitionMs),
    cloneSecondsPerGiB: div(t.cloneSecondsPerGiB) as TimingProfile['cloneSecondsPerGiB'] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function crashRun(o: CrashOptions): Promise<CrashReport> {
  const log = o.log ?? (() => undefined);
  const rand = rng(o.seed ?? 1);
  const dbFile = join(o.dir, 'crash.sqlite');
  const fixture = readFixture('default');
  fixture.arrays[0]!.ldevs = [...(fixture.arrays[0]!.ldevs ?? []), ...SVOLS.map((ldevId) => ({ ldevId, capacity: '10G', poolId: 0 }))];
  const fixtureFile = join(o.dir, 'crash-fixture.json');
  writeFileSync(fixtureFile, JSON.stringify(fixture));
  const timingFile = join(o.dir, 'crash-timing.json');
  writeFileSync(timingFile, JSON.stringify(scaledTiming(REALISTIC, o.timeScale ?? 20)));
  const args = ['--db', dbFile, '--fixture', fixtureFile, '--http-port', '0', '--https-port', 'off', '--host', '127.0.0.1',
    '--clock', 'real', '--timing', timingFile, '--seed', String(o.seed ?? 1), '--log-level', 'silent'];
  const report: CrashReport = { kills: 0, acked: 0, answered: 0, cut: 0, problems: [], restartMs: [], settleMs: [], pendingAtKill: 0, pendingAtRestart: 0, pairsAtEnd: 0, jobsAtEnd: 0 };
  const acked = new Set<number>();
  const [lo, hi] = o.killAfterMs ?? [100, 700];

  let server: Spawned = await spawnReady(o.main, args, READY, { cwd: o.dir, timeoutMs: 30_000 });
  // Interrupted (Ctrl-C, a test timeout): the server goes with us.
  const onSignal = () => { server.child.kill('SIGKILL'); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let kill = 0; kill < o.kills; kill++) {
      // Load until the kill: each client sends mutations one after another, never waiting for their jobs.
      let alive = true;
      const clients = Array.from({ length: o.clients ?? 6 }, async () => {
        while (alive) {
          const m = mutation(rand);
          try {
            const r = await call(server.port, m.method, m.path, m.body);
            report.answered++;
            if (r.status === 202 && typeof r.json?.jobId === 'number') acked.add(r.json.jobId);
            if (r.status >= 500) report.problems.push(`kill ${kill}: ${m.method} ${m.path} answered ${r.status} ${JSON.stringify(r.json)}`);
          } catch {
            report.cut++;
            return;
          }
        }
      });
      await sleep(lo + rand() * (hi - lo));
      server.child.kill('SIGKILL');
      await new Promise<void>((r) => (server.child.exitCode !== null || server.child.signalCode !== null ? r() : server.child.once('exit', () => r())));
      alive = false;
      await Promise.all(clients);
      report.kills++;
      report.pendingAtKill += pendingIn(dbFile);

      const t0 = performance.now();
      server = await spawnReady(o.main, args, READY, { cwd: o.dir, timeoutMs: 30_000 });
      report.restartMs.push(performance.now() - t0);
      const settle = await settled(dbFile, 60_000);
      report.settleMs.push(settle.ms);
      report.pendingAtRestart += settle.firstPending;
      const problems = checkFile(dbFile, acked, !settle.ok);
      for (const p of problems) report.problems.push(`after kill ${kill + 1}: ${p}`);
      log(`kill ${kill + 1}/${o.kills}: ${acked.size} jobs acknowledged so far, restart ${report.restartMs.at(-1)!.toFixed(0)} ms, ` +
        `${settle.firstPending} jobs/transitions pending at restart, settled in ${settle.ms.toFixed(0)} ms, ${problems.length} problems`);
      if (problems.length) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.stop();
  }
  // The file as the last server left it on a clean stop.
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    for (const p of invariantViolations(db, { settled: true })) report.problems.push(`after the final stop: ${p}`);
    report.pairsAtEnd = (db.prepare('SELECT COUNT(*) FROM pairs').pluck().get() as number);
    report.jobsAtEnd = (db.prepare('SELECT COUNT(*) FROM jobs').pluck().get() as number);
  } finally {
    db.close();
  }
  report.acked = acked.size;
  return report;
}

/** Jobs not yet completed plus pairs in a timed phase, as the file holds them now. */
function pendingIn(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT (SELECT COUNT(*) FROM jobs WHERE completed_at IS NULL) + (SELECT COUNT(*) FROM pairs WHERE phase IS NOT NULL)').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Waits (polling the file) until no job is pending and no pair is in a timed phase. */
async function settled(dbFile: string, timeoutMs: number): Promise<{ ok: boolean; ms: number; firstPending: number }> {
  const t0 = performance.now();
  let firstPending = -1;
  while (performance.now() - t0 < timeoutMs) {
    const pending = pendingIn(dbFile);
    if (firstPending < 0) firstPending = pending;
    if (pending === 0) return { ok: true, ms: performance.now() - t0, firstPending };
    await sleep(50);
  }
  return { ok: false, ms: performance.now() - t0, firstPending };
}

/** The checks of one restart, on the file the running server writes (WAL: a reader sees the last commit). */
function checkFile(dbFile: string, acked: Set<number>, timedOut: boolean): string[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const out = [...invariantViolations(db, { settled: true }), ...createdPairsMissing(db)];
    if (timedOut) out.push('jobs or pair transitions still pending 60 s after the restart');
    const has = db.prepare('SELECT 1 FROM jobs WHERE job_id = ?').pluck();
    // Job records are kept per model (3,000 on the E990): only the newest can be asked for.
    const newest = [...acked].sort((a, b) => b - a).slice(0, 2500);
    const lost = newest.filter((id) => has.get(id) === undefined);
    if (lost.length) out.push(`${lost.length} jobs answered 202 are not recorded after the restart (e.g. ${lost.slice(0, 5).join(', ')})`);
    return out;
  } finally {
    db.close();
  }
}
