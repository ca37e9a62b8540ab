/**
 * Bench section "control plane": wall time of POST /emulator/v1/reset and of a checkpoint save and restore on a
 * model of N Thin Image pairs (default 100,000: 1,000 P-VOLs × 100 snapshots), in process, through the HTTP
 * routes (Fastify inject, so the figure includes routing and JSON but not the socket). `npm run bench` runs it
 * as a section; `node dist/bench/control.js [pairs]` runs it alone. BENCH_CONTROL_PAIRS sets N.
 */
import { pathToFileURL } from 'node:url';
import { buildApp } from '../app.js';
import type { Fixture } from '../store/fixture.js';

export interface ControlBenchResult {
  pairs: number;
  ldevs: number;
  /** Building the emulator from the fixture (first load), ms. */
  startMs: number;
  /** Checkpoint saves (first, then the median of the others), ms. */
  saveMs: number[];
  /** Restores after a change, ms each. */
  restoreMs: number[];
  /** Resets to the fixture, ms each (the first one also loads the fixture's template). */
  resetMs: number[];
}

/**
 * A fixture of one VSP 5500 with `pairs` pairs spread over P-VOLs of `perPvol` snapshots each (default 100; no
 * S-VOLs), the P-VOLs numbered from `firstLdevId` (default 0), one snapshot group per P-VOL.
 */
export function pairsFixture(pairs: number, opts: { perPvol?: number; firstLdevId?: number } = {}): Fixture {
  const perPvol = opts.perPvol ?? 100;
  const first = opts.firstLdevId ?? 0;
  const pvols = Math.ceil(pairs / perPvol);
  const ldevs = Array.from({ length: pvols }, (_, i) => ({ ldevId: first + i, capacity: '10G', poolId: 0 }));
  const specs = Array.from({ length: pairs }, (_, n) => ({
    pvolLdevId: first + Math.floor(n / perPvol), muNumber: n % perPvol, snapshotGroupName: `g${first + Math.floor(n / perPvol)}`, snapshotPoolId: 1,
    status: n % 2 === 0 ? 'PSUS' : 'PAIR', canCascade: true,
  }));
  return {
    name: `bench-${pairs}-pairs`,
    users: [{ userId: 'maintenance', password: 'raid-maintenance' }],
    arrays: [{
      model: 'VSP 5500', serialNumber: 424242,
      pools: [
        { poolId: 0, poolName: 'DP', poolType: 'HDP', capacity: '4000T', virtualVolumeCapacityRate: -1 },
        { poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '400T' },
      ],
      ldevs, pairs: specs,
    }],
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/** Measures reset, checkpoint save and checkpoint restore with `pairs` pairs. */
export async function measureControl(pairs = 100_000, rounds = 5): Promise<ControlBenchResult> {
  const fixture = pairsFixture(pairs);
  let t0 = performance.now();
  const built = await buildApp({ db: ':memory:', clock: 'manual', fixture, timing: 'realistic', seed: 1, logger: false });
  const startMs = ms(t0);
  const { app } = built;
  const call = async (method: 'POST' | 'GET', url: string, body?: object) => {
    const res = await app.inject({ method, url, payload: body ?? {}, headers: { 'content-type': 'application/json' } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res;
  };
  const count = () => built.engine.db.prepare('SELECT COUNT(*) FROM pairs').pluck().get() as number;
  if (count() !== pairs) throw new Error(`the fixture loaded ${count()} pairs, not ${pairs}`);
  // A change between save and restore, so the restore has something to undo: every pair of P-VOL 0 drops to PSUE.
  const change = () => call('POST', '/emulator/v1/faults', { effect: { type: 'pair', pvolLdevId: 0 } });

  const saveMs: number[] = [];
  const restoreMs: number[] = [];
  const resetMs: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      t0 = performance.now();
      await call('POST', '/emulator/v1/checkpoints/base');
      saveMs.push(ms(t0));
    }
    for (let i = 0; i < rounds; i++) {
      await change();
      t0 = performance.now();
      await call('POST', '/emulator/v1/checkpoints/base/restore');
      restoreMs.push(ms(t0));
      if (count() !== pairs) throw new Error('restore lost pairs');
    }
    for (let i = 0; i < rounds; i++) {
      await change();
      t0 = performance.now();
      await call('POST', '/emulator/v1/reset');
      resetMs.push(ms(t0));
      if (count() !== pairs) throw new Error('reset lost pairs');
    }
  } finally {
    await built.close();
  }
  return { pairs, ldevs: fixture.arrays[0]!.ldevs!.length, startMs, saveMs, restoreMs, resetMs };
}

/** Lines for the bench report. */
export function describeControl(r: ControlBenchResult): string[] {
  const rest = (xs: number[]) => (xs.length > 1 ? `, then median ${median(xs.slice(1))} ms` : '');
  return [
    `model: ${r.pairs.toLocaleString('en-US')} Thin Image pairs on ${r.ldevs.toLocaleString('en-US')} P-VOLs (first load ${r.startMs} ms)`,
    `POST /emulator/v1/reset:                     first ${r.resetMs[0]} ms (clears and loads the fixture, keeps a template)${rest(r.resetMs)}`,
    `POST /emulator/v1/checkpoints/{name}:         first ${r.saveMs[0]} ms${rest(r.saveMs)}`,
    `POST /emulator/v1/checkpoints/{name}/restore: median ${median(r.restoreMs)} ms, max ${Math.max(...r.restoreMs)} ms over ${r.restoreMs.length} restores`,
  ];
}

/** The `npm run bench` section. */
export async function bench(ctx: { note: (text: string) => void }): Promise<void> {
  const pairs = Number(process.env.BENCH_CONTROL_PAIRS ?? 100_000);
  const r = await measureControl(pairs);
  for (const line of describeControl(r)) ctx.note(line);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pairs = Number(process.argv[2] ?? process.env.BENCH_CONTROL_PAIRS ?? 100_000);
  measureControl(pairs).then((r) => {
    for (const line of describeControl(r)) process.stdout.write(`  ${line}\n`);
  }, (e: unknown) => {
    process.stderr.write(`control bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
