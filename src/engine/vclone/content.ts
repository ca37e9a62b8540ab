import { BLOCK } from '../../domain/format.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import { toMap } from '../content/views.js';
import { ioService } from '../io.js';
import { onLdevDeleted } from '../ldevs.js';
import { pairService } from '../pairs/index.js';

/**
 * What vClones do to volume content (engine/content/ model), so host reads through the control plane's io see it.
 * A vClone holds its data as its own chunks (written like a host write, DP pages included) [I: the array shares
 * them with the parent]. When a vClone becomes the S-VOL of a pair back to its parent, the content model drops an
 * S-VOL's own data (it shows the snapshot); its data is kept aside (the stash) for a vClone restore, and given back
 * to the vClone when that pair is deleted instead.
 */

/** Chunk values of a volume (non-zero chunks only); null when no host ever wrote to the array (all zeros). */
export type VolumeData = Map<number, number> | null;

/** Owner key of the stash of LDEV `ldev`: below every pair owner (content store's pairOwner is > -2^26 - 1). */
const stashOwner = (ldev: number) => -(2 ** 40) - ldev;
/** A row at chunk -1 marks a stash as present (an all-zero vClone has no other rows). */
const MARK = -1;

const installed = new WeakSet<Engine>();

export function vcloneContent(engine: Engine) {
  const io = () => ioService(engine);
  const model = () => io().model;
  const hasContent = (sid: string) => model().store.array(sid) !== undefined;
  const lastChunk = (sid: string, ldevId: number) => {
    const g = io().ioGeometry(sid);
    return Math.ceil(((engine.res.getLdev(sid, ldevId)?.blocks ?? 0) * BLOCK) / g.chunkBytes) - 1;
  };

  /** Sets `vol`'s own chunks to `data` (zeros elsewhere) as host writes do: copy-on-write for its own snapshots, DP pages. */
  function writeVolume(sid: string, vol: number, data: Map<number, number>, exceptMu?: number): void {
    const m = model();
    const g = io().ioGeometry(sid);
    const last = lastChunk(sid, vol);
    const now = toMap(m.views.stream(sid, vol, 0, last));
    const books = m.newBooks();
    const op = m.openOp(sid, vol, g, books, exceptMu === undefined ? {} : { exceptMu });
    for (const c of new Set([...now.keys(), ...data.keys()])) {
      const value = data.get(c) ?? 0;
      if ((now.get(c) ?? 0) !== value) m.put(op, c, () => value);
    }
    m.closeOp(op);
    m.flush(books);
  }

  function readStash(sid: string, ldev: number): VolumeData {
    const store = model().store;
    if (!store.chunk(sid, stashOwner(ldev), MARK)) return null;
    const out = new Map<number, number>();
    const last = lastChunk(sid, ldev);
    for (let after = MARK, page = store.rows(sid, stashOwner(ldev), after, last, 4096); page.length; page = store.rows(sid, stashOwner(ldev), after, last, 4096)) {
      for (const [c, value] of page) if (value !== 0) out.set(c, value);
      after = page[page.length - 1]![0];
    }
    return out;
  }

  return {
    /** What the new vClone holds: the P-VOL now (create), the stored snapshot or the S-VOL as hosts see it (convert). */
    promotedData(p: PairRow, source: 'pvol' | 'snapshot' | 'svol'): VolumeData {
      if (!hasContent(p.sid) || p.svolLdevId === null) return null;
      const m = model();
      const last = lastChunk(p.sid, p.svolLdevId);
      if (source === 'pvol') return toMap(m.views.stream(p.sid, p.pvolLdevId, 0, last));
      if (source === 'svol') return toMap(m.views.stream(p.sid, p.svolLdevId, 0, last));
      const gen = m.store.gen(p.sid, p.pvolLdevId, p.muNumber);
      return gen ? toMap(m.views.snapshot(p.sid, p.pvolLdevId, gen.epoch, 0, last, 1)) : new Map();
    },

    /** The former S-VOL (no longer linked to a pair) holds `data` as its own. */
    writeOwn(sid: string, vol: number, data: VolumeData): void {
      if (data !== null && hasContent(sid)) writeVolume(sid, vol, data);
    },

    /** The vClone data kept aside when the pair's S-VOL (a vClone of its P-VOL) joined it; taken out of the stash. */
    stashed(p: PairRow): VolumeData {
      if (p.svolLdevId === null || !hasContent(p.sid)) return null;
      const data = readStash(p.sid, p.svolLdevId);
      model().store.dropOwner(p.sid, stashOwner(p.svolLdevId));
      return data;
    },

    /** vClone restore, after the pair entered RCPY: the P-VOL takes the vClone's data (its own snapshot is not kept for it). */
    restoreFromStash(p: PairRow, data: VolumeData): void {
      if (data !== null && hasContent(p.sid)) writeVolume(p.sid, p.pvolLdevId, data, p.muNumber);
    },

    /** Pool usage the writes changed may move pairs (PFUL/PFUS/PSUE). */
    settle(): void { model().settle(); },

    /** Wraps the pair engine's content hooks: a vClone joining a pair back to its parent keeps its data in the stash. */
    install(): void {
      if (installed.has(engine)) return;
      installed.add(engine);
      const base = model().hooks;
      pairService(engine).setContentHooks({
        ...base,
        pairCreated(p) {
          const svol = p.svolLdevId;
          if (svol !== null && hasContent(p.sid) && engine.res.getLdev(p.sid, svol)?.parentLdevId === p.pvolLdevId) {
            const store = model().store;
            const owner = stashOwner(svol);
            store.dropOwner(p.sid, owner);
            const data = toMap(model().views.stream(p.sid, svol, 0, lastChunk(p.sid, svol)));
            store.put(p.sid, owner, MARK, 0, 0);
            for (const [c, value] of data) store.put(p.sid, owner, c, value, 0);
          }
          base.pairCreated(p);
        },
        pairMoved(before, after, status, effects, event) {
          base.pairMoved(before, after, status, effects, event);
          // A paired-back pair deleted without a restore: the vClone gets its own data back [I].
          const svol = before.svolLdevId;
          const going = status === 'GONE' || (status === 'SMPP' && before.status !== 'SMPP');
          if (!going || svol === null || !hasContent(before.sid)) return;
          const data = readStash(before.sid, svol);
          if (data === null) return;
          model().store.dropOwner(before.sid, stashOwner(svol));
          writeVolume(before.sid, svol, data);
        },
      });
      onLdevDeleted(engine, (sid, ldevId) => model().store.dropOwner(sid, stashOwner(ldevId)));
    },
  };
}
