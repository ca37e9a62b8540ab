import { describe, expect, it } from 'vitest';
import { Journal, type RawEntry } from '../../src/control/journal.js';

/** The wire hooks' arrival path (addRequest) must list exactly like an entry made by add. */
const arrive = (j: Journal, path: string): RawEntry =>
  j.addRequest(Date.UTC(2026, 0, 1), 'GET', `${path}?x=1`, path, '936000123456', 'maintenance', { host: 'h', authorization: 'Session abc' });

describe('journal entries of arriving requests (addRequest, unit)', () => {
  it('lists the same fields as add: time, method, URL, path, array, user, redacted headers, pending with no bodies', () => {
    const j = new Journal(5);
    const e = arrive(j, '/ConfigurationManager/v1/objects/ldevs/0');
    expect(j.list({})).toEqual([{
      seq: 1, kind: 'request', time: '2026-01-01T00:00:00.000Z', method: 'GET', url: '/ConfigurationManager/v1/objects/ldevs/0?x=1',
      path: '/ConfigurationManager/v1/objects/ldevs/0', storageDeviceId: '936000123456', userId: 'maintenance',
      requestHeaders: { host: 'h', authorization: 'Session <redacted>' }, requestBody: null, status: null, responseBody: null,
      jobId: null, operation: null, fault: null, pending: true, durationMs: null,
    }]);
    j.setResponseBody(e, '{"ldevId":0}');
    expect(j.list({})[0]!.responseBody).toEqual({ ldevId: 0 });
    expect(j.stats().bytes).toBe('{"ldevId":0}'.length);
  });

  it('reuses the dropped entry once its request is over, clearing what the old request recorded', () => {
    const j = new Journal(1);
    const first = arrive(j, '/first');
    first.jobId = 3;
    first.status = 500;
    j.setResponseBody(first, '{"big":"' + 'x'.repeat(100) + '"}');
    first.pending = false;
    const second = arrive(j, '/second');
    expect(second).toBe(first);
    expect(j.list({})).toEqual([expect.objectContaining({ seq: 2, path: '/second', jobId: null, status: null, responseBody: null, pending: true })]);
    expect(j.stats().bytes).toBe(0);
  });

  it('keeps a pending entry to itself: the next arrival gets a new entry', () => {
    const j = new Journal(1);
    const held = arrive(j, '/held');
    const next = arrive(j, '/next');
    expect(next).not.toBe(held);
    expect(j.list({}).map((e) => e.path)).toEqual(['/next']);
  });

  it('an answer over the per-body cap is summarised, not kept', () => {
    const j = new Journal(2);
    const e = arrive(j, '/big');
    j.setResponseBody(e, 'x'.repeat(64 * 1024 + 1));
    expect(j.list({})[0]!.responseBody).toEqual({ truncated: true, bytes: 64 * 1024 + 1 });
    expect(j.stats().bytes).toBe(0);
  });

  it('each entry lists its own request headers, whether or not they equal the previous request\'s', () => {
    const j = new Journal(5);
    const add = (h: Record<string, string>) => j.addRequest(0, 'GET', '/p', '/p', null, 'u', h);
    const a = add({ host: 'h', accept: 'application/json' });
    const b = add({ host: 'h', accept: 'application/json' });
    const c = add({ host: 'h', accept: 'text/plain' });
    const d = add({ host: 'h' });
    const e = add({ host: 'h', accept: 'text/plain', 'x-extra': '1' });
    expect(b.requestHeaders).toBe(a.requestHeaders); // the same headers are kept once
    expect(j.list({}).map((x) => x.requestHeaders)).toEqual([
      { host: 'h', accept: 'application/json' }, { host: 'h', accept: 'application/json' }, { host: 'h', accept: 'text/plain' },
      { host: 'h' }, { host: 'h', accept: 'text/plain', 'x-extra': '1' },
    ]);
    expect([c, d, e].map((x) => x.requestHeaders === a.requestHeaders)).toEqual([false, false, false]);
  });
});
