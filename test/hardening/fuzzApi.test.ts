import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzHarness, type FuzzHarness } from '../../src/bench/fuzzKit.js';
import { answersWell, RUNS, TIMEOUT_MS } from './fuzzSupport.js';

/**
 * Property-based fuzz of the VSP REST API (issue 10 item 9): requests generated from every route of the API's
 * OpenAPI document (GET /openapi.json), malformed in their path parameters, query strings, bodies, content types,
 * URL forms and credentials. Each is answered without a 5xx (the array's 503 KART40062-E at 64 sessions aside), with
 * a well-formed VSP error object when refused, with no change of state when refused, without credentials only where
 * the route is public, and leaves the server healthy (health 200, journal and web view readable).
 */
describe(`fuzz: the VSP REST API (${RUNS} requests per property)`, () => {
  let h: FuzzHarness;
  beforeAll(async () => { h = await startFuzzHarness(); });
  afterAll(async () => { await h?.close(); });

  it('reads every route of both documents and the web view', () => {
    const api = h.routes.filter((r) => r.surface === 'api');
    expect(api.some((r) => r.method === 'POST' && r.template === '/ConfigurationManager/v1/objects/snapshots')).toBe(true);
    expect(api.some((r) => r.template.includes('/storages/{storageDeviceId}/'))).toBe(true);
    expect(h.routes.some((r) => r.surface === 'control' && r.template === '/emulator/v1/clock/advance')).toBe(true);
    expect(h.routes.some((r) => r.surface === 'ui' && r.template === '/emulator/ui/api/control/{*}')).toBe(true);
  });

  it('Thin Image routes (snapshots, snapshot groups, snapshot tree) answer every malformed request well', async () => {
    await answersWell(h, h.routes.filter((r) => r.surface === 'api' && /snapshot/.test(r.template)));
  }, TIMEOUT_MS);

  it('every other API route answers every malformed request well', async () => {
    await answersWell(h, h.routes.filter((r) => r.surface === 'api' && !/snapshot/.test(r.template)));
  }, TIMEOUT_MS);
});
