import { afterEach, describe, expect, it } from 'vitest';
import { Journal, JOURNAL_LIMITS, type RawEntry } from '../../src/control/journal.js';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, startControl } from './support.js';

const KiB = 1024;

/** A request entry as the wire hooks add it. */
const request = (j: Journal, path = '/x'): RawEntry => j.add({
  kind: 'request', timeMs: 0, method: 'POST', url: path, path, storageDeviceId: null, userId: 'maintenance', requestHeaders: {},
  requestBody: null, status: null, responseBody: null, jobId: null, operation: null, fault: null, pending: true, durationMs: null,
});

describe('journal memory bounds (unit)', () => {
  it('keeps a body up to 64 KiB as it came; a larger one is a {truncated, bytes} summary counted as nothing', () => {
    const j = new Journal();
    const small = request(j);
    j.setRequestBody(small, { a: 'x'.repeat(100) });
    j.setResponseBody(small, '{"ok":true}');
    const big = request(j);
    j.setRequestBody(big, { a: 'x'.repeat(70 * KiB) });
    j.setResponseBody(big, Buffer.alloc(65 * KiB, 0x61));
    const declared = request(j);
    j.setRequestBody(declared, { any: 'thing' }, 8 * 1024 * KiB); // Content-Length over the cap: not even serialised
    const [a, b, c] = j.list({});
    expect(a).toMatchObject({ requestBody: { a: 'x'.repeat(100) }, responseBody: { ok: true } });
    expect(b).toMatchObject({ requestBody: { truncated: true, bytes: 70 * KiB + 8 }, responseBody: { truncated: true, bytes: 65 * KiB } });
    expect(c!.requestBody).toEqual({ truncated: true, bytes: 8 * 1024 * KiB });
    expect(j.stats()).toMatchObject({ size: 3, bytes: 108 + 11, byteBudget: 16 * 1024 * KiB });
    expect(JOURNAL_LIMITS).toEqual({ bodyBytes: 64 * KiB, byteBudget: 16 * 1024 * KiB, depth: 64 });
  });

  it('holds a byte budget over all bodies: the oldest entries go first, the figure in stats', () => {
    const j = new Journal(1000, 256 * KiB);
    const body = 'y'.repeat(60 * KiB);
    for (let i = 0; i < 10; i++) j.setResponseBody(request(j, `/r${i}`), JSON.stringify(body));
    const s = j.stats();
    expect(s).toMatchObject({ size: 4, dropped: 6, lastSeq: 10, byteBudget: 256 * KiB });
    expect(s.bytes).toBe(4 * (60 * KiB + 2));
    expect(j.list({}).map((e) => e.path)).toEqual(['/r6', '/r7', '/r8', '/r9']);
    // A body set on an entry already dropped keeps nothing and counts nothing.
    const early = request(j, '/early');
    for (let i = 0; i < 5; i++) j.setResponseBody(request(j), JSON.stringify(body));
    j.setRequestBody(early, { late: 'x'.repeat(1000) });
    expect(j.list({}).some((e) => e.path === '/early')).toBe(false);
    expect(j.stats().bytes).toBe(4 * (60 * KiB + 2));
    j.clear();
    expect(j.stats()).toMatchObject({ size: 0, bytes: 0 });
  });

  it('reading never throws: a body nested 5,000 levels deep (as text or as an object) reads as a summary', () => {
    const j = new Journal();
    const text = '['.repeat(5000) + ']'.repeat(5000);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const e1 = request(j);
    j.setRequestBody(e1, deep);
    j.setResponseBody(e1, text);
    const e2 = request(j);
    j.setRequestBody(e2, text); // a string body stored as it came
    const listed = j.list({});
    expect(listed[0]!.requestBody).toEqual({ truncated: true }); // could not be serialised: no size known
    expect(listed[0]!.responseBody).toEqual({ truncated: true, bytes: 10000 });
    expect(listed[1]!.requestBody).toEqual({ truncated: true, bytes: 10000 });
    expect(() => JSON.stringify(j.list({}))).not.toThrow();
    // 64 levels are still shown.
    const ok = request(j);
    j.setResponseBody(ok, '['.repeat(63) + ']'.repeat(63));
    expect(Array.isArray(j.list({}).at(-1)!.responseBody)).toBe(true);
  });
});

describe('journal memory bounds over HTTP', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('a request that was not authenticated keeps no body: unknown URL, no or wrong credentials', async () => {
    t = await startControl();
    await t.http.delete(`${EMU}/journal`);
    const body = { filler: 'z'.repeat(512 * KiB) };
    expect((await t.http.post(`${OBJ}/no-such-thing`).send(body)).status).toBe(404);
    expect((await t.http.post(`${OBJ}/ldevs`).send(body)).status).toBe(401);
    expect((await t.http.post(`${OBJ}/ldevs`).set('Authorization', 'Session nope').send(body)).status).toBe(401);
    expect((await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'wrong').send({})).status).toBe(401);
    // An unknown URL checks no credentials, so even with a valid token its body is not kept; a known route is.
    expect((await t.http.post(`${OBJ}/no-such-thing`).set(t.auth).send({ small: 1 })).status).toBe(404);
    expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ small: 1 })).status).toBe(400);
    const j = (await t.http.get(`${EMU}/journal`)).body;
    expect(j.data.map((e: { requestBody: unknown; status: number }) => [e.status, e.requestBody])).toEqual([
      [404, null], [401, null], [401, null], [401, null], [404, null], [400, { small: 1 }],
    ]);
    expect(j.bytes).toBeLessThan(4 * KiB);
  });

  it('bodies of authenticated requests are capped when recorded: 20 posts of 4 MiB hold a few KiB', async () => {
    t = await startControl();
    await t.http.delete(`${EMU}/journal`);
    const big = JSON.stringify({ ldevId: 100, poolId: 0, byteFormatCapacity: '1G', label: 'w'.repeat(4 * 1024 * KiB) });
    for (let i = 0; i < 20; i++) {
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).set('Content-Type', 'application/json').send(big);
      expect(res.status).toBeLessThan(500);
    }
    const j = (await t.http.get(`${EMU}/journal`)).body;
    expect(j.size).toBe(20);
    expect(j.data[0].requestBody).toEqual({ truncated: true, bytes: big.length });
    expect(j.bytes).toBeLessThan(20 * 2 * KiB);
    expect(j.byteBudget).toBe(16 * 1024 * KiB);
  });
});
