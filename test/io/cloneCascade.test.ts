import { describe, expect, it } from 'vitest';
import {
  SID, act, createPair, del, expectSucceeded, fingerprintOf, fp, getPair, ldevBody, PAGE_BLOCKS, pool, snapBody, startIo, written, type TestApp,
  closeAfterEach,
} from './ioKit.js';

let t: TestApp;
closeAfterEach(() => t);

const snapshotUsed = async () => (await pool(t, 1)).snapshotUsedCapacity;

describe('clones', () => {
  it('a clone S-VOL reads as the P-VOL at clone time, its own copy once the pair is gone, independent afterwards', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] }, { timing: 'realistic' });
    expectSucceeded(await createPair(t, snapBody(10, 11, { isClone: true })));
    t.advance(2);
    expect((await getPair(t, 10, 0)).body.status).toBe('PAIR');
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    await written(t, 10, { offset: '100M', length: '1M', seed: 1 });
    const atClone = await fp(t, 10);

    expectSucceeded(await act(t, 10, 0, 'clone', { parameters: { copySpeed: 'medium' } }));
    // medium: 2 s per GiB of P-VOL, 1 GiB.
    t.advance(1);
    expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PSUP', progressRate: 50, concordanceRate: 50 });
    expect((await fingerprintOf(t, 11)).body).toEqual({
      error: 'volumeNotAccessible', message: 'LDEV 11 is the S-VOL of pair 10,0 in PSUP: hosts cannot read it (an S-VOL is accessible in PSUS and PFUS only)',
    });
    // Writes during the copy keep the clone-time data in the pool until the copy is over.
    expect((await written(t, 10, { offset: 0, length: '2M', seed: 2 })).snapshotDataChunks).toBe(2);
    expect(await snapshotUsed()).toBe(2);

    t.advance(1);
    expect((await getPair(t, 10, 0)).body.status).toBe('SMPP');
    expect(await snapshotUsed()).toBe(0);
    t.advance(1);
    expect((await getPair(t, 10, 0)).status).toBe(404);
    const copy = (await fingerprintOf(t, 11)).body;
    expect(copy).toMatchObject({ fingerprint: atClone, role: 'volume', nonZeroChunks: 5 });
    // The copy allocated the pages of its data (chunks 0-3 and 100: two pages).
    expect((await ldevBody(t, 11)).numOfUsedBlock).toBe(2 * PAGE_BLOCKS);
    expect((await ldevBody(t, 11)).attributes).toEqual(['CVS', 'HDP']);

    const pvol = await fp(t, 10);
    await written(t, 10, { offset: '8M', length: '1M', seed: 3 });
    expect(await fp(t, 11)).toBe(atClone);
    await written(t, 11, { offset: 0, length: '1M', seed: 4 });
    expect(await fp(t, 11)).not.toBe(atClone);
    expect(await fp(t, 10)).not.toBe(pvol);
    await written(t, 10, { offset: '8M', length: '1M', pattern: '0x00' });
    expect(await fp(t, 10)).toBe(pvol);
  });

  it('a clone copy that fails leaves its S-VOL without the copied data', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] }, { timing: 'realistic' });
    const zeros = await fp(t, 11);
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { isClone: true, clonesAutomation: true })));
    t.advance(3);
    expect((await getPair(t, 10, 0)).body.status).toBe('PSUP');
    expect(t.engine.pairHooks.suspendPairs!(SID, { pvolLdevId: 10 })).toEqual(['10,0']);
    expect((await getPair(t, 10, 0)).body.status).toBe('PSUE');
    expect((await fingerprintOf(t, 11)).status).toBe(409);
    expect(await snapshotUsed()).toBe(0);
    expectSucceeded(await del(t, 10, 0));
    t.advance(2);
    expect((await getPair(t, 10, 0)).status).toBe(404);
    expect(await fp(t, 11)).toBe(zeros);
    expect((await ldevBody(t, 11)).numOfUsedBlock).toBe(0);
  });
});

describe('cascaded snapshots', () => {
  it('read through their layers, and keep their data when an upper layer is resynchronised', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }, { ldevId: 13 }] });
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: 0, length: '1M', pattern: 'L1' });
    const l1AtL2Split = await fp(t, 11);
    // L2: the S-VOL of the L1 pair is the P-VOL.
    expectSucceeded(await createPair(t, snapBody(11, 12, { autoSplit: true })));
    expect(await fp(t, 12)).toBe(l1AtL2Split);
    expect(await written(t, 11, { offset: 0, length: '2M', seed: 5 })).toMatchObject({ role: 'S-VOL', snapshotId: '10,0', snapshotDataChunks: 2 });
    expect(await written(t, 10, { offset: 0, length: '4M', seed: 6 })).toMatchObject({ role: 'P-VOL', snapshotDataChunks: 4 });
    // L3 under L2.
    expectSucceeded(await createPair(t, snapBody(12, 13, { autoSplit: true })));
    expect(await fp(t, 12)).toBe(l1AtL2Split);
    expect(await fp(t, 13)).toBe(l1AtL2Split);
    expect(await fp(t, 11)).not.toBe(l1AtL2Split);
    // Pool 1: the L1 S-VOL writes (2 chunks), copies for L2 (2) and for L1 (4).
    expect(await snapshotUsed()).toBe(8);

    // Resync of L1: its S-VOL no longer shows the old snapshot, so L2 keeps the chunks it still read from it.
    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: false } }));
    expect((await getPair(t, 10, 0)).body.status).toBe('PAIR');
    expect((await fingerprintOf(t, 11)).status).toBe(409);
    expect(await fp(t, 12)).toBe(l1AtL2Split);
    expect(await fp(t, 13)).toBe(l1AtL2Split);
    expect(await snapshotUsed()).toBe(4);

    // Split L1 again: its S-VOL reads the P-VOL as it is now; the lower layers are unchanged.
    expectSucceeded(await act(t, 10, 0, 'split'));
    expect(await fp(t, 11)).toBe(await fp(t, 10));
    expect(await fp(t, 12)).toBe(l1AtL2Split);
    expect(await snapshotUsed()).toBe(4);
  });
});
