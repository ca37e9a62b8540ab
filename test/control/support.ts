import { startApp, type TestApp } from '../helpers.js';
import type { AppOptions } from '../../src/app.js';

export { CINDER_WAIT, OBJ, SID, SCOPED } from '../helpers.js';
export const EMU = '/emulator/v1';

/** The in-memory emulator of test/helpers.ts with its control plane (manual clock, seed 1, logged in). */
export async function startControl(opts: AppOptions = {}): Promise<TestApp> {
  return startApp(opts);
}

/**
 * Waits (yielding to the event loop, never sleeping on wall time) until `check` holds: used to know that a request
 * started in the background has reached the emulator and is being held.
 */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once `n` requests are held inside the emulator (pending in the journal). */
export async function heldRequests(t: TestApp, n: number): Promise<void> {
  await until(() => t.control!.journal.list({ pending: true }).length === n, `${n} held request(s)`);
}
