import { describe, expect, it } from 'vitest';
import { b28With, closeAfterEach, create, EMU, expectSucceeded, INSTANT, OBJ, startB28, statusOf, tiaBody, type TestApp } from './tiaKit.js';

/**
 * The content model under TIA pairs (TIA ref 2.1): the snapshot data of a redirect-on-write pair lives in the HDP pool
 * of its volumes (its snapshotPoolId), so host writes to the P-VOL after the split show in that pool's usage.
 */

let t: TestApp;
closeAfterEach(() => t);

const pool0 = async () => {
  const p = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body as Record<string, number>;
  return { snapshotUsedCapacity: p.snapshotUsedCapacity, snapshotCount: p.snapshotCount, available: p.availableVolumeCapacity };
};
const write = async (ldevId: number, body: Record<string, unknown>) => {
  const r = await t.http.post(`${EMU}/io/write`).send({ ldevId, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const fingerprint = async (ldevId: number) => (await t.http.get(`${EMU}/io/fingerprint`).query({ ldevId })).body.fingerprint as string;

describe('TIA snapshot data in the HDP pool', () => {
  it('writes to the P-VOL after the split keep the old data as snapshot data of pool 0, counted in its used capacity', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    await write(0, { offset: 0, length: '8M', seed: 1 });
    const image = await fingerprint(0);
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true })));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    const before = await pool0();
    expect(before).toMatchObject({ snapshotUsedCapacity: 0, snapshotCount: 1 });

    await write(0, { offset: 0, length: '4M', seed: 2 });
    const after = await pool0();
    // 4 MiB of old data kept for the snapshot, charged to the snapshot pool (the P-VOL's own HDP pool).
    expect(after.snapshotUsedCapacity).toBe(4);
    expect(before.available - after.available).toBe(4);
    expect(await fingerprint(1)).toBe(image);
    expect(await fingerprint(0)).not.toBe(image);

    // Deleting the pair gives the snapshot data back to the pool.
    expectSucceeded(await t.http.delete(`${OBJ}/snapshots/0,0`).set(t.auth).set({ 'x-vsp-emulator-instant': '1' }));
    expect(await pool0()).toMatchObject({ snapshotUsedCapacity: 0, snapshotCount: 0, available: before.available });
  });
});

describe('TIA pairs and the HDP pool threshold', () => {
  it('over the warning threshold a split TIA pair shows PFUS, a paired one PFUL, whose split goes to PFUS', async () => {
    t = await startB28(b28With((fx) => {
      const a = fx.arrays[0]!;
      Object.assign(a.pools![0]!, { capacity: '210M', warningThreshold: 70, depletionThreshold: 95 });
      a.ldevs = a.ldevs!.filter((l) => [0, 1, 4].includes(l.ldevId)).map((l) => ({ ...l, capacity: '420M' }));
    }), { timing: 'instant' });
    await write(0, { offset: 0, length: '42M', seed: 1 });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true })));
    expectSucceeded(await create(t, tiaBody(0, undefined)));
    expect([await statusOf(t, 0, 0), await statusOf(t, 0, 1)]).toEqual(['PSUS', 'PAIR']);
    // 42 MiB of old data kept + a second 42 MiB page: 126 of 210 MiB = 60 %.
    await write(0, { offset: 0, length: '42M', seed: 2 });
    await write(0, { offset: '42M', length: '1M', seed: 3 });
    expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.usedCapacityRate).toBe(60);
    expect([await statusOf(t, 0, 0), await statusOf(t, 0, 1)]).toEqual(['PSUS', 'PAIR']);
    // A third page: 168 of 210 MiB = 80 %, over the 70 % warning threshold.
    await write(0, { offset: '84M', length: '1M', seed: 4 });
    expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.usedCapacityRate).toBe(80);
    expect([await statusOf(t, 0, 0), await statusOf(t, 0, 1)]).toEqual(['PFUS', 'PFUL']);
    expectSucceeded(await t.http.post(`${OBJ}/snapshots/0,1/actions/split/invoke`).set(t.auth).set(INSTANT).send({ parameters: {} }));
    expect(await statusOf(t, 0, 1)).toBe('PFUS');
  });
});
