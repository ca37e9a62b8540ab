import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { CM, OBJ, SCOPED, SID, startApp, type TestApp } from './support.js';

describe('configuration and storage systems', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('GET configuration/version answers without credentials', async () => {
    t = await startApp();
    const res = await t.http.get(`${CM}/configuration/version`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ productName: 'Configuration Manager REST API', apiVersion: '1.22.0' });
  });

  it('GET storages lists the arrays without credentials', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/storages`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [{ storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456, svpIp: '192.0.2.100', ctl1Ip: '192.0.2.101', ctl2Ip: '192.0.2.102' }],
    });
  });

  it('GET storages ignores a bad Authorization header (no auth needed)', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/storages`).set('Authorization', 'Session not-a-token');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
  });

  it('GET storages/{id} needs credentials and answers the detail object', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/storages/${SID}`)).status).toBe(401);
    const res = await t.http.get(`${OBJ}/storages/${SID}`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456, svpIp: '192.0.2.100', ctl1Ip: '192.0.2.101', ctl2Ip: '192.0.2.102',
      dkcMicroVersion: '93-07-23-80/00', detailDkcMicroVersion: '93-07-23-80/00', mappWebServerHttpsPort: 443, rmiPort: 1099,
      communicationModes: [{ communicationMode: 'lanConnectionMode' }], isSecure: true, isCompressionAccelerationAvailable: false,
    });
    expect(typeof res.body.serialNumber).toBe('number');
  });

  it('GET storages/instance is this array, with Session or Basic auth', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/storages/instance`)).status).toBe(401);
    const res = await t.http.get(`${OBJ}/storages/instance`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456, dkcMicroVersion: '93-07-23-80/00' });
    const basic = await t.http.get(`${OBJ}/storages/instance`).auth('maintenance', 'raid-maintenance');
    expect(basic.status).toBe(200);
    expect(basic.body.storageDeviceId).toBe(SID);
  });

  it('an unknown storage id is 404 KART30013-E in every URL form', async () => {
    t = await startApp();
    for (const url of [`${OBJ}/storages/936000999999`, `${OBJ}/storages/936000999999/ldevs/0`, `${OBJ}/storages/936000999999/pools`,
      `${OBJ}/storages/936000999999/jobs/1`, `${OBJ}/storages/936000999999/sessions`]) {
      const res = await t.http.get(url).set(t.auth);
      expect(res.status, url).toBe(404);
      expect(res.body.messageId).toBe('KART30013-E');
      expect(res.body.message).toContain('Specified object does not exist');
      expect(res.body.errorSource).toBe(url);
    }
    const post = await t.http.post(`${OBJ}/storages/936000999999/sessions`).auth('maintenance', 'raid-maintenance');
    expect(post.status).toBe(404);
  });

  it('several arrays: each is listed, and scoped URLs reach their own array', async () => {
    const fx = readFixture('default');
    const g900 = readFixture('g900');
    t = await startApp({ fixture: { ...fx, arrays: [...fx.arrays, ...g900.arrays] } });
    const list = await t.http.get(`${OBJ}/storages`);
    expect(list.body.data.map((a: { storageDeviceId: string }) => a.storageDeviceId)).toEqual([SID, '886000123456']);
    const g = await t.http.get(`${OBJ}/storages/886000123456`).set(
      'Authorization', `Session ${(await t.http.post(`${OBJ}/storages/886000123456/sessions`).auth('maintenance', 'raid-maintenance')).body.token}`);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ model: 'VSP G900', dkcMicroVersion: '88-08-10-60/00', usesSvp: true });
    // A token belongs to the array it was made on.
    const cross = await t.http.get(`${OBJ}/storages/886000123456/pools`).set(t.auth);
    expect(cross.status).toBe(401);
    expect(cross.body.message).toContain('The specified token is invalid');
    const pools = await t.http.get(`${OBJ}/storages/886000123456/pools`).auth('maintenance', 'raid-maintenance');
    expect(pools.body.data.map((p: { poolId: number }) => p.poolId)).toEqual([30, 31]);
    const own = await t.http.get(`${SCOPED}/pools`).set(t.auth);
    expect(own.body.data.map((p: { poolId: number }) => p.poolId)).toEqual([0, 1]);
  });
});
