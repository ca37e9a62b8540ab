import { expect } from 'vitest';
import type { Response, Test } from 'supertest';
import type { TestApp } from '../helpers.js';

/** Gives the event loop turns (no wall-clock sleep) until `cond` holds; fails loudly if it never does. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The id of the newest job the engine has recorded (0 when none). */
export function lastJobId(t: TestApp): number {
  return Number(t.engine.meta.get('job_id') ?? '0');
}

/**
 * Sends a request that the server holds (Response-Job-Status: Completed), waits until the server has recorded
 * its job, moves the virtual clock by `seconds`, and returns the response.
 */
export async function held(t: TestApp, req: Test, seconds: number): Promise<Response> {
  const before = lastJobId(t);
  let settled = false;
  const pending = req.then((r) => { settled = true; return r; });
  await until(() => lastJobId(t) > before || settled, 'the server to record the job');
  if (!settled) {
    // Let the handler reach its wait before the clock moves.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    t.advance(seconds);
  }
  return pending;
}

/** Resolves once `p` settles or reports that it has not after a few event-loop turns. */
export async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; }, () => { done = true; });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
}

export const RFC3339_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export { CINDER_WAIT, OBJ, SCOPED, SID, V1, startApp, type TestApp } from '../helpers.js';
export const CM = '/ConfigurationManager';

/** A 202 whose job completed Failed with KART30000-E and exactly these SSB codes, nothing affected. */
export function expectFailedJob(res: Response, ssb1: string, ssb2: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ status: 'Completed', state: 'Failed', affectedResources: [] });
  expect(res.body.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: ssb1, SSB2: ssb2 } });
}

/** A 202 whose job completed Succeeded (with exactly these affectedResources when given). */
export function expectSucceeded(res: Response, ...affected: string[]): void {
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ status: 'Completed', state: 'Succeeded' });
  if (affected.length) expect(res.body.affectedResources).toEqual(affected);
}

/** A synchronous error answer with this HTTP status and messageId. */
export function expectError(res: Response, status: number, messageId: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.messageId, JSON.stringify(res.body)).toBe(messageId);
}
