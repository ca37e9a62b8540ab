import { afterEach, describe, expect, it } from 'vitest';
import { OBJ, startApp, type TestApp } from '../helpers.js';

/** Fixtures declare TIA pairs (decided as the API decides), their retention and vClones (training-tia-vclone). */
describe('a fixture with Thin Image Advanced pairs, retention and a vClone', () => {
  let t: TestApp | undefined;
  afterEach(async () => { await t?.close(); t = undefined; });

  it('loads TIA pairs, a retention counted from the load, and a vClone with its parent', async () => {
    t = await startApp({ fixture: 'training-tia-vclone', timing: 'instant' });
    const held = await t.http.get(`${OBJ}/snapshots/0,1`).set(t.auth);
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: 'PSUS', isRedirectOnWrite: true, retentionPeriod: 24, svolLdevId: 11 });
    expect(held.body).not.toHaveProperty('concordanceRate');
    const open = await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth);
    expect(open.body).toMatchObject({ status: 'PAIR', isRedirectOnWrite: true, retentionPeriod: 0 });
    const clone = await t.http.get(`${OBJ}/ldevs/12`).set(t.auth);
    expect(clone.body.parentLdevId).toBe(1);
    expect(clone.body.attributes).toContain('VC');
    expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.attributes).toContain('VCP');
    const parents = await t.http.get(`${OBJ}/virtual-clone-parent-volumes`).set(t.auth);
    expect(parents.body).toEqual({ data: [{ ldevId: 1 }] });
  });

  it('counts the fixture retention down on the virtual clock: 2 hours later 22 are left', async () => {
    t = await startApp({ fixture: 'training-tia-vclone', timing: 'instant' });
    t.advance(2 * 3600);
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
    const held = await t.http.get(`${OBJ}/snapshots/0,1`).set({ Authorization: `Session ${login.body.token}` });
    expect(held.body.retentionPeriod).toBe(22);
  });

  it('refuses retention on a TI standard fixture pair and a parent that is not an LDEV of the array, naming them', async () => {
    const base = {
      name: 'x', arrays: [{
        model: 'VSP One B28', serialNumber: 1,
        pools: [{ poolId: 0, poolName: 'P', poolType: 'HDP', capacity: '1T' }],
        ldevs: [{ ldevId: 0, capacity: '1G', poolId: 0 }, { ldevId: 1, capacity: '1G', poolId: 0 }],
      }],
    };
    const retention = structuredClone(base) as any;
    retention.arrays[0].pairs = [{ pvolLdevId: 0, snapshotGroupName: 'g', snapshotPoolId: 0, status: 'PSUS', retentionPeriod: 5 }];
    await expect(startApp({ fixture: retention })).rejects.toThrow(/pairs\[0\]: retentionPeriod needs a Thin Image Advanced pair/);
    const parent = structuredClone(base) as any;
    parent.arrays[0].ldevs[1].parentLdevId = 7;
    await expect(startApp({ fixture: parent })).rejects.toThrow(/ldev 1: parentLdevId 7 is not another LDEV of the array/);
  });
});
