import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBJ, startApp, type TestApp } from './support.js';

/**
 * No request can produce a 500 or crash the process: every documented route, in both URL forms, gets odd path
 * values and odd bodies; each answer is a 2xx or a VSP error object (messageId, message, solution, detailCode).
 */
const PATH_VALUES = ['0', '1', 'x', '-1', '1.5', '99999999999999999999', '%2C', '1,2', '1,2,3', 'CL1-A', 'CL1-A,0', 'CL1-A,0,0', '%00', 'a%20b'];
const BODIES: Array<string | undefined> = [
  undefined, '', 'null', '[]', '{}', '"text"', '0', 'true', '{"parameters":{}}', '{"parameters":null}', '{"parameters":[]}',
  '{"x":1}', '{"ldevId":"abc"}', '{"ldevId":1e999}', '{"label":{"nested":true}}', '{"__proto__":{"polluted":1}}',
  `{"a":${'['.repeat(64)}${']'.repeat(64)}}`, '{"poolId":0,"byteFormatCapacity":"1G","ldevId":7}',
];

/** Basic auth on every request (accepted by the array): a fuzzed DELETE sessions/0 cannot log the test out. */
const BASIC = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };

describe('robustness: no 500s, every error is a VSP error object', () => {
  let t: TestApp;
  const seen: Record<number, number> = {};
  let routes: Array<{ method: string; path: string }>;
  beforeAll(async () => {
    t = await startApp({ timing: 'instant' });
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/ConfigurationManager/'))
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m, path: p })));
  });
  afterAll(async () => { await t.close(); });

  const check = (label: string, res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }) => {
    seen[res.status] = (seen[res.status] ?? 0) + 1;
    expect(res.status, label).not.toBe(500);
    expect(res.status, label).toBeLessThan(500 + (res.status === 503 ? 1 : 0));
    if (res.status >= 400) {
      expect(res.headers['content-type'], label).toMatch(/^application\/json/);
      for (const k of ['messageId', 'message', 'solution', 'detailCode']) expect(res.body, `${label}: ${k}`).toHaveProperty(k);
      expect(String(res.body.messageId), label).toMatch(/^KART\d{5}-[A-Z]$/);
    }
  };

  it('odd path values on every route', { timeout: 60_000 }, async () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      for (const v of PATH_VALUES) {
        const url = r.path.replace('{storageDeviceId}', '936000123456').replace(/\{[^}]+\}/g, v);
        const res = await (t.http as any)[r.method](url).set(BASIC).set('Content-Type', 'application/json');
        check(`${r.method.toUpperCase()} ${url}`, res);
      }
    }
  });

  it('odd bodies on every mutating route', { timeout: 60_000 }, async () => {
    for (const r of routes.filter((x) => x.method !== 'get')) {
      const url = r.path.replace('{storageDeviceId}', '936000123456').replace(/\{[^}]+\}/g, '1');
      for (const body of BODIES) {
        let req = (t.http as any)[r.method](url).set(BASIC).set('Content-Type', 'application/json');
        if (body !== undefined) req = req.send(body);
        check(`${r.method.toUpperCase()} ${url} ${body}`, await req);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('odd query strings and headers', async () => {
    for (const q of ['headLdevId=-5', 'count=abc', 'count=99999', 'ldevOption=', 'poolId=x', 'headLdevId=1&headLdevId=2', '%zz=1']) {
      check(`GET ldevs?${q}`, await t.http.get(`${OBJ}/ldevs?${q}`).set(BASIC));
    }
    check('Session without token', await t.http.get(`${OBJ}/ldevs/0`).set('Authorization', 'Session'));
    check('Basic garbage', await t.http.get(`${OBJ}/ldevs/0`).set('Authorization', 'Basic %%%'));
    check('Bearer', await t.http.get(`${OBJ}/ldevs/0`).set('Authorization', 'Bearer abc'));
    check('Response-Max-Wait garbage', await t.http.post(`${OBJ}/ldevs`).set(BASIC).set({ 'Response-Job-Status': 'Completed', 'Response-Max-Wait': 'soon' })
      .send({ poolId: 0, byteFormatCapacity: '1G', isParallelExecutionEnabled: true }));
    // The server is still healthy, and the fuzz reached the handlers (not only the authentication layer).
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(BASIC)).status).toBe(200);
    expect(seen[200] ?? 0).toBeGreaterThan(20);
    expect(seen[202] ?? 0).toBeGreaterThan(10);
    expect(seen[400] ?? 0).toBeGreaterThan(100);
  });
});
