import { afterEach, describe, expect, it } from 'vitest';
import { OBJ, SCOPED, startApp, type TestApp } from './support.js';

const TB = 1024 * 1024; // MiB in a TiB
const GB = 1024; // MiB in a GiB

describe('pools', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('GET pools lists both pools with the fields clients read', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/pools`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { poolId: number }) => p.poolId)).toEqual([0, 1]);
    const p0 = res.body.data[0];
    expect(p0).toMatchObject({
      poolId: 0, poolName: 'HDP_POOL_0', poolType: 'HDP', poolStatus: 'POLN',
      totalPoolCapacity: 50 * TB, totalPhysicalCapacity: 50 * TB,
      availableVolumeCapacity: 50 * TB - 40 * GB, availablePhysicalVolumeCapacity: 50 * TB - 40 * GB,
      usedCapacityRate: 0, usedPhysicalCapacityRate: 0,
      warningThreshold: 70, depletionThreshold: 80, virtualVolumeCapacityRate: -1,
      numOfLdevs: 8, firstLdevId: 65000, isMainframe: false, isShrinking: false,
      locatedVolumeCount: 4, totalLocatedCapacity: 10 * GB + 10 * GB + 100 * GB + TB,
      snapshotCount: 0, snapshotUsedCapacity: 0, blockingMode: 'NB',
    });
    expect(res.body.data[1]).toMatchObject({ poolId: 1, poolName: 'TI_POOL_1', poolType: 'HTI', totalPoolCapacity: 8 * TB, locatedVolumeCount: 0 });
  });

  it('poolType=DP selects the Dynamic Provisioning pools, poolType=HTI the Thin Image pools', async () => {
    t = await startApp();
    const dp = await t.http.get(`${SCOPED}/pools?poolType=DP`).set(t.auth);
    expect(dp.body.data.map((p: { poolId: number }) => p.poolId)).toEqual([0]);
    const hti = await t.http.get(`${OBJ}/pools?poolType=HTI`).set(t.auth);
    expect(hti.body.data.map((p: { poolId: number }) => p.poolId)).toEqual([1]);
    const rt = await t.http.get(`${OBJ}/pools?poolType=RT`).set(t.auth);
    expect(rt.status).toBe(200);
    expect(rt.body).toEqual({ data: [] });
  });

  it('GET pools/{id} answers the same object as the list; an unknown pool is 404', async () => {
    t = await startApp();
    const list = await t.http.get(`${OBJ}/pools`).set(t.auth);
    for (const prefix of [OBJ, SCOPED]) {
      const one = await t.http.get(`${prefix}/pools/1`).set(t.auth);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(list.body.data[1]);
    }
    const missing = await t.http.get(`${SCOPED}/pools/5`).set(t.auth);
    expect(missing.status).toBe(404);
    expect(missing.body.messageId).toBe('KART30013-E');
    expect(missing.body.errorSource).toBe(`${SCOPED}/pools/5`);
  });

  it('a thin DP volume adds to located capacity only; a fully allocated one also uses capacity', async () => {
    t = await startApp({ timing: 'instant' });
    const before = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 20, poolId: 0, byteFormatCapacity: '2T' });
    const thin = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    expect(thin.locatedVolumeCount).toBe(before.locatedVolumeCount + 1);
    expect(thin.totalLocatedCapacity).toBe(before.totalLocatedCapacity + 2 * TB);
    expect(thin.availableVolumeCapacity).toBe(before.availableVolumeCapacity);

    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 21, poolId: 0, byteFormatCapacity: '10T', isFullAllocationEnabled: true });
    const full = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    expect(full.locatedVolumeCount).toBe(before.locatedVolumeCount + 2);
    expect(full.availableVolumeCapacity).toBe(before.availableVolumeCapacity - 10 * TB);
    expect(full.usedCapacityRate).toBe(Math.floor(((40 * GB + 10 * TB) * 100) / (50 * TB)));
    expect(full.usedCapacityRate).toBe(20);
    const ldev = (await t.http.get(`${OBJ}/ldevs/21`).set(t.auth)).body;
    expect(ldev).toMatchObject({ isFullAllocationEnabled: true, numOfUsedBlock: 10 * TB * 2048 });

    await t.http.delete(`${OBJ}/ldevs/21`).set(t.auth);
    await t.http.delete(`${OBJ}/ldevs/20`).set(t.auth);
    expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body).toEqual(before);
  });

  it('expanding a fully allocated volume uses more pool capacity', async () => {
    t = await startApp({ timing: 'instant' });
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 22, poolId: 0, byteFormatCapacity: '1T', isFullAllocationEnabled: true });
    const before = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    const res = await t.http.post(`${OBJ}/ldevs/22/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1T' } });
    expect(res.body.state).toBe('Succeeded');
    const after = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    expect(after.availableVolumeCapacity).toBe(before.availableVolumeCapacity - TB);
    expect(after.totalLocatedCapacity).toBe(before.totalLocatedCapacity + TB);
  });

  it('the pool goes POLF once usage reaches the depletion threshold', async () => {
    t = await startApp({ timing: 'instant' });
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 23, poolId: 0, byteFormatCapacity: '40T', isFullAllocationEnabled: true });
    const p = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body;
    expect(p.usedCapacityRate).toBe(80);
    expect(p.poolStatus).toBe('POLF');
    await t.http.delete(`${OBJ}/ldevs/23`).set(t.auth);
    expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.poolStatus).toBe('POLN');
  });

  it('Thin Image V-VOLs (poolId -1) do not count in any pool', async () => {
    t = await startApp({ timing: 'instant' });
    const before = (await t.http.get(`${OBJ}/pools`).set(t.auth)).body;
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 24, poolId: -1, byteFormatCapacity: '1T' });
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).body).toEqual(before);
  });
});
