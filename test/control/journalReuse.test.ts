import { describe, expect, it } from 'vitest';
import { Journal, type RawEntry } from '../../src/control/journal.js';

/** A request entry as the wire hooks add it (pending until its response is sent). */
const request = (j: Journal, path: string): RawEntry => j.add({
  kind: 'request', timeMs: 0, method: 'GET', url: path, path, storageDeviceId: null, userId: 'maintenance', requestHeaders: { host: 'h' },
  requestBody: null, status: null, responseBody: null, jobId: null, operation: null, fault: null, pending: true, durationMs: null,
});

const finish = (j: Journal, e: RawEntry, body: string) => {
  j.setResponseBody(e, body);
  e.status = 200;
  e.pending = false;
};

describe('journal entries reused once the ring is full (unit)', () => {
  it('lists the newest entries with their own fields and body bytes after wrapping many times', () => {
    const j = new Journal(3);
    for (let i = 0; i < 10; i++) finish(j, request(j, `/r${i}`), `{"n":${i}}`);
    const listed = j.list({});
    expect(listed.map((e) => [e.seq, e.path, e.status, e.pending, e.responseBody])).toEqual([
      [8, '/r7', 200, false, { n: 7 }], [9, '/r8', 200, false, { n: 8 }], [10, '/r9', 200, false, { n: 9 }],
    ]);
    expect(j.stats()).toMatchObject({ size: 3, dropped: 7, lastSeq: 10, bytes: 3 * '{"n":7}'.length });
  });

  it('never reuses the entry of a request still pending: the held request keeps its own entry to complete', () => {
    const j = new Journal(2);
    const held = request(j, '/held');
    finish(j, request(j, '/done'), '{}');
    const next = request(j, '/next'); // drops /held from the ring, but /held is still pending
    expect(next).not.toBe(held);
    finish(j, held, '{"late":true}');
    expect(held.path).toBe('/held');
    expect(j.list({}).map((e) => e.path)).toEqual(['/done', '/next']);
  });

  it('a reused entry takes every field of the new request (nothing of the old one shows)', () => {
    const j = new Journal(1);
    const first = request(j, '/first');
    first.jobId = 7;
    first.operation = 'ldev.create';
    first.fault = { id: 'f1', type: 'http' };
    finish(j, first, '{"a":1}');
    const second = request(j, '/second');
    expect(second).toBe(first); // reused
    expect(j.list({})).toEqual([expect.objectContaining({
      seq: 2, path: '/second', jobId: null, operation: null, fault: null, status: null, responseBody: null, pending: true,
    })]);
    expect(j.stats().bytes).toBe(0);
  });
});
