import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createControlClient, type ArrayInfo } from 'vsp-emulator';

// Another file, another array: LDEV 10 here is not the one snapshots.test.ts creates.
const control = createControlClient(inject('vspUrl'));
let array: ArrayInfo;
beforeAll(async () => { array = await control.arrays.create(); });
afterAll(() => control.arrays.delete(array.storageDeviceId));

it('LDEV 10 starts free in this file\'s array', async () => {
  const url = `${inject('vspUrl')}/ConfigurationManager/v1/objects/storages/${array.storageDeviceId}/ldevs/10`;
  const ldev = await fetch(url, { headers: { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` } })
    .then((r) => r.json());
  expect(ldev.emulationType).toBe('NOT DEFINED');
});
