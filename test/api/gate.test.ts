import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRefusal, createHostCheck, normalizeUrl } from '../../src/http/gate.js';
import { OBJ, SID, startApp, type TestApp } from '../helpers.js';

/** One request over a real socket, so the request line is exactly what we write (absolute-form included). */
function send(port: number, path: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let parsed: unknown = text;
        try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('normalizeUrl: one canonical path before anything reads the URL', () => {
  it.each([
    ['/ConfigurationManager/v1/objects/ldevs/0', '/ConfigurationManager/v1/objects/ldevs/0'],
    ['//ConfigurationManager//v1/objects/jobs/1', '/ConfigurationManager/v1/objects/jobs/1'],
    ['http://evil:80/ConfigurationManager/v1/objects/jobs/1?x=1', '/ConfigurationManager/v1/objects/jobs/1?x=1'],
    ['HTTPS://host', '/'],
    ['/%43onfiguration%4danager/v1/%6Fbjects/ldevs/0', '/ConfigurationManager/v1/objects/ldevs/0'],
    ['/ConfigurationManager/v1/objects/snapshots/100%2C3', '/ConfigurationManager/v1/objects/snapshots/100%2C3'],
    ['/ConfigurationManager/v1/objects/../../../emulator/v1/reset', '/emulator/v1/reset'],
    ['/ConfigurationManager/v1/./objects/%2e%2E/objects/ldevs', '/ConfigurationManager/v1/objects/ldevs'],
    ['/emulator/v1/journal?path=//x/../y', '/emulator/v1/journal?path=//x/../y'],
    ['/a/b/..', '/a/'],
    ['*', '/'],
  ])('%s → %s', (raw, canonical) => {
    expect(normalizeUrl(raw)).toBe(canonical);
  });
});

describe('browser guard: Host allow-list and cross-site changes', () => {
  const allowed = createHostCheck(['vsp.lab', '.corp.example']);
  it.each([
    ['localhost:23450', true], ['LOCALHOST', true], ['app.localhost:1', true], ['127.0.0.1:23450', true], ['10.1.2.3', true],
    ['[::1]:23450', true], ['vsp.lab:23450', true], ['a.corp.example', true], ['corp.example', true],
    ['evil.example:23450', false], ['vsp.lab.evil.example', false], ['127.0.0.1.nip.io', false],
  ])('Host %s allowed: %s', (host, ok) => {
    expect(allowed(host)).toBe(ok);
  });

  it('refuses cross-site and null-origin changes, and any request by a foreign Host name from a browser', () => {
    const h = (headers: Record<string, string>, method = 'POST') => browserRefusal({ method, headers }, allowed, false);
    expect(h({ host: 'localhost:1' })).toBeNull(); // a tool: no browser signal
    expect(h({ host: 'ci-runner-7:1' })).toBeNull(); // a tool reaching the API by a compose service name
    expect(h({ host: 'localhost:1', origin: 'http://localhost:1' })).toBeNull();
    expect(h({ host: 'localhost:1', origin: 'http://evil.example' })).toBe('crossSite');
    expect(h({ host: 'localhost:1', origin: 'null' })).toBe('crossSite');
    expect(h({ host: 'localhost:1', 'sec-fetch-site': 'cross-site' })).toBe('crossSite');
    expect(h({ host: 'evil.example:1', origin: 'http://evil.example:1' })).toBe('hostNotAllowed'); // DNS rebinding
    expect(h({ host: 'evil.example:1', 'sec-fetch-site': 'same-origin' }, 'GET')).toBe('hostNotAllowed');
    expect(h({ host: 'localhost:1', origin: 'http://evil.example' }, 'GET')).toBeNull(); // reads: the browser's CORS rules apply
    expect(browserRefusal({ method: 'GET', headers: { host: 'evil.example' } }, allowed, true)).toBe('hostNotAllowed');
    expect(browserRefusal({ method: 'GET', headers: { host: 'x' } }, createHostCheck(['*']), true)).toBeNull();
  });
});

describe('one URL, one answer: every route in every URL form with bad credentials', () => {
  let t: TestApp;
  let port: number;
  let expired: string;
  const basicWrong = `Basic ${Buffer.from('maintenance:wrong').toString('base64')}`;

  beforeAll(async () => {
    t = await startApp({ timing: 'instant' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').send({ aliveTime: 1 });
    expired = login.body.token as string;
    // The LDEV, pair and job the routes name exist, so a request that got through would change something.
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 50, poolId: 0, byteFormatCapacity: '1G' });
    t.advance(2);
  });
  afterAll(async () => { await t.close(); });

  const state = async () => {
    const res = await t.http.get('/emulator/v1/state');
    const { sessions: _s, ...rest } = res.body.tables as Record<string, unknown>;
    return rest;
  };

  /** Each documented operation with its path parameters filled. */
  const operations = () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const out: Array<{ method: string; path: string; template: string }> = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (!template.startsWith('/ConfigurationManager/')) continue;
      const path = template.replace('{storageDeviceId}', SID).replace(/\{[^}]+\}/g, (p) => (/snapshot.*Id|pairId|id\}/i.test(p) ? '50,3' : '50'));
      for (const method of Object.keys(ops)) if (method !== 'head') out.push({ method: method.toUpperCase(), path, template });
    }
    return out;
  };

  const forms = (path: string) => ({
    canonical: path,
    doubleSlash: `/${path.replace(/\//g, '//')}`,
    absolute: `http://127.0.0.1:${port}${path}`,
    percent: path.replace('/ConfigurationManager/', '/%43onfigurationManager/').replace('/objects', '/%6Fbjects'),
  });

  /** Operations of models other than the E990 under test (TIA retention, vClones, VSP 5000 garbage-data delete). */
  const ABSENT_ON_E990 = /set-retention|virtual-clone|snapshot-family|delete-garbage-data/;

  it('answers 401 with the array\'s error (the public answer of the two public routes; 404 for URLs the model lacks), and changes nothing', async () => {
    const before = await state();
    const ops = operations();
    expect(ops.length).toBeGreaterThan(100);
    const creds: Record<string, string | undefined> = {
      none: undefined, wrongToken: 'Session 0123456789abcdef0123456789abcdef', expiredToken: `Session ${expired}`, wrongBasic: basicWrong,
    };
    let checked = 0;
    for (const op of ops) {
      const publicRoute = op.template === '/ConfigurationManager/configuration/version' || op.template === `${OBJ}/storages`;
      const publicAnswer = publicRoute ? await send(port, op.path, op.method, {}) : null;
      for (const [form, url] of Object.entries(forms(op.path))) {
        for (const [cred, authorization] of Object.entries(creds)) {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (authorization) headers.authorization = authorization;
          const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
          const res = await send(port, url, op.method, headers, body);
          const what = `${op.method} ${url} (${form}, ${cred}) → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
          if (publicRoute) {
            expect(res.status, what).toBe(publicAnswer!.status);
            expect(res.body, what).toEqual(publicAnswer!.body);
          } else if (ABSENT_ON_E990.test(op.template)) {
            // A URL this model does not have answers as an unknown URL does, credentials or not (README, VSP One Block).
            expect(res.status, what).toBe(404);
            expect(res.body.messageId, what).toBe('KART20009-E');
          } else {
            expect(res.status, what).toBe(401);
            const basicOnly = op.template.endsWith('/sessions') && op.method === 'POST';
            const expected = cred === 'wrongToken' || cred === 'expiredToken' ? (basicOnly ? 'KART40005-E' : 'KART40006-E') : 'KART40005-E';
            expect(res.body.messageId, what).toBe(expected);
            expect(res.body.errorSource, what).toBe(op.path);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(ops.length * 16);
    expect(ops.filter((op) => ABSENT_ON_E990.test(op.template)).length).toBeGreaterThan(10);
    expect(ops.filter((op) => op.template.includes('/simple/v1/')).length).toBeGreaterThan(10);
    expect(await state()).toEqual(before);
  }, 60_000);

  it('serves a valid session the same answer in every URL form', async () => {
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').send({});
    const headers = { authorization: `Session ${login.body.token}` };
    const canonical = await send(port, `${OBJ}/ldevs/50`, 'GET', headers);
    expect(canonical.status).toBe(200);
    expect(canonical.body.ldevId).toBe(50);
    for (const url of Object.values(forms(`${OBJ}/ldevs/50`))) expect(await send(port, url, 'GET', headers)).toEqual(canonical);
  });

  it('keeps the control plane behind the same gate: a foreign Host name is refused, in any URL form', async () => {
    const before = (await t.http.get('/emulator/v1/clock')).body.epochMs;
    for (const url of ['/emulator/v1/clock/advance', '//emulator//v1/clock/advance', 'http://evil.example/emulator/v1/clock/advance',
      '/%65mulator/v1/clock/advance', '/ConfigurationManager/../emulator/v1/clock/advance']) {
      const res = await send(port, url, 'POST', { host: 'evil.example:23450', 'content-type': 'application/json' }, '{"seconds":5}');
      expect(res.status, url).toBe(403);
      expect(res.body, url).toMatchObject({ error: 'hostNotAllowed' });
    }
    expect((await t.http.get('/emulator/v1/clock')).body.epochMs).toBe(before);
    const ok = await send(port, '//emulator/v1/clock/advance', 'POST', { host: `localhost:${port}`, 'content-type': 'application/json' }, '{"seconds":5}');
    expect(ok.status).toBe(200);
    expect(ok.body.epochMs).toBe(before + 5000);
  });

  it('refuses a rebinding page that logs in with the default credentials, and a cross-site API change', async () => {
    const basic = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;
    const rebound = await send(port, `${OBJ}/sessions`, 'POST', { host: 'attacker.example:23450', origin: 'http://attacker.example:23450', authorization: basic });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatchObject({ messageId: 'VSPEMU40302-E', errorSource: `${OBJ}/sessions` });
    const crossSite = await send(port, `${OBJ}/ldevs/50`, 'DELETE', { origin: 'http://evil.example', authorization: basic, 'content-type': 'text/plain' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.messageId).toBe('VSPEMU40301-E');
    expect((await t.http.get(`${OBJ}/ldevs/50`).set('Authorization', basic)).body.emulationType).toBe('OPEN-V-CVS');
  });
});

describe('bodies no client sends', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp({ timing: 'instant' }); });
  afterAll(async () => { await t.close(); });

  it('refuses JSON nested 5,000 deep and prototype keys with KART40040-E, nothing created', async () => {
    const deep = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send('['.repeat(5000) + ']'.repeat(5000));
    expect(deep.status).toBe(400);
    expect(deep.body.messageId).toBe('KART40040-E');
    expect(deep.body.message).toContain('nested deeper than 64 levels');
    for (const body of ['{"ldevId":51,"poolId":0,"byteFormatCapacity":"1G","__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send(body);
      expect(res.status, body).toBe(400);
      expect(res.body.messageId, body).toBe('KART40040-E');
    }
    expect((await t.http.get(`${OBJ}/ldevs/51`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
  });
});

describe('another method on a URL the model lacks', () => {
  it('is 404 KART20009-E on the E990 (an unknown URL), 405 on the VSP One B28 (a known URL)', async () => {
    const e990 = await startApp({ timing: 'instant' });
    const b28 = await startApp({ timing: 'instant', fixture: 'vsp-one-b28' });
    try {
      for (const url of [`${OBJ}/snapshots/0,0/actions/set-retention/invoke`, `${OBJ}/snapshot-groups/g/actions/virtual-clone/invoke`]) {
        const lacking = await e990.http.get(url).set(e990.auth);
        expect(lacking.status, url).toBe(404);
        expect(lacking.body.messageId, url).toBe('KART20009-E');
        const having = await b28.http.get(url).set(b28.auth);
        expect(having.status, url).toBe(405);
        expect(having.headers.allow, url).toBe('POST, PUT');
      }
    } finally {
      await e990.close();
      await b28.close();
    }
  });
});

describe('another method on a simple-API URL', () => {
  it('is 404 KART20009-E on the VSP 5500 (no simple API), 405 on the E990', async () => {
    const url = '/ConfigurationManager/simple/v1/objects/command-status/1';
    const vsp5500 = await startApp({ fixture: 'vsp5500' });
    const e990 = await startApp({});
    try {
      const lacking = await vsp5500.http.put(url).set(vsp5500.auth);
      expect(lacking.status).toBe(404);
      expect(lacking.body.messageId).toBe('KART20009-E');
      const having = await e990.http.put(url).set(e990.auth);
      expect(having.status).toBe(405);
      expect(having.headers.allow).toBe('GET, DELETE');
    } finally {
      await vsp5500.close();
      await e990.close();
    }
  });
});

describe('a model gate follows the array a URL addresses', () => {
  it('with an E990 and a B28 in one emulator, set-retention on the E990 is an unknown URL, on the B28 it needs credentials', async () => {
    const t = await startApp({ timing: 'instant' });
    try {
      const added = await t.http.post('/emulator/v1/arrays').send({ fixture: 'vsp-one-b28' });
      expect(added.status).toBe(201);
      const url = (sid: string) => `${OBJ}/storages/${sid}/snapshots/0,0/actions/set-retention/invoke`;
      const e990 = await t.http.post(url(SID)).set('Content-Type', 'application/json').send('{}');
      expect(e990.status).toBe(404);
      expect(e990.body.messageId).toBe('KART20009-E');
      const b28 = await t.http.post(url(added.body.storageDeviceId)).set('Content-Type', 'application/json').send('{}');
      expect(b28.status).toBe(401);
      expect(b28.body.messageId).toBe('KART40005-E');
    } finally {
      await t.close();
    }
  });
});

describe('model-gated URLs are behind the same credentials where the model has them', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp({ timing: 'instant', fixture: 'vsp-one-b28' }); });
  afterAll(async () => { await t.close(); });

  it.each([
    ['POST', `${OBJ}/snapshots/0,0/actions/set-retention/invoke`],
    ['POST', `${OBJ}/snapshot-groups/g/actions/set-retention/invoke`],
    ['POST', `${OBJ}/snapshots/0,0/actions/virtual-clone/invoke`],
    ['POST', `${OBJ}/snapshot-groups/g/actions/virtual-clone/invoke`],
    ['GET', `${OBJ}/snapshot-family?ldevId=0`],
    ['GET', `${OBJ}/virtual-clone-parent-volumes`],
    ['GET', '/ConfigurationManager/simple/v1/objects/snapshots'],
  ])('%s %s without credentials → 401 KART40005-E on the VSP One B28', async (method, url) => {
    const res = await t.http[method === 'GET' ? 'get' : 'post'](url).set('Content-Type', 'application/json').send(method === 'GET' ? undefined : '{}');
    expect(res.status).toBe(401);
    expect(res.body.messageId).toBe('KART40005-E');
  });
});
