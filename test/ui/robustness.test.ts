import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STREAMS } from '../../src/ui/index.js';
import { startApp, type TestApp } from '../helpers.js';
import { startUiServer } from './support.js';

/**
 * The web view's routes and its proxy to the control plane answer odd input with a 4xx in the control plane's error
 * shape (`{"error": code, "message": sentence}`), change nothing when they refuse, and the server stays healthy.
 */

const UI = '/emulator/ui';
const TOKEN = 'sesame';
let t: TestApp;
const started: TestApp[] = [];
const start = async (opts: Parameters<typeof startApp>[0] = {}) => { t = await startApp(opts); started.push(t); };
afterEach(async () => { for (const app of started.splice(0)) await app.close(); });

async function snapshot() {
  const get = async (p: string) => (await t.http.get(`/emulator/v1${p}`).set(bearer)).body;
  return { state: await get('/state'), clock: await get('/clock'), timing: await get('/timing'), faults: await get('/faults'), checkpoints: await get('/checkpoints') };
}
let bearer: Record<string, string> = {};

async function expectHealthyAndUnchanged(before: Awaited<ReturnType<typeof snapshot>>) {
  expect((await t.http.get('/emulator/v1/health')).status).toBe(200);
  expect((await t.http.get(`${UI}/api/view`).set(bearer)).status).toBe(200);
  expect(await snapshot()).toEqual(before);
}

function expectError(res: { status: number; body: unknown }, status: number, error: string, message?: string | RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error, message: expect.any(String) });
  if (typeof message === 'string') expect((res.body as { message: string }).message).toBe(message);
  else if (message) expect((res.body as { message: string }).message).toMatch(message);
}

describe('the web view without a control token', () => {
  it('its proxy holds bodies to the control plane\'s rules: bad JSON 400, another type 415, too large 413, never 5xx', async () => {
    await start();
    bearer = {};
    const before = await snapshot();
    const post = (path: string, body: string, type = 'application/json') => t.http.post(`${UI}/api/control/${path}`).set('content-type', type).send(body);
    expectError(await post('clock/advance', '{"seconds":'), 400, 'badRequest', /^The request body is not in the correct format/);
    expectError(await post('clock/advance', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400, 'badRequest', /not in the correct format/);
    expectError(await post('clock/advance', '{"seconds":1}', 'text/plain'), 415, 'unsupportedMediaType');
    expectError(await post('reset', 'fixture=default', 'application/x-www-form-urlencoded'), 415, 'unsupportedMediaType');
    expectError(await post('clock/advance', '[1]'), 400, 'badRequest', 'body must be object,null');
    expectError(await post('clock/advance', '"x"'), 400, 'badRequest', 'body must be object,null');
    expectError(await post('clock/advance', 'null'), 400, 'badRequest', 'give "seconds" or "ms"');
    expectError(await post('clock/advance', '{"seconds":1e308}'), 400, 'badRequest', 'body/seconds must be <= 3155760000');
    expectError(await post('clock', '{"speed":1e308}'), 400, 'badRequest', 'body/speed must be <= 1000000');
    expectError(await post('seed', ''), 400, 'badRequest', 'body must be object');
    expectError(await post('faults', '{"match":{},"effect":{"type":"http","error":"toString"}}'), 400, 'badRequest', /^effect\.error: no catalog row "toString"/);
    expectError(await post('faults', '{"match":{"path":"^/(a+)+$"},"effect":{"type":"http"}}'), 400, 'badRequest', /regular expressions are not supported/);
    // Over the control route's 64 KiB: the control plane refuses it; over the server's 8 MiB: the web view does.
    expectError(await post('faults', `{"description":"${'x'.repeat(70 * 1024)}"}`), 413, 'payloadTooLarge');
    expectError(await post('reset', `{"fixture":"${'x'.repeat(9 * 1024 * 1024)}"}`), 413, 'payloadTooLarge');
    expectError(await t.http.get(`${UI}/api/control/journal?path=^/x`), 400, 'badRequest', /regular expressions are not supported/);
    expectError(await t.http.get(`${UI}/api/control/journal?limit=1e308`), 400, 'badRequest', 'querystring/limit must be <= 100000');
    expectError(await t.http.get(`${UI}/api/control/nothing/here`), 404, 'notFound');
    expectError(await t.http.get(`${UI}/api/control/%2e%2e/%2e%2e/v1/health`), 404, 'notFound');
    await expectHealthyAndUnchanged(before);
  });

  it('a name with spaces or reserved characters reaches the control plane as it was meant', async () => {
    await start();
    bearer = {};
    expectError(await t.http.get(`${UI}/api/control/faults/f%201%3Fx%23y`), 404, 'notFound', 'no fault f 1?x#y');
    expectError(await t.http.delete(`${UI}/api/control/arrays/a%2Fb`), 404, 'notFound', /a\/b/);
  });

  it('api/view: a bad query is 400; an unknown or odd array id shows the first array', async () => {
    await start();
    bearer = {};
    for (const [q, message] of [['since=-1', 'querystring/since must be >= 0'], ['since=abc', 'querystring/since must be integer'],
      ['since=1e308', /^querystring\/since must be <= /], [`storageDeviceId=${'9'.repeat(100)}`, 'querystring/storageDeviceId must NOT have more than 64 characters']] as const) {
      expectError(await t.http.get(`${UI}/api/view?${q}`), 400, 'badRequest', message);
    }
    for (const sid of ['nope', '__proto__', 'constructor', 'toString']) {
      const res = await t.http.get(`${UI}/api/view?storageDeviceId=${sid}`);
      expect(res.status).toBe(200);
      expect(res.body.storageDeviceId).toBe('936000123456');
    }
    expect((await t.http.get(`${UI}/api/view?since=5&since=7`)).status).toBe(400);
  });

  it('login and logout take any body without failing; bad JSON is 400, too large 413', async () => {
    await start();
    bearer = {};
    for (const [body, type] of [['[1]', 'application/json'], ['"x"', 'application/json'], ['7', 'application/json'], ['null', 'application/json'],
      ['', 'application/json'], ['token=x', 'application/x-www-form-urlencoded'], ['{"token":{}}', 'application/json']]) {
      const res = await t.http.post(`${UI}/login`).set('content-type', type).send(body);
      expect(res.status, `${type} ${body}`).toBe(303);
    }
    expectError(await t.http.post(`${UI}/login`).set('content-type', 'application/json').send('{'), 400, 'badRequest', /not in the correct format/);
    expectError(await t.http.post(`${UI}/login`).set('content-type', 'application/x-www-form-urlencoded').send(`token=${'x'.repeat(70 * 1024)}`), 413, 'payloadTooLarge');
    expect((await t.http.post(`${UI}/logout`).set('content-type', 'application/json').send('[]')).status).toBe(303);
    expect((await t.http.get('/emulator/v1/health')).status).toBe(200);
  });
});

describe('the web view with a control token', () => {
  it('login without a token, with a token of the wrong type or a JSON array shows the form again (401); the API asks for the token', async () => {
    await start({ controlToken: TOKEN });
    bearer = { authorization: `Bearer ${TOKEN}` };
    const before = await snapshot();
    for (const [body, type] of [['', 'application/x-www-form-urlencoded'], ['other=1', 'application/x-www-form-urlencoded'],
      ['token=wrong', 'application/x-www-form-urlencoded'], ['token=a&token=b', 'application/x-www-form-urlencoded'], ['[1]', 'application/json'],
      ['{"token":["sesame"]}', 'application/json'], ['{"token":7}', 'application/json'], ['null', 'application/json']]) {
      const res = await t.http.post(`${UI}/login`).set('content-type', type).send(body);
      expect(res.status, `${type} ${body}`).toBe(401);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const ok = await t.http.post(`${UI}/login`).set('content-type', 'application/x-www-form-urlencoded').send(`token=${TOKEN}`);
    expect(ok.status).toBe(303);
    expect(ok.headers['set-cookie']?.[0]).toMatch(/^vsp_emulator_ui=/);
    expectError(await t.http.get(`${UI}/api/view`), 401, 'unauthorized');
    expectError(await t.http.get(`${UI}/api/view?token=${TOKEN}`), 401, 'unauthorized');
    expectError(await t.http.post(`${UI}/api/control/reset`).set('content-type', 'application/json').send('{}'), 401, 'unauthorized');
    expectError(await t.http.post(`${UI}/api/control/reset`).set(bearer).set('content-type', 'text/plain').send('{}'), 415, 'unsupportedMediaType');
    expectError(await t.http.post(`${UI}/api/control/clock/advance`).set(bearer).set('content-type', 'application/json').send('{"seconds":-1}'),
      400, 'badRequest', 'body/seconds must be >= 0');
    await expectHealthyAndUnchanged(before);
  });
});

describe('event streams', () => {
  it(`at most ${MAX_STREAMS} are open at once: the next is 409 limitReached until one closes`, async () => {
    const server = await startUiServer();
    const open = (): Promise<IncomingMessage> => new Promise((resolve, reject) => {
      get(`${server.base}${UI}/api/events`, { agent: false }, resolve).on('error', reject);
    });
    const streams: IncomingMessage[] = [];
    try {
      for (let i = 0; i < MAX_STREAMS; i++) streams.push(await open());
      expect(streams.every((r) => r.statusCode === 200)).toBe(true);
      const refused = await open();
      let text = '';
      for await (const chunk of refused) text += chunk;
      expect(refused.statusCode).toBe(409);
      expect(JSON.parse(text)).toEqual({ error: 'limitReached', message: `at most ${MAX_STREAMS} event streams are open at once: close a page` });
      const closed = new Promise((r) => streams[0]!.socket.once('close', r));
      streams.shift()!.destroy();
      await closed;
      for (let i = 0; i < 50; i++) { // the server sees the close a moment after the client
        const again = await open();
        if (again.statusCode === 200) { streams.push(again); break; }
        again.resume();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(streams.length).toBe(MAX_STREAMS);
    } finally {
      for (const r of streams) r.destroy();
      await server.close();
    }
  });
});
