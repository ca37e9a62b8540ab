import type { Response } from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from '../helpers.js';

/** Helpers of the simple-API tests: the base URL and polling a statusResource the way Ansible does (TIA ref 6.2). */

export const SIMPLE = '/ConfigurationManager/simple/v1/objects';

/** The id at the end of a 202's statusResource. */
export function statusPath(res: Response): string {
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.statusResource).toMatch(/^\/ConfigurationManager\/simple\/v1\/objects\/command-status\/\d+$/);
  return res.body.statusResource as string;
}

/**
 * Polls the command status, moving the virtual clock a second between polls, until it is completed; returns it.
 * Fails when it is not completed within `seconds`.
 */
export async function completed(t: TestApp, statusResource: string, seconds = 30): Promise<Record<string, unknown>> {
  for (let i = 0; i <= seconds; i++) {
    const r = await t.http.get(statusResource).set(t.auth);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (r.body.progress === 'completed') return r.body as Record<string, unknown>;
    t.advance(1);
  }
  throw new Error(`${statusResource} not completed within ${seconds} s`);
}

/** A command that completed normally: its affectedResources. */
export async function succeeded(t: TestApp, res: Response): Promise<string[]> {
  const s = await completed(t, statusPath(res));
  expect(s, JSON.stringify(s)).toMatchObject({ progress: 'completed', status: 'normal' });
  return s.affectedResources as string[];
}

/** Reads the snapshot until its simple status is `want`, moving the clock a second at a time. */
export async function untilStatus(t: TestApp, id: string, want: string, seconds = 40): Promise<Record<string, unknown>> {
  let last: unknown;
  for (let i = 0; i <= seconds; i++) {
    const r = await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth);
    last = r.body;
    if (r.status === 200 && r.body.status === want) return r.body as Record<string, unknown>;
    t.advance(1);
  }
  throw new Error(`snapshot ${id} never showed ${want}: ${JSON.stringify(last)}`);
}

export const lastSegment = (url: string) => url.slice(url.lastIndexOf('/') + 1);
