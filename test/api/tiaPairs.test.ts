import { describe, expect, it } from 'vitest';
import {
  act, b28With, B28, closeAfterEach, create, expectError, expectFailedJob, expectSucceeded, get, groupAct, INSTANT, OBJ, startApp, startB28,
  statusOf, tiaBody, type TestApp,
} from './tiaKit.js';

/** Thin Image Advanced pairs on a VSP One B28 (TIA ref 2): recognition at create, the pair object, the per-operation rules. */

let t: TestApp;
closeAfterEach(() => t);

describe('TIA pair recognised as the array does', () => {
  it('DRS volumes of the P-VOL\'s HDP pool make a TIA pair: COPY then PAIR, isRedirectOnWrite true, no concordanceRate', async () => {
    t = await startB28();
    expectSucceeded(await create(t, tiaBody(0, 1)), `/ConfigurationManager/v1/objects/snapshots/0,0`);
    const copying = await get(t, 0, 0);
    expect(copying.status).toBe(200);
    expect(copying.body).toMatchObject({ status: 'COPY', isRedirectOnWrite: true, snapshotPoolId: 0, svolLdevId: 1, retentionPeriod: 0 });
    expect(copying.body).not.toHaveProperty('concordanceRate');
    t.advance(60);
    const paired = (await get(t, 0, 0)).body;
    expect(paired).toMatchObject({
      status: 'PAIR', isRedirectOnWrite: true, isClone: false, canCascade: true, retentionPeriod: 0,
      isVirtualCloneVolume: false, isVirtualCloneParentVolume: false,
    });
    expect(paired).not.toHaveProperty('concordanceRate');
    // Lists and group reads render the same object.
    const list = await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0 }).set(t.auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([paired]);
    const group = await t.http.get(`${OBJ}/snapshot-groups/tia`).query({ detailInfoType: 'retention' }).set(t.auth);
    expect(group.body.snapshots).toEqual([paired]);
    const bySvol = await t.http.get(`${OBJ}/snapshots`).query({ svolLdevId: 1 }).set(t.auth);
    expect(bySvol.body.data[0]).toMatchObject({ primaryOrSecondary: 'S-VOL', isRedirectOnWrite: true });
    expect(bySvol.body.data[0]).not.toHaveProperty('concordanceRate');
  });

  it('a P-VOL without DRS would be TI standard: Failed job 2E21/9010 "Program product is not installed"', async () => {
    t = await startB28();
    const r = await create(t, tiaBody(4, undefined));
    expectFailedJob(r, '2E21', '9010');
    expect(r.body.error.message).toContain('Program product is not installed');
    // An HTI pool makes TI standard too.
    await t.close();
    t = await startB28(b28With((fx) => {
      fx.arrays[0]!.pools!.push({ poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '1T' } as never);
    }));
    expectFailedJob(await create(t, tiaBody(0, 1, { snapshotPoolId: 1 })), '2E21', '9010');
    expect((await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0 }).set(t.auth)).body.data).toEqual([]);
  });

  it('TIA create rules: the P-VOL\'s own pool, an S-VOL with DRS in it, no clone', async () => {
    t = await startB28(b28With((fx) => {
      const a = fx.arrays[0]!;
      a.pools!.push({ poolId: 1, poolName: 'DRS_POOL_1', poolType: 'HDP', capacity: '10T' } as never);
      a.ldevs!.push({ ldevId: 5, capacity: '10G', poolId: 1, dataReductionMode: 'compression', isDataReductionSharedVolumeEnabled: true } as never);
    }));
    expectFailedJob(await create(t, tiaBody(0, 1, { snapshotPoolId: 1 })), '2E34', '0001');
    expectFailedJob(await create(t, tiaBody(0, 4)), '2E34', '0002');
    expectFailedJob(await create(t, tiaBody(0, 5)), '2E34', '0002');
    expectFailedJob(await create(t, tiaBody(0, 1, { isClone: true })), '2E34', '0003');
    expectSucceeded(await create(t, tiaBody(0, 1)));
  });

  it('TI standard refused nowhere else: the E990 still makes TI pairs with isRedirectOnWrite false and a concordanceRate', async () => {
    t = await startApp();
    t.engine.res.insertLdev({
      sid: '936000123456', ldevId: 10, emulation: 'OPEN-V-CVS', blocks: 20 * 1024 * 1024, poolId: 0, label: '', status: 'NML', extraAttrs: [],
      drMode: 'disabled', drStatus: 'DISABLED', drs: false, fullAlloc: false, usedBlocks: 0, clprId: 0, mpBladeId: 0, resourceGroupId: 0,
      alua: false, relocation: true, parentLdevId: null,
    });
    expectSucceeded(await create(t, { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 10, canCascade: true }));
    const r = await get(t, 10, 0);
    expect(r.body).toMatchObject({ status: 'COPY', isRedirectOnWrite: false, concordanceRate: 0 });
    expect(r.body).not.toHaveProperty('retentionPeriod');
    expect(r.body).not.toHaveProperty('isVirtualCloneVolume');
  });
});

describe('TI and TIA never in one snapshot tree', () => {
  it('refuses a TIA cascade under a TI pair and a TI pair beside TIA pairs (a model with both products)', async () => {
    t = await startB28(b28With((fx) => {
      const a = fx.arrays[0]!;
      a.modelFacts = { thinImageStandard: true };
      a.pools!.push({ poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '1T' } as never);
    }));
    // TI standard: P-VOL 4 has no DRS; its S-VOL 1 is a DRS volume, which would start a TIA pair as a P-VOL.
    expectSucceeded(await create(t, tiaBody(4, 1, { snapshotGroupName: 'ti', autoSplit: true })));
    expect((await get(t, 4, 0)).body).toMatchObject({ isRedirectOnWrite: false });
    expectFailedJob(await create(t, tiaBody(1, 0)), '2E34', '0004');
    // A TIA tree on LDEV 2; a TI pair on the same P-VOL (HTI pool) is refused.
    expectSucceeded(await create(t, tiaBody(2, 3)));
    expect((await get(t, 2, 0)).body.isRedirectOnWrite).toBe(true);
    expectFailedJob(await create(t, tiaBody(2, undefined, { snapshotPoolId: 1 })), '2E34', '0004');
  });
});

describe('per-operation rules of TIA pairs (TIA ref 2.2)', () => {
  it('split goes to PSUS; clone is refused (412); restore ignores autoSplit and returns to PSUS', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    expect(await statusOf(t, 0, 0)).toBe('PAIR');
    const clone = await act(t, 0, 0, 'clone', { parameters: { copySpeed: 'medium' } });
    expectError(clone, 412, 'KART30095-E');
    expect(clone.body.message).toContain('You cannot create a clone for Thin Image Advanced');
    expectSucceeded(await act(t, 0, 0, 'split', { parameters: {} }));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    expectSucceeded(await act(t, 0, 0, 'restore', { parameters: { autoSplit: false } }));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
  });

  it('restore honours autoSplit when fidelity.tiaRestoreAutoSplit is honour', async () => {
    t = await startB28(b28With((fx) => { fx.fidelity = { ...(fx.fidelity ?? {}), tiaRestoreAutoSplit: 'honour' }; }), { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true })));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    expectSucceeded(await act(t, 0, 0, 'restore', { parameters: { autoSplit: false } }));
    expect(await statusOf(t, 0, 0)).toBe('PAIR');
  });

  it('assign-volume needs an S-VOL with DRS in the pair\'s snapshot pool', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, undefined, { autoSplit: true })));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    expectFailedJob(await act(t, 0, 0, 'assign-volume', { parameters: { svolLdevId: 4 } }), '2E34', '0002');
    expect((await get(t, 0, 0)).body).not.toHaveProperty('svolLdevId');
    expectSucceeded(await act(t, 0, 0, 'assign-volume', { parameters: { svolLdevId: 1 } }));
    expect((await get(t, 0, 0)).body).toMatchObject({ svolLdevId: 1, status: 'PSUS' });
  });

  it('snapshot-tree delete is refused for a TIA tree; the pairs stay', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    const r = await t.http.post('/ConfigurationManager/v1/services/snapshot-tree/actions/delete/invoke').set(t.auth).set(INSTANT)
      .send({ parameters: { ldevId: 0 } });
    expectFailedJob(r, '2E34', '0005');
    expect(await statusOf(t, 0, 0)).toBe('PAIR');
  });

  it('group operations on a non-CTG group with two TIA pairs of one P-VOL fail; per-pair operations and other groups work', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    expectSucceeded(await create(t, tiaBody(0, undefined)));
    expectSucceeded(await create(t, tiaBody(2, 3, { snapshotGroupName: 'one-each' })));
    const r = await groupAct(t, 'tia', 'split', { parameters: {} });
    expectFailedJob(r, '2E34', '0006');
    expect([await statusOf(t, 0, 0), await statusOf(t, 0, 1)]).toEqual(['PAIR', 'PAIR']);
    expectSucceeded(await act(t, 0, 0, 'split'));
    expectSucceeded(await groupAct(t, 'one-each', 'split'));
    expect(await statusOf(t, 2, 0)).toBe('PSUS');
    // Delete in units of the group is not among the refused operations (fidelity.tiaGroupSharedPvolOps).
    expectSucceeded(await t.http.delete(`${OBJ}/snapshot-groups/tia`).set(t.auth).set(INSTANT));
  });

  it('vClone flags: both true on a pair whose S-VOL is a vClone of its P-VOL ("paired back"), else false', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    const s1 = t.engine.res.getLdev(B28, 1)!;
    t.engine.res.updateLdev({ ...s1, parentLdevId: 0 });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    expectSucceeded(await create(t, tiaBody(2, 3, { snapshotGroupName: 'other' })));
    expect((await get(t, 0, 0)).body).toMatchObject({ isVirtualCloneVolume: true, isVirtualCloneParentVolume: true });
    expect((await get(t, 2, 0)).body).toMatchObject({ isVirtualCloneVolume: false, isVirtualCloneParentVolume: false });
    const list = await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0 }).set(t.auth);
    expect(list.body.data[0]).toMatchObject({ isVirtualCloneVolume: true, isVirtualCloneParentVolume: true });
    // The flag follows the LDEV, read at the moment (no stale list cache).
    t.engine.res.updateLdev({ ...s1, parentLdevId: null });
    const again = await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0 }).set(t.auth);
    expect(again.body.data[0]).toMatchObject({ isVirtualCloneVolume: false, isVirtualCloneParentVolume: false });
  });
});

describe('group clone of TIA pairs', () => {
  it('fails with the TIA clone refusal, nothing started', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    const r = await groupAct(t, 'tia', 'clone', { parameters: { copySpeed: 'medium' } });
    expectFailedJob(r, '2E34', '0003');
    expect(r.body.error.message).toContain('pair = 0,0');
    expect(await statusOf(t, 0, 0)).toBe('PAIR');
  });
});
