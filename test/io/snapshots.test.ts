import { describe, expect, it } from 'vitest';
import {
  act, createPair, del, expectSucceeded, fingerprintOf, fp, getPair, ldevBody, pool, snapBody, startIo, written, type TestApp,
  closeAfterEach,
} from './ioKit.js';

let t: TestApp;
closeAfterEach(() => t);

/** Pool 1 figures a client reads (MiB, %). */
async function tiPool(): Promise<{ snapshotUsedCapacity: unknown; usedCapacityRate: unknown; availableVolumeCapacity: unknown; poolStatus: unknown }> {
  const p = await pool(t, 1);
  return { snapshotUsedCapacity: p.snapshotUsedCapacity, usedCapacityRate: p.usedCapacityRate, availableVolumeCapacity: p.availableVolumeCapacity, poolStatus: p.poolStatus };
}
const used = (mib: number) => ({ snapshotUsedCapacity: mib, usedCapacityRate: mib, availableVolumeCapacity: 100 - mib, poolStatus: 'POLN' });

describe('Thin Image snapshot data', () => {
  it('an assigned S-VOL reads as the P-VOL did at split time; the first later write to a chunk copies it to the pool once', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    const atSplit = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUS', isWrittenInSvol: false, concordanceRate: 100 });
    expect(await fp(t, 11)).toBe(atSplit);
    expect(await tiPool()).toEqual(used(0));

    expect(await written(t, 10, { offset: '2M', length: '4M', seed: 2 })).toMatchObject({ role: 'P-VOL', chunks: 4, snapshotDataChunks: 4 });
    expect(await written(t, 10, { offset: '2M', length: '4M', seed: 3 })).toMatchObject({ chunks: 4, snapshotDataChunks: 0 });
    // Chunks 4 and 5 were never written: the snapshot reads zeros there, which takes no pool space.
    expect(await tiPool()).toEqual(used(2));
    const s = (await fingerprintOf(t, 11)).body;
    expect(s).toMatchObject({ fingerprint: atSplit, role: 'S-VOL', snapshotId: '10,0', nonZeroChunks: 4 });
    expect(await fp(t, 10)).not.toBe(atSplit);
  });

  it('snapshots share the chunks they all read; resync releases only what no other snapshot reads', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    await written(t, 10, { offset: 0, length: '4M', pattern: 'X' });
    const x = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 10, { offset: 0, length: '2M', pattern: 'Y' });
    const xy = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 12, { autoSplit: true })));
    expect(await tiPool()).toEqual(used(2));
    // Chunks 0-1: Y is kept for the second snapshot; chunks 2-3: X is kept once for both.
    expect((await written(t, 10, { offset: 0, length: '4M', pattern: 'Z' })).snapshotDataChunks).toBe(4);
    expect(await tiPool()).toEqual(used(6));
    expect(await fp(t, 11)).toBe(x);
    expect(await fp(t, 12)).toBe(xy);

    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: false } }));
    expect((await getPair(t, 10, 0)).body.status).toBe('PAIR');
    expect(await tiPool()).toEqual(used(4));
    expect(await fp(t, 12)).toBe(xy);
    expectSucceeded(await act(t, 10, 1, 'resync', { parameters: { autoSplit: false } }));
    expect(await tiPool()).toEqual(used(0));
  });

  it('writes to a split S-VOL set isWrittenInSvol and use pool space; the P-VOL does not change; resync discards them', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    await written(t, 10, { offset: 0, length: '2M', seed: 1 });
    const p = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expect(await written(t, 11, { offset: '1M', length: '3M', seed: 9 })).toMatchObject({ role: 'S-VOL', snapshotId: '10,0', chunks: 3, snapshotDataChunks: 0 });
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUS', isWrittenInSvol: true });
    expect(await tiPool()).toEqual(used(3));
    expect(await fp(t, 10)).toBe(p);
    expect(await fp(t, 11)).not.toBe(p);
    // An S-VOL write does not allocate DP pages of the S-VOL.
    expect((await ldevBody(t, 11)).numOfUsedBlock).toBe(0);

    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: true } }));
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUS', isWrittenInSvol: false });
    expect(await tiPool()).toEqual(used(0));
    expect(await fp(t, 11)).toBe(p);
  });

  it('restore makes the P-VOL read as the S-VOL, with what hosts wrote to it; other snapshots keep their data', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: '3M', length: '1M', pattern: 'svol' });
    const view = await fp(t, 11);
    await written(t, 10, { offset: 0, length: '8M', seed: 2 });
    const later = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 12, { autoSplit: true })));
    expect(await tiPool()).toEqual(used(1 + 4));

    expectSucceeded(await act(t, 10, 0, 'restore', { parameters: { autoSplit: true } }));
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUS', isWrittenInSvol: false });
    expect(await fp(t, 10)).toBe(view);
    expect(await fp(t, 11)).toBe(view);
    expect(await fp(t, 12)).toBe(later);
    // The second snapshot still reads the 8 chunks of seed 2 the restore overwrote: kept. What only the first pair
    // read (its copies of seed 1, its S-VOL write) went with its new split.
    expect(await tiPool()).toEqual(used(8));
  });

  it('with restoreSource "snapshot" a restore brings back the image of the split, without the S-VOL writes', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }], fidelity: { restoreSource: 'snapshot' } });
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    const atSplit = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: 0, length: '1M', pattern: 'svol' });
    await written(t, 10, { offset: 0, length: '4M', seed: 2 });
    expectSucceeded(await act(t, 10, 0, 'restore', { parameters: { autoSplit: false } }));
    expect((await getPair(t, 10, 0)).body.status).toBe('PAIR');
    expect(await fp(t, 10)).toBe(atSplit);
    expect(await tiPool()).toEqual(used(0));
  });

  it('during RCPY the P-VOL already reads the restored data; progressRate and concordanceRate follow the copy', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] }, { timing: 'realistic' });
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    const atSplit = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    // COPY 2 s, then the autoSplit hold 12 s.
    t.advance(14);
    expect((await getPair(t, 10, 0)).body.status).toBe('PSUS');
    await written(t, 10, { offset: 0, length: '4M', seed: 2 });
    expectSucceeded(await act(t, 10, 0, 'restore', { parameters: { autoSplit: false } }));
    // pair.restore: 3 s + 20 ms per GiB (1 GiB) = 3.02 s.
    t.advance(1.51);
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'RCPY', progressRate: 50, concordanceRate: 50 });
    expect(await fp(t, 10)).toBe(atSplit);
    expect((await fingerprintOf(t, 11)).status).toBe(409);
    t.advance(1.51);
    const done = (await getPair(t, 10, 0)).body;
    expect(done).toMatchObject({ status: 'PAIR', concordanceRate: 100 });
    expect(done).not.toHaveProperty('progressRate');
    expect(await tiPool()).toEqual(used(0));
  });

  it('unassign keeps the snapshot (and the S-VOL writes); the volume assigned next reads it, its own data gone', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    await written(t, 10, { offset: 0, length: '2M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: '1M', length: '1M', seed: 4 });
    const view = await fp(t, 11);
    const zeros = await fp(t, 12);
    await written(t, 12, { offset: 0, length: '8M', seed: 8 });
    expect((await ldevBody(t, 12)).numOfUsedBlock).toBe(86016);
    expectSucceeded(await act(t, 10, 0, 'unassign-volume'));
    expect(await fp(t, 11)).toBe(zeros);
    expectSucceeded(await act(t, 10, 0, 'assign-volume', { parameters: { svolLdevId: 12 } }));
    expect(await fp(t, 12)).toBe(view);
    expect((await ldevBody(t, 12)).numOfUsedBlock).toBe(0);
    expect(await tiPool()).toEqual(used(1));
  });

  it('delete releases the pair\'s snapshot data and its S-VOL reads nothing of it', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    const zeros = await fp(t, 11);
    await written(t, 10, { offset: 0, length: '2M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 10, { offset: 0, length: '2M', seed: 2 });
    await written(t, 11, { offset: '4M', length: '1M', seed: 3 });
    expect(await tiPool()).toEqual(used(3));
    expectSucceeded(await del(t, 10, 0));
    expect((await getPair(t, 10, 0)).status).toBe(404);
    expect(await tiPool()).toEqual(used(0));
    expect(await fp(t, 11)).toBe(zeros);
  });
});

describe('pairs loaded from a fixture', () => {
  it('a split fixture pair holds the snapshot of the load: the first writes to its P-VOL copy for it', async () => {
    const { fixtureWith, startWith } = await import('../api/snapshotKit.js');
    t = await startWith(fixtureWith({
      ldevs: [{ ldevId: 10, capacity: '1G' }, { ldevId: 11, capacity: '1G' }],
      pairs: [{ pvolLdevId: 10, svolLdevId: 11, snapshotGroupName: 'g', snapshotPoolId: 1, status: 'PSUS', canCascade: true }],
    }), { timing: 'instant' });
    const zeros = await fp(t, 11);
    expect((await written(t, 10, { offset: 0, length: '2M', seed: 1 })).snapshotDataChunks).toBe(2);
    expect(await fp(t, 11)).toBe(zeros);
    expect(await fp(t, 10)).not.toBe(zeros);
    // Zeros take no pool space; data does.
    expect((await written(t, 10, { offset: 0, length: '2M', seed: 2 })).snapshotDataChunks).toBe(0);
    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: true } }));
    const image = await fp(t, 10);
    expect((await written(t, 10, { offset: 0, length: '2M', seed: 3 })).snapshotDataChunks).toBe(2);
    expect(await fp(t, 11)).toBe(image);
    expect((await pool(t, 1)).snapshotUsedCapacity).toBe(2);
  });
});
