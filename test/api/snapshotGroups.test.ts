import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CINDER_WAIT, createPair, expectError, expectJobFailed, expectSucceeded, getPair, held, INSTANT, ldev, OBJ, scoped, snapBody, startApp,
  statusOf, type TestApp,
} from './snapshotKit.js';

/** Snapshot groups: reads, and every group-level operation (ref 5.1 rows 1, 2, 16-22). */

describe('snapshot groups', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (let id = 10; id < 30; id++) ldev(t, id);
    ldev(t, 5);
    ldev(t, 6);
  });
  afterEach(async () => { await t.close(); });

  const group = (name: string) => t.http.get(`${OBJ}/snapshot-groups/${name}`).set(t.auth);
  const groupAct = (name: string, action: string, body?: object) => {
    const r = t.http.post(`${OBJ}/snapshot-groups/${name}/actions/${action}/invoke`).set(t.auth).set(INSTANT);
    return body ? r.send(body) : r;
  };
  const statuses = async (name: string) => (await group(name)).body.snapshots.map((p: { status: string }) => p.status);

  it('lists groups (by name, with pairs on detailInfoType=pair), gets one with its pairs; a group goes with its last pair', async () => {
    expectSucceeded(await createPair(t, snapBody(5, 11, { snapshotGroupName: 'b' })));
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'b' })));
    expectSucceeded(await createPair(t, snapBody(1, 12, { snapshotGroupName: 'a' })));
    expect((await t.http.get(`${OBJ}/snapshot-groups`).set(t.auth)).body).toEqual({
      data: [{ snapshotGroupName: 'a', snapshotGroupId: 'a' }, { snapshotGroupName: 'b', snapshotGroupId: 'b' }],
    });
    expect((await t.http.get(`${OBJ}/snapshot-groups?snapshotGroupName=b`).set(t.auth)).body.data).toEqual([{ snapshotGroupName: 'b', snapshotGroupId: 'b' }]);
    expect((await t.http.get(`${OBJ}/snapshot-groups?snapshotGroupName=zz`).set(t.auth)).body).toEqual({ data: [] });
    const detailed = (await t.http.get(`${OBJ}/snapshot-groups?detailInfoType=pair`).set(t.auth)).body.data;
    expect(detailed[1].snapshots.map((p: { snapshotId: string }) => p.snapshotId)).toEqual(['1,0', '5,0']);
    const one = (await group('b')).body;
    expect(one).toMatchObject({ snapshotGroupName: 'b', snapshotGroupId: 'b' });
    expect(one.snapshots.map((p: { snapshotId: string; primaryOrSecondary: string }) => [p.snapshotId, p.primaryOrSecondary])).toEqual([['1,0', 'P-VOL'], ['5,0', 'P-VOL']]);
    expect((await t.http.get(`${scoped('snapshot-groups/b')}?detailInfoType=retention`).set(t.auth)).status).toBe(200);
    t.advance(2);
    expectSucceeded(await t.http.delete(`${OBJ}/snapshots/1,1`).set(t.auth).set(INSTANT));
    expect((await group('a')).status).toBe(200);
    t.advance(2);
    expectError(await group('a'), 404, 'KART30013-E');
    expectError(await groupAct('a', 'split'), 404, 'KART30013-E');
  });

  it('group split of a CTG group: every pair stores its data at the same instant (Cinder: PUT, no body)', async () => {
    for (const [p, s] of [[1, 10], [5, 11], [6, 12]]) expectSucceeded(await createPair(t, snapBody(p!, s, { snapshotGroupName: 'cg', isConsistencyGroup: true })));
    t.advance(2);
    t.advance(0.5);
    const r = await held(t, t.http.put(scoped('snapshot-groups/cg/actions/split/invoke')).set(t.auth).set(CINDER_WAIT), 1);
    expect(r.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [scoped('snapshot-groups/cg')] });
    const pairs = (await group('cg')).body.snapshots;
    expect(pairs.map((p: { status: string }) => p.status)).toEqual(['PSUS', 'PSUS', 'PSUS']);
    expect(new Set(pairs.map((p: { splitTime: string }) => p.splitTime))).toEqual(new Set(['2026-01-05T10:00:03']));
  });

  it('group split leaves already-split pairs as they are (YN) and splits the rest', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'm', autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(5, 11, { snapshotGroupName: 'm' })));
    t.advance(14);
    const before = (await getPair(t, 1, 0)).body.splitTime;
    expect(before).toBeDefined();
    t.advance(10);
    expectSucceeded(await groupAct('m', 'split', { parameters: {} }));
    expect(await statuses('m')).toEqual(['PSUS', 'PSUS']);
    expect((await getPair(t, 1, 0)).body.splitTime).toBe(before);
  });

  it('one refusing pair fails the whole group operation and nothing is applied', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'm' })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(5, 11, { snapshotGroupName: 'm' })));
    expectJobFailed(await groupAct('m', 'split'), '2E32', '0002');
    expect(await statuses('m')).toEqual(['PAIR', 'COPY']);
    expectJobFailed(await t.http.delete(`${OBJ}/snapshot-groups/m`).set(t.auth).set(INSTANT), '2E32', '0002');
    expect(await statuses('m')).toEqual(['PAIR', 'COPY']);
  });

  it('group resync and restore with autoSplit go back to PSUS through COPY / RCPY and the PAIR of the autoSplit hold', async () => {
    for (const [p, s] of [[1, 10], [5, 11]]) expectSucceeded(await createPair(t, snapBody(p!, s, { snapshotGroupName: 'r', autoSplit: true })));
    t.advance(14);
    expectSucceeded(await groupAct('r', 'resync', { parameters: { autoSplit: true } }));
    expect(await statuses('r')).toEqual(['COPY', 'COPY']);
    t.advance(2);
    expect(await statuses('r')).toEqual(['PAIR', 'PAIR']);
    t.advance(12);
    expect(await statuses('r')).toEqual(['PSUS', 'PSUS']);
    expectSucceeded(await groupAct('r', 'restore', { parameters: { autoSplit: true } }));
    expect(await statuses('r')).toEqual(['RCPY', 'RCPY']);
    t.advance(4);
    expect(await statuses('r')).toEqual(['PAIR', 'PAIR']);
    t.advance(12);
    expect(await statuses('r')).toEqual(['PSUS', 'PSUS']);
    expectSucceeded(await groupAct('r', 'resync'));
    t.advance(2);
    expect(await statuses('r')).toEqual(['PAIR', 'PAIR']);
    expectError(await groupAct('r', 'restore', {}), 400, 'KART40046-E');
  });

  it('group clone copies every clone pair at copySpeed; the group disappears with the copied pairs', async () => {
    for (const [p, s] of [[1, 10], [5, 11]]) {
      expectSucceeded(await createPair(t, { snapshotGroupName: 'cl', snapshotPoolId: 1, pvolLdevId: p, svolLdevId: s, isClone: true }));
    }
    t.advance(2);
    expect(await statuses('cl')).toEqual(['PAIR', 'PAIR']);
    expectSucceeded(await groupAct('cl', 'clone', { parameters: { copySpeed: 'FASTER' } }));
    expect(await statuses('cl')).toEqual(['PSUP', 'PSUP']);
    t.advance(5);
    expect((await group('cl')).body.snapshots[0].progressRate).toBe(50);
    t.advance(5);
    expect(await statuses('cl')).toEqual(['SMPP', 'SMPP']);
    t.advance(1);
    expectError(await group('cl'), 404, 'KART30013-E');
    expect((await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body.attributes).not.toContain('HTI');
  });

  it('the clone attribute must match: group split on clone pairs and group clone on snapshot pairs fail ([L] message)', async () => {
    expectSucceeded(await createPair(t, { snapshotGroupName: 'cl', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true }));
    expectSucceeded(await createPair(t, snapBody(5, 11, { snapshotGroupName: 'sn' })));
    t.advance(2);
    const r = await groupAct('cl', 'split');
    expectJobFailed(r, '2E32', '0004');
    expect(r.body.error.message).toContain('The clone option (indicated or not) in the command does not match the clone attribute');
    expectJobFailed(await groupAct('sn', 'clone'), '2E32', '0004');
  });

  it('DELETE snapshot-groups/{name} deletes every pair, lower layers first, through SMPP when they have an S-VOL', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'd', autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(10, 11, { snapshotGroupName: 'd' })));
    expectSucceeded(await createPair(t, snapBody(5, undefined, { snapshotGroupName: 'd' })));
    t.advance(2);
    const r = await t.http.delete(`${OBJ}/snapshot-groups/d`).set(t.auth).set(INSTANT);
    expectSucceeded(r);
    expect(r.body.affectedResources).toEqual([`${OBJ}/snapshot-groups/d`]);
    // Pairs with an S-VOL pass through SMPP; the one without goes at once.
    expect(await statuses('d')).toEqual(['SMPP', 'SMPP']);
    expect(await statusOf(t, 5, 0)).toBeUndefined();
    t.advance(2);
    expectError(await group('d'), 404, 'KART30013-E');
    expect(await statusOf(t, 1, 0)).toBeUndefined();
  });

  it('set-retention and virtual-clone on groups do not exist on this model', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'x' })));
    expectError(await groupAct('x', 'set-retention', { parameters: { retentionPeriod: 1 } }), 404, 'KART20009-E');
    expectError(await groupAct('x', 'virtual-clone', { parameters: { operationType: 'create' } }), 404, 'KART20009-E');
  });
});
