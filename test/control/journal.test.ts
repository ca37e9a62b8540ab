import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { CINDER_WAIT, EMU, OBJ, SID, heldRequests, startControl } from './support.js';

describe('journal', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startControl();
    await t.http.delete(`${EMU}/journal`);
  });
  afterEach(async () => { await t.close(); });

  const entries = async (query = '') => (await t.http.get(`${EMU}/journal${query}`)).body.data as Array<Record<string, unknown>>;

  it('records what the client sent and what it got: method, URL, headers, bodies, status, job, operation', async () => {
    const res = await t.http.post(`${OBJ}/ldevs?x=1`).set(t.auth).set('Content-Type', 'application/json').send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    const [e] = await entries();
    expect(e).toEqual({
      seq: 2, kind: 'request', time: '2026-01-05T10:00:00.000Z', method: 'POST', url: `${OBJ}/ldevs?x=1`, path: `${OBJ}/ldevs`,
      storageDeviceId: SID, userId: 'maintenance',
      requestHeaders: expect.objectContaining({ authorization: 'Session <redacted>', 'content-type': 'application/json' }),
      requestBody: { ldevId: 100, byteFormatCapacity: '1G', poolId: 0 },
      status: 202, responseBody: res.body, jobId: 1, operation: 'ldev.create', fault: null, pending: false, durationMs: expect.any(Number),
    });
    await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
    expect((await entries())[1]).toMatchObject({ requestHeaders: expect.objectContaining({ authorization: 'Basic <redacted>' }), userId: 'maintenance', status: 200 });
    // The emulator's own pages are not journaled: the control plane, /docs, the documents. A mistyped URL is.
    await t.http.get(`${EMU}/clock`);
    await t.http.get('/docs/vsp-rest-api.json');
    await t.http.get('/openapi.json');
    expect(await entries()).toHaveLength(2);
    await t.http.get('/docsx');
    expect((await entries()).map((x) => x.path)).toEqual([`${OBJ}/ldevs`, `${OBJ}/sessions`, '/docsx']);
  });

  it('records a pair list answered from SQL-rendered bytes as JSON, like any other JSON answer', async () => {
    const res = await t.http.get(`${OBJ}/snapshots?pvolLdevId=0`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await entries())[0]).toMatchObject({ status: 200, responseBody: res.body });
  });

  it('a request held by Response-Job-Status is pending until it is answered', async () => {
    const waiting = Promise.resolve(t.http.post(`${OBJ}/ldevs`).set(t.auth).set(CINDER_WAIT).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 }));
    await heldRequests(t, 1);
    expect(await entries('?pending=true')).toEqual([expect.objectContaining({ pending: true, status: null, operation: 'ldev.create', durationMs: null })]);
    t.advance(2);
    await waiting;
    expect(await entries('?pending=true')).toEqual([]);
    expect((await entries())[0]).toMatchObject({ pending: false, status: 202, jobId: 1, responseBody: expect.objectContaining({ status: 'Completed', state: 'Succeeded' }) });
  });

  it('filters by method, path, status, job, operation, array, sequence and count', async () => {
    await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
    await t.http.get(`${OBJ}/storages/${SID}/ldevs/1`).set(t.auth);
    await t.http.get(`${OBJ}/nothing`).set(t.auth);
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    await t.http.get(`${OBJ}/pools`);
    const paths = (list: Array<Record<string, unknown>>) => list.map((e) => `${e.method} ${e.path} ${e.status}`);
    expect(paths(await entries('?method=get&path=/ConfigurationManager/v1/objects/ldevs'))).toEqual([
      `GET ${OBJ}/ldevs/0 200`, `GET ${OBJ}/storages/${SID}/ldevs/1 200`,
    ]);
    expect(paths(await entries('?status=4xx'))).toEqual([`GET ${OBJ}/nothing 404`, `GET ${OBJ}/pools 401`]);
    expect(paths(await entries('?status=202,401'))).toEqual([`POST ${OBJ}/ldevs 202`, `GET ${OBJ}/pools 401`]);
    expect(paths(await entries('?jobId=1'))).toEqual([`POST ${OBJ}/ldevs 202`]);
    expect(paths(await entries('?operation=ldev.create'))).toEqual([`POST ${OBJ}/ldevs 202`]);
    expect(paths(await entries('?path=/ConfigurationManager/v1/objects/*/ldevs/*'))).toEqual([]);
    expect(paths(await entries('?path=/ConfigurationManager/v1/objects/**/ldevs/*'))).toEqual([`GET ${OBJ}/storages/${SID}/ldevs/1 200`]);
    expect(paths(await entries(`?storageDeviceId=${SID}&limit=2`))).toEqual([`POST ${OBJ}/ldevs 202`, `GET ${OBJ}/pools 401`]);
    const seqs = (await entries()).map((e) => e.seq as number);
    expect(paths(await entries(`?since=${seqs[3]}`))).toEqual([`GET ${OBJ}/pools 401`]);
    expect(paths(await entries('?fault=true'))).toEqual([]);
  });

  it('clears (sequence numbers go on) and keeps only the newest N', async () => {
    await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
    await t.http.get(`${OBJ}/ldevs/1`).set(t.auth);
    const cleared = await t.http.delete(`${EMU}/journal`);
    expect(cleared.body).toEqual({ cleared: 2 });
    await t.http.get(`${OBJ}/ldevs/2`).set(t.auth);
    const after = await t.http.get(`${EMU}/journal`);
    // seq 1 was the helper's login, 2 and 3 the cleared reads.
    expect(after.body).toMatchObject({ capacity: 1000, size: 1, dropped: 0, lastSeq: 4 });
    expect(after.body.data[0]).toMatchObject({ seq: 4, path: `${OBJ}/ldevs/2` });

    expect((await t.http.put(`${EMU}/journal/settings`).send({ capacity: 2 })).body).toEqual({
      capacity: 2, size: 1, dropped: 0, lastSeq: 4, bytes: expect.any(Number), byteBudget: 16 * 1024 * 1024,
    });
    for (const id of [0, 1, 3]) await t.http.get(`${OBJ}/ldevs/${id}`).set(t.auth);
    const small = await t.http.get(`${EMU}/journal`);
    expect(small.body).toMatchObject({ capacity: 2, size: 2, dropped: 2, lastSeq: 7 });
    expect(small.body.data.map((e: { path: string }) => e.path)).toEqual([`${OBJ}/ldevs/1`, `${OBJ}/ldevs/3`]);
    expect((await t.http.put(`${EMU}/journal/settings`).send({ capacity: 0 })).status).toBe(400);
  });
});

describe('determinism', () => {
  const apps: TestApp[] = [];
  afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });

  /** Tokens of three logins and the job ids and fault seed a short scripted run produces. */
  async function script(app: TestApp) {
    const tokens = [app.token];
    for (let i = 0; i < 2; i++) tokens.push((await app.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance')).body.token);
    const jobs = [];
    for (const id of [100, 101]) jobs.push((await app.http.post(`${OBJ}/ldevs`).set(app.auth).send({ ldevId: id, byteFormatCapacity: '1G', poolId: 0 })).body.jobId);
    const rule = (await app.http.post(`${EMU}/faults`).send({ match: {}, effect: { type: 'http', status: 503 }, probability: 0.3 })).body;
    return { tokens, jobs, faultSeed: rule.seed };
  }

  it('the same seed gives the same tokens, job ids and fault draws; another seed other tokens', async () => {
    apps.push(await startControl({ seed: 42 }), await startControl({ seed: 42 }), await startControl({ seed: 43 }));
    const [a, b, c] = await Promise.all(apps.map(script));
    expect(b).toEqual(a);
    expect(a!.jobs).toEqual([1, 2]);
    expect(c!.tokens[0]).not.toBe(a!.tokens[0]);
    expect(new Set(a!.tokens).size).toBe(3);
  });

  it('POST /seed restarts the sequence; without a seed tokens are random', async () => {
    apps.push(await startControl({ seed: 42 }), await startControl({ seed: null }), await startControl({ seed: null }));
    const [seeded, r1, r2] = apps;
    expect((await seeded!.http.post(`${EMU}/seed`).send({ seed: 42 })).body).toEqual({ seed: 42 });
    await seeded!.http.delete(`${OBJ}/sessions/0`).set(seeded!.auth);
    const again = await seeded!.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
    expect(again.body.token).toBe(seeded!.token);
    expect(r1!.token).not.toBe(r2!.token);
    expect((await r1!.http.get(`${EMU}/seed`)).body).toEqual({ seed: null });
  });
});
