import type { Response, Test } from 'supertest';
import { expect } from 'vitest';
import { pairService } from '../../src/engine/pairs/index.js';
import { readFixture, type Fixture } from '../../src/store/fixture.js';
import type { PairRow, PairSpec } from '../../src/store/pairs.js';
import { OBJ, SCOPED, SID, startApp, type TestApp } from '../helpers.js';
import type { AppOptions } from '../../src/app.js';

/** Shared helpers of the snapshot API tests: volumes and LU paths by direct insert, requests, job reading. */

export { CINDER_WAIT, OBJ, SCOPED, SID, startApp, type TestApp } from '../helpers.js';

/** Runs the job inside the request whatever the timing profile (control-plane header). */
export const INSTANT = { 'x-vsp-emulator-instant': '1' };
export const GIB = 2 * 1024 * 1024;

/** Defines an LDEV directly in the store: a DP volume in pool 0, or a Thin Image V-VOL (`pool: null`). */
export function ldev(t: TestApp, ldevId: number, opts: { gib?: number; pool?: number | null; drMode?: string } = {}): void {
  const blocks = (opts.gib ?? 10) * GIB;
  const drMode = opts.drMode ?? 'disabled';
  t.engine.res.insertLdev({
    sid: SID, ldevId, emulation: 'OPEN-V-CVS', blocks, poolId: opts.pool === undefined ? 0 : opts.pool, label: '', status: 'NML',
    extraAttrs: [], drMode, drStatus: drMode === 'disabled' ? 'DISABLED' : 'ENABLED', drs: false, fullAlloc: false, usedBlocks: 0,
    clprId: 0, mpBladeId: 0, resourceGroupId: 0, alua: false, relocation: true, parentLdevId: null,
  });
}

/** Adds an LU path for the LDEV on CL1-A host group 1 (the host-group module's POST luns is not needed here). */
export function lun(t: TestApp, ldevId: number): void {
  const used = new Set(t.engine.res.lunsOfHostGroup(SID, 'CL1-A', 1).map((l) => l.lun));
  let n = 0;
  while (used.has(n)) n++;
  t.engine.res.insertLun({ sid: SID, portId: 'CL1-A', hgNumber: 1, lun: n, ldevId });
}

/** A cascade snapshot pair body (the Cinder recipe: DP S-VOL, canCascade, isDataReductionForceCopy). */
export function snapBody(pvol: number, svol: number | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    snapshotGroupName: 'g1', snapshotPoolId: 1, pvolLdevId: pvol, ...(svol === undefined ? {} : { svolLdevId: svol }),
    canCascade: true, isDataReductionForceCopy: true, ...extra,
  };
}

/** POSTs a pair with the job run inside the request; returns the 202 response. */
export function createPair(t: TestApp, body: Record<string, unknown>): Test {
  return t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(body);
}

export async function getPair(t: TestApp, pvol: number, mu: number): Promise<Response> {
  return t.http.get(`${OBJ}/snapshots/${pvol},${mu}`).set(t.auth);
}

export async function statusOf(t: TestApp, pvol: number, mu: number): Promise<string | undefined> {
  const r = await getPair(t, pvol, mu);
  return r.status === 200 ? (r.body.status as string) : undefined;
}

/** Sends a pair action (POST) with the job run inside the request. */
export function act(t: TestApp, pvol: number, mu: number, action: string, body?: unknown): Test {
  const req = t.http.post(`${OBJ}/snapshots/${pvol},${mu}/actions/${action}/invoke`).set(t.auth).set(INSTANT);
  return body === undefined ? req : req.send(body as object);
}

export function del(t: TestApp, pvol: number, mu: number): Test {
  return t.http.delete(`${OBJ}/snapshots/${pvol},${mu}`).set(t.auth).set(INSTANT);
}

/** Job and error assertions shared with the other API tests. */
export { expectError, expectSucceeded, expectFailedJob as expectJobFailed } from './support.js';

/** The stored pair row (for assertions about deadlines and queues). */
export function row(t: TestApp, pvol: number, mu: number): PairRow | undefined {
  return pairService(t.engine).store.get(SID, pvol, mu);
}

/** The default fixture with extra LDEVs (DP volumes of `gib` in pool 0 unless given) and a `pairs:` section. */
export function fixtureWith(opts: { ldevs?: Array<{ ldevId: number; capacity?: string; poolId?: number }>; pairs?: PairSpec[]; fidelity?: Record<string, unknown> }): Fixture {
  const fx = structuredClone(readFixture('default'));
  const a = fx.arrays[0]!;
  a.ldevs = [...(a.ldevs ?? []), ...(opts.ldevs ?? []).map((l) => ({ ldevId: l.ldevId, capacity: l.capacity ?? '10G', poolId: l.poolId ?? 0 }))];
  if (opts.pairs) a.pairs = opts.pairs;
  if (opts.fidelity) fx.fidelity = { ...(fx.fidelity ?? {}), ...opts.fidelity };
  return fx;
}

export async function startWith(fixture: Fixture, opts: AppOptions = {}): Promise<TestApp> {
  return startApp({ fixture, ...opts });
}

/** Sends a request the server holds (Response-Job-Status), waits until its job is recorded, moves the clock. */
export async function held(t: TestApp, req: Test, seconds: number): Promise<Response> {
  const lastJob = () => Number(t.engine.meta.get('job_id') ?? '0');
  const before = lastJob();
  let settled = false;
  const pending = req.then((r) => { settled = true; return r; });
  for (let i = 0; i < 2000 && !(lastJob() > before || settled); i++) await new Promise((r) => setImmediate(r));
  if (!settled) {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    t.advance(seconds);
  }
  return pending;
}

export const scoped = (path: string) => `${SCOPED}/${path}`;
