import { pairOwner, type ContentStore } from '../../store/content.js';

/**
 * What a volume reads as, chunk by chunk (the read side of the content model). A volume reads its own chunks,
 * unless it is the S-VOL of a Thin Image pair: then it reads the data hosts wrote to the S-VOL (kept by the pair)
 * over the snapshot, and the snapshot of P-VOL `v` at epoch `e` reads the snapshot data kept for `e`, else what the
 * P-VOL reads now (which may itself be an S-VOL: cascaded snapshots read through their layers).
 */

/** A chunk and its value, in increasing chunk order; a missing chunk is zeros. */
export type ChunkValue = [chunk: number, value: number];

const PAGE = 4096;
/** Deeper than the 64 cascade layers the array allows: a loop in the links, not a tree. */
const MAX_DEPTH = 256;

/** Merge of two chunk streams; `top` wins where both have a chunk. */
function* overlay(top: Iterator<ChunkValue>, bottom: Iterator<ChunkValue>): Generator<ChunkValue> {
  let t = top.next();
  let b = bottom.next();
  while (!t.done || !b.done) {
    if (b.done || (!t.done && t.value[0] <= b.value[0])) {
      if (!b.done && b.value[0] === t.value[0]) b = bottom.next();
      yield t.value;
      t = top.next();
    } else {
      yield b.value;
      b = bottom.next();
    }
  }
}

function* nothing(): Generator<ChunkValue> { /* no chunks */ }

export function createContentViews(store: ContentStore) {
  /** The chunks an owner holds in [first, last]. */
  function* ownRows(sid: string, owner: number, first: number, last: number): Generator<ChunkValue> {
    let after = first - 1;
    for (;;) {
      const page = store.rows(sid, owner, after, last, PAGE);
      for (const r of page) yield [r[0], r[1]];
      if (page.length < PAGE) return;
      after = page[page.length - 1]![0];
    }
  }

  /** The snapshot data snapshot `epoch` of `vol` reads, in [first, last]. */
  function* keptRows(sid: string, vol: number, epoch: number, first: number, last: number): Generator<ChunkValue> {
    let after = first - 1;
    for (;;) {
      const page = store.keptRows(sid, vol, after, last, epoch, PAGE);
      let prev = -1;
      for (const [chunk, value, from] of page) {
        if (chunk === prev) continue; // the smallest until_epoch above the snapshot is the one it reads
        prev = chunk;
        if (from <= epoch) yield [chunk, value];
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]![0];
    }
  }

  /** What `vol` reads in [first, last]. */
  function stream(sid: string, vol: number, first: number, last: number, depth = 0): Iterator<ChunkValue> {
    if (depth > MAX_DEPTH) throw new Error(`content view of LDEV ${vol} loops through its snapshot links`);
    const link = store.link(sid, vol);
    if (!link) return ownRows(sid, vol, first, last);
    const gen = store.gen(sid, link.pvol, link.mu);
    // An S-VOL whose pair holds no snapshot (COPY, PAIR) has no data of its own to show [I].
    if (!gen) return nothing();
    return overlay(ownRows(sid, pairOwner(link.pvol, link.mu), first, last), snapshot(sid, link.pvol, gen.epoch, first, last, depth + 1));
  }

  /** What the snapshot of `pvol` at `epoch` reads in [first, last]. */
  function snapshot(sid: string, pvol: number, epoch: number, first: number, last: number, depth = 0): Iterator<ChunkValue> {
    return overlay(keptRows(sid, pvol, epoch, first, last), stream(sid, pvol, first, last, depth));
  }

  /** What the S-VOL of pair (pvol, mu) reads: with the hosts' S-VOL writes, or the snapshot alone. */
  function pairView(sid: string, pvol: number, mu: number, epoch: number, first: number, last: number, withSvolWrites: boolean): Iterator<ChunkValue> {
    const snap = snapshot(sid, pvol, epoch, first, last, 1);
    return withSvolWrites ? overlay(ownRows(sid, pairOwner(pvol, mu), first, last), snap) : snap;
  }

  /** The value `vol` reads at one chunk. */
  function valueAt(sid: string, vol: number, chunk: number, depth = 0): number {
    if (depth > MAX_DEPTH) throw new Error(`content view of LDEV ${vol} loops through its snapshot links`);
    const link = store.link(sid, vol);
    if (!link) return store.chunk(sid, vol, chunk)?.[0] ?? 0;
    const gen = store.gen(sid, link.pvol, link.mu);
    if (!gen) return 0;
    const own = store.chunk(sid, pairOwner(link.pvol, link.mu), chunk);
    return own ? own[0] : snapshotValueAt(sid, link.pvol, gen.epoch, chunk, depth + 1);
  }

  /** The value the snapshot of `pvol` at `epoch` reads at one chunk. */
  function snapshotValueAt(sid: string, pvol: number, epoch: number, chunk: number, depth = 0): number {
    const kept = store.kept(sid, pvol, chunk, epoch);
    if (kept && kept[1] <= epoch) return kept[0];
    return valueAt(sid, pvol, chunk, depth);
  }

  return { ownRows, stream, snapshot, pairView, valueAt, snapshotValueAt };
}

export type ContentViews = ReturnType<typeof createContentViews>;

/** Collects a stream into a map of its non-zero chunks. */
export function toMap(it: Iterator<ChunkValue>): Map<number, number> {
  const m = new Map<number, number>();
  for (let r = it.next(); !r.done; r = it.next()) if (r.value[1] !== 0) m.set(r.value[0], r.value[1]);
  return m;
}

/** Walks two streams side by side: every chunk either has, with both values (0 where one has none). */
export function* zip(a: Iterator<ChunkValue>, b: Iterator<ChunkValue>): Generator<[chunk: number, a: number, b: number]> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value[0] < y.value[0])) { yield [x.value[0], x.value[1], 0]; x = a.next(); }
    else if (x.done || y.value[0] < x.value[0]) { yield [y.value[0], 0, y.value[1]]; y = b.next(); }
    else { yield [x.value[0], x.value[1], y.value[1]]; x = a.next(); y = b.next(); }
  }
}
