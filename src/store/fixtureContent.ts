import { chunkValue, geometry, writeData, type Geometry } from '../domain/content.js';
import { defaultFidelity } from '../domain/fidelity.js';
import { BLOCK, parseByteFormat } from '../domain/format.js';
import { createContentStore, reconcileContent } from './content.js';
import type { Db } from './db.js';
import type { ArraySpec, Fixture } from './fixture.js';

/**
 * Training fixtures hold real data. In a fixture named `training-*`, an LDEV's `usedCapacity` is content a host wrote
 * before the scenario starts: seeded data (seed = the LDEV id) over bytes [0, usedCapacity), exactly what
 * `POST /emulator/v1/io/write {ldevId, offset: 0, length: usedCapacity, seed: ldevId}` writes. The fixture's split
 * pairs then hold what their P-VOL held (their snapshot generations are taken over that data), so the first host
 * write to each written chunk keeps the old data in the snapshot pool and a lesson fills a pool by writes alone.
 *
 * Other fixtures keep `usedCapacity` as allocation only (numOfUsedBlock), with volumes that read as zeros: their
 * tests and benchmarks start from empty volumes, and a 40 GiB declaration costs no rows.
 *
 * Runs inside the fixture load's transaction, after the array's pairs were inserted.
 */

/** Fixtures whose declared used capacity is written content. */
export const WRITTEN_FIXTURE = /^training-/;

/** The seed of an LDEV's fixture content. */
export const fixtureSeed = (ldevId: number): number => ldevId;

/** Chunk values of seeded data written at offset 0 over `length` bytes of a volume of `volumeBytes` (as a host write). */
export function* writtenChunks(g: Geometry, seed: number, length: number, volumeBytes: number): Generator<[number, number]> {
  const data = writeData({ kind: 'seed', seed }, 0);
  const last = Math.floor((Math.min(length, volumeBytes) - 1) / g.chunkBytes);
  for (let c = 0; c <= last; c++) {
    const to = Math.min(g.chunkBytes, length - c * g.chunkBytes);
    const whole = to >= Math.min(g.chunkBytes, volumeBytes - c * g.chunkBytes);
    yield [c, whole ? chunkValue(data, g, c, 0, g.chunkBytes, 0) : chunkValue(data, g, c, 0, to, 0)];
  }
}

/** Writes the content of the array's LDEVs that declare `usedCapacity` (training fixtures only); returns the LDEVs written. */
export function seedFixtureContent(db: Db, sid: string, spec: ArraySpec, fx: Pick<Fixture, 'name' | 'fidelity'>): number[] {
  if (!WRITTEN_FIXTURE.test(fx.name ?? '')) return [];
  const fidelity = { ...defaultFidelity, ...(fx.fidelity ?? {}) } as typeof defaultFidelity;
  const g = geometry(fidelity.contentChunkKiB, fidelity.dpPageMiB);
  // An S-VOL shows its pair's snapshot, not data of its own: a used capacity declared on it stays allocation only.
  const svols = new Set((Array.isArray(spec.pairs) ? spec.pairs as Array<{ svolLdevId?: number }> : []).map((p) => p.svolLdevId));
  const store = createContentStore(db);
  const written: number[] = [];
  for (const l of spec.ldevs ?? []) {
    const used = l.usedCapacity ? parseByteFormat(l.usedCapacity) : null;
    const blocks = parseByteFormat(l.capacity);
    if (!used || !blocks || svols.has(l.ldevId) || l.poolId === undefined || l.poolId < 0) continue;
    store.ensureVol(sid, l.ldevId);
    for (const [c, value] of writtenChunks(g, fixtureSeed(l.ldevId), used * BLOCK, blocks * BLOCK)) store.put(sid, l.ldevId, c, value, 1);
    written.push(l.ldevId);
  }
  if (written.length === 0) return written;
  store.setArray(sid, g.chunkBytes / 1024, g.pageBytes / 2 ** 20);
  // Split (and cloning) pairs take their generation over that data now, S-VOLs their links: as the first write would.
  reconcileContent(db, sid);
  return written;
}
