#!/usr/bin/env node
/**
 * The big crash run of issue 10: `kill -9` the built server 100 times (`--kills N` or CRASH_KILLS) under a load of
 * pair and LDEV mutations, restarting it on the same database file each time; after every restart every acknowledged
 * job is still recorded, every job and pair transition completes, the stored invariants hold and integrity_check is
 * ok. Prints one line per kill and the totals; exit status 1 on any problem.
 *
 *   npm run build && node dist/bench/crash.js [--kills 100] [--time-scale 20] [--clients 6] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRun } from './crashKit.js';
import { DIST } from './harness.js';

function arg(name: string, env: string, d: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : process.env[env] ?? d);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vsp-crash-'));
  const started = performance.now();
  try {
    const r = await crashRun({
      main: join(DIST, 'main.js'), dir, kills: arg('kills', 'CRASH_KILLS', 100), timeScale: arg('time-scale', 'CRASH_TIME_SCALE', 20),
      clients: arg('clients', 'CRASH_CLIENTS', 6), seed: arg('seed', 'CRASH_SEED', Date.now() % 100_000),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    process.stdout.write(`\n${r.kills} kills in ${((performance.now() - started) / 1000).toFixed(0)} s: ${r.acked} jobs acknowledged, ${r.answered} requests answered, ` +
      `${r.cut} cut by a kill, ${r.pendingAtKill} jobs/transitions pending at the kills (${r.pendingAtRestart} still at the restarts); restart median ${med(r.restartMs).toFixed(0)} ms, settle median ${med(r.settleMs).toFixed(0)} ms; ` +
      `${r.pairsAtEnd} pairs and ${r.jobsAtEnd} job records at the end\n`);
    for (const p of r.problems) process.stdout.write(`PROBLEM ${p}\n`);
    process.stdout.write(`${r.problems.length} problems\n`);
    process.exitCode = r.problems.length ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`crash: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
