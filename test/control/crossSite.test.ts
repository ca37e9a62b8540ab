import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBJ, startApp, type TestApp } from '../helpers.js';

describe('control plane and cross-site pages', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp({ timing: 'instant' }); });
  afterEach(async () => { await t.close(); });

  it('refuses a reset posted by a page of another site, with 403 and nothing reset', async () => {
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 50, poolId: 0, byteFormatCapacity: '1G' })).body.state).toBe('Succeeded');
    const res = await t.http.post('/emulator/v1/reset').set('Origin', 'http://evil.example').set('Content-Type', 'text/plain').send('{}');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'crossSite', message: "control-plane changes are not accepted from another site's page" });
    expect((await t.http.get(`${OBJ}/ldevs/50`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
    const before = (await t.http.get('/emulator/v1/clock')).body.epochMs;
    const fetchSite = await t.http.post('/emulator/v1/clock/advance').set('Sec-Fetch-Site', 'cross-site').send({ seconds: 5 });
    expect(fetchSite.status).toBe(403);
    expect((await t.http.get('/emulator/v1/clock')).body.epochMs).toBe(before);
  });

  it('accepts the same request from its own origin and from tools that send no Origin', async () => {
    const before = (await t.http.get('/emulator/v1/clock')).body.epochMs;
    const own = await t.http.post('/emulator/v1/clock/advance').set('Host', 'localhost:23450').set('Origin', 'http://localhost:23450').send({ seconds: 5 });
    expect(own.status).toBe(200);
    const tool = await t.http.post('/emulator/v1/clock/advance').send({ seconds: 5 });
    expect(tool.status).toBe(200);
    expect((await t.http.get('/emulator/v1/clock')).body.epochMs).toBe(before + 10000);
  });

  it('guards the web view\'s proxy the same way: a text/plain reset from another site, or by a rebound Host name, changes nothing', async () => {
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 50, poolId: 0, byteFormatCapacity: '1G' })).body.state).toBe('Succeeded');
    const viaProxy = await t.http.post('/emulator/ui/api/control/reset').set('Origin', 'http://evil.example').set('Content-Type', 'text/plain').send('{}');
    expect(viaProxy.status).toBe(403);
    expect(viaProxy.body).toEqual({ error: 'crossSite', message: "control-plane changes are not accepted from another site's page" });
    const rebound = await t.http.post('/emulator/ui/api/control/reset').set('Host', 'evil.example:23450').set('Origin', 'http://evil.example:23450')
      .set('Content-Type', 'application/json').send('{}');
    expect(rebound.status).toBe(403);
    expect(rebound.body.error).toBe('hostNotAllowed');
    const read = await t.http.get('/emulator/v1/journal').set('Host', 'evil.example:23450');
    expect(read.status).toBe(403);
    expect((await t.http.get(`${OBJ}/ldevs/50`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
  });
});
