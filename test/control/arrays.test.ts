import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { CINDER_WAIT, EMU, OBJ, SID, heldRequests, startControl } from './support.js';

const INSTANT = { 'x-vsp-emulator-instant': 'true' };

describe('arrays on demand', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  const login = async (sid: string) => {
    const res = await t.http.post(`${OBJ}/storages/${sid}/sessions`).auth('maintenance', 'raid-maintenance');
    expect(res.status).toBe(200);
    return { Authorization: `Session ${res.body.token}` };
  };
  const sids = async () => (await t.http.get(`${OBJ}/storages`)).body.data.map((s: { storageDeviceId: string }) => s.storageDeviceId);

  it('creates arrays from the current fixture with the next free serials, each a full array of its own', async () => {
    const a = await t.http.post(`${EMU}/arrays`);
    expect(a.status).toBe(201);
    expect(a.body).toEqual({ storageDeviceId: '936000123457', model: 'VSP E990', serialNumber: 123457, fixture: 'default', onDemand: true });
    const b = await t.http.post(`${EMU}/arrays`).send({});
    expect(b.body.storageDeviceId).toBe('936000123458');
    expect(await sids()).toEqual([SID, '936000123457', '936000123458']);
    expect((await t.http.get(`${EMU}/arrays`)).body.data).toEqual([
      { storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456, fixture: 'default', onDemand: false },
      a.body, b.body,
    ]);

    const auth = await login('936000123457');
    const scoped = `${OBJ}/storages/936000123457`;
    const storage = await t.http.get(scoped).set(auth);
    expect(storage.body).toMatchObject({ storageDeviceId: '936000123457', serialNumber: 123457, model: 'VSP E990' });
    expect((await t.http.get(`${scoped}/pools`).set(auth)).body.data.map((p: { poolName: string }) => p.poolName)).toEqual(['HDP_POOL_0', 'TI_POOL_1']);
    await t.http.post(`${scoped}/ldevs`).set(auth).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    expect((await t.http.get(`${scoped}/ldevs/100`).set(auth)).body.emulationType).toBe('OPEN-V-CVS');
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
    // A session of one array is not a session of another.
    expect((await t.http.get(`${OBJ}/storages/936000123458/ldevs/0`).set(auth)).status).toBe(401);
  });

  it('takes an explicit id or serial, another fixture, another model, or an inline array with pairs', async () => {
    expect((await t.http.post(`${EMU}/arrays`).send({ storageDeviceId: '936000000042' })).body).toMatchObject({ storageDeviceId: '936000000042', serialNumber: 42 });
    expect((await t.http.post(`${EMU}/arrays`).send({ serialNumber: 7 })).body.storageDeviceId).toBe('936000000007');
    expect((await t.http.post(`${EMU}/arrays`).send({ fixture: 'g900' })).body).toMatchObject({ storageDeviceId: '886000123456', model: 'VSP G900', fixture: 'g900' });
    expect((await t.http.post(`${EMU}/arrays`).send({ fixture: 'g900' })).body.storageDeviceId).toBe('886000123457');
    expect((await t.http.post(`${EMU}/arrays`).send({ model: 'VSP 5500', serialNumber: 5 })).body).toMatchObject({ storageDeviceId: '900000000005', model: 'VSP 5500' });
    const inline = await t.http.post(`${EMU}/arrays`).send({
      array: {
        model: 'VSP E590', serialNumber: 400001,
        pools: [{ poolId: 0, poolName: 'DP', poolType: 'HDP', capacity: '10T' }, { poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '1T' }],
        ldevs: [{ ldevId: 1, capacity: '10G', poolId: 0 }, { ldevId: 2, capacity: '10G', poolId: 0 }],
        pairs: [{ pvolLdevId: 1, muNumber: 3, svolLdevId: 2, snapshotGroupName: 'nightly', snapshotPoolId: 1, status: 'PSUS', canCascade: true }],
      },
    });
    expect(inline.body).toMatchObject({ storageDeviceId: '934000400001', model: 'VSP E590', serialNumber: 400001 });
    const auth = await login('934000400001');
    const pair = await t.http.get(`${OBJ}/storages/934000400001/snapshots/1,3`).set(auth);
    expect(pair.body).toMatchObject({ snapshotGroupName: 'nightly', status: 'PSUS', svolLdevId: 2 });
  });

  it('refuses ids in use, bad ids and unknown models or fixtures', async () => {
    const taken = await t.http.post(`${EMU}/arrays`).send({ storageDeviceId: SID });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ error: 'conflict', message: `array ${SID} already exists` });
    expect((await t.http.post(`${EMU}/arrays`).send({ storageDeviceId: '12' })).status).toBe(400);
    expect((await t.http.post(`${EMU}/arrays`).send({ model: 'VSP X' })).status).toBe(400);
    expect((await t.http.post(`${EMU}/arrays`).send({ fixture: 'no-such' })).status).toBe(404);
    expect((await t.http.post(`${EMU}/arrays`).send({ from: 'nope' })).status).toBe(404);
    expect((await t.http.post(`${EMU}/arrays`).send({ color: 'red' })).status).toBe(400);
    expect(await sids()).toEqual([SID]);
  });

  it('deletes an array with every row it owns, answering its held requests first', async () => {
    const other = (await t.http.post(`${EMU}/arrays`)).body.storageDeviceId as string;
    const auth = await login(other);
    const waiting = Promise.resolve(t.http.post(`${OBJ}/storages/${other}/ldevs`).set(auth).set(CINDER_WAIT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 }));
    await heldRequests(t, 1);
    const del = await t.http.delete(`${EMU}/arrays/${other}`);
    expect(del.status).toBe(204);
    expect((await waiting).body).toMatchObject({ status: 'Initializing', state: 'Queued' });
    expect(await sids()).toEqual([SID]);
    const rows = (await t.http.get(`${EMU}/state`)).body.tables as Record<string, Array<{ sid?: string }>>;
    for (const [table, list] of Object.entries(rows)) expect(list.filter((r) => r.sid === other), table).toEqual([]);
    expect((await t.http.delete(`${EMU}/arrays/${other}`)).status).toBe(404);
    const last = await t.http.delete(`${EMU}/arrays/${SID}`);
    expect(last.status).toBe(409);
    expect(last.body).toEqual({ error: 'conflict', message: 'the last array cannot be deleted (reset instead)' });
  });

  it('keeps at most 64 arrays: the 65th is refused with 409 limitReached and none is half-made', async () => {
    for (let i = 1; i < 64; i++) expect((await t.http.post(`${EMU}/arrays`).send({})).status).toBe(201);
    const full = await t.http.post(`${EMU}/arrays`).send({});
    expect(full.status).toBe(409);
    expect(full.body.error).toBe('limitReached');
    expect(full.body.message).toContain('at most 64 arrays');
    expect((await sids()).length).toBe(64);
    expect((await t.http.delete(`${EMU}/arrays/936000123457`)).status).toBe(204);
    expect((await t.http.post(`${EMU}/arrays`).send({})).status).toBe(201);
  }, 60_000);

  it('an array on demand from a training fixture holds its written content, and so does a reset of that array alone', async () => {
    const a = await t.http.post(`${EMU}/arrays`).send({ fixture: 'training-pool-full' });
    expect(a.status).toBe(201);
    const sid = a.body.storageDeviceId as string;
    const fp = async (ldevId: number) => (await t.http.get(`${EMU}/io/fingerprint?storageDeviceId=${sid}&ldevId=${ldevId}&length=15G`)).body;
    const pvol = await fp(0);
    expect(pvol.nonZeroChunks).toBe(15 * 1024);
    expect((await fp(10)).fingerprint).toBe(pvol.fingerprint); // its split S-VOL reads the same data
    await t.http.post(`${EMU}/io/write`).send({ storageDeviceId: sid, ldevId: 0, offset: 0, length: '1G', seed: 7 });
    expect((await fp(0)).fingerprint).not.toBe(pvol.fingerprint);
    expect((await t.http.post(`${EMU}/reset`).send({ storageDeviceId: sid })).status).toBe(200);
    expect(await fp(0)).toEqual(pvol);
  });
});

