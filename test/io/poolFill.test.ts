import { describe, expect, it } from 'vitest';
import { expectJobFailed } from '../api/snapshotKit.js';
import {
  EMU, MiB, SID, act, createPair, del, expectSucceeded, fp, pool, snapBody, startIo, statusOf, write, written, type TestApp,
  closeAfterEach,
} from './ioKit.js';

let t: TestApp;
closeAfterEach(() => t);

const status = async (...mus: number[]) => Promise.all(mus.map((mu) => statusOf(t, 10, mu)));
const tiPool = async () => {
  const p = await pool(t, 1);
  return [p.poolStatus, p.usedCapacityRate, p.snapshotUsedCapacity, p.availableVolumeCapacity];
};

describe('pool space drives pair statuses', () => {
  it('a workload fills a Thin Image pool: PFUS/PFUL over the warning threshold, PSUE and POLF when full; resync brings it back', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    await written(t, 10, { offset: 0, length: '200M', seed: 100 });
    const image = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(10, undefined)));
    expect(await status(0, 1)).toEqual(['PSUS', 'PAIR']);

    const started = await t.http.post(`${EMU}/io/workloads`).send({ ldevId: 10, ratePerSecond: 10, durationSeconds: 20 });
    expect(started.status).toBe(201);
    expect(started.body).toEqual({
      id: 'w1', storageDeviceId: SID, ldevId: 10, state: 'running', ratePerSecond: 10, MiBps: 10, ioSize: MiB, random: false, seed: 1,
      offset: 0, length: 1024 * MiB, durationSeconds: 20, startTime: '2026-01-05T10:00:00.000Z', endTime: '2026-01-05T10:00:20.000Z',
      writes: 0, bytesWritten: 0, plannedWrites: 200, nextTime: '2026-01-05T10:00:01.000Z',
    });

    // One chunk of snapshot data per write: 80 % is not over the 80 % warning threshold yet.
    t.advance(8);
    expect(await tiPool()).toEqual(['POLN', 80, 80, 20]);
    expect(await status(0, 1)).toEqual(['PSUS', 'PAIR']);
    t.advance(1);
    expect(await tiPool()).toEqual(['POLN', 90, 90, 10]);
    expect(await status(0, 1)).toEqual(['PFUS', 'PFUL']);
    // Over the threshold no pair can be created.
    expectJobFailed(await createPair(t, snapBody(10, undefined)), '2E30', '6010');
    // The split S-VOL is still there to read.
    expect(await fp(t, 11)).toBe(image);

    t.advance(1);
    expect(await tiPool()).toEqual(['POLF', 100, 100, 0]);
    expect(await status(0, 1)).toEqual(['PSUE', 'PSUE']);
    // Host writes to the P-VOL go on; the suspended snapshots take no more data.
    t.advance(10);
    const done = (await t.http.get(`${EMU}/io/workloads/w1`)).body;
    expect(done).toMatchObject({ state: 'completed', writes: 200, bytesWritten: 200 * MiB, stoppedTime: '2026-01-05T10:00:20.000Z' });
    expect(done).not.toHaveProperty('nextTime');
    expect(await tiPool()).toEqual(['POLF', 100, 100, 0]);

    // Freeing space: resync drops the suspended pair's snapshot data.
    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: false } }));
    expect(await tiPool()).toEqual(['POLN', 0, 0, 100]);
    expect(await status(0, 1)).toEqual(['PAIR', 'PSUE']);
    expectSucceeded(await act(t, 10, 1, 'resync', { parameters: { autoSplit: false } }));
    expect(await status(0, 1)).toEqual(['PAIR', 'PAIR']);
    expectSucceeded(await createPair(t, snapBody(10, undefined)));
  });

  it('freeing space brings PFUS back to PSUS and PFUL back to PAIR', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    await written(t, 10, { offset: 0, length: '100M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(10, 12)));
    expectSucceeded(await createPair(t, snapBody(10, undefined)));
    const w = await written(t, 10, { offset: 0, length: '90M', seed: 2 });
    expect(w).toMatchObject({ snapshotDataChunks: 90, pairsChanged: ['10,0', '10,1', '10,2'] });
    expect(await status(0, 1, 2)).toEqual(['PFUS', 'PFUL', 'PFUL']);
    expectSucceeded(await act(t, 10, 1, 'split'));
    expect(await status(0, 1, 2)).toEqual(['PFUS', 'PFUS', 'PFUL']);
    // The 90 chunks were only read by the first snapshot.
    expectSucceeded(await del(t, 10, 0));
    expect(await tiPool()).toEqual(['POLN', 0, 0, 100]);
    expect(await status(1, 2)).toEqual(['PSUS', 'PAIR']);
  });

  it('an S-VOL write the pool cannot hold is refused whole', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: 0, length: '60M', seed: 1 });
    const image = await fp(t, 11);
    const r = await write(t, 11, { offset: '50M', length: '60M', seed: 2 });
    expect([r.status, r.body]).toEqual([409, {
      error: 'poolFull', message: 'pool 1 has 40 MiB free; the S-VOL write needs 50 MiB of snapshot data: nothing was written',
    }]);
    expect(await fp(t, 11)).toBe(image);
    expect(await tiPool()).toEqual(['POLN', 60, 60, 40]);
    expect(await statusOf(t, 10, 0)).toBe('PSUS');
  });

  it('a pair that enters PAIR or PSUS in a pool over its threshold shows PFUL or PFUS at once', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    await written(t, 10, { offset: 0, length: '100M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(10, 12, { autoSplit: true })));
    // 85 chunks kept once for both snapshots.
    await written(t, 10, { offset: 0, length: '85M', seed: 2 });
    expect(await status(0, 1)).toEqual(['PFUS', 'PFUS']);
    // The first snapshot still reads the 85 chunks: the resync frees nothing, the pair ends in PAIR over the threshold.
    expectSucceeded(await act(t, 10, 1, 'resync', { parameters: { autoSplit: false } }));
    expect(await tiPool()).toEqual(['POLN', 85, 85, 15]);
    expect(await status(0, 1)).toEqual(['PFUS', 'PFUL']);
    expectSucceeded(await act(t, 10, 1, 'split'));
    expect(await status(1)).toEqual(['PFUS']);
    expectSucceeded(await act(t, 10, 1, 'resync', { parameters: { autoSplit: true } }));
    expect(await status(1)).toEqual(['PFUS']);
  });
});
