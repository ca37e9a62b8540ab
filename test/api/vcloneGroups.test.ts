import { afterEach, describe, expect, it } from 'vitest';
import { expectError, expectFailedJob, expectSucceeded } from './support.js';
import { readFixture } from '../../src/store/fixture.js';
import {
  INSTANT, OBJ, drsLdev, family, fingerprint, groupVclone, ldevOf, pairAction, parents, startApp, startB28, tiaPair, vclone, write, type TestApp,
} from './vcloneKit.js';

let t: TestApp;
afterEach(async () => t?.close());

/** Two TIA pairs 10→11 and 12→13 in group `grp` (PAIR, or PSUS with autoSplit). */
async function twoPairs(extra: Record<string, unknown> = {}): Promise<[number, number]> {
  for (const id of [10, 11, 12, 13]) await drsLdev(t, id);
  return [await tiaPair(t, 10, 11, { snapshotGroupName: 'grp', ...extra }), await tiaPair(t, 12, 13, { snapshotGroupName: 'grp', ...extra })];
}

const groupStatus = async (name: string) => (await t.http.get(`${OBJ}/snapshot-groups/${name}`).set(t.auth));

describe('virtual-clone on a snapshot group (TIA ref 4.3)', () => {
  it('create on a group whose pairs are all PAIR: every S-VOL becomes a vClone, the group goes with its last pair', async () => {
    t = await startB28();
    await twoPairs();
    expectSucceeded(await groupVclone(t, 'grp', 'create'), `${OBJ}/snapshot-groups/grp`);
    expectError(await groupStatus('grp'), 404, 'KART30013-E');
    expect((await t.http.get(`${OBJ}/snapshot-groups`).set(t.auth)).body).toEqual({ data: [] });
    expect((await ldevOf(t, 11)).parentLdevId).toBe(10);
    expect((await ldevOf(t, 13)).parentLdevId).toBe(12);
    expect(await parents(t)).toEqual({ data: [{ ldevId: 10 }, { ldevId: 12 }] });
  });

  it('convert on a group whose pairs are all PSUS', async () => {
    t = await startB28();
    await twoPairs({ autoSplit: true });
    expect((await groupStatus('grp')).body.snapshots.map((p: { status: string }) => p.status)).toEqual(['PSUS', 'PSUS']);
    expectSucceeded(await groupVclone(t, 'grp', 'convert'));
    expectError(await groupStatus('grp'), 404, 'KART30013-E');
    expect((await ldevOf(t, 13)).attributes).toContain('VC');
    expect((await family(t, 13)).map((m) => [m.ldevId, m.primaryOrSecondary ?? null, m.isVirtualCloneVolume])).toEqual([[12, null, false], [13, null, true]]);
  });

  it('mixed statuses, and the wrong operation for the one status, fail the job and leave every pair as it was', async () => {
    t = await startB28();
    const [mu] = await twoPairs();
    expectFailedJob(await groupVclone(t, 'grp', 'convert'), '2E33', '0003');
    expectSucceeded(await t.http.post(`${OBJ}/snapshots/10,${mu}/actions/split/invoke`).set(t.auth).set(INSTANT).send({ parameters: {} }));
    t.advance(30);
    expectFailedJob(await groupVclone(t, 'grp', 'create'), '2E33', '0006');
    expect((await groupStatus('grp')).body.snapshots.map((p: { status: string }) => p.status)).toEqual(['PSUS', 'PAIR']);
    expect((await ldevOf(t, 13)).parentLdevId).toBeUndefined();
  });

  it('create on a consistency group is refused', async () => {
    t = await startB28();
    await twoPairs({ isConsistencyGroup: true });
    expectFailedJob(await groupVclone(t, 'grp', 'create'), '2E33', '0002');
  });

  it('restore on a group of paired-back pairs: RCPY, then PSUS with the vClone flags false; the group stays', async () => {
    t = await startB28();
    await twoPairs();
    expectSucceeded(await groupVclone(t, 'grp', 'create'));
    await tiaPair(t, 10, 11, { snapshotGroupName: 'back' });
    await tiaPair(t, 12, 13, { snapshotGroupName: 'back' });
    const before = (await groupStatus('back')).body.snapshots;
    expect(before.map((p: Record<string, unknown>) => [p.status, p.isVirtualCloneVolume, p.isVirtualCloneParentVolume])).toEqual([['PAIR', true, true], ['PAIR', true, true]]);
    expectSucceeded(await groupVclone(t, 'back', 'restore'), `${OBJ}/snapshot-groups/back`);
    expect((await groupStatus('back')).body.snapshots.map((p: { status: string }) => p.status)).toEqual(['RCPY', 'RCPY']);
    t.advance(30);
    const after = (await groupStatus('back')).body.snapshots;
    expect(after.map((p: Record<string, unknown>) => [p.status, p.isVirtualCloneVolume, p.isVirtualCloneParentVolume])).toEqual([['PSUS', false, false], ['PSUS', false, false]]);
    expect(await parents(t)).toEqual({ data: [] });
  });

  it('an unknown group is 404', async () => {
    t = await startB28();
    expectError(await groupVclone(t, 'nope', 'create'), 404, 'KART30013-E');
  });
});

describe('fidelity rows of the vClone choices (a fixture overrides them)', () => {
  const withFidelity = (fidelity: Record<string, unknown>) => {
    const fx = structuredClone(readFixture('vsp-one-b28'));
    fx.fidelity = { ...(fx.fidelity ?? {}), ...fidelity };
    return startApp({ fixture: fx });
  };

  it('vcloneParentDelete orphan: the parent goes and its vClones stop being vClones', async () => {
    t = await withFidelity({ vcloneParentDelete: 'orphan' });
    for (const id of [10, 11]) await drsLdev(t, id);
    const mu = await tiaPair(t, 10, 11);
    expectSucceeded(await vclone(t, 10, mu, 'create'));
    expectSucceeded(await t.http.delete(`${OBJ}/ldevs/10`).set(t.auth).set(INSTANT), `${OBJ}/ldevs/10`);
    expect((await ldevOf(t, 11)).attributes).toEqual(['CVS', 'HDP', 'DRS']);
    expect((await ldevOf(t, 11)).parentLdevId).toBeUndefined();
  });

  it('snapshotFamilyUnknownLdev notFound: an LDEV in no family is 404', async () => {
    t = await withFidelity({ snapshotFamilyUnknownLdev: 'notFound' });
    expectError(await t.http.get(`${OBJ}/snapshot-family`).query({ ldevId: 4 }).set(t.auth), 404, 'KART30013-E');
  });

  it('vcloneConvertSource svol: convert keeps what hosts wrote to the split S-VOL', async () => {
    t = await withFidelity({ vcloneConvertSource: 'svol' });
    await write(t, 0, 'base');
    const mu = await tiaPair(t, 0, 1);
    expectSucceeded(await pairAction(t, 0, mu, 'split'));
    t.advance(30);
    await write(t, 1, 'host wrote this to the S-VOL');
    const svol = await fingerprint(t, 1);
    expectSucceeded(await vclone(t, 0, mu, 'convert'));
    expect(await fingerprint(t, 1)).toBe(svol);
  });
});
