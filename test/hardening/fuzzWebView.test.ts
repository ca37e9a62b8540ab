import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzHarness, type FuzzHarness } from '../../src/bench/fuzzKit.js';
import { answersWell, RUNS, TIMEOUT_MS } from './fuzzSupport.js';

/**
 * Property-based fuzz of the web view's routes under /emulator/ui/ (hidden from both OpenAPI documents, listed in
 * fuzzKit.ts): the page and its files, api/view, api/scenarios, api/events, login/logout and the control plane through
 * the page's proxy, with no, wrong and valid control tokens. Same checks as the control-plane fuzz.
 */
describe(`fuzz: web view (${RUNS} requests)`, () => {
  let h: FuzzHarness;
  beforeAll(async () => { h = await startFuzzHarness(); });
  afterAll(async () => { await h?.close(); });

  it('web-view routes (and the control plane through its proxy) answer every malformed request well', async () => {
    await answersWell(h, h.routes.filter((r) => r.surface === 'ui'));
  }, TIMEOUT_MS);
});
