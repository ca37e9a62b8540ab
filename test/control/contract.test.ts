import { writeFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createPair, expectSucceeded, ioFixture, snapBody, startIo } from '../io/ioKit.js';
import type { TestApp } from '../helpers.js';
import { ControlContract } from './contract.js';
import { EMU, OBJ, SID, startControl } from './support.js';

/**
 * The control-plane contract: a run that calls every operation of /emulator/v1/ and meets every answer the
 * document declares (success bodies, each error status, the gate's 403, the token's 401, 413 and 415 of each body),
 * every answer checked against the document by ControlContract (status declared, headers present, body valid against
 * closed schemas). At the end every declared (operation, status) must have been met, but the few listed below.
 */

/** Declared answers this run cannot provoke, and why. */
const UNREACHED: Record<string, string> = {
  'addFault 501': 'pair faults answer 501 only when the pair module is not registered; the app always registers it',
};

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

describe('control-plane contract: every answer of a run that calls every route is the document\'s', () => {
  let t: TestApp;
  let tok: TestApp;
  let contract: ControlContract;
  const problems: string[] = [];
  /** The first answer of each (operation, status): `VSP_CONTRACT_DUMP=<file>` writes them, the source of the document's examples. */
  const dump = new Map<string, unknown>();

  /** Calls the control plane and checks the answer against the document. */
  async function call(method: Method, path: string, body?: unknown, headers: Record<string, string> = {}, app: TestApp = t): Promise<Response> {
    let req = app.http[method](`${EMU}${path}`);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = await (body === undefined ? req : typeof body === 'string' ? req.send(body) : req.send(body as object));
    problems.push(...contract.problems(method, `${EMU}${path}`, { status: res.status, headers: res.headers, body: res.body, text: res.text }));
    const { op } = contract.operation(method, `${EMU}${path}`);
    if (!dump.has(`${op.operationId} ${res.status}`)) dump.set(`${op.operationId} ${res.status}`, res.body);
    return res;
  }
  /** Calls and asserts the status. */
  async function expectStatus(status: number, method: Method, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response> {
    const res = await call(method, path, body, headers);
    expect(res.status, `${method.toUpperCase()} ${path} ${JSON.stringify(body)?.slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 300)}`).toBe(status);
    return res;
  }

  beforeAll(async () => {
    t = await startIo({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] });
    tok = await startControl({ controlToken: 's3cret' });
    contract = new ControlContract((await t.http.get(`${EMU}/openapi.json`)).body);
  });
  afterAll(async () => {
    if (process.env.VSP_CONTRACT_DUMP) writeFileSync(process.env.VSP_CONTRACT_DUMP, JSON.stringify(Object.fromEntries(dump), null, 1));
    await t?.close();
    await tok?.close();
  });

  it('health, the document, reset and the state export', async () => {
    await expectStatus(200, 'get', '/health');
    t.control!.ready = false;
    try { await expectStatus(503, 'get', '/health'); } finally { t.control!.ready = true; }
    await expectStatus(200, 'get', '/openapi.json');

    await expectStatus(200, 'post', '/reset');
    await expectStatus(200, 'post', '/reset', { storageDeviceId: SID, keep: ['meta'] });
    await expectStatus(400, 'post', '/reset', { keep: ['nope'] });
    await expectStatus(400, 'post', '/reset', { fixture: { arrays: 'none' } });
    await expectStatus(404, 'post', '/reset', { fixture: 'nope' });
    await expectStatus(404, 'post', '/reset', { storageDeviceId: '999999999999' });

    const exported = (await expectStatus(200, 'get', '/state')).body;
    await expectStatus(200, 'get', `/state?storageDeviceId=${SID}&tables=ldevs,pools`);
    await expectStatus(400, 'get', '/state?tables=nope');
    await expectStatus(400, 'get', '/state?secrets=maybe');
    // Secrets only to a caller holding the control token: without one configured they stay redacted.
    expect((await expectStatus(200, 'get', '/state?tables=users&secrets=true')).body.tables.users[0].password).toBe('<redacted>');
    const full = await call('get', '/state?tables=users&secrets=true', undefined, { Authorization: 'Bearer s3cret' }, tok);
    expect([full.status, full.body.tables.users[0].password]).toEqual([200, 'raid-maintenance']);
    const redacted = await call('get', '/state?tables=users', undefined, { Authorization: 'Bearer s3cret' }, tok);
    expect(redacted.body.tables.users[0].password).toBe('<redacted>');
    await expectStatus(404, 'get', '/state?storageDeviceId=999999999999');
    // An array loaded from a state export has no fixture section to go back to on its own.
    await expectStatus(200, 'post', '/reset', { fixture: exported });
    await expectStatus(409, 'post', '/reset', { storageDeviceId: SID });
    await expectStatus(200, 'post', '/reset', { fixture: ioFixture({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }] }) });
    // A reset ends the sessions: log in again for the API calls of the tests below.
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
    expect(login.status).toBe(200);
    t.auth.Authorization = `Session ${login.body.token}`;
  });

  it('checkpoints', async () => {
    await expectStatus(201, 'post', '/checkpoints/before', { description: 'clean' });
    await expectStatus(200, 'post', '/checkpoints/before', null);
    await expectStatus(201, 'post', `/checkpoints/one-array`, { storageDeviceId: SID });
    await expectStatus(400, 'post', '/checkpoints/-bad');
    await expectStatus(404, 'post', '/checkpoints/x', { storageDeviceId: '999999999999' });
    await expectStatus(200, 'get', '/checkpoints');
    await expectStatus(200, 'get', '/checkpoints/before');
    await expectStatus(404, 'get', '/checkpoints/nope');
    await expectStatus(200, 'post', '/checkpoints/before/restore');
    await expectStatus(200, 'post', '/checkpoints/one-array/restore', { clock: 'keep' });
    await expectStatus(400, 'post', '/checkpoints/before/restore', { keep: ['nope'] });
    await expectStatus(404, 'post', '/checkpoints/nope/restore', {});
    for (let i = 0; i < 30; i++) expect((await t.http.post(`${EMU}/checkpoints/c${i}`)).status).toBe(201);
    await expectStatus(409, 'post', '/checkpoints/one-too-many');
    for (let i = 0; i < 30; i++) expect((await t.http.delete(`${EMU}/checkpoints/c${i}`)).status).toBe(204);
    await expectStatus(204, 'delete', '/checkpoints/one-array');
    await expectStatus(404, 'delete', '/checkpoints/one-array');
  });

  it('arrays', async () => {
    await expectStatus(200, 'get', '/arrays');
    const made = (await expectStatus(201, 'post', '/arrays', {})).body;
    await expectStatus(400, 'post', '/arrays', { storageDeviceId: '12' });
    await expectStatus(404, 'post', '/arrays', { fixture: 'nope' });
    await expectStatus(404, 'post', '/arrays', { from: 'no-such-array' });
    await expectStatus(409, 'post', '/arrays', { storageDeviceId: SID });
    await expectStatus(204, 'delete', `/arrays/${made.storageDeviceId}`);
    await expectStatus(404, 'delete', `/arrays/${made.storageDeviceId}`);
    await expectStatus(409, 'delete', `/arrays/${SID}`);
  });

  it('clock, timing and seed', async () => {
    await expectStatus(200, 'get', '/clock');
    await expectStatus(200, 'post', '/clock/advance', { seconds: 1 });
    await expectStatus(400, 'post', '/clock/advance', {});
    await expectStatus(200, 'post', '/clock', { mode: 'manual', speed: 2 });
    await expectStatus(400, 'post', '/clock', { time: 'yesterday' });
    await expectStatus(200, 'get', '/timing');
    await expectStatus(200, 'put', '/timing', { name: 'realistic', jobMs: { 'ldev.create': 10 } });
    await expectStatus(400, 'put', '/timing', { jobMs: { nope: 1 } });
    await expectStatus(200, 'patch', '/timing', { transitionMs: { 'pair.create.perGiB': 1 } });
    await expectStatus(400, 'patch', '/timing', { transitionMs: { nope: 1 } });
    await expectStatus(200, 'put', '/timing', { name: 'instant' });
    await expectStatus(200, 'get', '/seed');
    await expectStatus(200, 'post', '/seed', { seed: 7 });
    await expectStatus(200, 'post', '/seed', { seed: null });
  });

  it('faults and the journal', async () => {
    await expectStatus(200, 'delete', '/journal');
    const busy = (await expectStatus(201, 'post', '/faults', {
      description: 'pools busy once', match: { method: 'GET', path: `${OBJ}/pools` }, effect: { type: 'http', status: 503, retryAfter: 1 }, times: 1,
    })).body;
    await expectStatus(201, 'post', '/faults', { effect: { type: 'pool', poolId: 1, usedRate: 10 } });
    await expectStatus(201, 'post', '/faults', { effect: { type: 'pair', pvolLdevId: 10 }, afterSeconds: 60 });
    await expectStatus(201, 'post', '/faults', { match: { operation: 'snapshot.*' }, effect: { type: 'job', ssb1: '2E31', ssb2: '9100' }, probability: 0.5, seed: 3 });
    await expectStatus(400, 'post', '/faults', { match: {}, effect: { type: 'http', kind: 'reset' } });
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(503);
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(200);
    await expectStatus(200, 'get', '/faults');
    await expectStatus(200, 'get', `/faults/${busy.id}`);
    await expectStatus(404, 'get', '/faults/f999');
    await expectStatus(204, 'delete', `/faults/${busy.id}`);
    await expectStatus(404, 'delete', `/faults/${busy.id}`);
    await expectStatus(200, 'get', '/journal');
    await expectStatus(200, 'get', '/journal?status=5xx&fault=true&limit=5');
    await expectStatus(400, 'get', '/journal?path=^/Config');
    await expectStatus(400, 'get', '/journal?limit=lots');
    await expectStatus(200, 'put', '/journal/settings', { capacity: 500 });
    await expectStatus(200, 'delete', '/faults');
    for (let i = 0; i < 256; i++) expect((await t.http.post(`${EMU}/faults`).send({ match: { path: `/nowhere/${i}` }, effect: { type: 'latency', ms: 1 } })).status).toBe(201);
    await expectStatus(409, 'post', '/faults', { match: {}, effect: { type: 'latency', ms: 1 } });
    await expectStatus(200, 'delete', '/faults');
  });

  it('host I/O', async () => {
    expectSucceeded(await createPair(t, snapBody(10, 11, { autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(10, 12)));
    await expectStatus(200, 'post', '/io/write', { ldevId: 10, length: '1M', seed: 1 });
    await expectStatus(200, 'post', '/io/write', { storageDeviceId: SID, ldevId: 11, offset: '1M', length: '256K', pattern: 'svol' });
    await expectStatus(400, 'post', '/io/write', { ldevId: 10, length: 1000, seed: 1 });
    await expectStatus(404, 'post', '/io/write', { ldevId: 99, length: '1M', seed: 1 });
    await expectStatus(409, 'post', '/io/write', { ldevId: 12, length: '1M', seed: 1 });
    await expectStatus(200, 'get', '/io/fingerprint?ldevId=10');
    await expectStatus(200, 'get', '/io/fingerprint?ldevId=11&offset=1M&length=1M');
    await expectStatus(400, 'get', '/io/fingerprint?ldevId=10&offset=2G');
    await expectStatus(400, 'get', '/io/fingerprint');
    await expectStatus(404, 'get', '/io/fingerprint?ldevId=99');
    await expectStatus(409, 'get', '/io/fingerprint?ldevId=12');

    const w1 = (await expectStatus(201, 'post', '/io/workloads', { ldevId: 10, ratePerSecond: 1, durationSeconds: 100, pattern: 'w1' })).body;
    const w2 = (await expectStatus(201, 'post', '/io/workloads', { ldevId: 11, MiBps: 1, ioSize: '256K', durationSeconds: 10, random: true, seed: 5 })).body;
    await expectStatus(400, 'post', '/io/workloads', { ldevId: 10, durationSeconds: 1 });
    await expectStatus(404, 'post', '/io/workloads', { ldevId: 99, ratePerSecond: 1, durationSeconds: 1 });
    await expectStatus(409, 'post', '/io/workloads', { ldevId: 12, ratePerSecond: 1, durationSeconds: 1 });
    t.advance(2);
    expectSucceeded(await act(t, 10, 0, 'resync', { parameters: { autoSplit: false } }));
    t.advance(2); // w2 writes to an S-VOL that is no longer split: it ends failed
    await expectStatus(200, 'get', '/io/workloads');
    await expectStatus(200, 'get', `/io/workloads?storageDeviceId=${SID}`);
    await expectStatus(404, 'get', '/io/workloads?storageDeviceId=999999999999');
    await expectStatus(200, 'get', `/io/workloads/${w2.id}`);
    await expectStatus(404, 'get', '/io/workloads/w999');
    await expectStatus(200, 'delete', `/io/workloads/${w1.id}`);
    await expectStatus(200, 'delete', `/io/workloads/${w2.id}`);
    await expectStatus(404, 'delete', `/io/workloads/${w1.id}`);
  });

  it('every operation: the gate\'s 403, and for a body 400, 413 and 415; every operation but health 401 without the token', async () => {
    const sample = (path: string) => path.replace('/emulator/v1', '').replace('{name}', 'before').replace('{id}', 'w1').replace('{storageDeviceId}', SID);
    for (const [path, ops] of Object.entries(contract.doc.paths)) {
      for (const [method, op] of Object.entries(ops) as Array<[Method, { operationId: string; requestBody?: unknown; responses: Record<string, unknown> }]>) {
        const url = sample(path);
        await expectStatus(403, method, url, undefined, { Host: 'rebind.example' });
        if (method !== 'get') await expectStatus(403, method, url, undefined, { Origin: 'http://evil.example' });
        if (op.requestBody) {
          await expectStatus(400, method, url, { zzz: 1 });
          await expectStatus(400, method, url, '{"broken', { 'Content-Type': 'application/json' });
          await expectStatus(415, method, url, 'text', { 'Content-Type': 'text/plain' });
          const limit = op.responses['413'] && JSON.stringify(op.responses['413']).includes('FixtureTooLarge') ? 8 * 2 ** 20 : 64 * 1024;
          await expectStatus(413, method, url, JSON.stringify({ description: 'x'.repeat(limit) }), { 'Content-Type': 'application/json' });
        }
        if (op.responses['401']) {
          const res = await call(method, url, undefined, {}, tok);
          expect(res.status, `${method} ${url} without the token`).toBe(401);
        }
      }
    }
    // With the token the same routes answer.
    expect((await call('get', '/clock', undefined, { Authorization: 'Bearer s3cret' }, tok)).status).toBe(200);
    expect((await call('get', '/health', undefined, {}, tok)).status).toBe(200);
  });

  it('every answer kept the contract, and every declared answer was met', () => {
    expect(problems).toEqual([]);
    const missed = contract.declared().filter((k) => !contract.seen.has(k));
    expect(missed.sort()).toEqual(Object.keys(UNREACHED).sort());
  });
});

describe('control-plane contract: the check itself', () => {
  let t: TestApp;
  let contract: ControlContract;
  beforeAll(async () => {
    t = await startControl();
    contract = new ControlContract((await t.http.get(`${EMU}/openapi.json`)).body);
  });
  afterAll(async () => { await t.close(); });

  it('fails a field rendered but undeclared, a required field missing, a wrong type and an undeclared status', async () => {
    const res = await t.http.get(`${EMU}/health`);
    const ok = { status: 200, headers: res.headers, body: res.body };
    expect(contract.problems('get', `${EMU}/health`, ok)).toEqual([]);
    const { seed: _seed, ...missing } = res.body as Record<string, unknown>;
    expect(contract.problems('get', `${EMU}/health`, { ...ok, body: { ...res.body, extra: 1 } }).join()).toMatch(/must NOT have additional properties.*extra/);
    expect(contract.problems('get', `${EMU}/health`, { ...ok, body: missing }).join()).toMatch(/must have required property 'seed'/);
    expect(contract.problems('get', `${EMU}/health`, { ...ok, body: { ...res.body, clock: { ...res.body.clock, epochMs: 'now' } } }).join()).toMatch(/\/clock\/epochMs must be integer/);
    expect(contract.problems('get', `${EMU}/health`, { ...ok, status: 418 }).join()).toMatch(/status not declared/);
    expect(contract.problems('get', `${EMU}/health`, { ...ok, headers: {} }).join()).toMatch(/header x-vsp-emulator missing/);
  });

  it('every example of the document is valid against its schema', () => {
    const bad: string[] = [];
    for (const [path, ops] of Object.entries(contract.doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, r] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema: unknown; example?: unknown }> }>)) {
          const media = r.content?.['application/json'];
          if (media?.example !== undefined) bad.push(...contract.exampleProblems(media.schema, media.example).map((p) => `${method} ${path} ${status}: ${p}`));
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
