#!/usr/bin/env node
/**
 * The big fuzz run of issue 10: N generated malformed requests (default 10,000; `--runs N` or FUZZ_RUNS) over every
 * route of the API's and the control plane's OpenAPI documents and the web view, each from the same saved state,
 * against an in-process emulator on loopback. Prints the count of 5xx (must be 0) and every other finding (malformed
 * error bodies, state changed by refused requests, an unhealthy server afterwards), grouped, one reproducer each.
 * Exit status 1 when any 5xx or other finding was seen.
 *
 *   npm run build && node dist/bench/fuzz.js [--runs 10000] [--seed 42] [--surface api|control|ui] [--well-formed] [--hostile]
 */
import fc from 'fast-check';
import { anyRequestArb, wellFormedArb, type FuzzRequest } from './fuzzArbs.js';
import { hostileRequests } from './fuzzHostile.js';
import { findingKey, reproducer, startFuzzHarness } from './fuzzKit.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? process.env.FUZZ_RUNS ?? 10_000);
  const seed = Number(arg('seed') ?? process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const only = arg('surface');
  const h = await startFuzzHarness();
  const routes = h.routes.filter((r) => !only || r.surface === only);
  // --well-formed: requests a careful client sends (they reach the handlers and the engine) instead of malformed ones.
  const wellFormed = process.argv.includes('--well-formed');
  const arb = wellFormed ? fc.oneof(...routes.map((r) => wellFormedArb(r, h.creds, h.host))) : anyRequestArb(routes, h.creds, h.host);
  const started = performance.now();
  let fiveXx = 0;
  let other = 0;
  const statuses = new Map<number, number>();
  const findings = new Map<string, { count: number; example: FuzzRequest; problem: string }>();
  process.stdout.write(`fuzz: ${runs} ${wellFormed ? 'well-formed' : 'malformed'} requests over ${routes.length} routes (api ${routes.filter((r) => r.surface === 'api').length}, ` +
    `control ${routes.filter((r) => r.surface === 'control').length}, ui ${routes.filter((r) => r.surface === 'ui').length}), seed ${seed}\n`);
  const batch = 500;
  // --hostile: first the hand-written requests of issue 10 (fuzzHostile.ts), counted with the rest.
  const hostile = process.argv.includes('--hostile') ? hostileRequests(h) : [];
  for (let done = -hostile.length; done < runs; done += done < 0 ? hostile.length : batch) {
    const sample = done < 0 ? hostile : fc.sample(arb, { numRuns: Math.min(batch, runs - done), seed: seed + done });
    for (const r of sample) {
      const { answer, problems } = await h.runOne(r);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) fiveXx++;
      if (problems.length && answer.status < 500) other++;
      for (const p of problems) {
        const key = findingKey(r, p);
        const f = findings.get(key);
        if (f) f.count++;
        else findings.set(key, { count: 1, example: r, problem: p });
      }
    }
    process.stdout.write(`  ${done < 0 ? `${hostile.length} hostile` : Math.min(done + batch, runs)} sent, ${fiveXx} x 5xx, ${other} other findings, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  await h.close();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`statuses: ${[...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ')}\n`);
  for (const [key, f] of [...findings.entries()].sort((a, b) => b[1].count - a[1].count)) {
    process.stdout.write(`\n${f.count} x ${key}\n    ${f.problem.slice(0, 300)}\n    ${reproducer(f.example)}\n`);
  }
  process.stdout.write(`\n5xx: ${fiveXx} of ${runs + hostile.length} requests (${(runs / seconds).toFixed(0)} requests/s, ${seconds.toFixed(1)} s); other findings: ${other}\n`);
  process.exitCode = fiveXx > 0 || other > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
