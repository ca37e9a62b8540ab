import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBJ, SID, startApp, type TestApp } from '../helpers.js';

describe('smoke', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('a created LDEV job completes when the virtual clock passes its duration', async () => {
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('Initializing');
    t.advance(1);
    const running = await t.http.get(`${OBJ}/storages/${SID}/jobs/${res.body.jobId}`).set(t.auth);
    expect(running.body.status).toBe('Running');
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
    t.advance(1);
    const done = await t.http.get(`${OBJ}/jobs/${res.body.jobId}`).set(t.auth);
    expect(done.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/100`] });
    expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.byteFormatCapacity).toBe('1.00 G');
  });
});
