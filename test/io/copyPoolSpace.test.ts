import { describe, expect, it } from 'vitest';
import {
  act, closeAfterEach, createPair, expectSucceeded, fp, ioFixture, ldevBody, pool, snapBody, startIo, statusOf, written, type TestApp,
} from './ioKit.js';
import { startApp } from '../helpers.js';

/**
 * DP pages a clone copy end (S-VOL) or a restore (P-VOL) allocates are checked against the pool's free space as host
 * writes are (fidelity.copyChecksPoolSpace): without room the copy fails whole, the pair is PSUE, nothing is allocated.
 */

let t: TestApp;
closeAfterEach(() => t);

/** The I/O fixture plus HDP pool 2 of `mib` MiB (42 MiB pages) holding the given LDEVs; the rest are 1 GiB in pool 0. */
function start(mib: number, inPool2: number[], fidelity: Record<string, unknown> = {}) {
  const fx = ioFixture({ tiPoolMiB: 1000, fidelity, ldevs: [10, 11].map((ldevId) => ({ ldevId, poolId: inPool2.includes(ldevId) ? 2 : 0 })) });
  fx.arrays[0]!.pools!.push({ poolId: 2, poolName: 'SMALL', poolType: 'HDP', capacity: `${mib}M`, warningThreshold: 85, depletionThreshold: 90 } as never);
  return startApp({ fixture: fx, timing: 'instant' });
}
const poolFields = async (id: number) => {
  const p = await pool(t, id);
  return [p.poolStatus, p.usedCapacityRate, p.availableVolumeCapacity];
};

describe('pool space at clone end and restore', () => {
  it('a clone copy whose S-VOL pool lacks room for its pages fails: PSUE, the S-VOL allocates nothing, the pool is unchanged', async () => {
    t = await start(126, [11]);
    await written(t, 10, { offset: 0, length: '200M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { isClone: true, clonesAutomation: true })));
    expect(await statusOf(t, 10, 0)).toBe('PSUE');
    expect((await ldevBody(t, 11)).numOfUsedBlock).toBe(0);
    expect(await poolFields(2)).toEqual(['POLN', 0, 126]);
  });

  it('the same copy with room ends as before: the pair goes, the S-VOL holds its pages', async () => {
    t = await start(252, [11]);
    await written(t, 10, { offset: 0, length: '200M', seed: 1 });
    const image = await fp(t, 10);
    expectSucceeded(await createPair(t, snapBody(10, 11, { isClone: true, clonesAutomation: true })));
    expect(await statusOf(t, 10, 0)).toBeUndefined();
    expect((await ldevBody(t, 11)).numOfUsedBlock).toBe(5 * 42 * 2048);
    expect(await fp(t, 11)).toBe(image);
    expect(await poolFields(2)).toEqual(['POLN', 83, 42]);
  });

  it('fidelity copyChecksPoolSpace=false: the clone end allocates regardless and the pool ends full (POLF)', async () => {
    t = await start(126, [11], { copyChecksPoolSpace: false });
    await written(t, 10, { offset: 0, length: '200M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { isClone: true, clonesAutomation: true })));
    expect(await statusOf(t, 10, 0)).toBeUndefined();
    expect((await pool(t, 2)).poolStatus).toBe('POLF');
  });

  it('a restore whose P-VOL pool lacks room for the new pages fails: PSUE, the P-VOL keeps its data, the pool is unchanged', async () => {
    t = await start(168, [10]);
    await written(t, 10, { offset: 0, length: '84M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expect(await statusOf(t, 10, 0)).toBe('PSUS');
    // S-VOL writes over chunks 200-299: restoring them needs four new P-VOL pages (168 MiB), 84 MiB are free.
    await written(t, 11, { offset: 200 * 2 ** 20, length: '100M', seed: 2 });
    const before = await fp(t, 10);
    const used = (await ldevBody(t, 10)).numOfUsedBlock;
    expect(await poolFields(2)).toEqual(['POLN', 50, 84]);
    expectSucceeded(await act(t, 10, 0, 'restore', { parameters: { autoSplit: false } }));
    expect(await statusOf(t, 10, 0)).toBe('PSUE');
    expect(await fp(t, 10)).toBe(before);
    expect((await ldevBody(t, 10)).numOfUsedBlock).toBe(used);
    expect(await poolFields(2)).toEqual(['POLN', 50, 84]);
  });

  it('the same restore with room allocates the pages and ends in PAIR', async () => {
    t = await start(336, [10]);
    await written(t, 10, { offset: 0, length: '84M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 11, { offset: 200 * 2 ** 20, length: '100M', seed: 2 });
    const svol = await fp(t, 11);
    expectSucceeded(await act(t, 10, 0, 'restore', { parameters: { autoSplit: false } }));
    expect(await statusOf(t, 10, 0)).toBe('PAIR');
    expect(await fp(t, 10)).toBe(svol);
    expect(await poolFields(2)).toEqual(['POLN', 75, 84]);
  });
});
