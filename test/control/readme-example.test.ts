/**
 * The README's worked example, run as written against a live emulator: a client test that checkpoints, provokes a
 * pool-full PSUE and a busy server, asserts on the journal, and restores. Only `beforeAll`/`afterAll` differ from
 * the README (the README points at an emulator started with `vsp-emulator --db :memory: --timing instant`).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';

let emulator: App;
let BASE = '';
beforeAll(async () => {
  emulator = await buildApp({ db: ':memory:', timing: 'instant', logger: false });
  await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  BASE = `http://127.0.0.1:${(emulator.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => { await emulator.close(); });

// ---- README example starts here ----
const emu = (method: string, path: string, body?: unknown) =>
  fetch(`${BASE}/emulator/v1${path}`, {
    method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => (r.status === 204 ? null : r.json()));

/** The "client under test": reads pools and retries a busy (503) answer after Retry-After seconds. */
async function getPools(api: string, auth: string): Promise<{ data: Array<{ poolId: number; poolStatus: string }> }> {
  for (;;) {
    const r = await fetch(`${api}/pools`, { headers: { Authorization: auth } });
    if (r.status !== 503) return r.json();
    await new Promise((done) => setTimeout(done, Number(r.headers.get('retry-after') ?? 1) * 1000));
  }
}

it('a snapshot pair in a pool that fills up goes PSUE, and the client survives a busy server', async () => {
  const api = `${BASE}/ConfigurationManager/v1/objects`;
  await emu('POST', '/reset');
  const login = await fetch(`${api}/sessions`, {
    method: 'POST', headers: { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` },
  });
  const auth = `Session ${(await login.json()).token}`;
  const send = (method: string, path: string, body: unknown) => fetch(`${api}${path}`, {
    method, body: JSON.stringify(body),
    headers: { Authorization: auth, 'Content-Type': 'application/json', 'Response-Job-Status': 'Completed;' },
  }).then((r) => r.json());

  // A Thin Image pair 0,0 (S-VOL 10) in pool 1, then a checkpoint of that known state.
  await send('POST', '/ldevs', { ldevId: 10, poolId: 0, byteFormatCapacity: '10G' });
  const created = await send('POST', '/snapshots', {
    snapshotGroupName: 'nightly', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true,
  });
  expect(created).toMatchObject({ status: 'Completed', state: 'Succeeded' });
  await emu('POST', '/checkpoints/paired');

  // The Thin Image pool fills up: the array suspends the pairs whose snapshot data lives in it.
  const full = await emu('POST', '/faults', { effect: { type: 'pool', poolId: 1 } });
  expect(full.result).toEqual({ storageDeviceId: '936000123456', pairs: ['0,0'], pool: { poolId: 1, usedRate: 100, poolStatus: 'POLF' } });
  const pair = await fetch(`${api}/snapshots/0,0`, { headers: { Authorization: auth } }).then((r) => r.json());
  expect(pair.status).toBe('PSUE');

  // The REST server is busy once (KART00003-E, 503, Retry-After: 0): the client must retry.
  const busy = await emu('POST', '/faults', {
    match: { method: 'GET', path: '/ConfigurationManager/v1/objects/pools' },
    effect: { type: 'http', status: 503, retryAfter: 0 }, times: 1,
  });
  const pools = await getPools(api, auth);
  expect(pools.data.find((p) => p.poolId === 1)?.poolStatus).toBe('POLF');

  // The journal shows what the client sent: one busy answer, then the retry.
  const journal = await emu('GET', '/journal?method=GET&path=/ConfigurationManager/v1/objects/pools');
  expect(journal.data.map((e: { status: number; fault: { id: string } | null }) => [e.status, e.fault?.id ?? null]))
    .toEqual([[503, busy.id], [200, null]]);
  expect(journal.data[0].responseBody.messageId).toBe('KART00003-E');

  // Back to the checkpoint: the pair is PAIR again and the pool empty; faults are test settings, cleared apart.
  await emu('POST', '/checkpoints/paired/restore');
  await emu('DELETE', '/faults');
  const again = await fetch(`${api}/snapshots/0,0`, { headers: { Authorization: auth } }).then((r) => r.json());
  expect(again.status).toBe('PAIR');
  expect((await getPools(api, auth)).data.find((p) => p.poolId === 1)?.poolStatus).toBe('POLN');
});
// ---- README example ends here ----
