import { geometry, type Geometry } from '../../domain/content.js';
import { BLOCK } from '../../domain/format.js';
import { createContentStore, pairOwner, reconcileContent, type GenRow, type VolRow } from '../../store/content.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import { createContentViews, toMap, zip } from './views.js';
import { poolFacts } from '../ldevs.js';
import { pairService } from '../pairs/index.js';
import { Books, createPoolSettler } from './pools.js';
import type { PairContentHooks } from '../pairs/core.js';
import { garbageReleased } from '../garbage.js';

/**
 * The content model's write side: copy-on-write into snapshot data, snapshot generations, S-VOL views, DP page
 * allocation and the pool accounting that drives pair statuses.
 *
 * Every volume has an epoch counter. A host write stamps the chunk with the current epoch; a split takes the
 * current epoch as the snapshot's and moves the counter on. The first write to a chunk after a split (its stamp
 * is at or below the newest snapshot's epoch) first keeps the old value as snapshot data valid for epochs
 * [stamp, now): one copy serves every snapshot that still reads it, and goes when the last of them does.
 */

/** A host I/O request the array (or the request itself) cannot serve: HTTP status, stable code, sentence. */
export class IoRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** One write pass over a volume: who owns its chunks, what they read underneath, and what it allocated. */
export interface WriteOp {
  sid: string; g: Geometry; vol: number; owner: number; v: VolRow; books: Books;
  /** The snapshot an S-VOL's missing chunks read (pair-owned data), else null (missing = zeros). */
  base: { pvol: number; epoch: number } | null;
  /** Newest generation of the volume that takes snapshot data. */
  live: GenRow | undefined;
  /** DP pool of a volume's own data (pages are allocated there), null for S-VOL data. */
  dpPool: number | null;
  /** Pool of the data hosts write to an S-VOL. */
  svolPool: number | null;
  usedBefore: number;
  pages: number; newRows: number; kept: number;
}

const FAR = Number.MAX_SAFE_INTEGER;

export function createContentModel(engine: Engine) {
  const store = createContentStore(engine.db);
  const views = createContentViews(store);
  const pairs = () => pairService(engine).store;
  const pools = createPoolSettler(engine);
  const markDirty = pools.markDirty;
  const geometries = new Map<string, Geometry>();

  /** The geometry of an array: the one its content was written with, else the fidelity in force. */
  function geometryOf(sid: string): Geometry {
    const stored = store.array(sid);
    const kib = stored?.[0] ?? engine.fidelity.contentChunkKiB;
    const mib = stored?.[1] ?? engine.fidelity.dpPageMiB;
    const key = `${kib}/${mib}`;
    let g = geometries.get(key);
    if (!g) { g = geometry(kib, mib); geometries.set(key, g); }
    return g;
  }

  /** Chunks of a volume: its last chunk index (-1 for an undefined LDEV). */
  function lastChunkOf(sid: string, ldevId: number, g: Geometry): number {
    const blocks = engine.res.getLdev(sid, ldevId)?.blocks ?? 0;
    return Math.ceil((blocks * BLOCK) / g.chunkBytes) - 1;
  }

  /** Free blocks of a pool (negative once over-filled). */
  function poolFree(sid: string, poolId: number): number {
    const pf = poolFacts(engine, sid, poolId);
    return pf ? pf.totalBlocks - (pf.located.used + pf.snapshotUsedBlocks + pf.extraUsedBlocks) : 0;
  }

  const newBooks = () => new Books(poolFree);

  function flush(books: Books): void {
    for (const b of books.entries()) {
      store.addSnapshotUsed(b.sid, b.poolId, b.delta);
      if (b.delta !== 0) markDirty(b.sid, b.poolId);
    }
  }

  /** Keeps `value` as snapshot data of `vol` for epochs [from, until); false when the pool had no room. */
  function keep(books: Books, sid: string, vol: number, chunk: number, until: number, from: number, value: number, poolId: number, g: Geometry): boolean {
    if (value !== 0 && !books.take(sid, poolId, g.chunkBlocks)) { markDirty(sid, poolId); return false; }
    const inserted = store.keep(sid, vol, chunk, until, from, value, poolId);
    if (!inserted && value !== 0) books.give(sid, poolId, g.chunkBlocks);
    return inserted;
  }

  // ---- writes ----

  /** Opens a write pass over what `vol` reads (its own chunks, or its pair's S-VOL data). */
  function openOp(sid: string, vol: number, g: Geometry, books: Books, opts: { exceptMu?: number } = {}): WriteOp {
    const ldev = engine.res.getLdev(sid, vol);
    const link = store.link(sid, vol);
    const gen = link && store.gen(sid, link.pvol, link.mu);
    return {
      sid, g, vol, books, v: store.ensureVol(sid, vol),
      owner: link ? pairOwner(link.pvol, link.mu) : vol,
      base: link && gen ? { pvol: link.pvol, epoch: gen.epoch } : null,
      live: store.newestLive(sid, vol, opts.exceptMu),
      dpPool: link ? null : ldev?.poolId ?? null,
      svolPool: link ? gen?.poolId ?? pairs().get(sid, link.pvol, link.mu)?.snapshotPoolId ?? null : null,
      usedBefore: ldev?.usedBlocks ?? 0,
      pages: 0, newRows: 0, kept: 0,
    };
  }

  /** Writes one chunk: `valueOf` gets the old value lazily (a partial write folds into it). Copy-on-write first. */
  function put(op: WriteOp, chunk: number, valueOf: (old: () => number) => number): void {
    const { sid, owner } = op;
    const row = store.chunk(sid, owner, chunk);
    let old = row?.[0];
    const oldValue = () => (old ??= op.base ? views.snapshotValueAt(sid, op.base.pvol, op.base.epoch, chunk, 1) : 0);
    const stamp = row ? row[1] : op.v.baseEpoch;
    const value = valueOf(oldValue);
    // A snapshot taken since the chunk was last written still reads the old value: keep it (Thin Image CoW).
    if (op.live && op.live.epoch >= stamp && keep(op.books, sid, op.vol, chunk, op.v.epoch, stamp, oldValue(), op.live.poolId, op.g)) op.kept++;
    if (!row) {
      op.newRows++;
      if (op.svolPool !== null) op.books.take(sid, op.svolPool, op.g.chunkBlocks, true);
      if (op.dpPool !== null) {
        const pageStart = chunk - (chunk % op.g.chunksPerPage);
        if (!store.anyIn(sid, owner, pageStart, pageStart + op.g.chunksPerPage)) op.pages++;
      }
    }
    store.put(sid, owner, chunk, value, op.v.epoch);
  }

  /** numOfUsedBlock before host writes allocated pages (kept from the first page on). */
  const baseUsedOf = (op: WriteOp) => (op.v.pages === 0 || op.v.baseUsed === null ? op.usedBefore : op.v.baseUsed);

  /** Ends a write pass: DP pages into numOfUsedBlock, the volume's row saved. */
  function closeOp(op: WriteOp): void {
    if (op.pages > 0) {
      op.v.baseUsed = baseUsedOf(op);
      op.v.pages += op.pages;
      store.setUsed(op.sid, op.vol, op.v.baseUsed + op.v.pages * op.g.pageBlocks);
      markDirty(op.sid, op.dpPool);
    }
    store.saveVol(op.sid, op.vol, op.v);
  }

  // ---- snapshot generations and S-VOL views ----

  function takeGen(p: PairRow): void {
    const v = store.ensureVol(p.sid, p.pvolLdevId);
    store.insertGen(p.sid, p.pvolLdevId, p.muNumber, v.epoch, p.snapshotPoolId);
    v.epoch++;
    store.saveVol(p.sid, p.pvolLdevId, v);
  }

  /** Drops a pair's generation and the snapshot data no other generation of its P-VOL reads; returns the blocks freed. */
  function releaseGen(books: Books, sid: string, pvol: number, mu: number): number {
    const gen = store.gen(sid, pvol, mu);
    if (!gen) return 0;
    store.deleteGen(sid, pvol, mu);
    const prev = store.genAtOrBelow(sid, pvol, gen.epoch) ?? -1;
    const next = store.genAtOrAbove(sid, pvol, gen.epoch) ?? FAR;
    const g = geometryOf(sid);
    let freed = 0;
    for (const [poolId, n] of store.release(sid, pvol, gen.epoch, prev, next)) { books.give(sid, poolId, n * g.chunkBlocks); freed += n * g.chunkBlocks; }
    return freed;
  }

  /** Drops what hosts wrote to the pair's S-VOL; returns the blocks freed. */
  function dropSvolWrites(books: Books, p: PairRow): number {
    const owner = pairOwner(p.pvolLdevId, p.muNumber);
    const n = store.countOwner(p.sid, owner);
    if (n === 0) return 0;
    store.dropOwner(p.sid, owner);
    books.give(p.sid, p.snapshotPoolId, n * geometryOf(p.sid).chunkBlocks);
    return n * geometryOf(p.sid).chunkBlocks;
  }

  /**
   * Changes what `vol` reads (its snapshot link or generation) by `mutate`. When snapshots of `vol` itself still
   * read its chunks (cascade), every chunk whose value changes is kept for them first.
   */
  function changeView(books: Books, sid: string, vol: number | null, mutate: () => void): void {
    if (vol === null) { mutate(); return; }
    const v = store.ensureVol(sid, vol);
    const live = store.newestLive(sid, vol);
    if (!live) {
      mutate();
      store.saveVol(sid, vol, { ...store.ensureVol(sid, vol), baseEpoch: v.epoch });
      return;
    }
    const g = geometryOf(sid);
    const last = lastChunkOf(sid, vol, g);
    const before = new Map<number, [number, number]>();
    const link = store.link(sid, vol);
    const gen = link && store.gen(sid, link.pvol, link.mu);
    if (link && gen) for (const [c, value] of toMap(views.snapshot(sid, link.pvol, gen.epoch, 0, last, 1))) before.set(c, [value, v.baseEpoch]);
    const owner = link ? pairOwner(link.pvol, link.mu) : vol;
    if (!link || gen) {
      for (let after = -1, page = store.rows(sid, owner, after, last, 4096); page.length; page = store.rows(sid, owner, after, last, 4096)) {
        for (const [c, value, epoch] of page) before.set(c, [value, epoch]);
        after = page[page.length - 1]![0];
      }
    }
    mutate();
    const after = toMap(views.stream(sid, vol, 0, last));
    for (const [c, [value, stamp]] of before) {
      if ((after.get(c) ?? 0) !== value && live.epoch >= stamp) keep(books, sid, vol, c, v.epoch, stamp, value, live.poolId, g);
    }
    if (live.epoch >= v.baseEpoch) for (const c of after.keys()) if (!before.has(c)) keep(books, sid, vol, c, v.epoch, v.baseEpoch, 0, live.poolId, g);
  }

  /** A volume becomes the S-VOL of a pair: its own data goes [I], it reads the pair's snapshot from now on. */
  function attach(sid: string, svol: number, p: PairRow): void {
    const v = store.ensureVol(sid, svol);
    store.dropOwner(sid, svol);
    if (v.pages > 0) {
      store.setUsed(sid, svol, v.baseUsed ?? 0);
      markDirty(sid, engine.res.getLdev(sid, svol)?.poolId ?? null);
      v.pages = 0;
      v.baseUsed = null;
    }
    store.resetEpochs(sid, pairOwner(p.pvolLdevId, p.muNumber));
    store.setLink(sid, svol, p.pvolLdevId, p.muNumber);
    v.baseEpoch = v.epoch;
    store.saveVol(sid, svol, v);
  }

  /**
   * Restore: the P-VOL takes the pair's view (its S-VOL with host writes, or the snapshot, per fidelity). False when
   * the pool lacks the room the P-VOL's new DP pages (or S-VOL data) need: nothing is written (as a host write).
   */
  function restore(books: Books, p: PairRow): boolean {
    const gen = store.gen(p.sid, p.pvolLdevId, p.muNumber);
    if (!gen) return true;
    const g = geometryOf(p.sid);
    const last = lastChunkOf(p.sid, p.pvolLdevId, g);
    const want = views.pairView(p.sid, p.pvolLdevId, p.muNumber, gen.epoch, 0, last, engine.fidelity.restoreSource !== 'snapshot');
    const changes: Array<[number, number]> = [];
    for (const [c, value, now] of zip(want, views.stream(p.sid, p.pvolLdevId, 0, last))) if (value !== now) changes.push([c, value]);
    if (changes.length === 0) return true;
    // The restoring pair's own snapshot is not read again (RCPY ends in PAIR or a new split): no copy for it.
    const op = openOp(p.sid, p.pvolLdevId, g, books, { exceptMu: p.muNumber });
    if (engine.fidelity.copyChecksPoolSpace && !restoreFits(op, changes.map(([c]) => c))) return false;
    for (const [c, value] of changes) put(op, c, () => value);
    closeOp(op);
    return true;
  }

  /** Whether the pool has room for what writing `chunks` allocates: DP pages of the volume, or S-VOL data (io precheck). */
  function restoreFits(op: WriteOp, chunks: number[]): boolean {
    const { sid, g } = op;
    if (op.dpPool !== null) {
      const ldev = engine.res.getLdev(sid, op.vol);
      if (!ldev || ldev.fullAlloc) return true;
      const pages = new Set<number>();
      for (const c of chunks) {
        const page = Math.floor(c / g.chunksPerPage);
        if (!pages.has(page) && !store.anyIn(sid, op.owner, page * g.chunksPerPage, (page + 1) * g.chunksPerPage)) pages.add(page);
      }
      if (pages.size === 0) return true;
      const need = Math.min(ldev.blocks, baseUsedOf(op) + (op.v.pages + pages.size) * g.pageBlocks) - op.usedBefore;
      return need <= poolFree(sid, op.dpPool);
    }
    if (op.svolPool !== null) {
      const need = chunks.filter((c) => store.chunk(sid, op.owner, c) === undefined).length * g.chunkBlocks;
      return need <= poolFree(sid, op.svolPool);
    }
    return true;
  }

  /** Whether the DP pool of a clone S-VOL has room for the pages the end of the copy allocates (see materialize). */
  function cloneFits(p: PairRow, svol: number): boolean {
    const gen = store.gen(p.sid, p.pvolLdevId, p.muNumber);
    const ldev = engine.res.getLdev(p.sid, svol);
    if (!gen || !ldev || ldev.poolId === null || ldev.fullAlloc) return true;
    const g = geometryOf(p.sid);
    const pages = new Set<number>();
    const it = views.snapshot(p.sid, p.pvolLdevId, gen.epoch, 0, lastChunkOf(p.sid, svol, g), 1);
    for (let r = it.next(); !r.done; r = it.next()) if (r.value[1] !== 0) pages.add(Math.floor(r.value[0] / g.chunksPerPage));
    if (pages.size === 0) return true;
    const v = store.ensureVol(p.sid, svol);
    const base = v.pages === 0 || v.baseUsed === null ? ldev.usedBlocks : v.baseUsed;
    const need = Math.min(ldev.blocks, base + pages.size * g.pageBlocks) - ldev.usedBlocks;
    return need <= poolFree(p.sid, ldev.poolId);
  }

  /** End of a clone copy: the S-VOL gets its own copy of what it read (the P-VOL at clone time); zeros are not copied. */
  function materialize(p: PairRow, svol: number): void {
    const gen = store.gen(p.sid, p.pvolLdevId, p.muNumber);
    if (!gen) return;
    const sid = p.sid;
    const g = geometryOf(sid);
    const last = lastChunkOf(sid, svol, g);
    const v = store.ensureVol(sid, svol);
    store.dropOwner(sid, svol);
    const it = views.snapshot(sid, p.pvolLdevId, gen.epoch, 0, last, 1);
    for (let r = it.next(); !r.done; r = it.next()) if (r.value[1] !== 0) store.put(sid, svol, r.value[0], r.value[1], v.baseEpoch);
    const ldev = engine.res.getLdev(sid, svol);
    const pages = ldev?.poolId == null ? 0 : store.pagesIn(sid, svol, g.chunksPerPage, 0, last);
    if (pages > 0) {
      v.baseUsed = v.pages === 0 || v.baseUsed === null ? ldev!.usedBlocks : v.baseUsed;
      v.pages = pages;
      store.setUsed(sid, svol, v.baseUsed + pages * g.pageBlocks);
      markDirty(sid, ldev!.poolId);
    }
    store.saveVol(sid, svol, v);
  }

  // ---- pair hooks ----

  // An array no host has written to holds only zeros: its pairs need no content bookkeeping until the first write
  // (ensureInitialised then gives split pairs their generations and S-VOLs their links).
  const hooks: PairContentHooks = {
    pairCreated(p) {
      if (p.svolLdevId !== null && hasContent(p.sid)) attach(p.sid, p.svolLdevId, p);
    },

    pairMoved(before, after, status, effects, event) {
      const { sid, pvolLdevId: pvol, muNumber: mu } = before;
      // A pair entering PAIR or PSUS in a pool over its threshold goes PFUL / PFUS at once (settle).
      if (status === 'PAIR' || status === 'PSUS') pools.entered(before);
      const leaving = status === 'GONE' || status === 'SMPP';
      if (!hasContent(sid)) {
        if (leaving) garbageReleased(engine, sid, pvol, 0, { pvol, mu });
        return;
      }
      const books = newBooks();
      const has = (e: string) => (effects as readonly string[]).includes(e);
      const svol = after.svolLdevId;
      // Snapshot data this move releases: on models with garbage-data deletion it becomes the tree's garbage.
      let released = 0;
      if (status === 'GONE' || (status === 'SMPP' && before.status !== 'SMPP')) {
        // Deleted (or being deleted): the snapshot data goes with the pair; a finished clone copy stays on its S-VOL.
        const old = before.svolLdevId ?? svol;
        if (has('endCloneCopy') && event === 'timer' && old !== null) materialize(before, old);
        changeView(books, sid, old, () => {
          released += releaseGen(books, sid, pvol, mu);
          released += dropSvolWrites(books, before);
          if (old !== null) store.unlink(sid, old);
        });
      } else {
        if (has('releaseSvol') && before.svolLdevId !== null) changeView(books, sid, before.svolLdevId, () => store.unlink(sid, before.svolLdevId!));
        if (has('attachSvol') && svol !== null) attach(sid, svol, before);
        // A restore without pool room fails whole: nothing written, the pair PSUE ("failure during restore", ref 6.2).
        if (status === 'RCPY' && before.status !== 'RCPY' && !restore(books, before)) pools.failed(before);
        const release = () => { released += releaseGen(books, sid, pvol, mu); released += dropSvolWrites(books, before); };
        // Resync, the end of a restore, an abandoned clone copy: the snapshot goes.
        if (has('clearSplitTime') || has('endCloneCopy')) changeView(books, sid, svol, release);
        // Split, a re-split after restore, the start of a clone copy: the P-VOL as it is now is the snapshot.
        if (has('stampSplitTime') || has('startCloneCopy')) changeView(books, sid, svol, () => { release(); takeGen(before); });
        if (has('clearSplitTime') || has('stampSplitTime')) after.isWrittenInSvol = false;
        // PSUE: the snapshot is no longer kept up to date (its data stays until resync or delete).
        if (status === 'PSUE' && before.status !== 'PSUE') store.suspendGen(sid, pvol, mu);
      }
      flush(books);
      if (released > 0 || leaving) garbageReleased(engine, sid, pvol, released, leaving ? { pvol, mu } : null);
    },

    settle() { pools.settle(); },

    // The end of a clone copy allocates the S-VOL's DP pages: without room the copy fails (PSUE) [I, ref 8].
    timerEvent(p) {
      if (p.status === 'RCPY' && pools.isFailing(p)) return { type: 'fail' };
      if (p.kind !== 'clone' || p.status !== 'PSUP' || p.svolLdevId === null || !engine.fidelity.copyChecksPoolSpace || !hasContent(p.sid)) return null;
      if (cloneFits(p, p.svolLdevId)) return null;
      markDirty(p.sid, engine.res.getLdev(p.sid, p.svolLdevId)?.poolId ?? null);
      return { type: 'fail' };
    },
  };

  /** An LDEV was deleted: its rows go (its DP pages went with the LDEV row). */
  function ldevDeleted(sid: string, ldevId: number): void {
    const books = newBooks();
    const g = geometryOf(sid);
    store.dropOwner(sid, ldevId);
    for (const [poolId, n] of store.dropKeptOfVol(sid, ldevId)) books.give(sid, poolId, n * g.chunkBlocks);
    store.unlink(sid, ldevId);
    store.dropVol(sid, ldevId);
    flush(books);
  }

  /**
   * Whether hosts wrote to the array (it has a content record), remembered until the next reload. A write that rolls
   * back leaves `true` behind, which only costs bookkeeping; the record never appears without ensureInitialised.
   */
  const written = new Map<string, boolean>();
  function hasContent(sid: string): boolean {
    let w = written.get(sid);
    if (w === undefined) { w = store.array(sid) !== undefined; written.set(sid, w); }
    return w;
  }

  /**
   * Before an array's first write (since it was loaded, reset, or restored without content): generations and
   * links follow its pairs (fixture pairs come without them), and the array records the geometry it is written
   * with. Until then all it holds is zeros, which every snapshot reads with or without a generation. Runs in the
   * caller's transaction, so the record and the reconciliation stand or fall together.
   */
  function ensureInitialised(sid: string, chunkKiB: number, pageMiB: number): void {
    written.set(sid, true);
    if (store.array(sid)) return;
    const books = newBooks();
    for (const o of reconcileContent(engine.db, sid)) releaseGen(books, sid, o.pvol, o.mu);
    flush(books);
    store.setArray(sid, chunkKiB, pageMiB);
  }

  /** After a fixture load, reset or restore: what was remembered of pools goes. */
  function reload(): void {
    pools.clear();
    written.clear();
  }

  return {
    store, views, hooks, poolFree, newBooks, flush, openOp, put, closeOp, baseUsedOf, settle: pools.settle, ldevDeleted, reload,
    ensureInitialised,
  };
}

export type ContentModel = ReturnType<typeof createContentModel>;
