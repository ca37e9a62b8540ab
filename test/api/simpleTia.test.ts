import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers.js';
import { completed, lastSegment, SIMPLE, statusPath, succeeded, untilStatus } from './simpleKit.js';

/** The simple API on a VSP One B28 (`--fixture vsp-one-b28`): snapshots are Thin Image Advanced pairs in the HDP pool. */

const OBJ = '/ConfigurationManager/v1/objects';
const create = (t: TestApp, params: Record<string, unknown>) =>
  t.http.post(`${SIMPLE}/snapshots`).set(t.auth).send({ params: [{ poolId: 0, snapshotGroupName: 'snapshotGroup', type: 'Snapshot', ...params }] });

describe('simple API on the VSP One B28 (TIA ref 6.5 flows over TIA pairs)', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp({ fixture: 'vsp-one-b28' }); });
  afterEach(async () => { await t.close(); });

  it('create → command-status → get → map → get volume → restore → delete → 404 → group gone', async () => {
    const affected = await succeeded(t, await create(t, { masterVolumeId: 0 }));
    expect(affected).toEqual([`${SIMPLE}/snapshots/0,0`]);
    const id = lastSegment(affected[0]!);
    const snap = await untilStatus(t, id, 'Completed');
    expect(snap).toMatchObject({ masterVolumeId: 0, snapshotId: 0, type: 'Snapshot', poolId: 0, retentionPeriod: 0 });
    // The same pair on the CM API is redirect-on-write.
    expect((await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).body).toMatchObject({ isRedirectOnWrite: true, snapshotPoolId: 0 });

    const mapped = await succeeded(t, await t.http.post(`${SIMPLE}/snapshots/${id}/actions/map/invoke`).set(t.auth).send({ poolId: 0 }));
    expect(mapped[0]).toBe(`${SIMPLE}/snapshots/0,0`);
    const volumeId = Number(lastSegment(mapped[1]!));
    expect((await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth)).body).toMatchObject({ type: 'Mapped Snapshot', mappedVolumeId: volumeId });
    const volume = (await t.http.get(`${SIMPLE}/volumes/${volumeId}`).set(t.auth)).body;
    expect(volume).toMatchObject({ nickname: 'Snapshot of ID:0', poolId: 0, poolName: 'DRS_POOL_0', isDataReductionShareEnabled: true, savingSetting: 'DEDUPLICATION_AND_COMPRESSION' });

    const restore = await completed(t, statusPath(await t.http.post(`${SIMPLE}/snapshots/${id}/actions/restore/invoke`).set(t.auth)));
    expect(restore).toMatchObject({ status: 'normal', affectedResources: [`${SIMPLE}/snapshots/0,0`, `${SIMPLE}/volumes/0`] });
    await untilStatus(t, id, 'Completed');

    expect(await succeeded(t, await t.http.delete(`${SIMPLE}/snapshots/${id}`).set(t.auth))).toEqual([`${SIMPLE}/snapshots/0,0`]);
    expect((await t.http.get(`${SIMPLE}/snapshots/${id}`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${SIMPLE}/snapshot-groups/snapshotGroup`).set(t.auth)).status).toBe(404);
  });

  it('Mapped Snapshot: a DRS volume in the HDP pool, snapshot URL first', async () => {
    const affected = await succeeded(t, await create(t, { masterVolumeId: 1, type: 'Mapped Snapshot' }));
    expect(affected[0]).toBe(`${SIMPLE}/snapshots/1,0`);
    const volumeId = Number(lastSegment(affected[1]!));
    expect(await untilStatus(t, '1,0', 'Completed')).toMatchObject({ type: 'Mapped Snapshot', mappedVolumeId: volumeId });
    expect((await t.http.get(`${OBJ}/ldevs/${volumeId}`).set(t.auth)).body.attributes).toContain('DRS');
  });

  it('failures arrive in the command status: a pool other than the P-VOL\'s HDP pool, a Snap Clone (no clones for TIA)', async () => {
    const pool = await completed(t, statusPath(await create(t, { masterVolumeId: 0, poolId: 5 })));
    expect(pool).toMatchObject({ status: 'error', errorResource: `${SIMPLE}/snapshots`, errorCode: { SSB1: expect.stringMatching(/^[0-9a-f]{4}$/) } });
    const clone = await completed(t, statusPath(await create(t, { masterVolumeId: 0, type: 'Snap Clone' })));
    expect(clone).toMatchObject({ status: 'error' });
    expect(String(clone.errorMessage).length).toBeGreaterThan(0);
    // Nothing half-made: no snapshot, and the volume the clone would have used was not left behind.
    expect((await t.http.get(`${SIMPLE}/snapshots`).set(t.auth)).body).toEqual({ data: [] });
    expect((await t.http.get(`${SIMPLE}/volumes/5`).set(t.auth)).status).toBe(404);
  });
});
