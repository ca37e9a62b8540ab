import type { Db } from './db.js';

/**
 * Repository of the content model (schema: content_*): chunks of volumes and of pairs' S-VOL writes, snapshot data
 * kept by copy-on-write, per-volume epochs and DP pages, snapshot generations, S-VOL links. Range reads are paged by
 * chunk (`after`, `limit`) so several can be consumed side by side without an open SQLite cursor.
 */

/** Owner key of the data hosts wrote to the S-VOL of pair (pvol, mu): negative, so it never meets an LDEV id. */
export const pairOwner = (pvol: number, mu: number): number => -(pvol * 1024 + mu) - 1;

export interface VolRow { epoch: number; baseEpoch: number; pages: number; baseUsed: number | null }
export interface GenRow { pvol: number; mu: number; epoch: number; poolId: number; suspended: boolean }
/** A page of a range read: [chunk, value] or [chunk, value, epoch|from_epoch]. */
export type ChunkRow = [number, number, number];

export function createContentStore(db: Db) {
  const s = {
    chunk: db.prepare('SELECT value, epoch FROM content_chunks WHERE sid = ? AND owner = ? AND chunk = ?').raw(),
    upsert: db.prepare(`INSERT INTO content_chunks (sid, owner, chunk, value, epoch) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (sid, owner, chunk) DO UPDATE SET value = excluded.value, epoch = excluded.epoch`),
    anyIn: db.prepare('SELECT 1 FROM content_chunks WHERE sid = ? AND owner = ? AND chunk >= ? AND chunk < ? LIMIT 1').pluck(),
    countIn: db.prepare('SELECT COUNT(*) FROM content_chunks WHERE sid = ? AND owner = ? AND chunk >= ? AND chunk <= ?').pluck(),
    pagesIn: db.prepare('SELECT COUNT(DISTINCT chunk / CAST(? AS INTEGER)) FROM content_chunks WHERE sid = ? AND owner = ? AND chunk >= ? AND chunk <= ?').pluck(),
    rows: db.prepare(`SELECT chunk, value, epoch FROM content_chunks WHERE sid = ? AND owner = ? AND chunk > ? AND chunk <= ?
      ORDER BY chunk LIMIT ?`).raw(),
    countOwner: db.prepare('SELECT COUNT(*) FROM content_chunks WHERE sid = ? AND owner = ?').pluck(),
    deleteOwner: db.prepare('DELETE FROM content_chunks WHERE sid = ? AND owner = ?'),
    resetEpochs: db.prepare('UPDATE content_chunks SET epoch = 0 WHERE sid = ? AND owner = ?'),

    keep: db.prepare(`INSERT OR IGNORE INTO content_snapdata (sid, vol, chunk, until_epoch, from_epoch, value, pool_id)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    kept: db.prepare(`SELECT value, from_epoch FROM content_snapdata WHERE sid = ? AND vol = ? AND chunk = ? AND until_epoch > ?
      ORDER BY until_epoch LIMIT 1`).raw(),
    keptRows: db.prepare(`SELECT chunk, value, from_epoch FROM content_snapdata WHERE sid = ? AND vol = ? AND chunk > ? AND chunk <= ?
      AND until_epoch > ? ORDER BY chunk, until_epoch LIMIT ?`).raw(),
    releasable: db.prepare(`SELECT pool_id, COUNT(*) FROM content_snapdata WHERE sid = ? AND vol = ? AND until_epoch > ? AND until_epoch <= ?
      AND from_epoch <= ? AND from_epoch > ? AND value != 0 GROUP BY pool_id`).raw(),
    release: db.prepare(`DELETE FROM content_snapdata WHERE sid = ? AND vol = ? AND until_epoch > ? AND until_epoch <= ?
      AND from_epoch <= ? AND from_epoch > ?`),
    keptOfVol: db.prepare('SELECT pool_id, COUNT(*) FROM content_snapdata WHERE sid = ? AND vol = ? AND value != 0 GROUP BY pool_id').raw(),
    dropKeptOfVol: db.prepare('DELETE FROM content_snapdata WHERE sid = ? AND vol = ?'),

    vol: db.prepare('SELECT epoch, base_epoch, pages, base_used FROM content_vols WHERE sid = ? AND ldev = ?').raw(),
    ensureVol: db.prepare('INSERT OR IGNORE INTO content_vols (sid, ldev) VALUES (?, ?)'),
    saveVol: db.prepare('UPDATE content_vols SET epoch = ?, base_epoch = ?, pages = ?, base_used = ? WHERE sid = ? AND ldev = ?'),
    dropVol: db.prepare('DELETE FROM content_vols WHERE sid = ? AND ldev = ?'),

    gen: db.prepare('SELECT pvol, mu, epoch, pool_id, suspended FROM content_gens WHERE sid = ? AND pvol = ? AND mu = ?').raw(),
    newestLive: db.prepare(`SELECT pvol, mu, epoch, pool_id, suspended FROM content_gens WHERE sid = ? AND pvol = ? AND suspended = 0
      AND mu != ? ORDER BY epoch DESC LIMIT 1`).raw(),
    insertGen: db.prepare('INSERT OR REPLACE INTO content_gens (sid, pvol, mu, epoch, pool_id, suspended) VALUES (?, ?, ?, ?, ?, 0)'),
    deleteGen: db.prepare('DELETE FROM content_gens WHERE sid = ? AND pvol = ? AND mu = ?'),
    suspendGen: db.prepare('UPDATE content_gens SET suspended = 1 WHERE sid = ? AND pvol = ? AND mu = ?'),
    below: db.prepare('SELECT MAX(epoch) FROM content_gens WHERE sid = ? AND pvol = ? AND epoch <= ?').pluck(),
    above: db.prepare('SELECT MIN(epoch) FROM content_gens WHERE sid = ? AND pvol = ? AND epoch >= ?').pluck(),

    link: db.prepare('SELECT pvol, mu FROM content_svols WHERE sid = ? AND svol = ?').raw(),
    setLink: db.prepare('INSERT OR REPLACE INTO content_svols (sid, svol, pvol, mu) VALUES (?, ?, ?, ?)'),
    unlink: db.prepare('DELETE FROM content_svols WHERE sid = ? AND svol = ?'),

    array: db.prepare('SELECT chunk_kib, page_mib FROM content_arrays WHERE sid = ?').raw(),
    setArray: db.prepare('INSERT OR IGNORE INTO content_arrays (sid, chunk_kib, page_mib) VALUES (?, ?, ?)'),

    addSnapshotUsed: db.prepare('UPDATE pools SET snapshot_used_blocks = MAX(0, snapshot_used_blocks + ?) WHERE sid = ? AND pool_id = ?'),
    setUsed: db.prepare('UPDATE ldevs SET used_blocks = CASE WHEN full_alloc = 1 THEN blocks ELSE MIN(blocks, ?) END WHERE sid = ? AND ldev_id = ?'),
  };
  const toGen = (r: unknown[] | undefined): GenRow | undefined =>
    r && { pvol: r[0] as number, mu: r[1] as number, epoch: r[2] as number, poolId: r[3] as number, suspended: r[4] === 1 };

  return {
    /** [value, epoch] of one chunk of an owner, if written. */
    chunk: (sid: string, owner: number, chunk: number) => s.chunk.get(sid, owner, chunk) as [number, number] | undefined,
    put: (sid: string, owner: number, chunk: number, value: number, epoch: number) => { s.upsert.run(sid, owner, chunk, value, epoch); },
    /** Whether the owner has any chunk in [from, to). */
    anyIn: (sid: string, owner: number, from: number, to: number) => s.anyIn.get(sid, owner, from, to) !== undefined,
    countIn: (sid: string, owner: number, first: number, last: number) => s.countIn.get(sid, owner, first, last) as number,
    /** Distinct pages of `perPage` chunks the owner has chunks in, within chunks [first, last]. */
    pagesIn: (sid: string, owner: number, perPage: number, first: number, last: number) => s.pagesIn.get(perPage, sid, owner, first, last) as number,
    /** Up to `limit` chunks of an owner after `after`, up to `last`, in chunk order: [chunk, value, epoch]. */
    rows: (sid: string, owner: number, after: number, last: number, limit: number) => s.rows.all(sid, owner, after, last, limit) as ChunkRow[],
    countOwner: (sid: string, owner: number) => s.countOwner.get(sid, owner) as number,
    dropOwner: (sid: string, owner: number) => { s.deleteOwner.run(sid, owner); },
    resetEpochs: (sid: string, owner: number) => { s.resetEpochs.run(sid, owner); },

    /** Keeps a chunk value as snapshot data; false when one was already kept for that chunk at that epoch. */
    keep: (sid: string, vol: number, chunk: number, until: number, from: number, value: number, poolId: number) =>
      s.keep.run(sid, vol, chunk, until, from, value, poolId).changes > 0,
    /** The snapshot data of a chunk with the smallest until_epoch above `epoch`: [value, from_epoch]. */
    kept: (sid: string, vol: number, chunk: number, epoch: number) => s.kept.get(sid, vol, chunk, epoch) as [number, number] | undefined,
    /** Snapshot data rows with until_epoch above `epoch`, by chunk then until_epoch: [chunk, value, from_epoch]. */
    keptRows: (sid: string, vol: number, after: number, last: number, epoch: number, limit: number) =>
      s.keptRows.all(sid, vol, after, last, epoch, limit) as ChunkRow[],
    /**
     * Deletes the snapshot data only the snapshot at `epoch` needed: rows covering it whose interval holds no other
     * generation (`prev` = newest other at or below, `next` = oldest other at or above). Returns non-zero rows per pool.
     */
    release: (sid: string, vol: number, epoch: number, prev: number, next: number): Array<[number, number]> => {
      const counts = s.releasable.all(sid, vol, epoch, next, epoch, prev) as Array<[number, number]>;
      s.release.run(sid, vol, epoch, next, epoch, prev);
      return counts;
    },
    dropKeptOfVol: (sid: string, vol: number): Array<[number, number]> => {
      const counts = s.keptOfVol.all(sid, vol) as Array<[number, number]>;
      s.dropKeptOfVol.run(sid, vol);
      return counts;
    },

    /** The volume's row, created (epoch 1, nothing allocated) when missing. */
    ensureVol: (sid: string, ldev: number): VolRow => {
      s.ensureVol.run(sid, ldev);
      const r = s.vol.get(sid, ldev) as [number, number, number, number | null];
      return { epoch: r[0], baseEpoch: r[1], pages: r[2], baseUsed: r[3] };
    },
    saveVol: (sid: string, ldev: number, v: VolRow) => { s.saveVol.run(v.epoch, v.baseEpoch, v.pages, v.baseUsed, sid, ldev); },
    dropVol: (sid: string, ldev: number) => { s.dropVol.run(sid, ldev); },

    gen: (sid: string, pvol: number, mu: number) => toGen(s.gen.get(sid, pvol, mu) as unknown[] | undefined),
    /** The newest generation of the volume that still takes snapshot data (other than the pair on MU `exceptMu`). */
    newestLive: (sid: string, pvol: number, exceptMu = -1) => toGen(s.newestLive.get(sid, pvol, exceptMu) as unknown[] | undefined),
    insertGen: (sid: string, pvol: number, mu: number, epoch: number, poolId: number) => { s.insertGen.run(sid, pvol, mu, epoch, poolId); },
    deleteGen: (sid: string, pvol: number, mu: number) => { s.deleteGen.run(sid, pvol, mu); },
    suspendGen: (sid: string, pvol: number, mu: number) => { s.suspendGen.run(sid, pvol, mu); },
    /** Newest generation epoch <= `epoch` / oldest >= `epoch` of the volume (null when none). */
    genAtOrBelow: (sid: string, pvol: number, epoch: number) => s.below.get(sid, pvol, epoch) as number | null,
    genAtOrAbove: (sid: string, pvol: number, epoch: number) => s.above.get(sid, pvol, epoch) as number | null,

    link: (sid: string, svol: number) => {
      const r = s.link.get(sid, svol) as [number, number] | undefined;
      return r && { pvol: r[0], mu: r[1] };
    },
    setLink: (sid: string, svol: number, pvol: number, mu: number) => { s.setLink.run(sid, svol, pvol, mu); },
    unlink: (sid: string, svol: number) => { s.unlink.run(sid, svol); },

    array: (sid: string) => s.array.get(sid) as [number, number] | undefined,
    setArray: (sid: string, chunkKiB: number, pageMiB: number) => { s.setArray.run(sid, chunkKiB, pageMiB); },

    addSnapshotUsed: (sid: string, poolId: number, blocks: number) => { if (blocks !== 0) s.addSnapshotUsed.run(blocks, sid, poolId); },
    /** numOfUsedBlock of a DP volume: `used` capped at its size (a fully allocated volume stays at its size). */
    setUsed: (sid: string, ldev: number, used: number) => { s.setUsed.run(used, sid, ldev); },
  };
}

export type ContentStore = ReturnType<typeof createContentStore>;

/**
 * Brings an array's generations and S-VOL links in line with its pairs: split (or cloning) pairs without a
 * generation get one at their P-VOL's current epoch (pairs loaded from a fixture), links follow the pairs' S-VOLs.
 * Returns the generations of pairs that no longer exist (for the caller to release).
 */
export function reconcileContent(db: Db, sid: string): Array<{ pvol: number; mu: number }> {
  const holds = `(p.split_time IS NOT NULL OR (p.kind = 'clone' AND p.status = 'PSUP'))`;
  db.prepare(`DELETE FROM content_svols WHERE sid = ? AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.sid = content_svols.sid
    AND p.svol = content_svols.svol AND p.pvol = content_svols.pvol AND p.mu = content_svols.mu)`).run(sid);
  db.prepare('INSERT OR IGNORE INTO content_svols (sid, svol, pvol, mu) SELECT sid, svol, pvol, mu FROM pairs WHERE sid = ? AND svol IS NOT NULL').run(sid);
  const orphans = db.prepare(`SELECT pvol, mu FROM content_gens g WHERE g.sid = ? AND NOT EXISTS (SELECT 1 FROM pairs p
    WHERE p.sid = g.sid AND p.pvol = g.pvol AND p.mu = g.mu)`).all(sid) as Array<{ pvol: number; mu: number }>;
  const missing = `FROM pairs p WHERE p.sid = ? AND ${holds}
    AND NOT EXISTS (SELECT 1 FROM content_gens g WHERE g.sid = p.sid AND g.pvol = p.pvol AND g.mu = p.mu)`;
  if (db.prepare(`SELECT 1 ${missing} LIMIT 1`).get(sid) === undefined) return orphans;
  db.prepare(`INSERT OR IGNORE INTO content_vols (sid, ldev) SELECT DISTINCT p.sid, p.pvol ${missing}`).run(sid);
  db.prepare(`INSERT INTO content_gens (sid, pvol, mu, epoch, pool_id, suspended)
    SELECT p.sid, p.pvol, p.mu, (SELECT v.epoch FROM content_vols v WHERE v.sid = p.sid AND v.ldev = p.pvol), p.pool_id,
    p.status = 'PSUE' ${missing}`).run(sid);
  // Every volume that now has a generation at its current epoch moves on, so later writes are after the split.
  db.prepare(`UPDATE content_vols SET epoch = epoch + 1 WHERE sid = ? AND EXISTS (SELECT 1 FROM content_gens g
    WHERE g.sid = content_vols.sid AND g.pvol = content_vols.ldev AND g.epoch = content_vols.epoch)`).run(sid);
  return orphans;
}
