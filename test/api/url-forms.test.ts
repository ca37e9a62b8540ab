import { afterEach, describe, expect, it } from 'vitest';
import { OBJ, SCOPED, SID, V1, startApp, type TestApp } from './support.js';

/** The operationId of the storage-scoped twin: `splitSnapshotViaPut` → `splitSnapshotInStorageViaPut`. */
const scopedId = (id: string) => id.replace(/(ViaPut)?$/, 'InStorage$1');

/** Makes a scoped body comparable with an embedded one. */
const unscope = (v: unknown) => JSON.parse(JSON.stringify(v).split(`/storages/${SID}`).join(''));

describe('URL forms and body tolerance', () => {
  let t: TestApp | undefined;
  afterEach(async () => { await t?.close(); t = undefined; });

  it('every objects route is served embedded and storage-scoped, every services route in both forms', async () => {
    t = await startApp();
    const doc = t.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const paths = Object.keys(doc.paths);
    const objects = paths.filter((p) => p.startsWith(`${OBJ}/`) && !p.startsWith(`${OBJ}/storages`));
    expect(objects.length).toBeGreaterThanOrEqual(7);
    for (const p of objects) {
      const twin = p.replace(`${OBJ}/`, `${OBJ}/storages/{storageDeviceId}/`);
      expect(paths, `storage-scoped twin of ${p}`).toContain(twin);
      expect(Object.keys(doc.paths[twin]!).sort(), `methods of ${twin}`).toEqual(Object.keys(doc.paths[p]!).sort());
      // One operation in two forms: the twin's operationId is the embedded one's with `InStorage` (before `ViaPut`).
      for (const [method, op] of Object.entries(doc.paths[p]!)) {
        expect(doc.paths[twin]![method]!.operationId, `${method} ${twin}`).toBe(scopedId(op.operationId!));
      }
    }
    for (const p of paths.filter((x) => x.startsWith(`${V1}/services/`))) {
      const twin = p.replace(`${V1}/services/`, `${V1}/{storageDeviceId}/services/`);
      expect(paths, `storage-scoped twin of ${p}`).toContain(twin);
      for (const [method, op] of Object.entries(doc.paths[p]!)) expect(doc.paths[twin]![method]!.operationId).toBe(scopedId(op.operationId!));
    }
    // PUT twins of PATCH (objects) and POST (actions) keep their own id.
    expect(doc.paths[`${OBJ}/ldevs/{ldevId}`]!.put!.operationId).toBe('modifyLdevViaPut');
    expect(doc.paths[`${OBJ}/snapshots/{snapshotId}/actions/split/invoke`]!.put!.operationId).toBe('splitSnapshotViaPut');
  });

  it('reads answer the same in both forms', async () => {
    t = await startApp();
    for (const path of ['/ldevs/0', '/ldevs/4', '/ldevs?headLdevId=0&count=8', '/ldevs?ldevOption=luMapped', '/pools', '/pools/1',
      '/pools?poolType=HTI', '/sessions', '/sessions/0']) {
      const a = await t.http.get(`${OBJ}${path}`).set(t.auth);
      const b = await t.http.get(`${SCOPED}${path}`).set(t.auth);
      expect(a.status, path).toBe(200);
      expect(b.status, path).toBe(200);
      expect(b.body, path).toEqual(a.body);
    }
  });

  it('mutations behave the same in both forms (jobs differ only in the URL form)', async () => {
    const run = async (prefix: string) => {
      const app = await startApp({ timing: 'instant' });
      try {
        const out: unknown[] = [];
        out.push((await app.http.post(`${prefix}/ldevs`).set(app.auth).send({ ldevId: 50, poolId: 0, byteFormatCapacity: '1G' })).body);
        out.push((await app.http.patch(`${prefix}/ldevs/50`).set(app.auth).send({ label: 'x' })).body);
        out.push((await app.http.put(`${prefix}/ldevs/50`).set(app.auth).send({ label: 'y' })).body);
        out.push((await app.http.post(`${prefix}/ldevs/50/actions/expand/invoke`).set(app.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } })).body);
        out.push((await app.http.put(`${prefix}/ldevs/50/actions/expand/invoke`).set(app.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } })).body);
        out.push((await app.http.get(`${prefix}/ldevs/50`).set(app.auth)).body);
        out.push((await app.http.delete(`${prefix}/ldevs/50`).set(app.auth)).body);
        out.push((await app.http.get(`${prefix}/jobs/1`).set(app.auth)).body);
        return out;
      } finally { await app.close(); }
    };
    const embedded = await run(OBJ);
    const scoped = await run(SCOPED);
    expect(JSON.stringify(scoped)).toContain(`/storages/${SID}/jobs/1`);
    expect(unscope(scoped)).toEqual(embedded);
    expect((embedded[5] as { blockCapacity: number }).blockCapacity).toBe(3 * 2 * 1024 * 1024);
  });

  it('PUT = PATCH on ldevs/{id}; PUT = POST on actions/expand/invoke', async () => {
    t = await startApp({ timing: 'instant' });
    const put = await t.http.put(`${OBJ}/ldevs/1`).set(t.auth).send({ label: 'by-put' });
    const patch = await t.http.patch(`${OBJ}/ldevs/2`).set(t.auth).send({ label: 'by-patch' });
    expect([put.status, patch.status]).toEqual([202, 202]);
    expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.label).toBe('by-put');
    expect((await t.http.get(`${OBJ}/ldevs/2`).set(t.auth)).body.label).toBe('by-patch');
    const bad = await t.http.put(`${OBJ}/ldevs/1`).set(t.auth).send({ labl: 'typo' });
    expect(bad.status).toBe(400);
    expect(bad.body.messageId).toBe('KART40038-E');
    const ePut = await t.http.put(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } });
    const ePost = await t.http.post(`${OBJ}/ldevs/2/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } });
    expect([ePut.body.state, ePost.body.state]).toEqual(['Succeeded', 'Succeeded']);
  });

  it('numeric strings are accepted where integers are expected (body, path and query)', async () => {
    t = await startApp({ timing: 'instant' });
    const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: '60', poolId: '0', blockCapacity: '2097152' });
    expect(r.body.state).toBe('Succeeded');
    expect(JSON.parse(r.body.request.requestBody)).toEqual({ ldevId: 60, poolId: 0, blockCapacity: 2097152 });
    const p = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: '0', byteFormatCapacity: '1G', isParallelExecutionEnabled: 'true', startLdevId: '61', endLdevId: '70' });
    expect(p.body.affectedResources).toEqual([`${OBJ}/ldevs/61`]);
    expect((await t.http.post(`${OBJ}/ldevs/60/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalBlockCapacity: '2048000' } })).body.state).toBe('Succeeded');
    expect((await t.http.get(`${OBJ}/ldevs/060`).set(t.auth)).body.ldevId).toBe(60);
    expect((await t.http.get(`${OBJ}/pools/01`).set(t.auth)).body.poolId).toBe(1);
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: '6x', poolId: 0, byteFormatCapacity: '1G' })).status).toBe(400);
  });

  it('empty bodies with Content-Type: application/json are "no body"', async () => {
    t = await startApp({ timing: 'instant' });
    const del = await t.http.delete(`${OBJ}/ldevs/1`).set(t.auth).set('Content-Type', 'application/json');
    expect(del.status).toBe(202);
    expect(del.body.state).toBe('Succeeded');
    expect(del.body.request.requestBody).toBe('');
    const session = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json').send('');
    expect(session.status).toBe(200);
    const ws = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json').send('  \n');
    expect(ws.status).toBe(200);
    // A GET with Content-Type json and no body (every client does it).
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth).set('Content-Type', 'application/json')).status).toBe(200);
  });

  it('a literal JSON null body is "no body" (Terraform DELETE)', async () => {
    t = await startApp({ timing: 'instant' });
    const del = await t.http.delete(`${SCOPED}/ldevs/2`).set(t.auth).set('Content-Type', 'application/json').send('null');
    expect(del.body.state).toBe('Succeeded');
    const session = await t.http.delete(`${OBJ}/sessions/0`).set(t.auth).set('Content-Type', 'application/json').send('null');
    expect(session.status).toBe(200);
  });

  it('{"parameters":{}} reaches the action, which names what is missing', async () => {
    t = await startApp({ timing: 'instant' });
    const r = await t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: {} });
    expect(r.status).toBe(400);
    expect(r.body.messageId).toBe('KART40046-E');
    const nul = await t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: null });
    expect(nul.status).toBe(400);
    expect(nul.body.messageId).toBe('KART20008-E');
  });

  it('JSON null for optional fields is "not specified" (create, modify, expand, sessions)', async () => {
    t = await startApp({ timing: 'instant' });
    const c = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 70, poolId: 0, byteFormatCapacity: '1G', label: null, mpBladeId: null, clprId: null });
    expect(c.body.state).toBe('Succeeded');
    const m = await t.http.patch(`${OBJ}/ldevs/70`).set(t.auth).send({ label: 'kept', dataReductionMode: null });
    expect(m.body.state).toBe('Succeeded');
    expect((await t.http.get(`${OBJ}/ldevs/70`).set(t.auth)).body).toMatchObject({ label: 'kept', dataReductionMode: 'disabled' });
    const e = await t.http.post(`${OBJ}/ldevs/70/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G', additionalBlockCapacity: null, enhancedExpansion: null } });
    expect(e.body.state).toBe('Succeeded');
    const s = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').send({ aliveTime: null, authenticationTimeout: null });
    expect(s.status).toBe(200);
    const d = await t.http.delete(`${OBJ}/ldevs/70`).set(t.auth).send({ isDataReductionDeleteForceExecute: null });
    expect(d.body.state).toBe('Succeeded');
  });

  it('trailing and duplicate slashes reach the same route', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/ldevs/0/`).set(t.auth)).body.ldevId).toBe(0);
    expect((await t.http.get(`${SCOPED}/pools/`).set(t.auth)).body.data).toHaveLength(2);
    expect((await t.http.get(`${OBJ}//pools/0`).set(t.auth)).body.poolId).toBe(0);
  });

  it('a Content-Type other than JSON still carries a JSON body (curl without -H)', async () => {
    t = await startApp({ timing: 'instant' });
    const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/x-www-form-urlencoded')
      .send('{"ldevId":80,"poolId":0,"byteFormatCapacity":"1G"}');
    expect(r.status).toBe(202);
    expect(r.body.state).toBe('Succeeded');
  });
});
