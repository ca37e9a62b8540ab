import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { VERSION } from '../../src/version.js';
import { OBJ, SCOPED, startApp, type TestApp } from './support.js';

const ERROR_KEYS = ['detailCode', 'errorSource', 'message', 'messageId', 'solution', 'solutionType'];

/** The fields every VSP error object carries (cause and errorCode are optional). */
function expectVspError(body: Record<string, unknown>, messageId: string, errorSource?: string): void {
  for (const k of ERROR_KEYS) expect(body, `error object field ${k}`).toHaveProperty(k);
  expect(body.messageId).toBe(messageId);
  expect(body.detailCode).toBe(`${messageId.slice(4, 9)}${messageId.slice(10)}-0`);
  if (errorSource) expect(body.errorSource).toBe(errorSource);
}

describe('errors', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('an unknown attribute is 400 KART40038-E naming the attribute (top level and nested)', async () => {
    t = await startApp();
    const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0, byteFormatCapacity: '1G', capacityInGB: 1 });
    expect(res.status).toBe(400);
    expectVspError(res.body, 'KART40038-E', `${OBJ}/ldevs`);
    expect(res.body.message).toBe('An unsupported parameter is specified in the request body, or the hierarchy of the specified parameter is invalid (attribute = capacityInGB)');
    const nested = await t.http.post(`${SCOPED}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G', operationType: 'x' } });
    expect(nested.status).toBe(400);
    expect(nested.body.messageId).toBe('KART40038-E');
    expect(nested.body.message).toContain('attribute = parameters.operationType');
    const hierarchy = await t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ additionalByteFormatCapacity: '1G' });
    expect(hierarchy.status).toBe(400);
    expect(hierarchy.body.messageId).toBe('KART40038-E');
    expect(hierarchy.body.message).toContain('attribute = additionalByteFormatCapacity');
  });

  it('a missing parameter is 400 KART20008-E naming it', async () => {
    t = await startApp();
    const noCap = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0 });
    expect(noCap.status).toBe(400);
    expectVspError(noCap.body, 'KART20008-E', `${OBJ}/ldevs`);
    expect(noCap.body.message).toBe('Required parameters are not specified. (parameter = byteFormatCapacity)');
    const noPool = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ byteFormatCapacity: '1G' });
    expect(noPool.status).toBe(400);
    expect(noPool.body.message).toContain('parameter = poolId');
    const noBody = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json');
    expect(noBody.status).toBe(400);
    expect(noBody.body.messageId).toBe('KART20008-E');
    const noParams = await t.http.put(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).set('Content-Type', 'application/json');
    expect(noParams.status).toBe(400);
    expect(noParams.body.messageId).toBe('KART20008-E');
    expect(noParams.body.message).toContain('parameter = parameters');
    const noLabel = await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({});
    expect(noLabel.status).toBe(400);
    expect(noLabel.body.messageId).toBe('KART20008-E');
  });

  it('an invalid combination is 400 KART40046-E', async () => {
    t = await startApp();
    const cases: Array<Record<string, unknown>> = [
      { ldevId: 10, isParallelExecutionEnabled: true, poolId: 0, byteFormatCapacity: '1G' },
      { poolId: 0, byteFormatCapacity: '1G', blockCapacity: 2097152 },
      { ldevId: 10, startLdevId: 5, poolId: 0, byteFormatCapacity: '1G' },
      { isParallelExecutionEnabled: true, startLdevId: 9, endLdevId: 5, poolId: 0, byteFormatCapacity: '1G' },
      { poolId: -1, byteFormatCapacity: '1G', dataReductionMode: 'compression' },
    ];
    for (const body of cases) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectVspError(res.body, 'KART40046-E', `${OBJ}/ldevs`);
    }
    const expand = await t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: {} });
    expect(expand.status).toBe(400);
    expect(expand.body.messageId).toBe('KART40046-E');
  });

  it('a bad value is 400 KART40039-E (never a 500)', async () => {
    t = await startApp();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['byteFormatCapacity', { poolId: 0, byteFormatCapacity: 'ten gigs' }],
      ['blockCapacity', { poolId: 0, blockCapacity: 0 }],
      ['ldevId', { ldevId: 65280, poolId: 0, byteFormatCapacity: '1G' }],
      ['ldevId', { ldevId: 1.5, poolId: 0, byteFormatCapacity: '1G' }],
      ['poolId', { poolId: -2, byteFormatCapacity: '1G' }],
      ['dataReductionMode', { poolId: 0, byteFormatCapacity: '1G', dataReductionMode: 'zip' }],
      ['label', { poolId: 0, byteFormatCapacity: '1G', label: 'x'.repeat(33) }],
    ];
    for (const [attr, body] of cases) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send(body);
      expect(res.status, attr).toBe(400);
      expectVspError(res.body, 'KART40039-E');
      expect(res.body.message).toContain(attr);
    }
    for (const url of [`${OBJ}/ldevs/abc`, `${OBJ}/ldevs/-1`, `${OBJ}/ldevs/65280`, `${OBJ}/ldevs?count=0`, `${OBJ}/ldevs?ldevOption=nope`, `${OBJ}/pools?poolType=XX`]) {
      const res = await t.http.get(url).set(t.auth);
      expect(res.status, url).toBe(400);
      expect(res.body.messageId).toBe('KART40039-E');
    }
  });

  it('an unknown object is 404 KART30013-E whose message contains "Specified object does not exist"', async () => {
    t = await startApp();
    for (const url of [`${OBJ}/pools/99`, `${SCOPED}/pools/99`, `${OBJ}/jobs/99`, `${OBJ}/sessions/63`, `${OBJ}/storages/936000000001`]) {
      const res = await t.http.get(url).set(t.auth);
      expect(res.status, url).toBe(404);
      expectVspError(res.body, 'KART30013-E', url);
      expect(res.body.message).toContain('Specified object does not exist');
      expect(res.body.cause).toBe('The specified object does not exist in the storage system.');
    }
  });

  it('an unknown URL is 404 KART20009-E', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/volumes`).set(t.auth);
    expect(res.status).toBe(404);
    expectVspError(res.body, 'KART20009-E', `${OBJ}/volumes`);
    expect((await t.http.get('/ConfigurationManager/v2/objects/ldevs')).status).toBe(404);
  });

  it('a wrong method on a known URL is 405 with an Allow header', async () => {
    t = await startApp();
    const cases: Array<[string, string, string]> = [
      ['delete', `${OBJ}/pools/0`, 'GET'],
      ['post', `${SCOPED}/pools`, 'GET'],
      ['put', `${OBJ}/ldevs`, 'GET, POST'],
      ['delete', `${OBJ}/jobs/1`, 'GET'],
      ['get', `${OBJ}/ldevs/1/actions/expand/invoke`, 'POST, PUT'],
      ['post', `${OBJ}/ldevs/1`, 'GET, PUT, PATCH, DELETE'],
      ['delete', `${OBJ}/storages`, 'GET'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await (t.http as unknown as Record<string, (u: string) => ReturnType<TestApp['http']['get']>>)[method]!(url).set(t.auth);
      expect(res.status, `${method} ${url}`).toBe(405);
      expectVspError(res.body, 'KART20010-E', url);
      expect(res.headers.allow).toBe(allow);
    }
    // A trailing slash does not turn a 405 into a 404.
    expect((await t.http.delete(`${OBJ}/pools/0/`).set(t.auth)).status).toBe(405);
  });

  it('a body that is not JSON is 400 KART40040-E', async () => {
    t = await startApp();
    for (const raw of ['{bad', '{"ldevId": 1,}', '<xml/>']) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send(raw);
      expect(res.status, raw).toBe(400);
      expectVspError(res.body, 'KART40040-E', `${OBJ}/ldevs`);
    }
    for (const raw of ['[1]', '"text"', '12']) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send(raw);
      expect(res.status, raw).toBe(400);
      expect(res.body.messageId).toMatch(/^KART4/);
    }
  });

  it('malformed URLs and over-long ids are VSP error objects, not framework bodies', async () => {
    t = await startApp();
    const bad = await t.http.get(`${OBJ}/ldevs/%E0%A4%A`).set(t.auth);
    expect(bad.status).toBe(400);
    expectVspError(bad.body, 'KART40039-E');
    const long = await t.http.get(`${OBJ}/ldevs/${'1'.repeat(600)}`).set(t.auth);
    expect(long.status).toBe(400);
    expect(long.body.messageId).toBe('KART40039-E');
  });

  it('errors are JSON with Content-Type application/json and carry the emulator version header', async () => {
    t = await startApp();
    for (const res of [await t.http.get(`${OBJ}/pools/99`).set(t.auth), await t.http.get(`${OBJ}/ldevs/%E0%A4%A`).set(t.auth),
      await t.http.get(`${OBJ}/nothing-here`), await t.http.get(`${OBJ}/ldevs/0`)]) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-vsp-emulator']).toBe(VERSION);
    }
    const ok = await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
    expect(ok.headers['x-vsp-emulator']).toBe(VERSION);
  });

  describe('storage-side rejections are Failed jobs with KART30000-E and the SSB codes', () => {
    const failedJob = async (t: TestApp, body: Record<string, unknown>, url = `${OBJ}/ldevs`) => {
      const res = await t.http.post(url).set(t.auth).send(body);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'Completed', state: 'Failed', affectedResources: [] });
      expect(res.body.error.messageId).toBe('KART30000-E');
      expect(res.body.error.detailCode).toBe('30000E-0');
      expect(res.body.error.cause).toBe('An error occurred during execution of a RAID Manager command.');
      expect(res.body.error.message).toMatch(/^An error occurred in the storage system\. \(message = .+\)$/);
      const polled = await t.http.get(`${OBJ}/jobs/${res.body.jobId}`).set(t.auth);
      expect(polled.body.error).toEqual(res.body.error);
      return res.body.error as { errorCode: { SSB1: string; SSB2: string }; errorSource: string };
    };

    it('LDEV already defined: 2E22/0001', async () => {
      t = await startApp({ timing: 'instant' });
      const e = await failedJob(t, { ldevId: 1, poolId: 0, byteFormatCapacity: '1G' });
      expect(e.errorCode).toEqual({ SSB1: '2E22', SSB2: '0001' });
      expect(e.errorSource).toBe(`${OBJ}/ldevs`);
    });

    it('no free LDEV id in the range: 2E11/2209', async () => {
      t = await startApp({ timing: 'instant' });
      const e = await failedJob(t, { isParallelExecutionEnabled: true, startLdevId: 0, endLdevId: 3, poolId: 0, byteFormatCapacity: '1G' });
      expect(e.errorCode).toEqual({ SSB1: '2E11', SSB2: '2209' });
    });

    it('pool capacity exhausted (full allocation beyond free space): 2E30/0007', async () => {
      t = await startApp({ timing: 'instant' });
      const e = await failedJob(t, { ldevId: 10, poolId: 0, byteFormatCapacity: '60T', isFullAllocationEnabled: true });
      expect(e.errorCode).toEqual({ SSB1: '2E30', SSB2: '0007' });
      expect((await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
    });

    it('pool capacity exhausted (subscription limit virtualVolumeCapacityRate): 2E30/0007', async () => {
      const fx = readFixture('default');
      const arr = fx.arrays[0]!;
      t = await startApp({ timing: 'instant', fixture: { ...fx, arrays: [{ ...arr, pools: [{ ...arr.pools![0]!, virtualVolumeCapacityRate: 100 }, arr.pools![1]!] }] } });
      const ok = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 10, poolId: 0, byteFormatCapacity: '40T' });
      expect(ok.body.state).toBe('Succeeded');
      const e = await failedJob(t, { ldevId: 11, poolId: 0, byteFormatCapacity: '10T' });
      expect(e.errorCode).toEqual({ SSB1: '2E30', SSB2: '0007' });
    });

    it('capacity below the minimum DP volume size (46 MiB): 2E10/9705; 47 MiB succeeds', async () => {
      t = await startApp({ timing: 'instant' });
      const e = await failedJob(t, { ldevId: 10, poolId: 0, byteFormatCapacity: '46M' });
      expect(e.errorCode).toEqual({ SSB1: '2E10', SSB2: '9705' });
      const ok = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 10, poolId: 0, byteFormatCapacity: '47M' });
      expect(ok.body.state).toBe('Succeeded');
    });

    it('capacity above the largest volume (256 TiB) is refused: 2E10/9705, for DP volumes and V-VOLs alike', async () => {
      t = await startApp({ timing: 'instant' });
      expect((await failedJob(t, { ldevId: 10, poolId: 0, byteFormatCapacity: '257T' })).errorCode).toEqual({ SSB1: '2E10', SSB2: '9705' });
      expect((await failedJob(t, { ldevId: 10, poolId: 0, blockCapacity: 1e20 })).errorCode).toEqual({ SSB1: '2E10', SSB2: '9705' });
      expect((await failedJob(t, { ldevId: 10, poolId: -1, byteFormatCapacity: '300T' })).errorCode).toEqual({ SSB1: '2E10', SSB2: '9705' });
      const ok = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 10, poolId: -1, byteFormatCapacity: '256T' });
      expect(ok.body.state).toBe('Succeeded');
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 11, poolId: 0, byteFormatCapacity: '256T' });
      const tooBig = await t.http.post(`${OBJ}/ldevs/11/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } });
      expect(tooBig.body.state).toBe('Failed');
      expect(tooBig.body.error.errorCode).toEqual({ SSB1: '2E10', SSB2: '9705' });
    });

    it('a Thin Image pool or an unknown pool cannot hold a DP volume', async () => {
      t = await startApp({ timing: 'instant' });
      expect((await failedJob(t, { ldevId: 10, poolId: 1, byteFormatCapacity: '1G' })).errorCode.SSB1).toBe('2E10');
      expect((await failedJob(t, { ldevId: 10, poolId: 77, byteFormatCapacity: '1G' })).errorCode.SSB1).toBe('2E10');
    });

    it('a failed job leaves the array unchanged', async () => {
      t = await startApp({ timing: 'instant' });
      const before = await t.http.get(`${OBJ}/pools/0`).set(t.auth);
      await failedJob(t, { ldevId: 10, poolId: 0, byteFormatCapacity: '60T', isFullAllocationEnabled: true });
      const after = await t.http.get(`${OBJ}/pools/0`).set(t.auth);
      expect(after.body).toEqual(before.body);
    });
  });
});
