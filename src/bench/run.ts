#!/usr/bin/env node
/**
 * `npm run bench`: throughput of the emulator over real HTTP on loopback, next to a bare Fastify route serving a
 * static body of the same size in the same run (the ratio is the figure), and start-up time to the ready line.
 *
 * Every server runs as its own child process (the machine has 2 cores: one for the server under test, one for the
 * load generator). Runs are bounded in time (BENCH_SECONDS per case, default 3) and count (BENCH_MAX_REQUESTS);
 * BENCH_CONNECTIONS sets the concurrency (default 16). Only 127.0.0.1 is ever contacted.
 *
 * Sections: the foundation's (start-up, reads, LDEV mutations) and any registered in SECTIONS below whose module
 * exists in dist/bench/. A section module exports `async function bench(ctx: BenchContext): Promise<void>` and
 * prints through `ctx.print` / `ctx.note`.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOf, cpuMsOf, createContext, describeTarget, settingsFromEnv, type BenchContext } from './harness.js';
import type { LoadResult } from './load.js';

const OBJ = '/ConfigurationManager/v1/objects';
/** Issue 11: GET ldevs/{id} with the control plane on at 85% or more of the bare route in the same run. */
const READ_TARGET_PERCENT = 85;
/** Spawn to the ready line (module loading included). */
const STARTUP_TARGET_MS = 1000;
/** Issue 11: the in-process `startup_ms` of the ready line, default fixture. */
const STARTUP_MS_TARGET = 300;

/** Start-up to the ready line of `node dist/main.js --db :memory: --http-port 0 --https-port 0`. */
async function startup(ctx: BenchContext): Promise<void> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const cwd = mkdtempSync(join(tmpdir(), 'vsp-bench-startup-'));
  const args = ['--db', ':memory:', '--http-port', '0', '--https-port', '0', '--log-level', 'warn'];
  try {
    const runs: Array<{ readyMs: number; startupMs: number }> = [];
    for (let i = 0; i < 6; i++) {
      // The first run makes the self-signed certificate (no cached one in a fresh folder); later runs reuse it.
      const emu = await ctx.spawnEmulator(args, { cwd });
      runs.push({ readyMs: emu.readyMs, startupMs: emu.startupMs });
      await emu.stop();
    }
    const [cold, ...warm] = runs;
    const sorted = warm.map((r) => r.readyMs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted[sorted.length - 1]!;
    ctx.note(`start-up, spawn to ready line (default fixture, HTTP + HTTPS):  median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms over ` +
      `${warm.length} runs; first run (new TLS certificate) ${cold!.readyMs.toFixed(0)} ms` +
      `  (target < ${STARTUP_TARGET_MS} ms: ${Math.max(max, cold!.readyMs) < STARTUP_TARGET_MS ? 'met' : 'NOT met'})`);
    const inProcess = warm.map((r) => r.startupMs).sort((a, b) => a - b);
    const inMedian = inProcess[Math.floor(inProcess.length / 2)]!;
    ctx.note(`  of which inside the process (startup_ms on the ready line): ${inProcess.join(', ')} ms`);
    ctx.target({
      name: 'start-up, in-process startup_ms of the default fixture', measured: `median ${inMedian} ms of ${inProcess.length} runs`,
      threshold: `< ${STARTUP_MS_TARGET} ms`, met: inMedian < STARTUP_MS_TARGET,
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}


/**
 * GET ldevs/{id} with session auth, and LDEV create+delete with instant timing, each next to a bare Fastify route
 * serving a body of the same size; with the default configuration and with the control plane off (its hooks see
 * every request).
 */
async function ldevs(ctx: BenchContext): Promise<void> {
  const common = ['--db', ':memory:', '--http-port', '0', '--https-port', 'off', '--timing', 'instant', '--log-level', 'silent'];
  const emu = await ctx.spawnEmulator(common);
  const lean = await ctx.spawnEmulator([...common, '--no-control-plane']);
  let bare: Awaited<ReturnType<BenchContext['spawnBare']>> | null = null;
  try {
    const auth = await ctx.login(emu.port);
    const leanAuth = await ctx.login(lean.port);
    const headersOf = (a: string) => ({ Authorization: a, 'Content-Type': 'application/json', Accept: 'application/json' });
    const headers = headersOf(auth);
    const sample = await ctx.once(emu.port, { method: 'GET', path: `${OBJ}/ldevs/0`, headers });
    if (sample.status !== 200) throw new Error(`GET ldevs/0 answered ${sample.status}`);
    const createBody = (id: number) => JSON.stringify({ ldevId: id, poolId: 0, byteFormatCapacity: '1G' });
    const job = await ctx.once(emu.port, { method: 'POST', path: `${OBJ}/ldevs`, headers, body: createBody(9999) });
    await ctx.once(emu.port, { method: 'DELETE', path: `${OBJ}/ldevs/9999`, headers });
    bare = await ctx.spawnBare(sample.body, job.body);
    const rounds = Number(process.env.BENCH_ROUNDS) > 0 ? Number(process.env.BENCH_ROUNDS) : 3;
    const per = { durationMs: ctx.settings.durationMs / rounds };
    ctx.note(`bodies: GET ldevs/{id} ${Buffer.byteLength(sample.body)} B, job object ${Buffer.byteLength(job.body)} B ` +
      `(the bare routes serve bodies of the same size); best of ${rounds} alternating rounds of ${(per.durationMs / 1000).toFixed(1)} s`);

    // Server CPU per request, summed over the rounds: the cost each server pays, which the machine's other load hardly
    // changes (throughput ratios swing with it on a shared machine).
    const cpu = new Map<number, { ms: number; requests: number; rounds: number[] }>();
    const read = (port: number, a: string, pid: number) => async () => {
      const before = cpuMsOf(pid);
      const res = await ctx.load({ ...per, port, next: (c) => ({ method: 'GET', path: `${OBJ}/ldevs/${c % 4}`, headers: headersOf(a) }) });
      const after = cpuMsOf(pid);
      if (before !== null && after !== null) {
        const sum = cpu.get(port) ?? { ms: 0, requests: 0, rounds: [] };
        cpu.set(port, { ms: sum.ms + after - before, requests: sum.requests + res.requests, rounds: [...sum.rounds, ((after - before) * 1000) / res.requests] });
      }
      return res;
    };
    // Bare/emulator CPU per request of the same round (the two ran back to back), median over rounds: the machine's
    // other load changes from round to round and inflates both servers' CPU alike.
    const pairedRatio = (port: number) => {
      const b = cpu.get(bare!.port)?.rounds ?? [];
      const e = cpu.get(port)?.rounds ?? [];
      const r = e.map((x, i) => b[i]! / x).filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
      return r.length ? r[Math.floor(r.length / 2)]! : NaN;
    };
    const usPerRequest = (port: number) => { const c = cpu.get(port); return c && c.requests ? (c.ms * 1000) / c.requests : NaN; };
    let round = 0;
    const mutate = (port: number, a: string, checkJob: boolean) => () => {
      // Each connection creates and deletes its own LDEV id (new ids every round: a round may end between the
      // two), so every job succeeds.
      const base = 1000 + 100 * round++;
      return ctx.load({
      ...per, port, ok: [202],
      next: (c, seq) => (seq % 2 === 0
        ? { method: 'POST', path: `${OBJ}/ldevs`, headers: headersOf(a), body: createBody(base + c) }
        : { method: 'DELETE', path: `${OBJ}/ldevs/${base + c}`, headers: headersOf(a) }),
      check: checkJob ? (_s, body) => body.includes('"state":"Succeeded"') : undefined,
      });
    };
    // Warm every server up (JIT, statement caches) before measuring.
    for (const [port, a] of [[bare.port, auth], [emu.port, auth], [lean.port, leanAuth]] as const) {
      await ctx.load({ durationMs: 500, port, next: () => ({ method: 'GET', path: `${OBJ}/ldevs/0`, headers: headersOf(a) }) });
    }

    const [bareRead, emuRead, leanRead] = await bestOf(rounds,
      [read(bare.port, auth, bare.child.pid!), read(emu.port, auth, emu.child.pid!), read(lean.port, leanAuth, lean.child.pid!)]);
    ctx.print({ name: `bare Fastify GET (static ${Buffer.byteLength(sample.body)} B)`, result: bareRead! });
    ctx.print({ name: 'GET ldevs/{id} (Session auth)', result: emuRead!, baseline: { name: 'bare', result: bareRead!, target: READ_TARGET_PERCENT } });
    ctx.print({ name: 'GET ldevs/{id} (Session auth, --no-control-plane)', result: leanRead!, baseline: { name: 'bare', result: bareRead! } });
    const [bareUs, emuUs, leanUs] = [bare.port, emu.port, lean.port].map(usPerRequest) as [number, number, number];
    ctx.note(`server CPU per request (all rounds): bare ${bareUs.toFixed(1)} us, emulator ${emuUs.toFixed(1)} us, ` +
      `--no-control-plane ${leanUs.toFixed(1)} us; bare/emulator = ${(bareUs / emuUs).toFixed(2)} (what the throughput ratio tends to with a core free for each); ` +
      `median of the rounds' bare/emulator ${pairedRatio(emu.port).toFixed(2)} (--no-control-plane ${pairedRatio(lean.port).toFixed(2)})`);
    const ratio = emuRead!.rps / bareRead!.rps;
    ctx.target({
      name: 'GET ldevs/{id}, control plane on, vs bare Fastify', measured: `${ratio.toFixed(2)} x bare`,
      threshold: `>= ${(READ_TARGET_PERCENT / 100).toFixed(2)} x`, met: ratio * 100 >= READ_TARGET_PERCENT,
      note: `CPU per request ${emuUs.toFixed(1)} us vs bare ${bareUs.toFixed(1)} us = ${(bareUs / emuUs).toFixed(2)} (median of rounds ${pairedRatio(emu.port).toFixed(2)})`,
    });

    const [bareMut, emuMut, leanMut] = await bestOf(rounds, [mutate(bare.port, auth, false), mutate(emu.port, auth, true), mutate(lean.port, leanAuth, true)]);
    ctx.print({ name: `bare Fastify POST/DELETE (static ${Buffer.byteLength(job.body)} B, 202)`, result: bareMut! });
    ctx.print({ name: 'LDEV create+delete (instant timing, 1 job each)', result: emuMut!, baseline: { name: 'bare', result: bareMut! } });
    ctx.print({ name: 'LDEV create+delete (--no-control-plane)', result: leanMut!, baseline: { name: 'bare', result: bareMut! } });
    ctx.note(`  = ${(emuMut!.rps / 2).toFixed(0)} create+delete cycles/s (${(leanMut!.rps / 2).toFixed(0)} without the control plane)`);
  } finally {
    await bare?.stop();
    await lean.stop();
    await emu.stop();
  }
}

/**
 * Sections other modules add: `dist/bench/<file>` exporting `bench(ctx)`. Listed here so a missing module is
 * reported rather than silently skipped.
 */
const SECTIONS: Array<{ title: string; file: string }> = [
  { title: 'Thin Image pairs', file: 'pairs.js' },
  { title: 'control plane', file: 'control.js' },
  { title: 'host I/O and capacity', file: 'io.js' },
];

async function main(): Promise<void> {
  const settings = settingsFromEnv(process.env);
  const ctx = createContext(settings);
  process.stdout.write(`vsp-emulator bench: node ${process.version}, ${cpus().length} cores, loopback HTTP/1.1 keep-alive, ` +
    `${settings.connections} connections, ${settings.durationMs / 1000} s per case\n`);
  // BENCH_ONLY=start-up,LDEVs,... runs only the sections named (titles, case-insensitive).
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((t) => t.trim().toLowerCase())) : null;
  const wanted = (title: string) => !only || only.has(title.toLowerCase());
  const builtin: Array<[string, (c: BenchContext) => Promise<void>]> = [['start-up', startup], ['LDEVs', ldevs]];
  for (const [title, fn] of builtin) {
    if (!wanted(title)) continue;
    process.stdout.write(`\n${title}\n`);
    await fn(ctx);
  }
  for (const s of SECTIONS) {
    if (!wanted(s.title)) continue;
    const path = join(fileURLToPath(new URL('.', import.meta.url)), s.file);
    process.stdout.write(`\n${s.title}\n`);
    if (!existsSync(path)) { ctx.note(`(no ${s.file} in dist/bench yet)`); continue; }
    const mod = (await import(path)) as Record<string, unknown>;
    const fn = (mod.bench ?? mod.default ?? Object.values(mod).find((v) => typeof v === 'function')) as ((c: BenchContext) => Promise<void>) | undefined;
    if (!fn) { ctx.note(`(${s.file} exports no bench function)`); continue; }
    await fn(ctx);
  }
  if (ctx.targets.length > 0) {
    process.stdout.write(`\nissue 11 performance targets (${ctx.targets.filter((t) => t.met).length} of ${ctx.targets.length} met)\n`);
    for (const t of ctx.targets) process.stdout.write(`  ${describeTarget(t)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
