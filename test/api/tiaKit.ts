import type { Test } from 'supertest';
import { afterEach } from 'vitest';
import { readFixture, type Fixture } from '../../src/store/fixture.js';
import { OBJ, startApp, type TestApp } from '../helpers.js';
import type { AppOptions } from '../../src/app.js';

/** Helpers of the Thin Image Advanced / retention tests on the VSP One B28 fixture (940000123456). */

export { OBJ, startApp, type TestApp } from '../helpers.js';
export { expectError, expectFailedJob, expectSucceeded } from './support.js';
export const B28 = '940000123456';
export const EMU = '/emulator/v1';
/** Runs the job inside the request whatever the timing profile (control-plane header). */
export const INSTANT = { 'x-vsp-emulator-instant': '1' };
export const HOUR = 3600;

/** The vsp-one-b28 fixture, changed by `edit` (pools, LDEVs, model facts, fidelity). */
export function b28With(edit: (fx: Fixture) => void = () => {}): Fixture {
  const fx = structuredClone(readFixture('vsp-one-b28'));
  edit(fx);
  return fx;
}

export function startB28(fixture: Fixture = b28With(), opts: AppOptions = {}): Promise<TestApp> {
  return startApp({ fixture, ...opts });
}

/** Closes the file's emulator after each test. */
export function closeAfterEach(get: () => TestApp | undefined): void {
  afterEach(async () => { await get()?.close(); });
}

/** A TIA pair body as Terraform/Cinder send it: DRS volumes of HDP pool 0, canCascade and isDataReductionForceCopy. */
export function tiaBody(pvol: number, svol: number | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    snapshotGroupName: 'tia', snapshotPoolId: 0, pvolLdevId: pvol, ...(svol === undefined ? {} : { svolLdevId: svol }),
    canCascade: true, isDataReductionForceCopy: true, ...extra,
  };
}

export function create(t: TestApp, body: Record<string, unknown>): Test {
  return t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(body);
}

export function get(t: TestApp, pvol: number, mu: number): Test {
  return t.http.get(`${OBJ}/snapshots/${pvol},${mu}`).set(t.auth);
}

export function act(t: TestApp, pvol: number, mu: number, action: string, body?: unknown, method: 'post' | 'put' = 'post'): Test {
  const req = t.http[method](`${OBJ}/snapshots/${pvol},${mu}/actions/${action}/invoke`).set(t.auth).set(INSTANT);
  return body === undefined ? req : req.send(body as object);
}

export function groupAct(t: TestApp, group: string, action: string, body?: unknown): Test {
  const req = t.http.post(`${OBJ}/snapshot-groups/${group}/actions/${action}/invoke`).set(t.auth).set(INSTANT);
  return body === undefined ? req : req.send(body as object);
}

export function del(t: TestApp, pvol: number, mu: number): Test {
  return t.http.delete(`${OBJ}/snapshots/${pvol},${mu}`).set(t.auth).set(INSTANT);
}

/**
 * Moves the virtual clock by `seconds` and logs in again: sessions expire on the same clock, and retention is counted
 * in hours.
 */
export async function later(t: TestApp, seconds: number): Promise<void> {
  t.advance(seconds);
  const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  t.auth.Authorization = `Session ${login.body.token as string}`;
}

export async function statusOf(t: TestApp, pvol: number, mu: number): Promise<string | undefined> {
  const r = await get(t, pvol, mu);
  return r.status === 200 ? (r.body.status as string) : undefined;
}
