import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClientError, startEmulator, type Emulator } from '../../src/index.js';

const basic = (u: { userId: string; password: string }) => `Basic ${Buffer.from(`${u.userId}:${u.password}`).toString('base64')}`;

/** POST with the job held until it completes, as Cinder sends it. */
async function send(emu: Emulator, base: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Authorization: basic(emu.credentials), 'Content-Type': 'application/json', 'Response-Job-Status': 'Completed;' },
  });
  return { status: r.status, body: await r.json() as Record<string, any> };
}

describe('startEmulator: in-process, in memory, on free ports', () => {
  let emu: Emulator;
  let readyMs = 0;
  beforeAll(async () => {
    const t0 = performance.now();
    emu = await startEmulator({ clock: 'manual', timing: 'instant' });
    readyMs = performance.now() - t0;
  });
  afterAll(async () => { await emu?.close(); });

  it('answers the bound HTTP and HTTPS URLs, the storage ids and what it started from', async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.httpPort).not.toBe(emu.httpsPort);
    expect(emu.storageDeviceIds).toEqual(['936000123456']);
    expect(emu.start).toMatchObject({ state: 'loaded', fixture: 'default', db: ':memory:', timing: 'instant', clock: 'manual', counts: { arrays: 1, ldevs: 4, pairs: 0 } });
    const storages = await fetch(`${emu.apiUrl}/storages`).then((r) => r.json()) as { data: Array<{ storageDeviceId: string }> };
    expect(storages.data.map((s) => s.storageDeviceId)).toEqual(['936000123456']);
    const version = await fetch(`${emu.httpsUrl}/ConfigurationManager/configuration/version`, { dispatcher: undefined } as RequestInit).catch((e: Error) => e);
    // Node's fetch refuses the self-signed certificate, which proves TLS answered on that port.
    expect(String((version as Error).cause ?? version)).toMatch(/self[- ]signed|certificate/i);
    console.log(`startEmulator ready in ${readyMs.toFixed(0)} ms`);
  });

  it('drives the control plane with the typed client: clock, checkpoints, faults, journal, io', async () => {
    const { control } = emu;
    expect((await control.health()).status).toBe('ready');
    const before = await control.clock.get();
    expect((await control.clock.advance(90)).epochMs).toBe(before.epochMs + 90_000);

    await send(emu, emu.apiUrl, 'POST', '/ldevs', { ldevId: 10, poolId: 0, byteFormatCapacity: '1G' });
    await control.checkpoints.save('with-ldev-10');
    const fault = await control.faults.add({ match: { method: 'GET', path: '/ConfigurationManager/v1/objects/pools' }, effect: { type: 'http', status: 503, retryAfter: 0 }, times: 1 });
    expect((await fetch(`${emu.apiUrl}/pools`, { headers: { Authorization: basic(emu.credentials) } })).status).toBe(503);
    const journal = await control.journal.list({ path: '/ConfigurationManager/v1/objects/pools' });
    expect(journal.data.map((e) => [e.status, e.fault?.id ?? null])).toEqual([[503, fault.id]]);

    const written = await control.io.write({ ldevId: 10, length: '1M', pattern: 'abc' });
    expect(written).toMatchObject({ ldevId: 10 });
    const print = await control.io.fingerprint({ ldevId: 10, length: '1M' });
    expect(print.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    await control.reset();
    expect((await send(emu, emu.apiUrl, 'GET', '/ldevs/10')).body.emulationType).toBe('NOT DEFINED');
    await control.checkpoints.restore('with-ldev-10');
    expect((await send(emu, emu.apiUrl, 'GET', '/ldevs/10')).body.emulationType).not.toBe('NOT DEFINED');
    expect(await control.faults.list()).toEqual([]);
  });

  it('refusals throw ControlClientError with the control plane\'s code', async () => {
    const e = await emu.control.checkpoints.restore('nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ControlClientError);
    expect(e).toMatchObject({ status: 404, code: 'notFound' });
  });

  it('createArray gives a test file its own array, dispose() removes it', async () => {
    const a = await emu.createArray();
    const b = await emu.createArray({ fixture: 'g900' });
    expect(a.storageDeviceId).not.toBe(b.storageDeviceId);
    expect(a.apiUrl).toBe(`${emu.url}/ConfigurationManager/v1/objects/storages/${a.storageDeviceId}`);
    // The array is a copy of the fixture's: its LDEVs, its own job ids' resources.
    const created = await send(emu, a.apiUrl, 'POST', '/ldevs', { ldevId: 20, poolId: 0, byteFormatCapacity: '1G' });
    expect(created.body).toMatchObject({ state: 'Succeeded' });
    expect(created.body.affectedResources[0]).toContain(`/storages/${a.storageDeviceId}/ldevs/20`);
    expect((await send(emu, emu.apiUrl, 'GET', '/ldevs/20')).body.emulationType).toBe('NOT DEFINED');
    await a.dispose();
    await b[Symbol.asyncDispose]();
    expect((await emu.control.arrays.list()).map((x) => x.storageDeviceId)).toEqual(['936000123456']);
  });
});

describe('startEmulator options', () => {
  it('two emulators run side by side in one process; https: false serves HTTP only', async () => {
    const [a, b] = await Promise.all([startEmulator({ https: false }), startEmulator({ https: false, fixture: 'vsp5500' })]);
    try {
      expect(a.httpsUrl).toBeNull();
      expect(a.url).not.toBe(b.url);
      expect(b.storageDeviceId).toBe('900000123456');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    await a.close(); // twice is fine
  });

  it('a fixture object, a control token (the client sends it), and a seed', async () => {
    const emu = await startEmulator({
      https: false, controlToken: 'sesame', seed: 7,
      fixture: { name: 'tiny', arrays: [{ model: 'VSP E990', serialNumber: 111111, pools: [{ poolId: 0, poolName: 'P0', poolType: 'HDP', capacity: '1T' }] }] } as never,
    });
    try {
      expect(emu.storageDeviceId).toBe('936000111111');
      expect(emu.start.fixture).toBe('tiny');
      expect((await emu.control.seed.get()).seed).toBe(7);
      expect((await fetch(`${emu.controlUrl}/seed`)).status).toBe(401);
    } finally {
      await emu.close();
    }
  });

  it('on a database file: loaded, then resumed; another fixture is refused naming both; fresh starts over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsp-embed-'));
    const db = join(dir, 'state.sqlite');
    try {
      const first = await startEmulator({ db, https: false, timing: 'instant' });
      expect(first.start).toMatchObject({ state: 'loaded', fixture: 'default', fresh: false });
      await send(first, first.apiUrl, 'POST', '/ldevs', { ldevId: 10, poolId: 0, byteFormatCapacity: '1G' });
      await first.close();

      const again = await startEmulator({ db, https: false });
      expect(again.start).toMatchObject({ state: 'resumed', fixture: 'default', counts: { arrays: 1, ldevs: 5, pairs: 0 } });
      await again.close();
      // Naming the same fixture is fine.
      await (await startEmulator({ db, https: false, fixture: 'default' })).close();

      await expect(startEmulator({ db, https: false, fixture: 'training-first-snapshot' })).rejects.toThrow(
        `database ${db} holds state loaded from fixture "default" (1 array, 5 LDEVs, 0 pairs), not "training-first-snapshot": ` +
        'start over from "training-first-snapshot" with --fresh (discards the database), use another --db file, or --db :memory: (keeps nothing); ' +
        'or leave out --fixture to resume it');

      const fresh = await startEmulator({ db, https: false, fixture: 'training-first-snapshot', fresh: true });
      expect(fresh.start).toMatchObject({ state: 'loaded', fresh: true, fixture: 'training-first-snapshot', counts: { pairs: 1 } });
      // A reset to another fixture moves the origin with it: a restart resumes that one.
      await fresh.control.reset({ fixture: 'g900' });
      await fresh.close();
      const resumed = await startEmulator({ db, https: false });
      expect(resumed.start).toMatchObject({ state: 'resumed', fixture: 'g900' });
      expect((await resumed.control.health()).fixture).toBe('g900');
      await resumed.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs every job (id, operation, resources, end state) and every pair transition at its virtual time', async () => {
    const lines: Array<Record<string, any>> = [];
    const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
    const emu = await startEmulator({ https: false, clock: 'manual', startTime: '2026-01-05T10:00:00Z', logger: { level: 'debug', stream } });
    try {
      const ldev = await fetch(`${emu.apiUrl}/ldevs`, {
        method: 'POST', body: JSON.stringify({ ldevId: 10, poolId: 0, byteFormatCapacity: '10G' }),
        headers: { Authorization: basic(emu.credentials), 'Content-Type': 'application/json' },
      }).then((r) => r.json()) as { jobId: number };
      await emu.control.clock.advance(5);
      const pair = await fetch(`${emu.apiUrl}/snapshots`, {
        method: 'POST', body: JSON.stringify({ snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true }),
        headers: { Authorization: basic(emu.credentials), 'Content-Type': 'application/json' },
      }).then((r) => r.json()) as { jobId: number };
      await emu.control.clock.advance(10);
      const jobs = lines.filter((l) => l.jobId !== undefined && l.op !== undefined);
      expect(jobs.find((l) => l.jobId === ldev.jobId && /accepted/.test(l.msg))).toMatchObject({ level: 20, op: 'ldev.create', storageDeviceId: '936000123456' });
      expect(jobs.find((l) => l.jobId === ldev.jobId && l.state)).toMatchObject({
        level: 30, op: 'ldev.create', state: 'Succeeded', affectedResources: ['/ConfigurationManager/v1/objects/ldevs/10'],
        resource: 'POST /ConfigurationManager/v1/objects/ldevs',
      });
      expect(jobs.find((l) => l.jobId === pair.jobId && l.state)).toMatchObject({ state: 'Succeeded' });
      const moves = lines.filter((l) => l.pair === '0,0').map((l) => [l.from, l.to]);
      expect(moves).toEqual([['SMPL', 'COPY'], ['COPY', 'PAIR']]);
      expect(lines.find((l) => l.pair === '0,0' && l.to === 'PAIR')?.virtualTime).toMatch(/^2026-01-05T10:00:\d\dZ$/);
    } finally {
      await emu.close();
    }
  });
});
