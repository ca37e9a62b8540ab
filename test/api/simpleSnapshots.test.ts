import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBJ, startApp, type TestApp } from '../helpers.js';
import { completed, lastSegment, SIMPLE, statusPath, succeeded, untilStatus } from './simpleKit.js';

/** The simple API on the default VSP E990 (TIA ref 6): Ansible's flows, sessions, command statuses, one model underneath. */

const create = (t: TestApp, params: Record<string, unknown>) =>
  t.http.post(`${SIMPLE}/snapshots`).set(t.auth).send({ params: [{ poolId: 1, snapshotGroupName: 'snapshotGroup', type: 'Snapshot', ...params }] });

describe('simple API on the VSP E990: Ansible flows (TIA ref 6.5)', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('create → command-status → get → map → get volume → restore → delete → 404 → volume delete', async () => {
    const res = await create(t, { masterVolumeId: 0 });
    const status = statusPath(res);
    // Before the job's queue time the command is unexecuted, then processing, then completed.
    expect((await t.http.get(status).set(t.auth)).body).toMatchObject({ progress: 'unexecuted', operationDetails: [] });
    t.advance(0.5);
    expect((await t.http.get(status).set(t.auth)).body.progress).toBe('processing');
    t.advance(0.5);
    const done = await t.http.get(status).set(t.auth);
    expect(done.body).toEqual({
      id: Number(lastSegment(status)), progress: 'completed', status: 'normal',
      affectedResources: [`${SIMPLE}/snapshots/0,0`],
      operationDetails: [{ operationType: 'CREATE', resourceType: 'Snapshot', resourceId: '0,0' }],
    });

    const id = lastSegment(done.body.affectedResources[0]);
    const first = await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: '0,0', masterVolumeId: 0, snapshotId: 0, status: 'Processing', type: 'Snapshot', poolId: 1, rootVolumeId: 0 });
    expect(first.body).not.toHaveProperty('mappedVolumeId');
    const snap = await untilStatus(t, id, 'Completed');
    expect(snap.snapshotDate).toMatch(/^2026-01-05T10:00:\d{2}Z$/);

    const mapped = await succeeded(t, await t.http.post(`${SIMPLE}/snapshots/${id}/actions/map/invoke`).set(t.auth).send({ poolId: 0 }));
    expect(mapped[0]).toBe(`${SIMPLE}/snapshots/0,0`);
    const volumeId = Number(lastSegment(mapped[1]!));
    const after = (await t.http.get(`${SIMPLE}/snapshots/${lastSegment(mapped[0]!)}`).set(t.auth)).body;
    expect(after).toMatchObject({ type: 'Mapped Snapshot', mappedVolumeId: volumeId, status: 'Completed' });
    const volume = await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth);
    expect(volume.status).toBe(200);
    expect(volume.body).toMatchObject({ id: volumeId, nickname: 'Snapshot of ID:0', poolId: 0, totalCapacity: 10240, volumeTypes: ['Snapshot'] });
    // The same pair through the CM API: the S-VOL is the mapped volume.
    expect((await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).body).toMatchObject({ status: 'PSUS', svolLdevId: volumeId });

    // Restore (no body, as `curl -d ""`): Restoring during RCPY, then Completed again.
    const restore = statusPath(await t.http.post(`${SIMPLE}/snapshots/${id}/actions/restore/invoke`).set(t.auth).set('Content-Type', 'application/json').send(''));
    expect((await completed(t, restore)).status).toBe('normal');
    expect((await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth)).body.status).toBe('Restoring');
    await untilStatus(t, id, 'Completed');

    const deleted = await succeeded(t, await t.http.delete(`${SIMPLE}/snapshots/${id}`).set(t.auth));
    expect(deleted).toEqual([`${SIMPLE}/snapshots/0,0`]);
    const gone = await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth);
    expect(gone.status).toBe(404);
    expect(gone.body.messageId).toBe('KART30013-E');
    t.advance(5); // the pair's own delete phase ends: the volume is free
    expect(await succeeded(t, await t.http.delete(`${SIMPLE}/volumes/${volumeId}`).set(t.auth))).toEqual([`${SIMPLE}/volumes/${volumeId}`]);
    expect((await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${SIMPLE}/snapshot-groups`).set(t.auth)).body).toEqual({ data: [] });
  });

  it('Mapped Snapshot creates its volume in the master volume\'s pool and lists the snapshot first', async () => {
    const affected = await succeeded(t, await create(t, { masterVolumeId: 1, type: 'Mapped Snapshot' }));
    expect(affected[0]).toBe(`${SIMPLE}/snapshots/1,0`);
    const volumeId = Number(lastSegment(affected[1]!));
    const snap = await untilStatus(t, '1,0', 'Completed');
    expect(snap).toMatchObject({ type: 'Mapped Snapshot', mappedVolumeId: volumeId, poolId: 1 });
    expect((await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)).body).toMatchObject({ nickname: 'Snapshot of ID:1', poolId: 0 });
  });

  it('Snap Clone copies into a new volume and is gone once the copy ends', async () => {
    const affected = await succeeded(t, await create(t, { masterVolumeId: 1, type: 'Snap Clone' }));
    const volumeId = Number(lastSegment(affected[1]!));
    expect((await t.http.get(`${SIMPLE}/snapshots/1,0`).set(t.auth)).body).toMatchObject({ type: 'Snap Clone', status: 'Processing' });
    let gone = false;
    for (let i = 0; i < 120 && !gone; i++) {
      t.advance(1);
      gone = (await t.http.get(`${SIMPLE}/snapshots/1,0`).set(t.auth)).status === 404;
    }
    expect(gone).toBe(true);
    expect((await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)).body).toMatchObject({ id: volumeId, volumeTypes: [] });
  });

  it('group delete: S8 pages with count and startSnapshotId, S9 deletes every snapshot, then S8 is 404', async () => {
    for (const m of [0, 1, 1]) await succeeded(t, await create(t, { masterVolumeId: m, snapshotGroupName: 'grp A,1' }));
    for (const id of ['0,0', '1,0', '1,1']) await untilStatus(t, id, 'Completed');
    const name = encodeURIComponent('grp A,1');
    const page = await t.http.get(`${SIMPLE}/snapshot-groups/${name}?count=2`).set(t.auth);
    expect(page.body).toEqual({
      name: 'grp A,1', snapshots: [{ masterVolumeId: 0, snapshotId: 0 }, { masterVolumeId: 1, snapshotId: 0 }], count: 2, totalCount: 3, hasNext: true,
    });
    const next = await t.http.get(`${SIMPLE}/snapshot-groups/${name}?startSnapshotId=1,1&count=1000`).set(t.auth);
    expect(next.body).toMatchObject({ snapshots: [{ masterVolumeId: 1, snapshotId: 1 }], count: 1, totalCount: 3, hasNext: false });
    expect((await t.http.get(`${SIMPLE}/snapshot-groups`).set(t.auth)).body).toEqual({ data: [{ name: 'grp A,1' }] });

    const status = await completed(t, statusPath(await t.http.delete(`${SIMPLE}/snapshot-groups/${name}`).set(t.auth)));
    expect(status).toMatchObject({ status: 'normal', affectedResources: [`${SIMPLE}/snapshot-groups/grp%20A%2C1`] });
    expect(status.operationDetails).toHaveLength(4);
    expect((await t.http.get(`${SIMPLE}/snapshot-groups/${name}`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${SIMPLE}/snapshots`).set(t.auth)).body).toEqual({ data: [] });
  });
});

describe('simple API command status failures', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('a create in a pool that does not exist ends in error with errorResource, lower-case SSB codes and errorMessage', async () => {
    const s = await completed(t, statusPath(await create(t, { masterVolumeId: 0, poolId: 9 })));
    expect(s).toMatchObject({
      progress: 'completed', status: 'error', errorResource: `${SIMPLE}/snapshots`, errorCode: { SSB1: expect.stringMatching(/^[0-9a-f]{4}$/), SSB2: expect.stringMatching(/^[0-9a-f]{4}$/) },
      operationDetails: [],
    });
    expect(String(s.errorMessage)).toContain('The specified pool is not created');
    expect(s).not.toHaveProperty('affectedResources');
    expect((await t.http.get(`${SIMPLE}/snapshots`).set(t.auth)).body).toEqual({ data: [] });
  });

  it('a map into the Thin Image pool fails (no volume there) and leaves the snapshot unmapped, no volume made', async () => {
    await succeeded(t, await create(t, { masterVolumeId: 0 }));
    await untilStatus(t, '0,0', 'Completed');
    const before = t.engine.res.definedIdsInRange('936000123456', 0, 65279).length;
    const s = await completed(t, statusPath(await t.http.post(`${SIMPLE}/snapshots/0,0/actions/map/invoke`).set(t.auth).send({ poolId: 1 })));
    expect(s).toMatchObject({ status: 'error', errorResource: `${SIMPLE}/snapshots/0,0` });
    expect((await t.http.get(`${SIMPLE}/snapshots/0,0`).set(t.auth)).body).not.toHaveProperty('mappedVolumeId');
    expect(t.engine.res.definedIdsInRange('936000123456', 0, 65279).length).toBe(before);
  });

  it('deleting a volume that is mapped to a snapshot fails in the command status; the volume stays', async () => {
    const affected = await succeeded(t, await create(t, { masterVolumeId: 0, type: 'Mapped Snapshot' }));
    const volumeId = lastSegment(affected[1]!);
    const s = await completed(t, statusPath(await t.http.delete(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)));
    expect(s).toMatchObject({ status: 'error', errorResource: `${SIMPLE}/volumes/${volumeId}`, errorCode: { SSB1: '2e10', SSB2: '9707' } });
    expect((await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)).status).toBe(200);
  });

  it('unknown snapshots, groups, volumes and statuses are 404; bad bodies and names are 400 with the VSP error object', async () => {
    for (const url of ['snapshots/0,5', 'snapshot-groups/none', 'volumes/300', 'command-status/999']) {
      const r = await t.http.get(`${SIMPLE}/${url}`).set(t.auth);
      expect(r.status, url).toBe(404);
      expect(r.body.messageId, url).toBe('KART30013-E');
    }
    expect((await t.http.delete(`${SIMPLE}/snapshots/0,5`).set(t.auth)).status).toBe(404);
    expect((await t.http.post(`${SIMPLE}/snapshots/0,5/actions/map/invoke`).set(t.auth).send({ poolId: 0 })).status).toBe(404);
    const badType = await create(t, { masterVolumeId: 0, type: 'Snapshots' });
    expect(badType.status).toBe(400);
    expect(badType.body.messageId).toBe('KART40039-E');
    const badName = await create(t, { masterVolumeId: 0, snapshotGroupName: ' lead' });
    expect(badName.body).toMatchObject({ messageId: 'KART40039-E' });
    expect((await t.http.post(`${SIMPLE}/snapshots/0,0/actions/map/invoke`).set(t.auth).send({})).body.messageId).toBe('KART20008-E');
    expect((await t.http.get(`${SIMPLE}/snapshots?count=0`).set(t.auth)).body.messageId).toBe('KART40039-E');
  });

  it('several params entries answer one statusResource each [I]; an undefined master volume fails only its own command', async () => {
    const res = await t.http.post(`${SIMPLE}/snapshots`).set(t.auth).send({ params: [
      { masterVolumeId: 0, poolId: 1, snapshotGroupName: 'two', type: 'Snapshot' },
      { masterVolumeId: 300, poolId: 1, snapshotGroupName: 'two', type: 'Snapshot' },
    ] });
    expect(res.status).toBe(202);
    expect(res.body).toHaveLength(2);
    const [ok, bad] = [await completed(t, res.body[0].statusResource), await completed(t, res.body[1].statusResource)];
    expect(ok).toMatchObject({ status: 'normal', affectedResources: [`${SIMPLE}/snapshots/0,0`] });
    expect(bad).toMatchObject({ status: 'error', errorCode: { SSB1: '2e20', SSB2: '0000' } });
    expect(String(bad.errorMessage)).toContain('The specified LDEV is not installed');
  });

  it('DELETE command-status answers what it said, then the status is gone', async () => {
    const status = statusPath(await create(t, { masterVolumeId: 0 }));
    await completed(t, status);
    const del = await t.http.delete(status).set(t.auth);
    expect(del.body).toEqual({ affectedResources: [`${SIMPLE}/snapshots/0,0`], operationDetails: [{ operationType: 'CREATE', resourceType: 'Snapshot', resourceId: '0,0' }] });
    expect((await t.http.get(status).set(t.auth)).status).toBe(404);
  });
});
