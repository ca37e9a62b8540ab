import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { CINDER_WAIT, EMU, OBJ, SID, heldRequests, startControl } from './support.js';

const INSTANT = { 'x-vsp-emulator-instant': 'true' };

async function login(t: TestApp, prefix = OBJ): Promise<{ Authorization: string }> {
  const res = await t.http.post(`${prefix}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
  expect(res.status).toBe(200);
  return { Authorization: `Session ${res.body.token}` };
}

describe('POST /emulator/v1/reset', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  it('puts the model back to the fixture and clears sessions, faults and the journal', async () => {
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 })).body.state).toBe('Succeeded');
    expect((await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).set(INSTANT).send({ label: 'changed' })).body.state).toBe('Succeeded');
    expect((await t.http.post(`${EMU}/faults`).send({ match: { path: '/nowhere' }, effect: { type: 'http', status: 500 } })).status).toBe(201);

    const res = await t.http.post(`${EMU}/reset`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['storageDeviceIds', 'fixture', 'durationMs']);
    expect(res.body).toMatchObject({ storageDeviceIds: [SID], fixture: 'default' });

    const stale = await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
    expect(stale.status).toBe(401);
    expect(stale.body.messageId).toBe('KART40006-E');
    const auth = await login(t);
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(auth)).body.emulationType).toBe('NOT DEFINED');
    expect((await t.http.get(`${OBJ}/ldevs/1`).set(auth)).body.label).toBe('vol-app-02');
    expect((await t.http.get(`${EMU}/faults`)).body).toEqual({ data: [] });
    const journal = await t.http.get(`${EMU}/journal`);
    expect(journal.body.data.map((e: { method: string; path: string; status: number }) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      `GET ${OBJ}/ldevs/0 401`, `POST ${OBJ}/sessions 200`, `GET ${OBJ}/ldevs/100 200`, `GET ${OBJ}/ldevs/1 200`,
    ]);
  });

  it('ends a waiting Response-Job-Status request and in-flight jobs first; they do not re-create state afterwards', async () => {
    const waiting = Promise.resolve(t.http.post(`${OBJ}/ldevs`).set(t.auth).set(CINDER_WAIT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 }));
    await heldRequests(t, 1);
    const inflight = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 101, byteFormatCapacity: '1G', poolId: 0 });
    expect(inflight.body).toMatchObject({ jobId: 2, status: 'Initializing', state: 'Queued' });
    t.advance(0.5);

    const reset = await t.http.post(`${EMU}/reset`);
    expect(reset.status).toBe(200);
    const answered = await waiting;
    expect(answered.status).toBe(202);
    expect(answered.body).toMatchObject({ jobId: 1, status: 'Running', state: 'Started' });
    expect(answered.body.completedTime).toBe(undefined);

    const auth = await login(t);
    for (const id of [1, 2]) {
      const job = await t.http.get(`${OBJ}/jobs/${id}`).set(auth);
      expect(job.status).toBe(404);
      expect(job.body.messageId).toBe('KART30013-E');
    }
    t.advance(10);
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(auth)).body.emulationType).toBe('NOT DEFINED');
    expect((await t.http.get(`${OBJ}/ldevs/101`).set(auth)).body.emulationType).toBe('NOT DEFINED');
    // Job ids keep counting: a client still polling job 1 or 2 gets 404, never somebody else's job.
    const next = await t.http.post(`${OBJ}/ldevs`).set(auth).set(INSTANT).send({ ldevId: 102, byteFormatCapacity: '1G', poolId: 0 });
    expect(next.body).toMatchObject({ jobId: 3, state: 'Succeeded' });
  });

  it('later resets copy the model back from a template of the first, with the same result as loading the fixture', async () => {
    await t.http.post(`${EMU}/arrays`);
    await t.http.post(`${EMU}/reset`);
    const first = (await t.http.get(`${EMU}/state`)).body.tables;
    await t.http.post(`${EMU}/arrays`);
    await t.http.post(`${OBJ}/ldevs`).set(await login(t)).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    await t.http.post(`${EMU}/reset`);
    const second = (await t.http.get(`${EMU}/state`)).body.tables;
    // Only the job counter moved on (ids never go back).
    expect({ ...second, meta: [] }).toEqual({ ...first, meta: [] });
    expect(second.meta).toEqual([{ key: 'job_id', value: '1' }]);
    expect(first.meta).toEqual([]);
    expect(first.arrays.map((a: { sid: string }) => a.sid)).toEqual([SID]);
  });

  it('reseeds: after a reset the same logins get the same tokens; a new seed gives new ones', async () => {
    const first = t.token;
    await t.http.post(`${EMU}/reset`);
    expect((await login(t)).Authorization).toBe(`Session ${first}`);
    await t.http.post(`${EMU}/reset`).send({ seed: 7 });
    const seven = (await login(t)).Authorization;
    expect(seven).not.toBe(`Session ${first}`);
    expect((await t.http.get(`${EMU}/seed`)).body).toEqual({ seed: 7 });
    await t.http.post(`${EMU}/reset`);
    expect((await login(t)).Authorization).toBe(seven);
  });

  it('can switch to another fixture, and a reset without one keeps the current fixture', async () => {
    const res = await t.http.post(`${EMU}/reset`).send({ fixture: 'vsp5500' });
    expect(res.body).toMatchObject({ storageDeviceIds: ['900000123456'], fixture: 'vsp5500' });
    expect((await t.http.get(`${OBJ}/storages`)).body.data.map((s: { model: string }) => s.model)).toEqual(['VSP 5500']);
    expect((await t.http.post(`${EMU}/reset`)).body).toMatchObject({ storageDeviceIds: ['900000123456'], fixture: 'vsp5500' });
    expect((await t.http.get(`${EMU}/health`)).body.fixture).toBe('vsp5500');
  });

  it('a fixture that cannot be loaded changes nothing', async () => {
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    const missing = await t.http.post(`${EMU}/reset`).send({ fixture: 'no-such-fixture' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('fixtureNotFound');
    const invalid = await t.http.post(`${EMU}/reset`).send({ fixture: { arrays: [] } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ error: 'badFixture', message: 'inline fixture: needs a non-empty "arrays" list' });
    const broken = await t.http.post(`${EMU}/reset`).send({
      fixture: { arrays: [{ model: 'VSP E990', serialNumber: 1 }, { model: 'VSP E990', serialNumber: 1 }] },
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: 'badFixture', message: 'the fixture could not be loaded, nothing changed: array 936000000001 is defined twice' });
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.label).toBe('');
    expect((await t.http.post(`${EMU}/reset`).send({ keep: ['no_table'] })).status).toBe(400);
  });

  it('keep: sessions, timing, faults and the journal survive when asked', async () => {
    await t.http.put(`${EMU}/timing`).send({ name: 'instant' });
    await t.http.post(`${EMU}/faults`).send({ match: { path: '/nowhere' }, effect: { type: 'http', status: 500 } });
    const res = await t.http.post(`${EMU}/reset`).send({ keep: ['sessions', 'timing', 'faults', 'journal'] });
    expect(res.status).toBe(200);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).status).toBe(200);
    // The reseeded generator would hand out the kept session's token again: the next login gets the one after.
    const again = await login(t);
    expect(again.Authorization).not.toBe(t.auth.Authorization);
    expect((await t.http.get(`${EMU}/timing`)).body.name).toBe('instant');
    expect((await t.http.get(`${EMU}/faults`)).body.data.map((f: { id: string }) => f.id)).toEqual(['f1']);
    expect((await t.http.get(`${EMU}/journal`)).body.data[0].path).toBe(`${OBJ}/sessions`);
    expect((await t.http.get(`${EMU}/journal`)).body.data.at(-1).path).toBe(`${OBJ}/sessions`);
    // Without keep, the startup profile comes back.
    await t.http.post(`${EMU}/reset`);
    expect((await t.http.get(`${EMU}/timing`)).body.name).toBe('realistic');
  });

  it('resets one array (storageDeviceId) and leaves the others alone', async () => {
    const created = await t.http.post(`${EMU}/arrays`).send({});
    const other = created.body.storageDeviceId as string;
    const scoped = `${OBJ}/storages/${other}`;
    const otherAuth = await login(t, scoped);
    await t.http.post(`${scoped}/ldevs`).set(otherAuth).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });

    const res = await t.http.post(`${EMU}/reset`).send({ storageDeviceId: other, keep: ['sessions'] });
    expect(res.body).toMatchObject({ storageDeviceIds: [other], fixture: 'default' });
    expect((await t.http.get(`${scoped}/ldevs/100`).set(otherAuth)).body.emulationType).toBe('NOT DEFINED');
    expect((await t.http.get(`${scoped}/ldevs/0`).set(otherAuth)).body.label).toBe('vol-app-01');
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
    expect((await t.http.post(`${EMU}/reset`).send({ storageDeviceId: '936000999999' })).status).toBe(404);
  });
});
