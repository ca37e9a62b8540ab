import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, SID, startControl } from './support.js';

const FIXED: Array<[string, string[]]> = [
  ['/emulator/v1/health', ['get']],
  ['/emulator/v1/reset', ['post']],
  ['/emulator/v1/checkpoints', ['get']],
  ['/emulator/v1/checkpoints/{name}', ['delete', 'get', 'post']],
  ['/emulator/v1/checkpoints/{name}/restore', ['post']],
  ['/emulator/v1/state', ['get']],
  ['/emulator/v1/arrays', ['get', 'post']],
  ['/emulator/v1/arrays/{storageDeviceId}', ['delete']],
  ['/emulator/v1/clock', ['get', 'post']],
  ['/emulator/v1/clock/advance', ['post']],
  ['/emulator/v1/timing', ['get', 'patch', 'put']],
  ['/emulator/v1/faults', ['delete', 'get', 'post']],
  ['/emulator/v1/faults/{id}', ['delete', 'get']],
  ['/emulator/v1/journal', ['delete', 'get']],
];

describe('control plane: health, version header, OpenAPI, switches', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('health answers ready with the loaded fixture, arrays, clock and counters', async () => {
    t = await startControl();
    const res = await t.http.get(`${EMU}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ready', version: VERSION, fixture: 'default', arrays: [SID],
      clock: { mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: Date.UTC(2026, 0, 5, 10, 0, 0) },
      timing: 'realistic', faults: 0, checkpoints: 0, held: 0, seed: 1,
      start: { state: 'loaded', fixture: 'default', db: ':memory:', fresh: false, counts: { arrays: 1, ldevs: 4, pairs: 0 } },
      counts: { arrays: 1, ldevs: 4, pairs: 0 },
    });
    // counts follow the model; start stays what this process started from.
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 50, poolId: 0, byteFormatCapacity: '1G' })).status).toBe(202);
    t.advance(60);
    const after = (await t.http.get(`${EMU}/health`)).body;
    expect(after.counts).toEqual({ arrays: 1, ldevs: 5, pairs: 0 });
    expect(after.start.counts).toEqual({ arrays: 1, ldevs: 4, pairs: 0 });
  });

  it('every response carries x-vsp-emulator: API, errors, 404, 405, bad URLs and the control plane', async () => {
    t = await startControl();
    const responses = await Promise.all([
      t.http.get(`${OBJ}/storages`),
      t.http.get(`${OBJ}/ldevs/0`).set(t.auth),
      t.http.get(`${OBJ}/ldevs/0`),
      t.http.get(`${OBJ}/no-such-thing`).set(t.auth),
      t.http.delete(`${OBJ}/storages`).set(t.auth),
      t.http.get(`${OBJ}/ldevs/%zz`).set(t.auth),
      t.http.get('/nowhere'),
      t.http.get(`${EMU}/health`),
      t.http.get(`${EMU}/nowhere`),
      t.http.post(`${EMU}/clock/advance`).send({ seconds: -1 }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404, 405, 400, 404, 200, 404, 400]);
    for (const r of responses) expect(r.headers['x-vsp-emulator']).toBe(VERSION);
  });

  it('serves its own OpenAPI document with every fixed path, and stays out of the VSP API document', async () => {
    t = await startControl();
    const doc = await t.http.get(`${EMU}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.info.title).toBe('vsp-emulator control plane');
    for (const [path, methods] of FIXED) {
      expect(Object.keys(doc.body.paths[path] ?? {}).sort(), path).toEqual(expect.arrayContaining(methods));
    }
    expect(doc.body.paths['/emulator/v1/clock/advance'].post.requestBody.content['application/json'].schema.properties.seconds).toEqual({ type: 'number', minimum: 0, maximum: 3155760000 });
    const vsp = await t.http.get('/openapi.json');
    expect(vsp.status).toBe(200);
    expect(Object.keys(vsp.body.paths).filter((p) => p.startsWith('/emulator'))).toEqual([]);
  });

  it('errors are {error, message}: unknown route 404, invalid body 400', async () => {
    t = await startControl();
    const nf = await t.http.post(`${EMU}/nowhere`);
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ error: 'notFound', message: 'no control-plane route POST /emulator/v1/nowhere' });
    const bad = await t.http.post(`${EMU}/clock/advance`).send({ seconds: 1, minutes: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'badRequest', message: 'body must NOT have additional properties' });
  });

  it('--no-control-plane removes all of /emulator/v1/ (the array answers its own 404)', async () => {
    t = await startControl({ controlPlane: false });
    expect(t.control).toBe(undefined);
    for (const path of ['/health', '/reset', '/journal']) {
      const res = await t.http.get(`${EMU}${path}`);
      expect(res.status).toBe(404);
      expect(res.body.messageId).toBe('KART20009-E');
      expect(res.headers['x-vsp-emulator']).toBe(VERSION);
    }
    expect((await t.http.post(`${EMU}/reset`)).status).toBe(404);
  });

  it('--control-token protects every route but health with a Bearer token', async () => {
    t = await startControl({ controlToken: 's3cret' });
    const none = await t.http.get(`${EMU}/clock`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="vsp-emulator"');
    expect(none.headers['x-vsp-emulator']).toBe(VERSION);
    expect(none.body).toEqual({ error: 'unauthorized', message: 'the control plane needs Authorization: Bearer <control token>' });
    expect((await t.http.get(`${EMU}/clock`).set('Authorization', 'Bearer wrong')).status).toBe(401);
    expect((await t.http.post(`${EMU}/reset`).set('Authorization', 'Basic czNjcmV0')).status).toBe(401);
    expect((await t.http.get(`${EMU}/clock`).set('Authorization', 'Bearer s3cret')).status).toBe(200);
    expect((await t.http.get(`${EMU}/health`)).status).toBe(200);
    const doc = await t.http.get(`${EMU}/openapi.json`).set('Authorization', 'Bearer s3cret');
    expect(doc.body.paths['/emulator/v1/reset'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.body.paths['/emulator/v1/health'].get.security).toEqual([]);
    // The VSP API itself is not affected by the control token.
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).status).toBe(200);
  });
});
