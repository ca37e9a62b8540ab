import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startEmulator } from 'vsp-emulator';

// A manual clock: nothing moves until the test advances virtual time, so pair statuses are exact, with no sleeps.
let emulator;
before(async () => { emulator = await startEmulator({ clock: 'manual' }); });
after(() => emulator.close());

const auth = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;
const call = (method, path, body) => fetch(`${emulator.apiUrl}${path}`, {
  method, body: body && JSON.stringify(body), headers: { Authorization: auth, 'Content-Type': 'application/json' },
}).then((r) => r.json());

test('a new snapshot pair copies for a while, then is PAIR', async () => {
  await call('POST', '/ldevs', { ldevId: 10, poolId: 0, byteFormatCapacity: '10G' });
  await emulator.control.clock.advance(5);
  await call('POST', '/snapshots', {
    snapshotGroupName: 'nightly', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true,
  });
  await emulator.control.clock.advance(1);
  assert.equal((await call('GET', '/snapshots/0,0')).status, 'COPY');
  await emulator.control.clock.advance(5);
  assert.equal((await call('GET', '/snapshots/0,0')).status, 'PAIR');
});

test('back to the fixture state between tests', async () => {
  await emulator.control.reset();
  assert.equal((await call('GET', '/ldevs/10')).emulationType, 'NOT DEFINED');
});
