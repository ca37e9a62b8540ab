import type { Response } from 'supertest';
import { afterEach, expect } from 'vitest';
import { MIB_BLOCKS } from '../../src/domain/format.js';
import { readFixture, type Fixture } from '../../src/store/fixture.js';
import { startApp, type TestApp } from '../helpers.js';
import type { AppOptions } from '../../src/app.js';

/** Helpers of the host I/O tests: a small Thin Image pool, writes and fingerprints through the control plane. */

export { act, createPair, del, expectSucceeded, getPair, snapBody, statusOf, INSTANT } from '../api/snapshotKit.js';
export { OBJ, SID, type TestApp } from '../helpers.js';
export const EMU = '/emulator/v1';
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export { MIB_BLOCKS };
/** 512-byte blocks of one 42 MiB DP page. */
export const PAGE_BLOCKS = 42 * MIB_BLOCKS;

export interface IoFixture {
  /** Capacity of Thin Image pool 1 in MiB (default 100: one hundred 1 MiB chunks). */
  tiPoolMiB?: number;
  warning?: number;
  depletion?: number;
  /** Extra DP volumes in pool 0 (default capacity 1G). */
  ldevs?: Array<{ ldevId: number; capacity?: string; poolId?: number }>;
  fidelity?: Record<string, unknown>;
}

/** The default fixture with a small Thin Image pool 1 and extra DP volumes. */
export function ioFixture(o: IoFixture = {}): Fixture {
  const fx = structuredClone(readFixture('default'));
  const a = fx.arrays[0]!;
  const ti = a.pools!.find((p) => p.poolId === 1)!;
  ti.capacity = `${o.tiPoolMiB ?? 100}M`;
  ti.warningThreshold = o.warning ?? 80;
  ti.depletionThreshold = o.depletion ?? 95;
  a.ldevs = [...(a.ldevs ?? []), ...(o.ldevs ?? []).map((l) => ({ ldevId: l.ldevId, capacity: l.capacity ?? '1G', poolId: l.poolId ?? 0 }))];
  if (o.fidelity) fx.fidelity = { ...(fx.fidelity ?? {}), ...o.fidelity };
  return fx;
}

/** An emulator on `ioFixture(o)`, manual clock, instant timing unless given. */
export function startIo(o: IoFixture = {}, opts: AppOptions = {}): Promise<TestApp> {
  return startApp({ fixture: ioFixture(o), timing: 'instant', ...opts });
}

export function write(t: TestApp, ldevId: number, body: Record<string, unknown>) {
  return t.http.post(`${EMU}/io/write`).send({ ldevId, ...body });
}

/** Writes and asserts 200. */
export async function written(t: TestApp, ldevId: number, body: Record<string, unknown>): Promise<Response['body']> {
  const r = await write(t, ldevId, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

export function fingerprintOf(t: TestApp, ldevId: number, query: Record<string, unknown> = {}) {
  return t.http.get(`${EMU}/io/fingerprint`).query({ ldevId, ...query });
}

/** The fingerprint (asserting 200). */
export async function fp(t: TestApp, ldevId: number, query: Record<string, unknown> = {}): Promise<string> {
  const r = await fingerprintOf(t, ldevId, query);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.fingerprint as string;
}

export async function pool(t: TestApp, poolId: number): Promise<Record<string, unknown>> {
  const r = await t.http.get(`/ConfigurationManager/v1/objects/pools/${poolId}`).set(t.auth);
  expect(r.status).toBe(200);
  return r.body;
}

export async function ldevBody(t: TestApp, ldevId: number): Promise<Record<string, unknown>> {
  return (await t.http.get(`/ConfigurationManager/v1/objects/ldevs/${ldevId}`).set(t.auth)).body;
}

/**
 * The model's books balance: each pool's snapshot capacity is its kept non-zero chunks plus the S-VOL writes of
 * its pairs, and each DP volume's page count is the pages its own chunks touch.
 */
export function expectBooksBalanced(t: TestApp): void {
  const db = t.engine.db;
  const want = new Map<string, number>();
  const add = (sid: string, pool: number, n: number) => want.set(`${sid}/${pool}`, (want.get(`${sid}/${pool}`) ?? 0) + n);
  for (const r of db.prepare('SELECT sid, pool_id, COUNT(*) AS n FROM content_snapdata WHERE value != 0 GROUP BY sid, pool_id').all() as Array<{ sid: string; pool_id: number; n: number }>) {
    add(r.sid, r.pool_id, r.n);
  }
  for (const r of db.prepare(`SELECT c.sid, p.pool_id, COUNT(*) AS n FROM content_chunks c JOIN pairs p
    ON p.sid = c.sid AND c.owner = -(p.pvol * 1024 + p.mu) - 1 WHERE c.owner < 0 GROUP BY c.sid, p.pool_id`).all() as Array<{ sid: string; pool_id: number; n: number }>) {
    add(r.sid, r.pool_id, r.n);
  }
  const orphans = db.prepare(`SELECT COUNT(*) FROM content_chunks c WHERE c.owner < 0 AND NOT EXISTS
    (SELECT 1 FROM pairs p WHERE p.sid = c.sid AND c.owner = -(p.pvol * 1024 + p.mu) - 1)`).pluck().get();
  expect(orphans, 'S-VOL writes of pairs that are gone').toBe(0);
  for (const p of db.prepare('SELECT sid, pool_id, snapshot_used_blocks FROM pools').all() as Array<{ sid: string; pool_id: number; snapshot_used_blocks: number }>) {
    expect(p.snapshot_used_blocks, `snapshot_used_blocks of pool ${p.pool_id}`).toBe((want.get(`${p.sid}/${p.pool_id}`) ?? 0) * MIB_BLOCKS);
  }
  for (const v of db.prepare(`SELECT v.sid, v.ldev, v.pages, (SELECT COUNT(DISTINCT chunk / 42) FROM content_chunks c
    WHERE c.sid = v.sid AND c.owner = v.ldev) AS touched FROM content_vols v`).all() as Array<{ ldev: number; pages: number; touched: number }>) {
    expect(v.pages, `DP pages of LDEV ${v.ldev}`).toBe(v.touched);
  }
}

/** After each test: checks the books of the test's app(s), then closes them (once). */
export function closeAfterEach(...apps: Array<() => TestApp | undefined>): void {
  const closed = new WeakSet<TestApp>();
  afterEach(async () => {
    for (const app of apps) {
      const t = app();
      if (!t || closed.has(t)) continue;
      closed.add(t);
      expectBooksBalanced(t);
      await t.close();
    }
  });
}
