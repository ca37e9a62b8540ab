import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { OBJ, RFC3339_Z, SCOPED, SID, held, isSettled, lastJobId, startApp, until, type TestApp } from './support.js';

const JOB_KEYS_RUNNING = ['affectedResources', 'createdTime', 'jobId', 'request', 'self', 'state', 'status', 'updatedTime', 'userId'];

/** Submits `n` instant jobs straight to the engine (a label change on LDEV 0). */
function submitMany(t: TestApp, n: number, sid = SID): void {
  for (let i = 0; i < n; i++) {
    t.engine.jobs.submit({
      sid, userId: 'maintenance', op: 'ldev.modify', params: { ldevId: sid === SID ? 0 : 256, label: `l${i}` },
      request: { url: `${OBJ}/ldevs/0`, method: 'PATCH', body: '{}' }, selfPrefix: OBJ, instant: true,
    });
  }
}

describe('jobs', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('a mutation answers 202 with exactly the job fields, then moves Initializing → Running → Completed on the virtual clock', async () => {
    t = await startApp();
    const body = { ldevId: 100, byteFormatCapacity: '1G', poolId: 0, label: 'jobs-1' };
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(JOB_KEYS_RUNNING);
    expect(res.body).toEqual({
      jobId: 1,
      self: `${OBJ}/jobs/1`,
      userId: 'maintenance',
      status: 'Initializing',
      state: 'Queued',
      createdTime: '2026-01-05T10:00:00Z',
      updatedTime: '2026-01-05T10:00:00Z',
      request: { requestUrl: `${OBJ}/ldevs`, requestMethod: 'POST', requestBody: expect.any(String) },
      affectedResources: [],
    });
    expect(typeof res.body.jobId).toBe('number');
    expect(JSON.parse(res.body.request.requestBody)).toEqual(body);

    t.advance(0.1);
    const running = await t.http.get(`${OBJ}/jobs/1`).set(t.auth);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ status: 'Running', state: 'Started' });
    expect(running.body.completedTime).toBeUndefined();

    t.advance(1.9);
    const done = await t.http.get(`${OBJ}/jobs/1`).set(t.auth);
    expect(done.body).toMatchObject({
      jobId: 1, status: 'Completed', state: 'Succeeded',
      createdTime: '2026-01-05T10:00:00Z', updatedTime: '2026-01-05T10:00:02Z', completedTime: '2026-01-05T10:00:02Z',
      affectedResources: [`${OBJ}/ldevs/100`],
    });
    expect(done.body.error).toBeUndefined();
    for (const k of ['createdTime', 'updatedTime', 'completedTime']) expect(done.body[k]).toMatch(RFC3339_Z);
  });

  it('a job stays Running until its full duration has passed (nothing changes early)', async () => {
    t = await startApp();
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 101, byteFormatCapacity: '1G', poolId: 0 });
    t.advance(1.999);
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).body.status).toBe('Running');
    expect((await t.http.get(`${OBJ}/ldevs/101`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
    t.advance(0.001);
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).body.status).toBe('Completed');
    expect((await t.http.get(`${OBJ}/ldevs/101`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
  });

  it('self and affectedResources follow the request URL form; GET jobs/{id} answers in both forms', async () => {
    t = await startApp({ timing: 'instant' });
    const scoped = await t.http.post(`${SCOPED}/ldevs`).set(t.auth).send({ ldevId: 102, byteFormatCapacity: '1G', poolId: 0 });
    expect(scoped.body.self).toBe(`${SCOPED}/jobs/${scoped.body.jobId}`);
    expect(scoped.body.affectedResources).toEqual([`${SCOPED}/ldevs/102`]);
    expect(scoped.body.request.requestUrl).toBe(`${SCOPED}/ldevs`);
    const embedded = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 103, byteFormatCapacity: '1G', poolId: 0 });
    expect(embedded.body.self).toBe(`${OBJ}/jobs/${embedded.body.jobId}`);
    expect(embedded.body.affectedResources).toEqual([`${OBJ}/ldevs/103`]);
    for (const id of [scoped.body.jobId, embedded.body.jobId]) {
      const a = await t.http.get(`${OBJ}/jobs/${id}`).set(t.auth);
      const b = await t.http.get(`${SCOPED}/jobs/${id}`).set(t.auth);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body).toEqual(b.body);
    }
    expect(embedded.body.jobId).toBe(scoped.body.jobId + 1);
  });

  it('the fidelity row jobUrlForm=embedded writes self in the embedded form for scoped requests', async () => {
    const fx = readFixture('default');
    t = await startApp({ timing: 'instant', fixture: { ...fx, fidelity: { jobUrlForm: 'embedded' } } });
    const res = await t.http.post(`${SCOPED}/ldevs`).set(t.auth).send({ ldevId: 104, byteFormatCapacity: '1G', poolId: 0 });
    expect(res.body.self).toBe(`${OBJ}/jobs/${res.body.jobId}`);
    expect(res.body.affectedResources).toEqual([`${OBJ}/ldevs/104`]);
  });

  it('an unknown job is 404 KART30013-E; a non-numeric job id is 400', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/jobs/424242`).set(t.auth);
    expect(res.status).toBe(404);
    expect(res.body.messageId).toBe('KART30013-E');
    expect(res.body.message).toContain('Specified object does not exist');
    expect(res.body.errorCode).toEqual({ errorCode: 'EX_ENOOBJ' });
    expect((await t.http.get(`${SCOPED}/jobs/424242`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/jobs/abc`).set(t.auth)).status).toBe(400);
  });

  it('a job of another array is not visible through this array\'s scoped URL, but is through the embedded one', async () => {
    const fx = readFixture('default');
    const g900 = readFixture('g900');
    t = await startApp({ timing: 'instant', fixture: { ...fx, arrays: [...fx.arrays, ...g900.arrays] } });
    const basic = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };
    const g = await t.http.post(`${OBJ}/storages/886000123456/ldevs`).set(basic).send({ ldevId: 9, byteFormatCapacity: '1G', poolId: 30 });
    expect(g.body.state).toBe('Succeeded');
    expect((await t.http.get(`${SCOPED}/jobs/${g.body.jobId}`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/storages/886000123456/jobs/${g.body.jobId}`).set(basic)).status).toBe(200);
    expect((await t.http.get(`${OBJ}/jobs/${g.body.jobId}`).set(t.auth)).status).toBe(200);
  });

  it('a VSP E990 keeps exactly the 3,000 newest job records, dropping the oldest first', async () => {
    t = await startApp({ timing: 'instant' });
    submitMany(t, 3000);
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).status).toBe(200);
    submitMany(t, 1);
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/jobs/2`).set(t.auth)).status).toBe(200);
    submitMany(t, 500);
    expect((await t.http.get(`${OBJ}/jobs/501`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/jobs/502`).set(t.auth)).status).toBe(200);
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 200, byteFormatCapacity: '1G', poolId: 0 });
    expect(res.body.jobId).toBe(3502);
    expect((await t.http.get(`${OBJ}/jobs/502`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/jobs/3502`).set(t.auth)).status).toBe(200);
    expect(t.engine.db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(3000);
  });

  it('a VSP 5500 keeps more than 3,000 job records (100,000)', async () => {
    t = await startApp({ timing: 'instant', fixture: 'vsp5500' });
    submitMany(t, 3100, '900000123456');
    const basic = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };
    expect((await t.http.get(`${OBJ}/jobs/1`).set(basic)).status).toBe(200);
    expect(t.engine.db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(3100);
  });

  it('retention is per model: a fixture override of jobRetention applies', async () => {
    const fx = readFixture('default');
    t = await startApp({ timing: 'instant', fixture: { ...fx, arrays: [{ ...fx.arrays[0]!, modelFacts: { jobRetention: 10 } }] } });
    submitMany(t, 12);
    expect((await t.http.get(`${OBJ}/jobs/2`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/jobs/3`).set(t.auth)).status).toBe(200);
  });

  for (const header of ['Completed', 'Completed;']) {
    it(`Response-Job-Status: ${header} holds the 202 until the job has completed`, async () => {
      t = await startApp();
      const pending = t.http.post(`${SCOPED}/ldevs`).set(t.auth)
        .set({ 'Response-Job-Status': header, 'Response-Max-Wait': '1800', 'Content-Type': 'application/json' })
        .send({ byteFormatCapacity: '1G', poolId: 0, isParallelExecutionEnabled: true }).then((r) => r);
      await until(() => lastJobId(t) === 1, 'the job');
      t.advance(1);
      expect(await isSettled(pending)).toBe(false);
      t.advance(1);
      const res = await pending;
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ jobId: 1, status: 'Completed', state: 'Succeeded', completedTime: '2026-01-05T10:00:02Z' });
      expect(res.body.affectedResources).toEqual([`${SCOPED}/ldevs/4`]);
    });
  }

  it('Response-Max-Wait bounds the hold in virtual seconds, then answers 202 with the still-running job', async () => {
    t = await startApp();
    const pending = t.http.post(`${OBJ}/ldevs`).set(t.auth)
      .set({ 'Response-Job-Status': 'Completed;', 'Response-Max-Wait': '1' })
      .send({ ldevId: 150, byteFormatCapacity: '1G', poolId: 0 }).then((r) => r);
    await until(() => lastJobId(t) === 1, 'the job');
    t.advance(0.5);
    expect(await isSettled(pending)).toBe(false);
    t.advance(0.5);
    const res = await pending;
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ jobId: 1, status: 'Running', state: 'Started', affectedResources: [] });
    t.advance(1);
    expect((await t.http.get(`${OBJ}/jobs/1`).set(t.auth)).body.status).toBe('Completed');
  });

  it('Response-Max-Wait: 0 answers at once; without Response-Job-Status nothing is held', async () => {
    t = await startApp();
    const zero = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set({ 'Response-Job-Status': 'Completed', 'Response-Max-Wait': '0' })
      .send({ ldevId: 151, byteFormatCapacity: '1G', poolId: 0 });
    expect(zero.status).toBe(202);
    expect(zero.body.status).toBe('Initializing');
    const plain = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 152, byteFormatCapacity: '1G', poolId: 0 });
    expect(plain.body.status).toBe('Initializing');
  });

  it('a held request for a job that fails answers 202 Completed/Failed with the error object', async () => {
    t = await startApp();
    const res = await held(t, t.http.post(`${SCOPED}/ldevs`).set(t.auth).set({ 'Response-Job-Status': 'Completed;', 'Response-Max-Wait': '1800' })
      .send({ ldevId: 0, byteFormatCapacity: '1G', poolId: 0 }), 2);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'Completed', state: 'Failed', affectedResources: [] });
    expect(res.body.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E22', SSB2: '0001' } });
    expect(res.body.error.errorSource).toBe(`${SCOPED}/ldevs`);
  });

  it('with instant timing the 202 already carries the completed job', async () => {
    t = await startApp({ timing: 'instant' });
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 160, byteFormatCapacity: '1G', poolId: 0 });
    expect(res.body).toMatchObject({ status: 'Completed', state: 'Succeeded', completedTime: '2026-01-05T10:00:00Z' });
  });

  it('jobs complete in order of their due time, and a job GET in between shows each state', async () => {
    t = await startApp();
    const a = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 170, byteFormatCapacity: '1G', poolId: 0 }); // 2.0 s
    const b = await t.http.patch(`${OBJ}/ldevs/0`).set(t.auth).send({ label: 'quick' }); // 0.5 s
    t.advance(0.5);
    expect((await t.http.get(`${OBJ}/jobs/${b.body.jobId}`).set(t.auth)).body.status).toBe('Completed');
    expect((await t.http.get(`${OBJ}/jobs/${a.body.jobId}`).set(t.auth)).body.status).toBe('Running');
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).body.label).toBe('quick');
  });
});
