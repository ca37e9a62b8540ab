import { afterEach, describe, expect, it } from 'vitest';
import type { Response, Test } from 'supertest';
import { CINDER_WAIT, OBJ, SID, V1, held, lastJobId, startApp, type TestApp } from './support.js';

/**
 * Replays the OpenStack Cinder Hitachi REST driver (hbsd_rest.py / hbsd_rest_api.py) request by request for
 * create_volume, extend_volume and delete_volume (reference section 10): storage-scoped URLs, Basic login then
 * `Session <token>`, `Content-Type`/`Accept` JSON on every request, PUT for changes and actions, and
 * `Response-Job-Status: Completed;` + `Response-Max-Wait: 1800` on every mutation. Cinder never polls jobs: a
 * 202 that is not Completed/Succeeded makes it re-send the request, so each mutation asserts exactly that.
 */
const OBJECT_URL = `${OBJ}/storages/${SID}`;
const POOL_ID = 0;
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

interface Cinder {
  t: TestApp;
  session: { id: number; token: string };
  sent: Array<{ method: string; url: string }>;
}

function request(c: Cinder, method: 'get' | 'post' | 'put' | 'delete', url: string): Test {
  c.sent.push({ method: method.toUpperCase(), url });
  return c.t.http[method](url).set(HEADERS).set('Authorization', `Session ${c.session.token}`);
}

/** `_request(async_=True)`: held until the job completes; the virtual clock moves by the job's duration. */
async function mutate(c: Cinder, method: 'post' | 'put' | 'delete', url: string, body: unknown, seconds: number): Promise<Response> {
  const jobsBefore = lastJobId(c.t);
  let req = request(c, method, url).set(CINDER_WAIT);
  if (body !== undefined) req = req.send(body as object);
  const rsp = await held(c.t, req, seconds);
  expect(lastJobId(c.t), `${method} ${url} made exactly one job`).toBe(jobsBefore + 1);
  // ResponseData.job_succeeded(): 202 with status Completed and state Succeeded, else Cinder re-sends.
  expect(rsp.status).toBe(202);
  expect(rsp.headers['content-type']).toContain('json');
  expect(rsp.body.status).toBe('Completed');
  expect(rsp.body.state).toBe('Succeeded');
  return rsp;
}

/** RestApiClient._add_object: affectedResources[0].split('/')[-1]. */
const addedId = (rsp: Response) => (rsp.body.affectedResources as string[])[0]!.split('/').at(-1)!;

/** HBSDREST.get_ldev_info(keys, ldev). */
async function ldevInfo(c: Cinder, ldev: number, keys: string[]): Promise<Record<string, unknown>> {
  const rsp = await request(c, 'get', `${OBJECT_URL}/ldevs/${ldev}`);
  expect(rsp.status).toBe(200);
  return Object.fromEntries(keys.map((k) => [k, rsp.body[k]]));
}

async function cinderLogin(t: TestApp): Promise<Cinder> {
  // RestApiClient._login: POST storages/{sid}/sessions, Basic auth, no body.
  const rsp = await t.http.post(`${OBJECT_URL}/sessions`).set(HEADERS).auth('maintenance', 'raid-maintenance');
  expect(rsp.status).toBe(200);
  return { t, session: { id: rsp.body.sessionId, token: rsp.body.token }, sent: [] };
}

/** hbsd_common.create_volume → HBSDREST.create_ldev + modify_ldev_name. */
async function createVolume(c: Cinder, sizeGb: number, volumeId: string, ldevRange?: [number, number]): Promise<number> {
  const body: Record<string, unknown> = { byteFormatCapacity: `${sizeGb}G`, poolId: POOL_ID, isParallelExecutionEnabled: true };
  if (ldevRange) { body.startLdevId = ldevRange[0]; body.endLdevId = ldevRange[1]; }
  const add = await mutate(c, 'post', `${OBJECT_URL}/ldevs`, body, 2);
  const ldev = Number.parseInt(addedId(add), 10);
  expect(Number.isInteger(ldev)).toBe(true);
  await mutate(c, 'put', `${OBJECT_URL}/ldevs/${ldev}`, { label: volumeId.replace(/-/g, '') }, 0.5);
  return ldev;
}

/** hbsd_common.extend_volume: check_pair_svol, delete_pair (get_pair_info), extend_ldev. */
async function extendVolume(c: Cinder, ldev: number, oldSize: number, newSize: number): Promise<void> {
  const svol = await ldevInfo(c, ldev, ['status', 'snapshotPoolId']);
  expect(svol.status).toBe('NML');
  expect(svol.snapshotPoolId ?? null).toBeNull(); // not an S-VOL
  const pair = await ldevInfo(c, ldev, ['status', 'attributes']);
  expect(pair.attributes).not.toContain('HTI'); // no pair to delete
  await mutate(c, 'put', `${OBJECT_URL}/ldevs/${ldev}/actions/expand/invoke`,
    { parameters: { additionalByteFormatCapacity: `${newSize - oldSize}G` } }, 1.5);
}

/** hbsd_common.delete_volume → delete_ldev: delete_pair, unmap_ldev_from_storage, delete_ldev_from_storage. */
async function deleteVolume(c: Cinder, ldev: number): Promise<'deleted' | 'not-exist'> {
  const pair = await ldevInfo(c, ldev, ['status', 'attributes']);
  if (pair.status === 'NML') expect(pair.attributes).not.toContain('HTI');
  const mapped = await ldevInfo(c, ldev, ['ports']);
  expect(mapped.ports ?? []).toEqual([]); // attach/detach (LU paths) are covered with the LUN routes
  const result = await request(c, 'get', `${OBJECT_URL}/ldevs/${ldev}`);
  if (result.body.emulationType === 'NOT DEFINED') return 'not-exist';
  await mutate(c, 'delete', `${OBJECT_URL}/ldevs/${ldev}`, undefined, 1.5);
  return 'deleted';
}

describe('Cinder HBSD REST driver flows (reference section 10)', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('login, get_pool_info, create_volume, extend_volume, delete_volume with the exact URLs and headers', async () => {
    t = await startApp();
    const c = await cinderLogin(t);

    // Keep-alive (_keep_session → relogin → _has_session): GET storages/{sid}/sessions/{id}.
    expect((await request(c, 'get', `${OBJECT_URL}/sessions/${c.session.id}`)).status).toBe(200);

    // update_volume_stats → get_pool_info: GET pools/{id}, capacities in MiB.
    const pool = await request(c, 'get', `${OBJECT_URL}/pools/${POOL_ID}`);
    expect(pool.body.errorSource).toBeUndefined();
    const located = pool.body.totalLocatedCapacity as number;

    const volumeId = '0b6c9f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const ldev = await createVolume(c, 10, volumeId);
    expect(ldev).toBe(4); // lowest free id
    const created = (await request(c, 'get', `${OBJECT_URL}/ldevs/${ldev}`)).body;
    expect(created).toMatchObject({ emulationType: 'OPEN-V-CVS', blockCapacity: 10 * 2097152, attributes: ['CVS', 'HDP'], status: 'NML',
      poolId: POOL_ID, dataReductionStatus: 'DISABLED', dataReductionMode: 'disabled', label: volumeId.replace(/-/g, '') });
    expect((await request(c, 'get', `${OBJECT_URL}/pools/${POOL_ID}`)).body.totalLocatedCapacity).toBe(located + 10 * 1024);

    await extendVolume(c, ldev, 10, 15);
    expect((await ldevInfo(c, ldev, ['blockCapacity', 'byteFormatCapacity']))).toEqual({ blockCapacity: 15 * 2097152, byteFormatCapacity: '15.00 G' });

    expect(await deleteVolume(c, ldev)).toBe('deleted');
    expect((await ldevInfo(c, ldev, ['emulationType'])).emulationType).toBe('NOT DEFINED');
    expect((await request(c, 'get', `${OBJECT_URL}/pools/${POOL_ID}`)).body.totalLocatedCapacity).toBe(located);
    // A second delete finds the slot free and sends no DELETE.
    expect(await deleteVolume(c, ldev)).toBe('not-exist');

    // Every URL the driver used is storage-scoped.
    expect(c.sent.every((r) => r.url.startsWith(`${OBJECT_URL}/`))).toBe(true);
    expect(c.sent.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url.slice(OBJECT_URL.length)}`)).toEqual([
      'POST /ldevs', `PUT /ldevs/${ldev}`, `PUT /ldevs/${ldev}/actions/expand/invoke`, `DELETE /ldevs/${ldev}`,
    ]);
  });

  it('create_volume honours hitachi_ldev_range (startLdevId/endLdevId) and a full range fails without retry-able SSB', async () => {
    t = await startApp();
    const c = await cinderLogin(t);
    expect(await createVolume(c, 1, 'aaaaaaaa-0000-0000-0000-000000000001', [200, 201])).toBe(200);
    expect(await createVolume(c, 1, 'aaaaaaaa-0000-0000-0000-000000000002', [200, 201])).toBe(201);
    const full = await held(t, request(c, 'post', `${OBJECT_URL}/ldevs`).set(CINDER_WAIT)
      .send({ byteFormatCapacity: '1G', poolId: POOL_ID, isParallelExecutionEnabled: true, startLdevId: 200, endLdevId: 201 }), 2);
    expect(full.status).toBe(202);
    expect(full.body).toMatchObject({ status: 'Completed', state: 'Failed' });
    // NO_AVAILABLE_LDEV_ID: Cinder reads error.errorCode.SSB1/SSB2 from a Failed job (no errorSource at top level).
    expect(full.body.errorSource).toBeUndefined();
    expect(full.body.error.errorCode).toEqual({ SSB1: '2E11', SSB2: '2209' });
  });

  it('a 401 after session expiry: Cinder checks GET sessions/{id} (401/404), logs in again, and the request succeeds', async () => {
    t = await startApp();
    const c = await cinderLogin(t);
    t.advance(301); // idle past the default aliveTime of 300 s
    const stale = await request(c, 'get', `${OBJECT_URL}/ldevs/0`);
    expect(stale.status).toBe(401);
    expect((await request(c, 'get', `${OBJECT_URL}/sessions/${c.session.id}`)).status).toBe(401);
    const again = await cinderLogin(t);
    c.session = again.session;
    expect((await request(c, 'get', `${OBJECT_URL}/ldevs/0`)).status).toBe(200);
  });

  it('get_pool_info of an unknown pool: KART30013-E with errorSource (ignored message id, then "pool not found")', async () => {
    t = await startApp();
    const c = await cinderLogin(t);
    const rsp = await request(c, 'get', `${OBJECT_URL}/pools/12`);
    expect(rsp.status).toBe(404);
    expect(rsp.body.messageId).toBe('KART30013-E');
    expect(rsp.body.errorSource).toBe(`${V1}/objects/storages/${SID}/pools/12`);
  });
});
