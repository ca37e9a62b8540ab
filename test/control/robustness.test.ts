import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globMatcher, pathMatcher } from '../../src/control/faults.js';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, startControl } from './support.js';

/**
 * The control plane answers every malformed or out-of-range request with a 4xx in its one error shape
 * (`{"error": code, "message": sentence}`), refuses it without changing anything, and stays healthy.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Every control route that takes a body. */
const BODY_ROUTES: Array<[Method, string]> = [
  ['post', '/reset'], ['post', '/clock'], ['post', '/clock/advance'], ['post', '/seed'], ['put', '/timing'], ['patch', '/timing'],
  ['post', '/faults'], ['put', '/journal/settings'], ['post', '/checkpoints/cp'], ['post', '/checkpoints/cp/restore'], ['post', '/arrays'],
  ['post', '/io/write'], ['post', '/io/workloads'],
];
/** Routes that need an object body: no body, `null` or `{}` are refused. */
const NEEDS_BODY: Array<[Method, string, string]> = [
  ['post', '/clock/advance', 'give "seconds" or "ms"'], ['post', '/seed', 'body must be object'], ['put', '/journal/settings', 'body must be object'],
  ['post', '/faults', 'body must be object'], ['post', '/io/write', 'body must be object'], ['post', '/io/workloads', 'body must be object'],
];
const BIG_BODY_ROUTES = new Set(['/reset', '/arrays']);

let t: TestApp;
beforeEach(async () => { t = await startControl(); });
afterEach(async () => { await t.close(); });

const raw = (method: Method, path: string, body?: string, type = 'application/json') => {
  const r = t.http[method](`${EMU}${path}`);
  return body === undefined ? r : r.set('content-type', type).send(body);
};

/** Everything a refused request must leave as it was. */
async function snapshot() {
  const get = async (p: string) => (await t.http.get(`${EMU}${p}`)).body;
  const journal = { capacity: (await get('/journal?limit=0')).capacity };
  return {
    state: await get('/state'), clock: await get('/clock'), timing: await get('/timing'), faults: await get('/faults'), seed: await get('/seed'),
    checkpoints: await get('/checkpoints'), arrays: await get('/arrays'), workloads: await get('/io/workloads'), journal,
  };
}

async function expectHealthyAndUnchanged(before: Awaited<ReturnType<typeof snapshot>>) {
  expect((await t.http.get(`${EMU}/health`)).status).toBe(200);
  expect(await snapshot()).toEqual(before);
  const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('content-type', 'application/json');
  expect(login.status).toBe(200);
  expect((await t.http.get(`${OBJ}/pools`).set({ Authorization: `Session ${login.body.token}` })).status).toBe(200);
}

function expectError(res: { status: number; body: unknown }, status: number, error: string, message?: string | RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error, message: expect.any(String) });
  const m = (res.body as { message: string }).message;
  if (typeof message === 'string') expect(m).toBe(message);
  else if (message) expect(m).toMatch(message);
}

describe('malformed bodies', () => {
  it('bad JSON, a JSON array, string or number, another content type and an oversized body: 4xx, nothing changes', async () => {
    const before = await snapshot();
    for (const [method, path] of BODY_ROUTES) {
      const at = `${method.toUpperCase()} ${path}`;
      const limit = BIG_BODY_ROUTES.has(path) ? 8 * 1024 * 1024 : 64 * 1024;
      const cases: Array<[string | undefined, string, number, string, RegExp?]> = [
        ['{"seconds":', 'application/json', 400, 'badRequest', /^The request body is not in the correct format\. \(/],
        ['{"a":1}}', 'application/json; charset=utf-8', 400, 'badRequest', /not in the correct format/],
        [`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'application/json', 400, 'badRequest', /not in the correct format/],
        ['[]', 'application/json', 400, 'badRequest', /^body must be object/],
        ['[{"seed":1}]', 'application/json', 400, 'badRequest', /^body must be object/],
        ['"text"', 'application/json', 400, 'badRequest', /^body must be object/],
        ['42', 'application/json', 400, 'badRequest', /^body must be object/],
        ['true', 'application/json', 400, 'badRequest', /^body must be object/],
        ['{}', 'text/plain', 415, 'unsupportedMediaType', /Content-Type: application\/json \(got "text\/plain"\)/],
        ['seconds=1', 'application/x-www-form-urlencoded', 415, 'unsupportedMediaType'],
        ['{}', 'multipart/form-data; boundary=x', 415, 'unsupportedMediaType'],
        [`{"description":"${'x'.repeat(limit)}"}`, 'application/json', 413, 'payloadTooLarge'],
      ];
      for (const [body, type, status, error, message] of cases) {
        const res = await raw(method, path, body, type);
        expect(res.status, `${at} ${type} ${body?.slice(0, 20)}: ${JSON.stringify(res.body)}`).toBe(status);
        expectError(res, status, error, message);
      }
    }
    await expectHealthyAndUnchanged(before);
  });

  it('no body, an empty body or null where an object is needed: 400', async () => {
    const before = await snapshot();
    for (const [method, path, message] of NEEDS_BODY) {
      for (const body of [undefined, '', 'null', ' null ']) {
        const res = await raw(method, path, body);
        expectError(res, 400, 'badRequest', message);
      }
    }
    await expectHealthyAndUnchanged(before);
  });

  it('no body or null where the body is optional: the defaults', async () => {
    for (const body of [undefined, '', 'null']) {
      expect((await raw('post', '/clock', body)).body).toMatchObject({ mode: 'manual', speed: 1 });
      expect((await raw('put', '/timing', body)).body).toMatchObject({ name: 'realistic' });
      expect((await raw('post', '/reset', body)).status).toBe(200);
    }
    expect((await t.http.get(`${EMU}/health`)).status).toBe(200);
  });

  it('a body on a route that takes none is still held to JSON; unknown routes are 404 notFound', async () => {
    const before = await snapshot();
    expectError(await raw('delete', '/faults', '{', 'application/json'), 400, 'badRequest');
    expectError(await raw('delete', '/journal', '{}', 'text/plain'), 415, 'unsupportedMediaType');
    expectError(await raw('post', '/nothing', '{}'), 404, 'notFound', 'no control-plane route POST /emulator/v1/nothing');
    expectError(await raw('get', '/faults/f999'), 404, 'notFound');
    await expectHealthyAndUnchanged(before);
  });
});

describe('numbers out of range', () => {
  it('clock: advance beyond 100 years, past the year 9999, speed above 1e6 or a time outside 1970-9999: 400, clock unchanged', async () => {
    const before = await snapshot();
    const cases: Array<[string, Record<string, unknown>, string | RegExp]> = [
      ['/clock/advance', { seconds: 1e308 }, 'body/seconds must be <= 3155760000'],
      ['/clock/advance', { ms: 1e308 }, 'body/ms must be <= 3155760000000'],
      ['/clock/advance', { seconds: 3155760001 }, /must be <= 3155760000/],
      ['/clock/advance', { seconds: -1 }, 'body/seconds must be >= 0'],
      ['/clock', { speed: 1e308 }, 'body/speed must be <= 1000000'],
      ['/clock', { speed: 0 }, 'body/speed must be > 0'],
      ['/clock', { speed: -5 }, 'body/speed must be > 0'],
      ['/clock', { time: '1969-12-31T23:59:59Z' }, 'time must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z'],
      ['/clock', { time: '+275760-09-13T00:00:00Z' }, /^time must be RFC 3339/],
      ['/clock', { time: '2026-01-05T10:00:00.0000000000000000001Z' }, /^time must be RFC 3339/],
      ['/clock', { time: 'x'.repeat(100) }, 'body/time must NOT have more than 64 characters'],
      ['/clock', { mode: 'warp' }, /^body\/mode must be equal to one of the allowed values/],
    ];
    for (const [path, body, message] of cases) expectError(await t.http.post(`${EMU}${path}`).send(body), 400, 'badRequest', message);
    await expectHealthyAndUnchanged(before);
  });

  it('the clock can reach the end of year 9999 but not pass it; tokens still work there', async () => {
    expect((await t.http.post(`${EMU}/clock`).send({ time: '9999-12-31T00:00:00Z' })).body.time).toBe('9999-12-31T00:00:00.000Z');
    expectError(await t.http.post(`${EMU}/clock/advance`).send({ seconds: 2 * 86400 }), 400, 'badRequest', 'the clock cannot pass the year 9999');
    expect((await t.http.post(`${EMU}/clock/advance`).send({ seconds: 3600 })).body.time).toBe('9999-12-31T01:00:00.000Z');
    expect((await t.http.get(`${EMU}/health`)).status).toBe(200);
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('content-type', 'application/json');
    expect((await t.http.get(`${OBJ}/pools`).set({ Authorization: `Session ${login.body.token}` })).status).toBe(200);
  });

  it('seed, timing, journal settings, arrays and reset: finite and in range, known keys only', async () => {
    const before = await snapshot();
    const cases: Array<[Method, string, unknown, string | RegExp]> = [
      ['post', '/seed', { seed: 1e308 }, 'body/seed must be <= 4294967295'],
      ['post', '/seed', { seed: -1 }, 'body/seed must be >= 0'],
      ['post', '/seed', { seed: 1.5 }, 'body/seed must be integer,null'],
      ['post', '/reset', { seed: 4294967296 }, 'body/seed must be <= 4294967295'],
      ['post', '/reset', { keep: {} }, 'body/keep must be array'],
      ['put', '/timing', { jobMs: { 'ldev.create': 1e308 } }, /^body\/jobMs\/ldev\.create must be <= 86400000/],
      ['patch', '/timing', { jobQueuedMs: 1e308 }, 'body/jobQueuedMs must be <= 86400000'],
      ['patch', '/timing', { jobMs: { toString: 1 } }, /^jobMs\.toString is not a job operation/],
      ['patch', '/timing', { jobMs: { constructor: 1 } }, /^jobMs\.constructor is not a job operation/],
      ['patch', '/timing', { transitionMs: { hasOwnProperty: 1 } }, /^transitionMs\.hasOwnProperty is not a pair transition/],
      ['patch', '/timing', { transitionMs: { 'pair.create.perGiB': 1e7 } }, 'transitionMs.pair.create.perGiB must be at most 3600000 ms per GiB'],
      ['patch', '/timing', { cloneSecondsPerGiB: { slower: 1e9 } }, 'body/cloneSecondsPerGiB/slower must be <= 3600'],
      ['put', '/journal/settings', { capacity: 1e308 }, 'body/capacity must be <= 100000'],
      ['post', '/arrays', { serialNumber: 1e308 }, 'body/serialNumber must be <= 999999'],
    ];
    for (const [method, path, body, message] of cases) expectError(await t.http[method](`${EMU}${path}`).send(body as object), 400, 'badRequest', message);
    expectError(await t.http.post(`${EMU}/arrays`).send({ from: 1e308 }), 404, 'notFound', 'fixture "default" has no array 1e+308');
    // `__proto__` as a key: refused by the body parser itself, in the same shape.
    expectError(await raw('patch', '/timing', '{"jobMs":{"__proto__":1}}'), 400, 'badRequest', /^The request body is not in the correct format/);
    await expectHealthyAndUnchanged(before);
  });

  it('a timing profile named after an Object.prototype member is a custom profile over realistic', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const res = await t.http.put(`${EMU}/timing`).send({ name });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name, jobQueuedMs: 100, jobMs: { 'ldev.create': 2000 } });
    }
    const job = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('content-type', 'application/json').send({ ldevId: 100, byteFormatCapacity: '1G', poolId: 0 });
    expect(job.status).toBe(202);
  });

  it('journal query: numbers in range, path a prefix or glob', async () => {
    const cases: Array<[string, string | RegExp]> = [
      ['limit=1e308', 'querystring/limit must be <= 100000'],
      ['limit=-1', 'querystring/limit must be >= 0'],
      ['since=-1', 'querystring/since must be >= 0'],
      ['since=1e308', /^querystring\/since must be <= /],
      ['jobId=abc', 'querystring/jobId must be integer'],
      ['pending=maybe', 'querystring/pending must be boolean'],
      ['path=^/(a%2B)%2B$', 'path: regular expressions are not supported; give a path prefix or a glob (* within a segment, ** across segments)'],
      [`path=/${'a'.repeat(300)}`, 'querystring/path must NOT have more than 256 characters'],
    ];
    for (const [query, message] of cases) expectError(await t.http.get(`${EMU}/journal?${query}`), 400, 'badRequest', message);
  });

  it('host I/O: sizes, offsets, rates, durations and seeds in range', async () => {
    const before = await snapshot();
    const cases: Array<[string, Record<string, unknown>, string | RegExp]> = [
      ['/io/write', { ldevId: 1e308, length: 512, seed: 1 }, 'body/ldevId must be <= 65535'],
      ['/io/write', { ldevId: 0, length: 1e308, seed: 1 }, /^length must be a whole number of bytes/],
      ['/io/write', { ldevId: 0, length: '1e308', seed: 1 }, /^length must be a whole number of bytes/],
      ['/io/write', { ldevId: 0, length: '99999999999T', seed: 1 }, /^length must be a whole number of bytes/],
      ['/io/write', { ldevId: 0, offset: 2 ** 40, length: 512, seed: 1 }, /^write: offset 1099511627776 is beyond the end of LDEV 0/],
      ['/io/write', { ldevId: 0, offset: 2 ** 60, length: 512, seed: 1 }, /^offset must be a whole number of bytes/],
      ['/io/write', { ldevId: 0, length: 512, seed: 1e308 }, 'body/seed must be <= 9007199254740991'],
      ['/io/workloads', { ldevId: 0, durationSeconds: 1, ratePerSecond: 1e308 }, /^the write rate must be > 0 and <= 100000/],
      ['/io/workloads', { ldevId: 0, durationSeconds: 1, MiBps: 1e308 }, 'body/MiBps must be <= 1000000000'],
      ['/io/workloads', { ldevId: 0, durationSeconds: 1e308, ratePerSecond: 1 }, /^durationSeconds must be > 0 and <= 2592000/],
      ['/io/workloads', { ldevId: 0, durationSeconds: 86400, ratePerSecond: 100 },
        'a workload plans at most 1000000 writes (rate × duration; got 8640000): lower the rate or the duration'],
    ];
    for (const [path, body, message] of cases) expectError(await t.http.post(`${EMU}${path}`).send(body), 400, 'badRequest', message);
    expectError(await t.http.get(`${EMU}/io/fingerprint?ldevId=1e308`), 400, 'badRequest', 'querystring/ldevId must be <= 65535');
    expectError(await t.http.get(`${EMU}/io/fingerprint?ldevId=0&offset=lots`), 400, 'badRequest', /^offset must be a whole number of bytes/);
    await expectHealthyAndUnchanged(before);
  });
});

describe('fault rules', () => {
  it('effect.error names only own catalog rows: toString, constructor, __proto__ are refused, requests keep working', async () => {
    const before = await snapshot();
    for (const error of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const res = await raw('post', '/faults', JSON.stringify({ match: {}, effect: { type: 'http', error } }));
      expectError(res, 400, 'badRequest', new RegExp(`^effect\\.error: no catalog row "${error}"`));
      expectError(await raw('post', '/faults', JSON.stringify({ match: {}, effect: { type: 'job', error } })), 400, 'badRequest');
    }
    await expectHealthyAndUnchanged(before);
  });

  it('numbers out of range and values of the wrong type: 400 with the field named', async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      [{ match: {}, effect: { type: 'http', status: 1e308 } }, 'effect.status must be an HTTP error status 400-599'],
      [{ match: {}, effect: { type: 'http', retryAfter: 1e9 } }, 'effect.retryAfter must be whole seconds from 0 to 86400'],
      [{ match: {}, effect: { type: 'http', message: {} } }, 'body/effect/message must be string'],
      [{ match: {}, effect: { type: 'http', vars: { detail: {} } } }, /^body\/effect\/vars\/detail must be string/],
      [{ match: {}, effect: { type: 'latency', ms: 1e308 } }, 'a latency is limited to 3155760000 s of virtual time (100 years)'],
      [{ match: {}, effect: { type: 'latency', seconds: 1e308 } }, 'a latency effect needs "ms" or "seconds" >= 0'],
      [{ match: {}, effect: { type: 'latency', ms: 700_000, clock: 'wall' } }, 'a wall-clock latency is limited to 600 s'],
      [{ effect: { type: 'pool', poolId: 1, usedRate: 1e308 } }, 'effect.usedRate must be 0-100'],
      [{ effect: { type: 'pool', poolId: 1e308 } }, 'body/effect/poolId must be <= 65535'],
      [{ effect: { type: 'pool', poolId: 1 }, afterSeconds: 1e308 }, 'body/afterSeconds must be <= 3155760000'],
      [{ match: {}, effect: { type: 'http' }, times: 1e308 }, 'body/times must be <= 1000000000'],
      [{ match: {}, effect: { type: 'http' }, seed: 1e308 }, 'body/seed must be <= 4294967295'],
      [{ match: { ldevId: 1e308 }, effect: { type: 'http' } }, 'body/match/ldevId must be <= 65535'],
      [{ match: { muNumber: 1024 }, effect: { type: 'http' } }, 'body/match/muNumber must be <= 1023'],
      [{ match: { headers: { 'x-a': {} } }, effect: { type: 'http' } }, 'body/match/headers/x-a must be string'],
      [{ match: { path: '^/(a+)+$' }, effect: { type: 'http' } }, 'match.path: regular expressions are not supported; give a path prefix or a glob (* within a segment, ** across segments)'],
      [{ match: { path: '/ConfigurationManager/v1/objects/ldevs/\\d+' }, effect: { type: 'http' } }, /^match\.path: regular expressions are not supported/],
      [{ match: { path: `/${'*/'.repeat(20)}` }, effect: { type: 'http' } }, 'match.path has more than 16 wildcards'],
      [{ match: { path: `/${'a'.repeat(300)}` }, effect: { type: 'http' } }, 'body/match/path must NOT have more than 256 characters'],
      [{ match: { operation: '^snapshot' }, effect: { type: 'http' } }, /^match\.operation: regular expressions are not supported/],
      [{ match: [], effect: { type: 'http' } }, 'body/match must be object'],
      [{ match: {}, effect: [] }, 'body/effect must be object'],
    ];
    for (const [rule, message] of cases) expectError(await t.http.post(`${EMU}/faults`).send(rule), 400, 'badRequest', message);
    await expectHealthyAndUnchanged(before);
  });

  it(`at most 256 rules: the next one is 409 limitReached, and a deletion makes room`, async () => {
    for (let i = 0; i < 256; i++) {
      const res = await t.http.post(`${EMU}/faults`).send({ match: { path: `/ConfigurationManager/v1/objects/x${i}/**` }, effect: { type: 'http', status: 503 } });
      expect(res.status).toBe(201);
    }
    const over = await t.http.post(`${EMU}/faults`).send({ match: {}, effect: { type: 'http', status: 503 } });
    expectError(over, 409, 'limitReached', /^at most 256 fault rules at once/);
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(200);
    expect((await t.http.delete(`${EMU}/faults/f1`)).status).toBe(204);
    expect((await t.http.post(`${EMU}/faults`).send({ match: { path: '/ConfigurationManager/v1/objects/pools' }, effect: { type: 'http', status: 503 } })).status).toBe(201);
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(503);
  });

  it('a glob path that would make a regex backtrack matches a long path at once', async () => {
    await t.http.post(`${EMU}/faults`).send({ match: { path: '/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b' }, effect: { type: 'http', status: 503 } }).expect(201);
    await t.http.post(`${EMU}/faults`).send({ match: { path: '/**a**a**a**a**a**a**a**a**a**a**b' }, effect: { type: 'http', status: 503 } }).expect(201);
    const started = performance.now();
    const res = await t.http.get(`/ConfigurationManager/v1/objects/${'a'.repeat(4000)}`).set(t.auth);
    expect(res.status).toBe(404);
    expect((await t.http.get(`${EMU}/journal?path=/**a**a**a**a**a**a**a**a**c`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('host I/O limits', () => {
  it('at most 64 workloads are kept: the next one is 409 limitReached until one is deleted', async () => {
    for (let i = 0; i < 64; i++) {
      const res = await t.http.post(`${EMU}/io/workloads`).send({ ldevId: 0, ratePerSecond: 1, durationSeconds: 1 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    expectError(await t.http.post(`${EMU}/io/workloads`).send({ ldevId: 0, ratePerSecond: 1, durationSeconds: 1 }), 409, 'limitReached', /^at most 64 workloads/);
    expect((await t.http.delete(`${EMU}/io/workloads/w1`)).status).toBe(200);
    expect((await t.http.post(`${EMU}/io/workloads`).send({ ldevId: 0, ratePerSecond: 1, durationSeconds: 1 })).status).toBe(201);
  });
});

describe('the glob matcher', () => {
  it('* stays within a segment, ** crosses them, a prefix matches whole segments', () => {
    const cases: Array<[string, string, boolean]> = [
      ['/a/*/c', '/a/b/c', true], ['/a/*/c', '/a/b/x/c', false], ['/a/**/c', '/a/b/x/c', true], ['/a/**/c', '/a/c', false],
      ['/a/b*', '/a/bcd', true], ['/a/b*', '/a/b/c', false], ['/a/b**', '/a/b/c', true], ['/a/*', '/a/b/', true],
      ['/a', '/a/b', true], ['/a', '/ab', false], ['/a/', '/a', true], ['', '/anything', true], ['/a.b', '/aXb', false],
      ['/a+', '/aa', false], ['/a+', '/a+', true], ['/(x)', '/(x)/y', true],
    ];
    for (const [spec, path, want] of cases) expect(pathMatcher(spec)(path), `${spec} ~ ${path}`).toBe(want);
    expect(globMatcher('snapshot.*', null)('snapshot.create')).toBe(true);
    expect(globMatcher('*.delete', null)('snapshotGroup.delete')).toBe(true);
    expect(globMatcher('ldev.*', null)('snapshot.create')).toBe(false);
  });

  it('runs in time linear in the path whatever the pattern', () => {
    const m = globMatcher(`/${'*a'.repeat(16)}b`, '/');
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(m(`/${'a'.repeat(2000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
