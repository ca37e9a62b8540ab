import { describe, expect, it } from 'vitest';
import {
  EMU, MiB, SID, act, ioFixture, createPair, expectSucceeded, fp, getPair, pool, snapBody, startIo, written, type TestApp,
  closeAfterEach,
} from './ioKit.js';

let t: TestApp;
let other: TestApp | undefined;
closeAfterEach(() => t, () => other);

const start = (app: TestApp, body: Record<string, unknown>) => app.http.post(`${EMU}/io/workloads`).send(body);
const workload = async (id: string) => (await t.http.get(`${EMU}/io/workloads/${id}`)).body;

describe('write workloads on the virtual clock', () => {
  it('a random workload repeats exactly from its seed; a checkpoint takes it back mid-run', async () => {
    const body = { ldevId: 10, ratePerSecond: 20, random: true, seed: 42, durationSeconds: 10, ioSize: '256K' };
    t = await startIo({ ldevs: [{ ldevId: 10 }] });
    expect((await start(t, body)).body).toMatchObject({ id: 'w1', random: true, seed: 42, ioSize: 256 * 1024, MiBps: 5, plannedWrites: 200 });
    t.advance(5);
    expect(await workload('w1')).toMatchObject({ state: 'running', writes: 100, bytesWritten: 100 * 256 * 1024 });
    expect((await t.http.post(`${EMU}/checkpoints/mid`).send({})).status).toBe(201);
    const mid = await fp(t, 10);
    t.advance(5);
    expect(await workload('w1')).toMatchObject({ state: 'completed', writes: 200 });
    const end = await fp(t, 10);
    expect(end).not.toBe(mid);

    expect((await t.http.post(`${EMU}/checkpoints/mid/restore`).send({})).status).toBe(200);
    expect(await workload('w1')).toMatchObject({ state: 'running', writes: 100 });
    expect(await fp(t, 10)).toBe(mid);
    t.advance(5);
    expect(await workload('w1')).toMatchObject({ state: 'completed', writes: 200 });
    expect(await fp(t, 10)).toBe(end);

    other = await startIo({ ldevs: [{ ldevId: 10 }] });
    await start(other, body);
    other.advance(10);
    expect(await fp(other, 10)).toBe(end);
    await start(other, { ...body, ldevId: 0, seed: 43 });
    other.advance(10);
    expect(await fp(other, 0)).not.toBe(await fp(other, 10));
  });

  it('rates below one write a second tick slower; MiBps and ioSize give the write rate', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }] });
    const slow = (await start(t, { ldevId: 10, ratePerSecond: 0.5, durationSeconds: 10, offset: '10M', length: '4M', pattern: 'slow' })).body;
    expect(slow).toMatchObject({ id: 'w1', ratePerSecond: 0.5, offset: 10 * MiB, length: 4 * MiB, pattern: 'slow', plannedWrites: 5, nextTime: '2026-01-05T10:00:02.000Z' });
    const fast = (await start(t, { ldevId: 10, MiBps: 5, ioSize: '256K', durationSeconds: 1 })).body;
    expect(fast).toMatchObject({ id: 'w2', ratePerSecond: 20, MiBps: 5, plannedWrites: 20 });
    t.advance(2);
    const list = (await t.http.get(`${EMU}/io/workloads`)).body.data;
    expect(list.map((w: { id: string; state: string; writes: number }) => [w.id, w.state, w.writes])).toEqual([['w1', 'running', 1], ['w2', 'completed', 20]]);
    t.advance(8);
    expect(await workload('w1')).toMatchObject({ state: 'completed', writes: 5 });
    // Sequential writes of the same pattern wrap round the 4 MiB region: chunks 10-13 hold "slow".
    expect((await t.http.get(`${EMU}/io/fingerprint`).query({ ldevId: 10, offset: '10M', length: '4M' })).body.nonZeroChunks).toBe(4);
  });

  it('a workload whose volume stops being writable ends failed; DELETE stops a running one and forgets it', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expect((await start(t, { ldevId: 11, ratePerSecond: 1, durationSeconds: 10 })).status).toBe(201);
    t.advance(2);
    expect((await getPair(t, 10, 0)).body.isWrittenInSvol).toBe(true);
    expect((await pool(t, 1)).snapshotUsedCapacity).toBe(2);
    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: false } }));
    t.advance(1);
    expect(await workload('w1')).toMatchObject({
      state: 'failed', writes: 2, stoppedTime: '2026-01-05T10:00:03.000Z',
      error: 'write 3 at 2026-01-05T10:00:03.000Z refused: LDEV 11 is the S-VOL of pair 10,0 in PAIR: hosts cannot write it (an S-VOL is accessible in PSUS and PFUS only)',
    });
    expect((await t.http.delete(`${EMU}/io/workloads/w1`)).body).toMatchObject({ id: 'w1', state: 'failed' });

    await written(t, 10, { offset: 0, length: '1M', seed: 1 });
    expect((await start(t, { ldevId: 10, ratePerSecond: 1, durationSeconds: 100 })).body.id).toBe('w2');
    t.advance(3);
    const stopped = await t.http.delete(`${EMU}/io/workloads/w2`);
    expect([stopped.status, stopped.body.state, stopped.body.writes, stopped.body.stoppedTime]).toEqual([200, 'stopped', 3, '2026-01-05T10:00:06.000Z']);
    const image = await fp(t, 10);
    t.advance(10);
    expect(await fp(t, 10)).toBe(image);
    expect((await t.http.get(`${EMU}/io/workloads`)).body).toEqual({ data: [] });
    expect((await t.http.get(`${EMU}/io/workloads/w2`)).status).toBe(404);
    expect((await t.http.delete(`${EMU}/io/workloads/w2`)).body).toEqual({ error: 'notFound', message: 'no workload w2' });
  });

  it('refuses bad workloads with 400, unknown volumes with 404, unreachable ones with 409', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    expectSucceeded(await createPair(t, snapBody(10, 11)));
    const bad = (message: string) => [400, { error: 'badRequest', message }];
    const cases: Array<[Record<string, unknown>, unknown[]]> = [
      [{ ldevId: 10, durationSeconds: 1 }, bad('give "ratePerSecond" or "MiBps"')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1, MiBps: 1 }, bad('give "ratePerSecond" or "MiBps"')],
      [{ ldevId: 10, durationSeconds: 0, ratePerSecond: 1 }, bad('body/durationSeconds must be > 0')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1e6 }, bad('the write rate must be > 0 and <= 100000 writes per second (got 1000000)')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1, ioSize: 1000 }, bad('ioSize must be whole 512-byte blocks, 512 B to 64 MiB (got 1000)')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1, offset: '1G' }, bad('the region 1073741824+0 is not inside LDEV 10 (1073741824 bytes)')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1, length: '512K' }, bad('the region (524288 bytes) is smaller than one write (1048576 bytes)')],
      [{ ldevId: 10, durationSeconds: 1, ratePerSecond: 1, pattern: '' }, bad('pattern must be text or 0x followed by hex byte pairs, 1 to 4096 bytes')],
      [{ ldevId: 99, durationSeconds: 1, ratePerSecond: 1 }, [404, { error: 'notFound', message: 'LDEV 99 is not defined on array 936000123456' }]],
      [{ ldevId: 11, durationSeconds: 1, ratePerSecond: 1 }, [409, {
        error: 'volumeNotAccessible', message: 'LDEV 11 is the S-VOL of pair 10,0 in PAIR: hosts cannot write it (an S-VOL is accessible in PSUS and PFUS only)',
      }]],
    ];
    for (const [body, answer] of cases) {
      const r = await start(t, body);
      expect([r.status, r.body], JSON.stringify(body)).toEqual(answer);
    }
    expect((await t.http.get(`${EMU}/io/workloads`)).body).toEqual({ data: [] });
  });
});

describe('host I/O and the rest of the control plane', () => {
  it('reset forgets content and workloads; the state export carries them; the OpenAPI document lists the routes', async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] });
    const zeros = await fp(t, 10);
    await written(t, 10, { offset: 0, length: '4M', seed: 1 });
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    await written(t, 10, { offset: 0, length: '4M', seed: 2 });
    await start(t, { ldevId: 10, ratePerSecond: 1, durationSeconds: 100 });
    const state = (await t.http.get(`${EMU}/state?tables=content_chunks,content_snapdata,content_gens,io_workloads`)).body.tables;
    expect([state.content_chunks.length, state.content_snapdata.length, state.content_gens.length, state.io_workloads.length]).toEqual([4, 4, 1, 1]);

    // The export is a fixture: loading it brings the content back.
    const image = await fp(t, 10);
    const snapshot = await fp(t, 11);
    const exported = (await t.http.get(`${EMU}/state`)).body;
    await written(t, 10, { offset: 0, length: '8M', seed: 3 });
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: exported })).status).toBe(200);
    expect([await fp(t, 10), await fp(t, 11)]).toEqual([image, snapshot]);
    expect((await t.http.get(`${EMU}/io/workloads`)).body.data.map((w: { id: string }) => w.id)).toEqual(['w1']);

    expect((await t.http.post(`${EMU}/reset`).send({ fixture: ioFixture({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }] }) })).status).toBe(200);
    expect(await fp(t, 10)).toBe(zeros);
    expect((await t.http.get(`${EMU}/io/workloads`)).body).toEqual({ data: [] });
    // (the reset ended the session: the pool is read from the model)
    expect(t.engine.res.getPool(SID, 1)!.snapshotUsedBlocks).toBe(0);
    t.advance(5);
    expect(await fp(t, 10)).toBe(zeros);

    const doc = (await t.http.get(`${EMU}/openapi.json`)).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/emulator/v1/io'))).toEqual([
      '/emulator/v1/io/write', '/emulator/v1/io/fingerprint', '/emulator/v1/io/workloads', '/emulator/v1/io/workloads/{id}',
    ]);
    expect(Object.keys(doc.paths['/emulator/v1/io/workloads/{id}']).sort()).toEqual(['delete', 'get']);
    expect(doc.paths['/emulator/v1/io/write'].post.requestBody.content['application/json'].schema.required).toEqual(['ldevId', 'length']);
  });
});
