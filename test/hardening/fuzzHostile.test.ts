import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileRequests } from '../../src/bench/fuzzHostile.js';
import { reproducer, startFuzzHarness, type FuzzHarness } from '../../src/bench/fuzzKit.js';

/**
 * The requests issue 10 reported, sent on purpose rather than drawn: clock numbers out of range, fault rules naming
 * prototype keys, 5,000-level bodies, bad JSON / wrong content type / null / missing / over-limit bodies to every
 * control-plane and web-view change, and protected API routes in the `//`, absolute-form and percent-encoded URL
 * forms without valid credentials. Every one is checked as the fuzz checks a drawn request; all findings are listed.
 */
describe('fuzz: the hostile requests of issue 10', () => {
  let h: FuzzHarness;
  beforeAll(async () => { h = await startFuzzHarness(); });
  afterAll(async () => { await h?.close(); });

  it('each is refused with a 4xx in its dialect (or answered as the public route it names), changes nothing, and leaves the server healthy', async () => {
    const found: string[] = [];
    const requests = hostileRequests(h);
    expect(requests.length).toBeGreaterThan(100);
    for (const r of requests) {
      const { answer, problems } = await h.runOne(r);
      for (const p of problems) found.push(`${p}\n    answered ${answer.status} to ${reproducer(r)}`);
    }
    expect(found.length, `${found.length} findings:\n${found.join('\n')}`).toBe(0);
  }, 120_000);
});
