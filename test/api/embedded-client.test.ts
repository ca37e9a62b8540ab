import { afterEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { OBJ, RFC3339_Z, startApp, type TestApp } from './support.js';

/**
 * A Terraform / Ansible style client: embedded URLs (`/v1/objects/...`), login at `sessions/` with a trailing slash
 * and no body, POST for actions, PATCH for changes, numeric strings, `null` optional fields, and job polling with
 * `GET objects/jobs/{id}` on a back-off (Terraform waits 1, 2, 4, 8, 16, 32 s; Ansible 1, 2, 3 ...).
 */
describe('embedded-URL client with job polling', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  /** Terraform's CheckJobStatus loop, on the virtual clock; returns the final job and the number of polls. */
  async function waitJob(auth: Record<string, string>, accepted: Response): Promise<{ job: Record<string, any>; polls: number }> {
    expect(accepted.status).toBe(202);
    expect(accepted.body.errorSource).toBeUndefined();
    expect(typeof accepted.body.jobId).toBe('number');
    expect(accepted.body.jobId).toBeGreaterThan(0);
    let polls = 0;
    for (const wait of [1, 2, 4, 8, 16, 32]) {
      t.advance(wait);
      const job = await t.http.get(`${OBJ}/jobs/${accepted.body.jobId}`).set(auth).set('Content-Type', 'application/json');
      polls++;
      expect(job.status).toBe(200);
      expect(job.body.createdTime).toMatch(RFC3339_Z);
      if (job.body.status === 'Completed') return { job: job.body, polls };
      expect(['Initializing', 'Running']).toContain(job.body.status);
    }
    throw new Error('Timeout Error! Operation was not completed.');
  }

  const lastSegment = (job: Record<string, any>) =>
    (job.affectedResources[0] ?? job.self).split('/').at(-1)!;

  it('provisions, relabels, expands and deletes a volume through embedded URLs', async () => {
    t = await startApp();
    const login = await t.http.post(`${OBJ}/sessions/`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
    expect(login.status).toBe(200);
    const auth = { Authorization: `Session ${login.body.token}` };

    const instance = await t.http.get(`${OBJ}/storages/instance`).set(auth);
    expect(instance.body.model).toBe('VSP E990');

    // Ansible reads the P-VOL's size and pool, Terraform sends numeric strings in places.
    const create = await t.http.post(`${OBJ}/ldevs`).set(auth).set('Content-Type', 'application/json')
      .send({ ldevId: '500', poolId: '0', byteFormatCapacity: '5G', label: 'tf-vol', dataReductionMode: null, isParallelExecutionEnabled: null });
    expect(create.body.status).toBe('Initializing');
    const created = await waitJob(auth, create);
    expect(created.job.state).toBe('Succeeded');
    expect(created.polls).toBe(2); // 1 s: still running (2 s job); 3 s: done
    expect(lastSegment(created.job)).toBe('500');
    expect(created.job.request).toEqual({ requestUrl: `${OBJ}/ldevs`, requestMethod: 'POST', requestBody: expect.stringContaining('"ldevId":500') });

    const relabel = await waitJob(auth, await t.http.patch(`${OBJ}/ldevs/500`).set(auth).send({ label: 'smrha-500' }));
    expect(relabel.job.state).toBe('Succeeded');
    expect(relabel.polls).toBe(1);

    const expand = await waitJob(auth, await t.http.post(`${OBJ}/ldevs/500/actions/expand/invoke`).set(auth)
      .send({ parameters: { additionalByteFormatCapacity: '3G', enhancedExpansion: null } }));
    expect(expand.job.state).toBe('Succeeded');
    expect(lastSegment(expand.job)).toBe('500');

    const vol = await t.http.get(`${OBJ}/ldevs/500`).set(auth);
    expect(vol.body).toMatchObject({ label: 'smrha-500', byteFormatCapacity: '8.00 G', blockCapacity: 8 * 2097152, status: 'NML', poolId: 0 });

    // Terraform's DELETE strips its literal null body; Ansible sends none.
    const del = await waitJob(auth, await t.http.delete(`${OBJ}/ldevs/500`).set(auth).set('Content-Type', 'application/json'));
    expect(del.job.state).toBe('Succeeded');
    expect(del.job.affectedResources).toEqual([`${OBJ}/ldevs/500`]);
    expect((await t.http.get(`${OBJ}/ldevs/500`).set(auth)).body.emulationType).toBe('NOT DEFINED');

    // Discard the session (Ansible's delete_user_session sends {"force": ...}).
    expect((await t.http.delete(`${OBJ}/sessions/${login.body.sessionId}`).set(auth).send({ force: false })).status).toBe(200);
  });

  it('a Failed job is read from GET jobs/{id}: state Failed with the error object Terraform and Ansible print', async () => {
    t = await startApp();
    const auth = t.auth;
    const accepted = await t.http.post(`${OBJ}/ldevs`).set(auth).send({ ldevId: '1', poolId: 0, byteFormatCapacity: '1G' });
    const { job } = await waitJob(auth, accepted);
    expect(job.state).toBe('Failed');
    expect(job.affectedResources).toEqual([]);
    for (const k of ['messageId', 'message', 'cause', 'solution', 'solutionType', 'errorCode', 'detailCode']) expect(job.error).toHaveProperty(k);
    expect(job.error.errorCode).toEqual({ SSB1: '2E22', SSB2: '0001' });
    // Ansible's fallback resource id when affectedResources is empty: the job's own id from self.
    expect(lastSegment(job)).toBe(String(accepted.body.jobId));
  });

  it('a synchronous validation error carries errorSource, which Terraform takes as "this is an error, not a job"', async () => {
    t = await startApp();
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0, capacityInGB: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errorSource).toBe(`${OBJ}/ldevs`);
    expect(res.body.jobId).toBeUndefined();
  });
});
