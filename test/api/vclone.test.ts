import { afterEach, describe, expect, it } from 'vitest';
import { expectError, expectFailedJob, expectSucceeded, held } from './support.js';
import { pairService } from '../../src/engine/pairs/index.js';
import {
  B28, CINDER_WAIT, INSTANT, OBJ, SCOPED, drsLdev, family, fingerprint, ldevOf, pairAction, parents, startApp, startB28, tiaBody, tiaPair,
  vclone, write, type TestApp,
} from './vcloneKit.js';

let t: TestApp;
afterEach(async () => t?.close());

describe('virtual-clone create on a pair (Cinder\'s flow, TIA ref 4.2)', () => {
  it('turns a PAIR TIA pair into a vClone: the pair is gone, the S-VOL shows VC + parentLdevId, the P-VOL VCP until its last child goes', async () => {
    t = await startB28();
    await drsLdev(t, 10);
    await drsLdev(t, 11);
    const created = await held(t, t.http.post(`${OBJ}/snapshots`).set(t.auth).set(CINDER_WAIT)
      .send(tiaBody(10, 11, { snapshotGroupName: 'HBSD-vclone3' })), 60);
    expectSucceeded(created, `${OBJ}/snapshots/10,0`);
    t.advance(30);
    const bySvol = await t.http.get(`${OBJ}/snapshots`).query({ svolLdevId: 11 }).set(t.auth);
    expect(bySvol.body.data[0]).toMatchObject({ snapshotId: '10,0', status: 'PAIR', isRedirectOnWrite: true });

    const job = await held(t, t.http.post(`${OBJ}/snapshots/10,0/actions/virtual-clone/invoke`).set(t.auth).set(CINDER_WAIT)
      .send({ parameters: { operationType: 'create' } }), 60);
    expectSucceeded(job, `${OBJ}/snapshots/10,0`);

    expectError(await t.http.get(`${OBJ}/snapshots/10,0`).set(t.auth), 404, 'KART30013-E');
    expect((await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 10 }).set(t.auth)).body).toEqual({ data: [] });
    expectError(await t.http.get(`${OBJ}/snapshot-groups/HBSD-vclone3`).set(t.auth), 404, 'KART30013-E');
    const child = await ldevOf(t, 11);
    expect(child.parentLdevId).toBe(10);
    expect(child.attributes).toEqual(['CVS', 'HDP', 'DRS', 'VC']);
    expect((await ldevOf(t, 10)).attributes).toEqual(['CVS', 'HDP', 'DRS', 'VCP']);
    expect((await ldevOf(t, 10)).parentLdevId).toBeUndefined();
    expect(await parents(t)).toEqual({ data: [{ ldevId: 10 }] });

    // The parent goes only after its children [I]; deleting the last child drops VCP (Cinder relies on it, TIA ref 4.1).
    expectFailedJob(await t.http.delete(`${OBJ}/ldevs/10`).set(t.auth).set(INSTANT), '2E10', '9708');
    expectSucceeded(await t.http.delete(`${OBJ}/ldevs/11`).set(t.auth).set(INSTANT), `${OBJ}/ldevs/11`);
    expect((await ldevOf(t, 10)).attributes).toEqual(['CVS', 'HDP', 'DRS']);
    expect(await parents(t)).toEqual({ data: [] });
  });

  it('the vClone holds the P-VOL\'s data as it was at create; later P-VOL writes do not reach it', async () => {
    t = await startB28();
    await write(t, 0, 'before');
    const mu = await tiaPair(t, 0, 1);
    const atCreate = await fingerprint(t, 0);
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    expect(await fingerprint(t, 1)).toBe(atCreate);
    await write(t, 0, 'after');
    expect(await fingerprint(t, 0)).not.toBe(atCreate);
    expect(await fingerprint(t, 1)).toBe(atCreate);
  });

  it('the storage-scoped URL and PUT reach the same action', async () => {
    t = await startB28();
    const mu = await tiaPair(t, 0, 1);
    const r = await t.http.put(`${OBJ}/storages/${B28}/snapshots/0,${mu}/actions/virtual-clone/invoke`).set(t.auth).set(INSTANT)
      .send({ parameters: { operationType: 'create' } });
    expectSucceeded(r, `${OBJ}/storages/${B28}/snapshots/0,${mu}`);
    expect((await ldevOf(t, 1)).parentLdevId).toBe(0);
  });
});

describe('virtual-clone convert (TIA ref 4.4)', () => {
  it('turns a PSUS pair into a vClone holding the stored snapshot, not the P-VOL written since', async () => {
    t = await startB28();
    await write(t, 0, 'v1');
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await pairAction(t, 0, mu, 'split'));
    t.advance(30);
    const snapshot = await fingerprint(t, 1);
    await write(t, 0, 'v2');
    expectSucceeded(await vclone(t, 0, mu, 'convert'), `${OBJ}/snapshots/0,${mu}`);
    expectError(await t.http.get(`${OBJ}/snapshots/0,${mu}`).set(t.auth), 404, 'KART30013-E');
    expect(await fingerprint(t, 1)).toBe(snapshot);
    expect(await fingerprint(t, 0)).not.toBe(snapshot);
    expect((await ldevOf(t, 1)).attributes).toContain('VC');
  });
});

describe('pair back and restore (Terraform\'s vRestore, TIA ref 4.4)', () => {
  it('a pair from the parent to its vClone shows both flags; restore goes RCPY then PSUS with both flags false and the vClone\'s data on the P-VOL', async () => {
    t = await startB28();
    await write(t, 0, 'golden');
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    const vcloneData = await fingerprint(t, 1);
    await write(t, 0, 'damaged');

    const back = await tiaPair(t, 0, 1, { snapshotGroupName: 'tf-back' });
    const pair = await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth);
    expect(pair.body).toMatchObject({ status: 'PAIR', isRedirectOnWrite: true, isVirtualCloneVolume: true, isVirtualCloneParentVolume: true });
    const fam = await family(t, 0);
    expect(fam.find((m) => m.ldevId === 1)).toMatchObject({ primaryOrSecondary: 'S-VOL', isVirtualCloneVolume: true, isVirtualCloneParentVolume: true });

    expectSucceeded(await vclone(t, 0, back, 'restore'), `${OBJ}/snapshots/0,${back}`);
    const during = await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth);
    expect(during.body).toMatchObject({ status: 'RCPY', isVirtualCloneVolume: false, isVirtualCloneParentVolume: false });
    t.advance(30);
    const after = await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth);
    expect(after.body).toMatchObject({ status: 'PSUS', isVirtualCloneVolume: false, isVirtualCloneParentVolume: false });
    expect((await ldevOf(t, 1)).attributes).not.toContain('VC');
    expect((await ldevOf(t, 1)).parentLdevId).toBeUndefined();
    expect((await ldevOf(t, 0)).attributes).not.toContain('VCP');
    expect(await fingerprint(t, 0)).toBe(vcloneData);
    expect(await fingerprint(t, 1)).toBe(vcloneData);
  });

  it('deleting the paired-back pair instead of restoring leaves the vClone with its own data', async () => {
    t = await startB28();
    await write(t, 0, 'golden');
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    const vcloneData = await fingerprint(t, 1);
    await write(t, 0, 'later');
    const back = await tiaPair(t, 0, 1, { snapshotGroupName: 'tf-back' });
    expectSucceeded(await t.http.delete(`${OBJ}/snapshots/0,${back}`).set(t.auth).set(INSTANT));
    t.advance(30);
    expectError(await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth), 404, 'KART30013-E');
    expect((await ldevOf(t, 1)).parentLdevId).toBe(0);
    expect(await fingerprint(t, 1)).toBe(vcloneData);
  });

  it('restore from PSUS ends PSUS as well', async () => {
    t = await startB28();
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    const back = await tiaPair(t, 0, 1, { snapshotGroupName: 'tf-back', autoSplit: true });
    expect((await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth)).body.status).toBe('PSUS');
    expectSucceeded(await vclone(t, 0, back, 'restore'));
    t.advance(30);
    expect((await t.http.get(`${OBJ}/snapshots/0,${back}`).set(t.auth)).body).toMatchObject({ status: 'PSUS', isVirtualCloneVolume: false });
  });
});

describe('refusals: Failed job KART30000-E with our SSBs (array answer unknown, TIA ref 8.1)', () => {
  it('create from PSUS, convert from PAIR, restore of a pair that is not paired back', async () => {
    t = await startB28();
    const mu = await tiaPair(t, 0, 1);
    expectFailedJob(await vclone(t, 0, mu, 'convert'), '2E33', '0003');
    expectFailedJob(await vclone(t, 0, mu, 'restore'), '2E33', '0004');
    expectSucceeded(await pairAction(t, 0, mu, 'split'));
    t.advance(30);
    expectFailedJob(await vclone(t, 0, mu, 'create'), '2E33', '0003');
    expect((await t.http.get(`${OBJ}/snapshots/0,${mu}`).set(t.auth)).body.status).toBe('PSUS');
    expect((await ldevOf(t, 1)).parentLdevId).toBeUndefined();
  });

  it('create on a pair of a consistency group', async () => {
    t = await startB28();
    const mu = await tiaPair(t, 0, 1, { isConsistencyGroup: true, snapshotGroupName: 'ctg' });
    expectFailedJob(await vclone(t, 0, mu, 'create'), '2E33', '0002');
  });

  it('a Thin Image standard pair, and a restore under retention', async () => {
    t = await startB28();
    const mu = await tiaPair(t, 0, 1);
    // A TI standard pair cannot be created on VSP One B: the stored pair is made one.
    const setRow = t.engine.db.prepare('UPDATE pairs SET is_row = ? WHERE sid = ? AND pvol = 0 AND mu = ?');
    setRow.run(0, B28, mu);
    expectFailedJob(await vclone(t, 0, mu, 'create'), '2E33', '0001');
    setRow.run(1, B28, mu);
    const store = pairService(t.engine).store;
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    const back = await tiaPair(t, 0, 1, { snapshotGroupName: 'tf-back' });
    store.update({ ...store.get(B28, 0, back)!, retentionUntil: t.engine.clock.now() + 10_000 });
    expectFailedJob(await vclone(t, 0, back, 'restore'), '2E33', '0005');
    t.advance(11);
    expectSucceeded(await vclone(t, 0, back, 'restore'));
  });

  it('an unknown pair is 404, a bad or missing operationType 400', async () => {
    t = await startB28();
    await tiaPair(t, 0, 1);
    expectError(await vclone(t, 0, 9, 'create'), 404, 'KART30013-E');
    expectError(await vclone(t, 0, 0, 'clone'), 400, 'KART40039-E');
    expectError(await t.http.post(`${OBJ}/snapshots/0,0/actions/virtual-clone/invoke`).set(t.auth).send({ parameters: {} }), 400, 'KART20008-E');
  });
});

describe('snapshot-family (TIA ref 4.5)', () => {
  it('lists the root, pair S-VOLs with their pair fields and vClones outside a pair without primaryOrSecondary', async () => {
    t = await startB28();
    await drsLdev(t, 10);
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await vclone(t, 0, mu, 'create'));
    const mu2 = await tiaPair(t, 0, 10, { snapshotGroupName: 'other' });
    const expected = [
      { ldevId: 0, parentLdevId: 0, primaryOrSecondary: 'P-VOL', poolId: 0, isVirtualCloneVolume: false, isVirtualCloneParentVolume: true },
      {
        ldevId: 10, parentLdevId: 0, snapshotGroupName: 'other', snapshotGroupId: 'other', primaryOrSecondary: 'S-VOL', status: 'PAIR',
        pvolLdevId: 0, muNumber: mu2, svolLdevId: 10, snapshotId: `0,${mu2}`, poolId: 0, isVirtualCloneVolume: false, isVirtualCloneParentVolume: false,
      },
      { ldevId: 1, parentLdevId: 0, poolId: 0, isVirtualCloneVolume: true, isVirtualCloneParentVolume: false },
    ];
    for (const member of [0, 1, 10]) expect(await family(t, member)).toEqual(expected);
  });

  it('an LDEV in no family and an undefined LDEV give an empty list [I]', async () => {
    t = await startB28();
    expect(await family(t, 4)).toEqual([]);
    expect(await family(t, 300)).toEqual([]);
    expectError(await t.http.get(`${OBJ}/snapshot-family`).set(t.auth), 400, 'KART40044-E');
  });
});

describe('models without vClones (TIA ref 1)', () => {
  it('on the E990 every vClone URL answers 404 KART20009-E, as an unknown URL does, credentials or not', async () => {
    t = await startApp();
    const body = { parameters: { operationType: 'create' } };
    expectError(await t.http.get(`${OBJ}/snapshot-family`).query({ ldevId: 0 }), 404, 'KART20009-E');
    expectError(await t.http.post(`${OBJ}/snapshots/0,0/actions/virtual-clone/invoke`).send({}), 404, 'KART20009-E');
    for (const base of [OBJ, SCOPED]) {
      expectError(await t.http.get(`${base}/snapshot-family`).query({ ldevId: 0 }).set(t.auth), 404, 'KART20009-E');
      expectError(await t.http.get(`${base}/virtual-clone-parent-volumes`).set(t.auth), 404, 'KART20009-E');
      expectError(await t.http.post(`${base}/snapshots/0,0/actions/virtual-clone/invoke`).set(t.auth).send(body), 404, 'KART20009-E');
      expectError(await t.http.put(`${base}/snapshot-groups/g/actions/virtual-clone/invoke`).set(t.auth).send({ bad: 1 }), 404, 'KART20009-E');
    }
  });
});
