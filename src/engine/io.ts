import { chunkSpan, chunkValue, Fingerprint, geometry, writeData, type DataSpec, type Geometry } from '../domain/content.js';
import { BLOCK, blocksToMiB } from '../domain/format.js';
import { pairId } from '../domain/pairTypes.js';
import type { PairRow } from '../store/pairs.js';
import { createContentModel, IoRefusal, type ContentModel } from './content/index.js';
import type { Engine } from './context.js';
import { onLdevDeleted } from './ldevs.js';
import { pairService } from './pairs/index.js';
import { createWorkloads, type Workloads } from './ioWorkloads.js';

export { IoRefusal };

/**
 * Host I/O on the emulated arrays (the control plane's /emulator/v1/io): writes of a pattern or seeded data to
 * a byte range of an LDEV, fingerprints of what a volume reads, and write workloads on the virtual clock. Hosts
 * see what the array lets them: an S-VOL only while its pair is split (PSUS/PFUS), a Thin Image V-VOL only as an
 * S-VOL.
 */

/** How the host sees the volume. */
export interface Access { role: 'volume' | 'P-VOL' | 'S-VOL'; pair: PairRow | null }

/** Largest write in one request, in chunks (1 TiB at 1 MiB chunks). */
export const MAX_WRITE_CHUNKS = 1 << 20;

export interface WriteResult {
  storageDeviceId: string; ldevId: number; offset: number; length: number; chunkSize: number;
  role: Access['role']; snapshotId?: string;
  chunks: number; snapshotDataChunks: number; allocatedPages: number;
  /** Pairs whose status changed because of the pool usage this write caused ("pvol,mu"). */
  pairsChanged: string[];
}

const services = new WeakMap<Engine, IoService>();

function createIoService(engine: Engine) {
  const model: ContentModel = createContentModel(engine);
  const pairs = () => pairService(engine).store;

  /** The geometry host I/O uses: the fidelity in force, which must be the one the array's content was written with. */
  function ioGeometry(sid: string): Geometry {
    const f = engine.fidelity;
    const stored = model.store.array(sid);
    if (stored && (stored[0] !== f.contentChunkKiB || stored[1] !== f.dpPageMiB)) {
      throw new IoRefusal(409, 'geometryChanged', `array ${sid} holds content written with ${stored[0]} KiB chunks and ${stored[1]} MiB pages; ` +
        `the fidelity now says ${f.contentChunkKiB} KiB / ${f.dpPageMiB} MiB: reset the array to change them`);
    }
    try {
      return geometry(f.contentChunkKiB, f.dpPageMiB);
    } catch (e) {
      throw new IoRefusal(409, 'badGeometry', (e as Error).message);
    }
  }

  function ldevOf(sid: string, ldevId: number) {
    const l = engine.res.getLdev(sid, ldevId);
    if (!l) throw new IoRefusal(404, 'notFound', `LDEV ${ldevId} is not defined on array ${sid}`);
    return l;
  }

  /** What the host may do with the volume (ref 6.1: the S-VOL is readable and writable in PSUS/PFUS only). */
  function access(sid: string, ldevId: number, how: 'read' | 'write'): Access {
    const ldev = ldevOf(sid, ldevId);
    const p = pairs().bySvol(sid, ldevId);
    if (p) {
      if (p.kind === 'snapshot' && (p.status === 'PSUS' || p.status === 'PFUS')) return { role: 'S-VOL', pair: p };
      throw new IoRefusal(409, 'volumeNotAccessible', `LDEV ${ldevId} is the S-VOL of pair ${pairId(p.pvolLdevId, p.muNumber)} in ${p.status}: ` +
        `hosts cannot ${how} it (an S-VOL is accessible in PSUS and PFUS only)`);
    }
    if (how === 'write' && ldev.poolId === null) {
      throw new IoRefusal(409, 'volumeNotAccessible', `LDEV ${ldevId} is a Thin Image V-VOL outside a pair: it has no capacity of its own to write to`);
    }
    return { role: pairs().isPvol(sid, ldevId) ? 'P-VOL' : 'volume', pair: null };
  }

  /** Checks a byte range of the volume: inside it and (for writes) whole 512-byte blocks. */
  function checkRange(ldevId: number, bytes: number, offset: number, length: number, what: string, aligned: boolean): void {
    const bad = (m: string) => new IoRefusal(400, 'badRequest', `${what}: ${m}`);
    if (aligned && (offset % BLOCK !== 0 || length % BLOCK !== 0)) throw bad(`offset and length are whole 512-byte blocks (got ${offset}, ${length})`);
    if (offset >= bytes) throw bad(`offset ${offset} is beyond the end of LDEV ${ldevId} (${bytes} bytes)`);
    if (length <= 0) throw bad('length must be > 0');
    if (offset + length > bytes) throw bad(`bytes ${offset}..${offset + length} are beyond the end of LDEV ${ldevId} (${bytes} bytes)`);
  }

  /** Checks the pool capacity a write needs before it changes anything (all or nothing). */
  function precheck(op: ReturnType<ContentModel['openOp']>, first: number, last: number): void {
    const { sid, g } = op;
    if (op.dpPool !== null) {
      const ldev = engine.res.getLdev(sid, op.vol)!;
      const cpp = g.chunksPerPage;
      const p0 = Math.floor(first / cpp);
      const p1 = Math.floor(last / cpp);
      const fresh = p1 - p0 + 1 - model.store.pagesIn(sid, op.owner, cpp, p0 * cpp, (p1 + 1) * cpp - 1);
      if (fresh > 0 && !ldev.fullAlloc) {
        const need = Math.min(ldev.blocks, model.baseUsedOf(op) + (op.v.pages + fresh) * g.pageBlocks) - op.usedBefore;
        const free = model.poolFree(sid, op.dpPool);
        if (need > free) {
          throw new IoRefusal(409, 'poolFull', `DP pool ${op.dpPool} has ${blocksToMiB(free)} MiB free; the write needs ${fresh} new page(s) ` +
            `of ${g.pageBytes / 2 ** 20} MiB (${blocksToMiB(need)} MiB): nothing was written`);
        }
      }
    }
    if (op.svolPool !== null) {
      const need = (last - first + 1 - model.store.countIn(sid, op.owner, first, last)) * g.chunkBlocks;
      const free = model.poolFree(sid, op.svolPool);
      if (need > free) {
        throw new IoRefusal(409, 'poolFull', `pool ${op.svolPool} has ${blocksToMiB(free)} MiB free; the S-VOL write needs ${blocksToMiB(need)} MiB of snapshot data: nothing was written`);
      }
    }
  }

  /**
   * Writes `spec` data to bytes [offset, offset + length) of an LDEV, as a host would: copy-on-write for its
   * snapshots, DP pages on first write, S-VOL data in the pair's pool. With `settle: false` the caller lets pairs
   * follow the pool usage later (workloads do it once per tick).
   */
  function write(sid: string, ldevId: number, offset: number, length: number, spec: DataSpec, opts: { settle?: boolean } = {}): WriteResult {
    const g = ioGeometry(sid);
    const ldev = ldevOf(sid, ldevId);
    checkRange(ldevId, ldev.blocks * BLOCK, offset, length, 'write', true);
    const who = access(sid, ldevId, 'write');
    const span = chunkSpan(g, offset, length);
    if (span.last - span.first + 1 > MAX_WRITE_CHUNKS) {
      throw new IoRefusal(400, 'badRequest', `a write covers at most ${MAX_WRITE_CHUNKS} chunks (${MAX_WRITE_CHUNKS * (g.chunkBytes / 2 ** 20)} MiB); split it`);
    }
    const volumeBytes = ldev.blocks * BLOCK;
    return engine.db.transaction(() => {
      model.ensureInitialised(sid, engine.fidelity.contentChunkKiB, engine.fidelity.dpPageMiB);
      const books = model.newBooks();
      const op = model.openOp(sid, ldevId, g, books);
      precheck(op, span.first, span.last);
      const data = writeData(spec, offset);
      for (let c = span.first; c <= span.last; c++) {
        const from = span.startIn(c);
        const to = span.endIn(c);
        // The volume's last chunk may be short: a write to its end covers it whole.
        const whole = from === 0 && to >= Math.min(g.chunkBytes, volumeBytes - c * g.chunkBytes);
        model.put(op, c, (old) => (whole ? chunkValue(data, g, c, 0, g.chunkBytes, 0) : chunkValue(data, g, c, from, to, old())));
      }
      model.closeOp(op);
      model.flush(books);
      if (who.pair && !who.pair.isWrittenInSvol) pairs().update({ ...who.pair, isWrittenInSvol: true });
      const pairsChanged = opts.settle === false ? [] : model.settle();
      return {
        storageDeviceId: sid, ldevId, offset, length, chunkSize: g.chunkBytes, role: who.role,
        ...(who.pair ? { snapshotId: pairId(who.pair.pvolLdevId, who.pair.muNumber) } : {}),
        chunks: span.last - span.first + 1, snapshotDataChunks: op.kept, allocatedPages: op.pages, pairsChanged,
      };
    })();
  }

  /**
   * A fingerprint of what the volume reads over a byte range (default: all of it), widened to whole chunks:
   * SHA-256 over the range size and each chunk's content value, so equal content gives equal fingerprints.
   */
  function fingerprint(sid: string, ldevId: number, offset?: number, length?: number) {
    const g = ioGeometry(sid);
    const ldev = ldevOf(sid, ldevId);
    const bytes = ldev.blocks * BLOCK;
    const off = offset ?? 0;
    const len = length ?? Math.max(0, bytes - off);
    checkRange(ldevId, bytes, off, len, 'fingerprint', false);
    const who = access(sid, ldevId, 'read');
    const first = Math.floor(off / g.chunkBytes);
    const last = Math.floor((off + len - 1) / g.chunkBytes);
    const coveredOffset = first * g.chunkBytes;
    const coveredLength = Math.min(bytes, (last + 1) * g.chunkBytes) - coveredOffset;
    const fp = new Fingerprint(g.chunkBytes, coveredLength);
    const it = model.views.stream(sid, ldevId, first, last);
    for (let r = it.next(); !r.done; r = it.next()) fp.add(r.value[0] - first, r.value[1]);
    return {
      storageDeviceId: sid, ldevId, offset: coveredOffset, length: coveredLength, chunkSize: g.chunkBytes, role: who.role,
      ...(who.pair ? { snapshotId: pairId(who.pair.pvolLdevId, who.pair.muNumber) } : {}),
      algorithm: 'sha256', fingerprint: fp.digest(), nonZeroChunks: fp.written,
    };
  }

  const workloads: Workloads = createWorkloads(engine, { write, access, ldevOf, ioGeometry, settle: () => model.settle() });
  return { model, write, fingerprint, access, ioGeometry, ldevOf, workloads };
}

export type IoService = ReturnType<typeof createIoService>;

/** The host I/O service of an engine (registered by `registerIoModule`). */
export function ioService(engine: Engine): IoService {
  const s = services.get(engine);
  if (!s) throw new Error('host I/O module not registered');
  return s;
}

/**
 * Registers volume content and host I/O on an engine (after the pair module): pair hooks, LDEV deletion, the
 * workload clock source, reload handling.
 */
export function registerIoModule(engine: Engine): void {
  const svc = createIoService(engine);
  services.set(engine, svc);
  pairService(engine).setContentHooks(svc.model.hooks);
  onLdevDeleted(engine, (sid, ldevId) => svc.model.ldevDeleted(sid, ldevId));
  engine.clock.addSource(svc.workloads.source);
  engine.onReload(() => {
    svc.model.reload();
    svc.workloads.invalidate();
  });
}
