import fc from 'fast-check';
import { expect } from 'vitest';
import type { FuzzRequest, RouteSpec } from '../../src/bench/fuzzArbs.js';
import { anyRequestArb, wellFormedArb } from '../../src/bench/fuzzArbs.js';
import { reproducer, type FuzzHarness } from '../../src/bench/fuzzKit.js';

/**
 * Shared by the fuzz test files: run counts and seed from the environment (FUZZ_RUNS per property, default 300;
 * FUZZ_SEED, default fixed so CI runs are reproducible; FUZZ_SEED=random draws a new one), and one property:
 * every generated request for the routes is answered without a finding.
 */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
export const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20260105);
/** Wall-time budget of one property: generous, the default run takes a few seconds per 100 requests on 2 cores. */
export const TIMEOUT_MS = Math.max(60_000, RUNS * 200);

export async function answersWell(h: FuzzHarness, routes: RouteSpec[], runs = RUNS): Promise<void> {
  expect(routes.length).toBeGreaterThan(0);
  await fc.assert(fc.asyncProperty(anyRequestArb(routes, h.creds, h.host), async (r: FuzzRequest) => {
    const { answer, problems } = await h.runOne(r);
    if (problems.length) throw new Error(`${problems.join('\n')}\n  answered ${answer.status}\n  ${reproducer(r)}`);
  }), { numRuns: runs, seed: SEED, endOnFailure: false });
}

/** The same checks for requests a careful client sends (see wellFormedArb): they reach the handlers and the engine. */
export async function wellFormedAnswersWell(h: FuzzHarness, routes: RouteSpec[], runs = RUNS): Promise<void> {
  expect(routes.length).toBeGreaterThan(0);
  await fc.assert(fc.asyncProperty(fc.oneof(...routes.map((r) => wellFormedArb(r, h.creds, h.host))), async (r: FuzzRequest) => {
    const { answer, problems } = await h.runOne(r);
    if (problems.length) throw new Error(`${problems.join('\n')}\n  answered ${answer.status}\n  ${reproducer(r)}`);
  }), { numRuns: runs, seed: SEED, endOnFailure: false });
}
