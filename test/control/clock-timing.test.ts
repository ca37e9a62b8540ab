import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, startControl } from './support.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const create = (t: TestApp, id: number, headers: Record<string, string> = {}) =>
  t.http.post(`${OBJ}/ldevs`).set(t.auth).set(headers).send({ ldevId: id, byteFormatCapacity: '1G', poolId: 0 });

describe('clock', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  it('GET shows mode, speed and time; advance moves it and fires what falls due', async () => {
    expect((await t.http.get(`${EMU}/clock`)).body).toEqual({ mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: T0 });
    const job = await create(t, 100);
    const adv = await t.http.post(`${EMU}/clock/advance`).send({ seconds: 1.5 });
    expect(adv.body).toEqual({ mode: 'manual', speed: 1, time: '2026-01-05T10:00:01.500Z', epochMs: T0 + 1500 });
    expect((await t.http.get(`${OBJ}/jobs/${job.body.jobId}`).set(t.auth)).body.status).toBe('Running');
    await t.http.post(`${EMU}/clock/advance`).send({ ms: 500 });
    expect((await t.http.get(`${OBJ}/jobs/${job.body.jobId}`).set(t.auth)).body).toMatchObject({ status: 'Completed', completedTime: '2026-01-05T10:00:02Z' });
    for (const bad of [{}, { seconds: 1, ms: 1 }, { seconds: -1 }, { seconds: 'soon' }]) {
      expect((await t.http.post(`${EMU}/clock/advance`).send(bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('POST sets the time (forward moves fire due work), the speed, and freezes or resumes', async () => {
    await create(t, 100);
    const set = await t.http.post(`${EMU}/clock`).send({ time: '2026-01-05T10:00:03Z' });
    expect(set.body).toEqual({ mode: 'manual', speed: 1, time: '2026-01-05T10:00:03.000Z', epochMs: T0 + 3000 });
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
    const back = await t.http.post(`${EMU}/clock`).send({ time: '2026-01-05T09:00:00+01:00' });
    expect(back.body.time).toBe('2026-01-05T08:00:00.000Z');
    expect((await t.http.post(`${EMU}/clock`).send({ speed: 60 })).body).toMatchObject({ mode: 'manual', speed: 60 });
    const real = await t.http.post(`${EMU}/clock`).send({ mode: 'real' });
    expect(real.body).toMatchObject({ mode: 'real', speed: 60 });
    const frozen = await t.http.post(`${EMU}/clock`).send({ mode: 'manual', speed: 1 });
    expect(frozen.body).toMatchObject({ mode: 'manual', speed: 1 });
    expect((await t.http.post(`${EMU}/clock`).send({ time: 'tomorrow' })).body).toEqual({ error: 'badRequest', message: 'time must be RFC 3339, got "tomorrow"' });
    expect((await t.http.post(`${EMU}/clock`).send({ speed: 0 })).status).toBe(400);
    expect((await t.http.post(`${EMU}/clock`).send({ mode: 'fast' })).status).toBe(400);
  });
});

describe('timing', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  it('GET shows the profile; PUT replaces it over a named base; PATCH changes one operation', async () => {
    const profile = (await t.http.get(`${EMU}/timing`)).body;
    expect(profile).toMatchObject({ name: 'realistic', jobQueuedMs: 100, jobMs: { default: 1000, 'ldev.create': 2000 }, cloneSecondsPerGiB: { slower: 4, medium: 2, faster: 1 } });
    expect(profile.transitionMs['pair.create']).toBe(2000);

    const instant = await t.http.put(`${EMU}/timing`).send({ name: 'instant' });
    expect(instant.body).toEqual({ name: 'instant', jobQueuedMs: 0, jobMs: { default: 0 }, transitionMs: { default: 0 }, cloneSecondsPerGiB: { slower: 0, medium: 0, faster: 0 } });
    expect((await create(t, 100)).body).toMatchObject({ status: 'Completed', state: 'Succeeded' });

    await t.http.put(`${EMU}/timing`).send({ jobMs: { 'ldev.create': 5000 } });
    const patched = await t.http.patch(`${EMU}/timing`).send({ jobQueuedMs: 0, transitionMs: { 'pair.create': 10 } });
    expect(patched.body).toMatchObject({ name: 'realistic', jobQueuedMs: 0, jobMs: { default: 1000, 'ldev.create': 5000 }, transitionMs: { 'pair.create': 10, 'pair.delete': 2000 } });
    const job = await create(t, 101);
    expect(job.body.status).toBe('Running');
    t.advance(4.999);
    expect((await t.http.get(`${OBJ}/ldevs/101`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
    t.advance(0.001);
    expect((await t.http.get(`${OBJ}/ldevs/101`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');

    expect((await t.http.put(`${EMU}/timing`).send({ jobMs: { 'ldev.create': -1 } })).status).toBe(400);
    expect((await t.http.patch(`${EMU}/timing`).send({ speedOfLight: 1 })).status).toBe(400);
  });

  it('x-vsp-emulator-instant: true completes that request\'s job at once, whatever the profile', async () => {
    const slow = await create(t, 100);
    expect(slow.body.status).toBe('Initializing');
    const fast = await create(t, 101, { 'x-vsp-emulator-instant': 'true' });
    expect(fast.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/101`] });
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
  });
});
