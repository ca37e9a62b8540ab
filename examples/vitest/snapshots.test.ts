import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createControlClient, type ArrayInfo } from 'vsp-emulator';

// This file's own array: test files run in parallel without seeing each other's LDEVs and pairs.
const control = createControlClient(inject('vspUrl'));
let array: ArrayInfo;
let api: string;
beforeAll(async () => {
  array = await control.arrays.create();
  api = `${inject('vspUrl')}/ConfigurationManager/v1/objects/storages/${array.storageDeviceId}`;
});
afterAll(() => control.arrays.delete(array.storageDeviceId));

const headers = {
  Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`,
  'Content-Type': 'application/json',
  'Response-Job-Status': 'Completed',
};
const call = (method: string, path: string, body?: unknown) =>
  fetch(`${api}${path}`, { method, headers, body: body && JSON.stringify(body) }).then((r) => r.json());

it('a Thin Image snapshot of LDEV 0 is split into PSUS', async () => {
  await call('POST', '/ldevs', { ldevId: 10, poolId: 0, byteFormatCapacity: '10G' });
  const created = await call('POST', '/snapshots', {
    snapshotGroupName: 'nightly', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true,
  });
  expect(created.state).toBe('Succeeded');
  await call('POST', '/snapshots/0,0/actions/split/invoke');
  expect((await call('GET', '/snapshots/0,0')).status).toBe('PSUS');
});
