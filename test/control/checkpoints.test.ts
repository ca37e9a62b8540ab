import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, SID, startControl } from './support.js';

const INSTANT = { 'x-vsp-emulator-instant': 'true' };
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

describe('checkpoints', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  const ldev = async (id: number) => (await t.http.get(`${OBJ}/ldevs/${id}`).set(t.auth)).body as { emulationType: string; label: string };
  const create = (id: number, headers: Record<string, string> = INSTANT, size = '1G') =>
    t.http.post(`${OBJ}/ldevs`).set(t.auth).set(headers).send({ ldevId: id, byteFormatCapacity: size, poolId: 0 });

  it('restore brings back LDEVs, sessions and an in-flight job with its remaining duration', async () => {
    expect((await create(100)).body.jobId).toBe(1);
    const pending = await create(101, {});
    expect(pending.body).toMatchObject({ jobId: 2, status: 'Initializing' });
    t.advance(0.5);

    const saved = await t.http.post(`${EMU}/checkpoints/before`).send({ description: 'one job running' });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'before', storageDeviceId: null, description: 'one job running', createdTime: '2026-01-05T10:00:00.500Z', fixture: 'default' });
    expect(saved.body.rows).toMatchObject({ arrays: 1, sessions: 1, ldevs: 5, jobs: 2, pairs: 0 });

    t.advance(2);
    expect((await ldev(101)).emulationType).toBe('OPEN-V-CVS');
    expect((await t.http.delete(`${OBJ}/ldevs/100`).set(t.auth).set(INSTANT)).body).toMatchObject({ jobId: 3, state: 'Succeeded' });
    expect((await create(102)).body.jobId).toBe(4);

    const restored = await t.http.post(`${EMU}/checkpoints/before/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ name: 'before', clock: 'restore', clockNow: { time: '2026-01-05T10:00:00.500Z' } });
    expect((await ldev(100)).emulationType).toBe('OPEN-V-CVS');
    expect((await ldev(102)).emulationType).toBe('NOT DEFINED');
    expect((await ldev(101)).emulationType).toBe('NOT DEFINED');
    const job = await t.http.get(`${OBJ}/jobs/2`).set(t.auth);
    expect(job.body).toMatchObject({ jobId: 2, status: 'Running', state: 'Started' });
    expect((await t.http.get(`${OBJ}/jobs/3`).set(t.auth)).status).toBe(404);

    // The job was due at 10:00:02.000, 1.5 s after the checkpoint: it still is.
    t.advance(1.499);
    expect((await ldev(101)).emulationType).toBe('NOT DEFINED');
    t.advance(0.001);
    expect((await ldev(101)).emulationType).toBe('OPEN-V-CVS');
    expect((await t.http.get(`${OBJ}/jobs/2`).set(t.auth)).body).toMatchObject({ status: 'Completed', state: 'Succeeded', completedTime: '2026-01-05T10:00:02Z' });
    // Job ids never go back: 3 and 4 were handed out after the checkpoint.
    expect((await create(103)).body.jobId).toBe(5);
  });

  it('restore brings pairs back in their statuses and deadlines', async () => {
    await create(10, INSTANT, '10G');
    const pair = await t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT)
      .send({ snapshotGroupName: 'g1', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true });
    expect(pair.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/snapshots/0,0`] });
    const status = async () => (await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).body.status as string;
    expect(await status()).toBe('COPY');
    t.advance(0.5);
    expect((await t.http.post(`${EMU}/checkpoints/copying`)).status).toBe(201);

    t.advance(2);
    expect(await status()).toBe('PAIR');
    expect((await t.http.post(`${OBJ}/snapshots/0,0/actions/split/invoke`).set(t.auth).set(INSTANT)).body.state).toBe('Succeeded');
    expect(await status()).toBe('PSUS');

    await t.http.post(`${EMU}/checkpoints/copying/restore`);
    expect(await status()).toBe('COPY');
    t.advance(1.499);
    expect(await status()).toBe('COPY');
    t.advance(0.001);
    expect(await status()).toBe('PAIR');
  });

  it('clock "keep" leaves time where it is, so deadlines already passed fire (at their own instants) at once', async () => {
    await create(101, {});
    await t.http.post(`${EMU}/checkpoints/a`);
    t.advance(60);
    const res = await t.http.post(`${EMU}/checkpoints/a/restore`).send({ clock: 'keep' });
    expect(res.body).toMatchObject({ clock: 'keep', clockNow: { time: '2026-01-05T10:01:00.000Z' } });
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).body).toMatchObject({ status: 'Completed', completedTime: '2026-01-05T10:00:02Z' });
    expect((await ldev(101)).emulationType).toBe('OPEN-V-CVS');
  });

  it('lists, replaces, reads and deletes checkpoints; names are checked', async () => {
    expect((await t.http.post(`${EMU}/checkpoints/a`)).status).toBe(201);
    t.advance(1);
    expect((await t.http.post(`${EMU}/checkpoints/b`)).status).toBe(201);
    expect((await t.http.post(`${EMU}/checkpoints/a`)).status).toBe(200);
    const list = await t.http.get(`${EMU}/checkpoints`);
    expect(list.body.data.map((c: { name: string; createdTime: string }) => [c.name, c.createdTime])).toEqual([
      ['a', '2026-01-05T10:00:01.000Z'], ['b', '2026-01-05T10:00:01.000Z'],
    ]);
    expect((await t.http.get(`${EMU}/checkpoints/b`)).body.name).toBe('b');
    expect((await t.http.delete(`${EMU}/checkpoints/b`)).status).toBe(204);
    const gone = await t.http.get(`${EMU}/checkpoints/b`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'notFound', message: 'no checkpoint "b"' });
    expect((await t.http.post(`${EMU}/checkpoints/b/restore`)).status).toBe(404);
    expect((await t.http.delete(`${EMU}/checkpoints/b`)).status).toBe(404);
    expect((await t.http.post(`${EMU}/checkpoints/..bad`)).status).toBe(400);
    expect((await t.http.post(`${EMU}/checkpoints/x`).send({ storageDeviceId: '936000999999' })).status).toBe(404);
    expect((await t.http.get(`${EMU}/health`)).body.checkpoints).toBe(1);
  });

  it('an array checkpoint restores only that array and keeps the clock', async () => {
    const other = (await t.http.post(`${EMU}/arrays`).send({})).body.storageDeviceId as string;
    const scoped = `${OBJ}/storages/${other}`;
    const login = await t.http.post(`${scoped}/sessions`).auth('maintenance', 'raid-maintenance');
    const otherAuth = { Authorization: `Session ${login.body.token}` };
    const saved = await t.http.post(`${EMU}/checkpoints/mine`).send({ storageDeviceId: other });
    expect(saved.body).toMatchObject({ storageDeviceId: other, rows: { arrays: 1, ldevs: 4, sessions: 1 } });
    expect(saved.body.rows.meta).toBe(undefined);

    await t.http.patch(`${scoped}/ldevs/0`).set(otherAuth).set(INSTANT).send({ label: 'other-changed' });
    await t.http.patch(`${OBJ}/ldevs/0`).set(t.auth).set(INSTANT).send({ label: 'default-changed' });
    t.advance(30);
    const res = await t.http.post(`${EMU}/checkpoints/mine/restore`);
    expect(res.body).toMatchObject({ clock: 'keep', clockNow: { time: '2026-01-05T10:00:30.000Z' } });
    expect((await t.http.get(`${scoped}/ldevs/0`).set(otherAuth)).body.label).toBe('vol-app-01');
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).body.label).toBe('default-changed');

    // Deleted arrays come back with their checkpoint.
    expect((await t.http.delete(`${EMU}/arrays/${other}`)).status).toBe(204);
    await t.http.post(`${EMU}/checkpoints/mine/restore`);
    expect((await t.http.get(`${OBJ}/storages`)).body.data.map((s: { storageDeviceId: string }) => s.storageDeviceId)).toEqual([SID, other]);
  });

  it('a whole-model restore also brings back the timing profile and the fixture it was taken with', async () => {
    await t.http.post(`${EMU}/checkpoints/start`);
    await t.http.put(`${EMU}/timing`).send({ name: 'instant' });
    await t.http.post(`${EMU}/reset`).send({ fixture: 'vsp5500' });
    await t.http.post(`${EMU}/checkpoints/start/restore`);
    const health = (await t.http.get(`${EMU}/health`)).body;
    expect(health).toMatchObject({ fixture: 'default', arrays: [SID], timing: 'realistic', clock: { epochMs: T0 } });
  });
});
