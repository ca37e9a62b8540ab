import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  act, createPair, del, expectError, expectJobFailed, expectSucceeded, fixtureWith, getPair, INSTANT, ldev, lun, OBJ, row, SID, snapBody,
  startApp, startWith, statusOf, type TestApp,
} from './snapshotKit.js';

/** Snapshot trees (cascade, delete by root) and clone pairs (copy, concurrency, subtree suspension). */

const V1 = '/ConfigurationManager/v1';

describe('snapshot tree delete', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (let id = 10; id < 30; id++) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });

  const treeDelete = (ldevId: unknown, form: 'embedded' | 'scoped' = 'embedded', method: 'post' | 'put' = 'post') =>
    t.http[method](form === 'embedded' ? `${V1}/services/snapshot-tree/actions/delete/invoke` : `${V1}/${SID}/services/snapshot-tree/actions/delete/invoke`)
      .set(t.auth).set(INSTANT).send({ parameters: { ldevId } });
  const attrs = async (id: number) => (await t.http.get(`${OBJ}/ldevs/${id}`).set(t.auth)).body.attributes as string[];

  /** Root 1 -> 10 (PSUS) -> 11 (PSUS) -> 12; root 1 -> 13. */
  async function tree(): Promise<void> {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(1, 13)));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(11, 12)));
  }

  it('deletes every cascade pair of the tree from the root, all layers, through SMPP; the root is no longer HTI', async () => {
    await tree();
    const r = await treeDelete(1);
    expectSucceeded(r);
    expect(r.body.affectedResources).toEqual([`${OBJ}/ldevs/1`]);
    for (const [p, mu] of [[1, 0], [1, 1], [10, 0], [11, 0]]) expect(await statusOf(t, p!, mu!)).toBe('SMPP');
    expect(await attrs(1)).toContain('HTI');
    t.advance(2);
    for (const [p, mu] of [[1, 0], [1, 1], [10, 0], [11, 0]]) expect(await statusOf(t, p!, mu!)).toBeUndefined();
    for (const id of [1, 10, 11, 12, 13]) expect(await attrs(id)).not.toContain('HTI');
  });

  it('is served in both URL forms and with PUT (HCSR0298)', async () => {
    await tree();
    const r = await treeDelete(1, 'scoped', 'put');
    expectSucceeded(r);
    expect(r.body.affectedResources).toEqual([`${OBJ}/storages/${SID}/ldevs/1`]);
  });

  it('through a clone pair: the clone pair goes, the tree under its S-VOL is left in PSUE; then delete that tree', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, { snapshotGroupName: 'k', snapshotPoolId: 1, pvolLdevId: 10, svolLdevId: 20, isClone: true }));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(20, 21, { autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(21, 22)));
    t.advance(2);
    expectSucceeded(await treeDelete(1));
    expect(await statusOf(t, 10, 0)).toBe('SMPP');
    expect(await statusOf(t, 20, 0)).toBe('PSUE');
    expect(await statusOf(t, 21, 0)).toBe('PSUE');
    t.advance(2);
    expect(await statusOf(t, 10, 0)).toBeUndefined();
    expect(await attrs(20)).toContain('HTI');
    expectSucceeded(await treeDelete(20));
    t.advance(2);
    expect(await statusOf(t, 20, 0)).toBeUndefined();
    expect(await statusOf(t, 21, 0)).toBeUndefined();
    expect(await attrs(20)).not.toContain('HTI');
  });

  it('refusals: not the root (2E32/0009), no cascade pairs (2E32/000A), body rules (400)', async () => {
    await tree();
    expectJobFailed(await treeDelete(10), '2E32', '0009');
    expectJobFailed(await treeDelete(2), '2E32', '000A');
    lun(t, 3);
    expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 3 }));
    expectJobFailed(await treeDelete(3), '2E32', '000A');
    expectError(await t.http.post(`${V1}/services/snapshot-tree/actions/delete/invoke`).set(t.auth).send({ parameters: {} }), 400, 'KART20008-E');
    expectError(await t.http.post(`${V1}/services/snapshot-tree/actions/delete/invoke`).set(t.auth).send({ parameters: { ldevId: -1 } }), 400, 'KART40039-E');
    expectError(await t.http.post(`${V1}/services/snapshot-tree/actions/delete-garbage-data/invoke`).set(t.auth)
      .send({ parameters: { ldevId: 1, operationType: 'start' } }), 404, 'KART20009-E');
  });
});

describe('clone pairs', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (let id = 10; id < 30; id++) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });
  const clone = (pvol: number, svol: number, extra: Record<string, unknown> = {}) =>
    createPair(t, { snapshotGroupName: `c${pvol}`, snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: svol, isClone: true, ...extra });

  it('without clonesAutomation the clone pair waits in PAIR; clone starts the copy at copySpeed; clone again is a no-op', async () => {
    expectSucceeded(await clone(10, 20));
    t.advance(2);
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PAIR', isClone: true, canCascade: true });
    expectSucceeded(await act(t, 10, 0, 'clone', { parameters: { copySpeed: 'slower' } }));
    expect(row(t, 10, 0)!.dueAt! - row(t, 10, 0)!.phaseStart!).toBe(40_000);
    t.advance(10);
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUP', progressRate: 25, concordanceRate: 25 });
    expectSucceeded(await act(t, 10, 0, 'clone'));
    expect(row(t, 10, 0)!.copySpeed).toBe('slower');
  });

  it('clone on a snapshot pair and split on a clone pair answer 412', async () => {
    expectSucceeded(await clone(10, 20));
    expectSucceeded(await createPair(t, snapBody(11, 21)));
    t.advance(2);
    const c = await act(t, 11, 0, 'clone');
    expectError(c, 412, 'KART30095-E');
    expect(c.body.message).toContain('does not match the clone attribute');
    expectError(await act(t, 10, 0, 'split'), 412, 'KART30094-E');
  });

  it('at most three copies run at once: a fourth waits in PSUP at 0 % and starts when a slot frees', async () => {
    for (let i = 0; i < 4; i++) expectSucceeded(await clone(10 + i, 20 + i, { clonesAutomation: true, copySpeed: i === 0 ? 'faster' : 'medium' }));
    t.advance(2);
    expect(row(t, 13, 0)).toMatchObject({ status: 'PSUP', dueAt: null });
    expect(row(t, 13, 0)!.queuedAt).not.toBeNull();
    t.advance(5);
    expect((await getPair(t, 13, 0)).body).toMatchObject({ status: 'PSUP', progressRate: 0 });
    expect((await getPair(t, 11, 0)).body.progressRate).toBe(25);
    t.advance(5); // the 'faster' copy (10 s) ends: slot freed
    expect(await statusOf(t, 10, 0)).toBe('SMPP');
    expect(row(t, 13, 0)!.queuedAt).toBeNull();
    t.advance(10);
    expect((await getPair(t, 13, 0)).body.progressRate).toBe(50);
  });

  it('fidelity.cloneConcurrency = refuse: the fourth automatic clone fails instead (2E32/000B)', async () => {
    const r = await startWith(fixtureWith({ ldevs: Array.from({ length: 8 }, (_, i) => ({ ldevId: 10 + i })), fidelity: { cloneConcurrency: 'refuse' } }));
    try {
      for (let i = 0; i < 3; i++) {
        expectSucceeded(await createPair(r, { snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 10 + i, svolLdevId: 14 + i, isClone: true, clonesAutomation: true }));
      }
      expectJobFailed(await createPair(r, { snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 13, svolLdevId: 17, isClone: true, clonesAutomation: true }), '2E32', '000B');
    } finally { await r.close(); }
  });

  it('deleting a clone pair whose S-VOL has cascaded pairs leaves them in PSUE', async () => {
    expectSucceeded(await clone(10, 20));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(20, 21, { autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(21, 22)));
    expectSucceeded(await del(t, 10, 0));
    expect(await statusOf(t, 20, 0)).toBe('PSUE');
    expect(await statusOf(t, 21, 0)).toBe('PSUE');
  });

  it('pairs cascaded from a clone S-VOL survive the copy: the S-VOL becomes the root of its own tree', async () => {
    expectSucceeded(await clone(10, 20, { clonesAutomation: true, copySpeed: 'faster' }));
    t.advance(3);
    expect(await statusOf(t, 10, 0)).toBe('PSUP');
    expectSucceeded(await createPair(t, snapBody(20, 21, { autoSplit: true })));
    t.advance(14);
    expect(await statusOf(t, 10, 0)).toBeUndefined();
    expect(await statusOf(t, 20, 0)).toBe('PSUS');
    expectSucceeded(await t.http.post(`${V1}/services/snapshot-tree/actions/delete/invoke`).set(t.auth).set(INSTANT).send({ parameters: { ldevId: 20 } }));
  });
});

describe('clone copies declared by a fixture', () => {
  it('share the three copy slots like any other', async () => {
    const pairs = Array.from({ length: 4 }, (_, i) => ({
      pvolLdevId: 10 + i, muNumber: 0, svolLdevId: 20 + i, snapshotGroupName: 'fx', snapshotPoolId: 1, status: 'PSUP' as const, isClone: true,
    }));
    const t = await startWith(fixtureWith({ ldevs: Array.from({ length: 14 }, (_, i) => ({ ldevId: 10 + i })), pairs }));
    try {
      expect([10, 11, 12, 13].map((p) => row(t, p, 0)!.queuedAt === null)).toEqual([true, true, true, false]);
      t.advance(20);
      expect(await statusOf(t, 10, 0)).toBe('SMPP');
      expect(row(t, 13, 0)!.queuedAt).toBeNull();
    } finally { await t.close(); }
  });
});
