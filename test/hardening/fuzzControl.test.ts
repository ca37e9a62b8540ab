import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzHarness, type FuzzHarness } from '../../src/bench/fuzzKit.js';
import { answersWell, RUNS, TIMEOUT_MS } from './fuzzSupport.js';

/**
 * Property-based fuzz of the control plane (every route of GET /emulator/v1/openapi.json), with a control token set
 * so no, wrong and valid Bearer credentials are all drawn. Same checks as the API fuzz, in the `{error, message}`
 * dialect. The web view's routes: fuzzWebView.test.ts.
 */
describe(`fuzz: control plane (${RUNS} requests)`, () => {
  let h: FuzzHarness;
  beforeAll(async () => { h = await startFuzzHarness(); });
  afterAll(async () => { await h?.close(); });

  it('control-plane routes answer every malformed request well', async () => {
    await answersWell(h, h.routes.filter((r) => r.surface === 'control'));
  }, TIMEOUT_MS);
});
