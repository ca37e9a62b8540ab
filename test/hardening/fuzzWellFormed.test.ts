import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzHarness, type FuzzHarness } from '../../src/bench/fuzzKit.js';
import { RUNS, TIMEOUT_MS, wellFormedAnswersWell } from './fuzzSupport.js';

/**
 * The fuzz's checks on requests a careful client sends to the Thin Image routes (canonical URL, a valid session,
 * ids that name the pair, group and volumes of the harness's baseline or near misses, bodies that fit the schema):
 * they get past validation into the handlers and the pair engine, where an internal error would otherwise hide
 * inside a 202's Failed job (KART00001-E counts as a 5xx).
 */
describe(`fuzz: well-formed Thin Image requests (${RUNS} requests)`, () => {
  let h: FuzzHarness;
  beforeAll(async () => { h = await startFuzzHarness(); });
  afterAll(async () => { await h?.close(); });

  it('Thin Image routes answer well-formed requests with random ids and attributes without an internal error', async () => {
    await wellFormedAnswersWell(h, h.routes.filter((r) => r.surface === 'api' && /snapshot/.test(r.template)));
  }, TIMEOUT_MS);
});
