import { describe, expect, it } from 'vitest';
import {
  EMU, MiB, OBJ, PAGE_BLOCKS, SID, createPair, expectSucceeded, fingerprintOf, fp, ioFixture, ldevBody, pool, snapBody, startIo, write, written,
  type TestApp,
  closeAfterEach,
} from './ioKit.js';
import { startApp } from '../helpers.js';

let t: TestApp;
closeAfterEach(() => t);

describe('volume content: host writes and fingerprints', () => {
  it('equal content fingerprints equal however it was written; different data does not', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12, capacity: '2G' }] });
    const fresh = (await fingerprintOf(t, 10)).body;
    expect(fresh).toMatchObject({
      storageDeviceId: SID, ldevId: 10, offset: 0, length: 1024 * MiB, chunkSize: MiB, role: 'volume', algorithm: 'sha256', nonZeroChunks: 0,
    });
    expect(fresh.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await fp(t, 11)).toBe(fresh.fingerprint);
    // The size is part of the content: a 2 GiB zero volume is not a 1 GiB one.
    expect(await fp(t, 12)).not.toBe(fresh.fingerprint);

    // One write of 4 MiB of "AB" on LDEV 10, two writes of 2 MiB on LDEV 11: the same bytes.
    const w = await written(t, 10, { offset: 0, length: '4M', pattern: 'AB' });
    expect(w).toEqual({
      storageDeviceId: SID, ldevId: 10, offset: 0, length: 4 * MiB, chunkSize: MiB, role: 'volume',
      chunks: 4, snapshotDataChunks: 0, allocatedPages: 1, pairsChanged: [],
    });
    await written(t, 11, { offset: '2M', length: '2M', pattern: 'ABAB' });
    await written(t, 11, { offset: 0, length: 2 * MiB, pattern: '0x4142' });
    expect(await fp(t, 11)).toBe(await fp(t, 10));
    expect((await fingerprintOf(t, 10)).body.nonZeroChunks).toBe(4);

    await written(t, 11, { offset: '1M', length: '1M', pattern: 'AC' });
    expect(await fp(t, 11)).not.toBe(await fp(t, 10));
    // Zeros written over data read like space never written.
    await written(t, 11, { offset: 0, length: '4M', pattern: '0x00' });
    expect(await fp(t, 11)).toBe(fresh.fingerprint);
  });

  it('seeded data depends on the distance from the write start, so ranges compare across offsets and volumes', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    await written(t, 10, { offset: 0, length: '3M', seed: 5 });
    await written(t, 11, { offset: '100M', length: '3M', seed: 5 });
    expect(await fp(t, 10, { offset: 0, length: '3M' })).toBe(await fp(t, 11, { offset: '100M', length: 3 * MiB }));
    expect(await fp(t, 10)).not.toBe(await fp(t, 11));
    await written(t, 11, { offset: '200M', length: '3M', seed: 6 });
    expect(await fp(t, 10, { offset: 0, length: '3M' })).not.toBe(await fp(t, 11, { offset: '200M', length: '3M' }));
  });

  it('a partial-chunk write changes only the chunk it touches; fingerprint ranges widen to whole chunks', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    await written(t, 10, { offset: 0, length: '2M', seed: 1 });
    await written(t, 11, { offset: 0, length: '2M', seed: 1 });
    const r = await written(t, 10, { offset: '1028K', length: '4K', pattern: 'x' });
    expect(r).toMatchObject({ chunks: 1, allocatedPages: 0 });
    const range = (await fingerprintOf(t, 10, { offset: '1M', length: 512 })).body;
    expect(range).toMatchObject({ offset: MiB, length: MiB, nonZeroChunks: 1 });
    expect(await fp(t, 10, { offset: 0, length: '1M' })).toBe(await fp(t, 11, { offset: 0, length: '1M' }));
    expect(range.fingerprint).not.toBe(await fp(t, 11, { offset: '1M', length: '1M' }));
    // The same partial write on the same old content gives the same content.
    await written(t, 11, { offset: 1028 * 1024, length: 4096, pattern: 'x' });
    expect(await fp(t, 11)).toBe(await fp(t, 10));
  });

  it('a DP volume allocates a 42 MiB pool page on its first write to it: numOfUsedBlock and pool capacity follow', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }] });
    const before = await pool(t, 0);
    expect((await ldevBody(t, 10)).numOfUsedBlock).toBe(0);
    expect((await written(t, 10, { offset: 0, length: '1M', seed: 1 })).allocatedPages).toBe(1);
    expect((await ldevBody(t, 10)).numOfUsedBlock).toBe(PAGE_BLOCKS);
    expect((await written(t, 10, { offset: '41M', length: '1M', seed: 1 })).allocatedPages).toBe(0);
    // 41 MiB + 2 MiB crosses into the second page.
    expect((await written(t, 10, { offset: '41M', length: '2M', seed: 2 })).allocatedPages).toBe(1);
    expect((await ldevBody(t, 10)).numOfUsedBlock).toBe(2 * PAGE_BLOCKS);
    const after = await pool(t, 0);
    expect(after.availableVolumeCapacity).toBe((before.availableVolumeCapacity as number) - 84);
    expect(after.totalLocatedCapacity).toBe(before.totalLocatedCapacity);
    expect(after.snapshotUsedCapacity).toBe(0);
  });

  it('pages add to the capacity a fixture declares used; a fully allocated volume stays at its size', async () => {
    t = await startIo();
    // LDEV 2: 100 GiB with 40 GiB used (fixture); LDEV 0 made fully allocated.
    await written(t, 2, { offset: '99G', length: '1M', seed: 1 });
    expect((await ldevBody(t, 2)).numOfUsedBlock).toBe(40 * 1024 * 2048 + PAGE_BLOCKS);
    const r = await t.http.patch(`${OBJ}/ldevs/0`).set(t.auth).send({ isFullAllocationEnabled: true });
    expect(r.body.state).toBe('Succeeded');
    await written(t, 0, { offset: 0, length: '1M', seed: 1 });
    expect((await ldevBody(t, 0)).numOfUsedBlock).toBe(10 * 1024 * 2048);
  });

  it('a write the DP pool cannot hold is refused and changes nothing', async () => {
    const fixture = ioFixture();
    const a = fixture.arrays[0]!;
    (a.pools as unknown[]).push({ poolId: 2, poolName: 'SMALL', poolType: 'HDP', capacity: '100M' });
    a.ldevs = [...(a.ldevs ?? []), { ldevId: 20, capacity: '1G', poolId: 2 }];
    t = await startApp({ fixture, timing: 'instant' });
    await written(t, 20, { offset: 0, length: '1M', seed: 1 });
    await written(t, 20, { offset: '42M', length: '1M', seed: 1 });
    const image = await fp(t, 20);
    const r = await write(t, 20, { offset: '83M', length: '2M', seed: 2 });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ error: 'poolFull', message: 'DP pool 2 has 16 MiB free; the write needs 1 new page(s) of 42 MiB (42 MiB): nothing was written' });
    expect(await fp(t, 20)).toBe(image);
    expect((await ldevBody(t, 20)).numOfUsedBlock).toBe(2 * PAGE_BLOCKS);
    expect(await pool(t, 2)).toMatchObject({ availableVolumeCapacity: 16, usedCapacityRate: 84 });
  });

  it('deleting an LDEV deletes its content: a new LDEV with its id reads zeros', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    const zeros = await fp(t, 10);
    await written(t, 10, { offset: 0, length: '8M', seed: 3 });
    expectSucceeded(await t.http.delete(`${OBJ}/ldevs/10`).set(t.auth));
    expect((await fingerprintOf(t, 10)).status).toBe(404);
    expectSucceeded(await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 10, poolId: 0, byteFormatCapacity: '1G' }));
    expect(await fp(t, 10)).toBe(zeros);
    expect((await ldevBody(t, 10)).numOfUsedBlock).toBe(0);
  });
});

describe('host I/O endpoints refuse bad requests clearly', () => {
  it('400 for bad ranges and data, 404 for unknown arrays and LDEVs, 409 for volumes hosts cannot reach', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    const bad = (message: string) => ({ error: 'badRequest', message });
    const cases: Array<[Record<string, unknown>, number, unknown]> = [
      [{ ldevId: 10, length: '1M' }, 400, bad('give the data to write: "pattern" or "seed"')],
      [{ ldevId: 10, length: '1M', seed: 1, pattern: 'a' }, 400, bad('give "pattern" or "seed", not both')],
      [{ ldevId: 10, length: '1M', pattern: '0xabc' }, 400, bad('pattern must be text or 0x followed by hex byte pairs, 1 to 4096 bytes')],
      [{ ldevId: 10, length: '1Q', seed: 1 }, 400, bad('length must be a whole number of bytes or a size like "4K", "1M", "1.5G" (got "1Q")')],
      [{ ldevId: 10, length: 1000, seed: 1 }, 400, bad('write: offset and length are whole 512-byte blocks (got 0, 1000)')],
      [{ ldevId: 10, length: 0, seed: 1 }, 400, bad('write: length must be > 0')],
      [{ ldevId: 10, offset: '1023M', length: '2M', seed: 1 }, 400, bad('write: bytes 1072693248..1074790400 are beyond the end of LDEV 10 (1073741824 bytes)')],
      [{ ldevId: 10, length: '1M', seed: -1 }, 400, bad('body/seed must be >= 0')],
      [{ ldevId: 10, length: '1M', seed: 1, extra: true }, 400, bad('body must NOT have additional properties')],
      [{ length: '1M', seed: 1 }, 400, bad("body must have required property 'ldevId'")],
      [{ ldevId: 99, length: '1M', seed: 1 }, 404, { error: 'notFound', message: `LDEV 99 is not defined on array ${SID}` }],
      [{ storageDeviceId: '999999999999', ldevId: 10, length: '1M', seed: 1 }, 404, { error: 'notFound', message: 'no array 999999999999' }],
    ];
    for (const [body, status, answer] of cases) {
      const r = await t.http.post(`${EMU}/io/write`).send(body);
      expect([r.status, r.body], JSON.stringify(body)).toEqual([status, answer]);
    }
    expect((await fingerprintOf(t, 10, { offset: '2G' })).body).toEqual(bad('fingerprint: offset 2147483648 is beyond the end of LDEV 10 (1073741824 bytes)'));
    expect((await fingerprintOf(t, 10, { length: 'x' })).body).toEqual(bad('length must be a whole number of bytes or a size like "4K", "1M", "1.5G" (got "x")'));
    expect((await t.http.get(`${EMU}/io/fingerprint`)).body).toEqual(bad("querystring must have required property 'ldevId'"));

    // A Thin Image V-VOL has no capacity outside a pair; an S-VOL is out of reach unless its pair is split.
    expectSucceeded(await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 30, poolId: -1, byteFormatCapacity: '1G' }).set('x-vsp-emulator-instant', '1'));
    expect((await write(t, 30, { length: '1M', seed: 1 })).body).toEqual({
      error: 'volumeNotAccessible', message: 'LDEV 30 is a Thin Image V-VOL outside a pair: it has no capacity of its own to write to',
    });
    expectSucceeded(await createPair(t, snapBody(10, 11)));
    const svolPair = { error: 'volumeNotAccessible', message: 'LDEV 11 is the S-VOL of pair 10,0 in PAIR: hosts cannot write it (an S-VOL is accessible in PSUS and PFUS only)' };
    const r = await write(t, 11, { length: '1M', seed: 1 });
    expect([r.status, r.body]).toEqual([409, svolPair]);
    expect((await fingerprintOf(t, 11)).body).toEqual({ ...svolPair, message: svolPair.message.replace('write', 'read') });
    // The P-VOL stays a host volume.
    expect((await written(t, 10, { length: '1M', seed: 1 })).role).toBe('P-VOL');
  });
});
