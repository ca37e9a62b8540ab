import type { Response, Test } from 'supertest';
import { expect } from 'vitest';
import { OBJ, startApp, type TestApp } from '../helpers.js';

/** Helpers of the vClone API tests: a VSP One B28, DRS volumes in HDP pool 0, TIA pairs, vClone actions, host I/O. */

export { CINDER_WAIT, OBJ, SCOPED, startApp, type TestApp } from '../helpers.js';
export const B28 = '940000123456';
export const EMU = '/emulator/v1';
/** Runs the job inside the request (control-plane header); pair transitions still follow the realistic timing. */
export const INSTANT = { 'x-vsp-emulator-instant': '1' };

export const startB28 = (opts: Record<string, unknown> = {}) => startApp({ fixture: 'vsp-one-b28', ...opts });

/** Creates a 10 GiB DRS volume in pool 0 (`POST ldevs`, TIA ref 2.1). */
export async function drsLdev(t: TestApp, ldevId: number): Promise<void> {
  const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({
    ldevId, poolId: 0, byteFormatCapacity: '10G', isDataReductionSharedVolumeEnabled: true, dataReductionMode: 'compression_deduplication',
  });
  expect(r.body.state, JSON.stringify(r.body)).toBe('Succeeded');
}

/** The Cinder/Terraform TIA pair body: DRS volumes, the P-VOL's HDP pool, canCascade, isDataReductionForceCopy. */
export const tiaBody = (pvol: number, svol: number, extra: Record<string, unknown> = {}) => ({
  snapshotGroupName: 'vc-g', snapshotPoolId: 0, pvolLdevId: pvol, svolLdevId: svol, isConsistencyGroup: false,
  isDataReductionForceCopy: true, canCascade: true, ...extra,
});

/** Creates a TIA pair and waits (virtual time) until it is PAIR, or PSUS with autoSplit; returns its muNumber. */
export async function tiaPair(t: TestApp, pvol: number, svol: number, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(tiaBody(pvol, svol, extra));
  expect(r.body.state, JSON.stringify(r.body)).toBe('Succeeded');
  t.advance(30);
  const p = await t.http.get(`${OBJ}/snapshots`).query({ svolLdevId: svol }).set(t.auth);
  expect(p.body.data[0]?.isRedirectOnWrite, JSON.stringify(p.body)).toBe(true);
  return p.body.data[0].muNumber as number;
}

export function vclone(t: TestApp, pvol: number, mu: number, operationType: string): Test {
  return t.http.post(`${OBJ}/snapshots/${pvol},${mu}/actions/virtual-clone/invoke`).set(t.auth).set(INSTANT).send({ parameters: { operationType } });
}

export function groupVclone(t: TestApp, group: string, operationType: string): Test {
  return t.http.post(`${OBJ}/snapshot-groups/${group}/actions/virtual-clone/invoke`).set(t.auth).set(INSTANT).send({ parameters: { operationType } });
}

export function pairAction(t: TestApp, pvol: number, mu: number, action: string, parameters: Record<string, unknown> = {}): Test {
  return t.http.post(`${OBJ}/snapshots/${pvol},${mu}/actions/${action}/invoke`).set(t.auth).set(INSTANT).send({ parameters });
}

export async function ldevOf(t: TestApp, ldevId: number): Promise<Record<string, unknown>> {
  return (await t.http.get(`${OBJ}/ldevs/${ldevId}`).set(t.auth)).body as Record<string, unknown>;
}

export async function family(t: TestApp, ldevId: number): Promise<Array<Record<string, unknown>>> {
  const r = await t.http.get(`${OBJ}/snapshot-family`).query({ ldevId }).set(t.auth);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.data;
}

export async function parents(t: TestApp): Promise<unknown> {
  const r = await t.http.get(`${OBJ}/virtual-clone-parent-volumes`).set(t.auth);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

export async function write(t: TestApp, ldevId: number, pattern: string, offset = '0'): Promise<void> {
  const r = await t.http.post(`${EMU}/io/write`).send({ storageDeviceId: B28, ldevId, offset, length: '4M', pattern });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

export async function fingerprint(t: TestApp, ldevId: number): Promise<string> {
  const r: Response = await t.http.get(`${EMU}/io/fingerprint`).query({ storageDeviceId: B28, ldevId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.fingerprint as string;
}
