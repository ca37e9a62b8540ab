import { pairId } from '../../domain/pairTypes.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import { pairService, poolCondition } from '../pairs/index.js';

/**
 * Pool space in the content model: the capacity one mutation takes and gives back (Books), and the pair statuses
 * that follow a pool's usage (the settler).
 */

/** Pool capacity a mutation takes and gives back, applied to `pools.snapshot_used_blocks` at the end. */
export class Books {
  private readonly pools = new Map<string, { sid: string; poolId: number; free: number; delta: number }>();
  constructor(private readonly freeOf: (sid: string, poolId: number) => number) {}

  private get(sid: string, poolId: number) {
    const key = `${sid}\u0000${poolId}`;
    let b = this.pools.get(key);
    if (!b) { b = { sid, poolId, free: this.freeOf(sid, poolId), delta: 0 }; this.pools.set(key, b); }
    return b;
  }

  /**
   * Takes snapshot capacity. Without `force` it is refused only when the pool has nothing left: the last chunk
   * may end a little past 100 %, so usage reaches the pool's capacity and its pairs see a full pool.
   */
  take(sid: string, poolId: number, blocks: number, force = false): boolean {
    const b = this.get(sid, poolId);
    if (!force && b.free <= 0) return false;
    b.free -= blocks;
    b.delta += blocks;
    return true;
  }

  give(sid: string, poolId: number, blocks: number): void {
    const b = this.get(sid, poolId);
    b.free += blocks;
    b.delta -= blocks;
  }

  entries() { return this.pools.values(); }
}

/** Pools whose usage changed and pairs that entered PAIR or PSUS, until pairs follow them at the next settle. */
export function createPoolSettler(engine: Engine) {
  const dirty = new Map<string, { sid: string; poolId: number }>();
  /** The condition each pool showed at the last settle. */
  const condition = new Map<string, string>();
  const fresh = new Map<string, PairRow>();
  /** Pairs whose copy failed for want of pool space (a restore): they go PSUE at the next settle. */
  const failed = new Map<string, PairRow>();
  let settling = false;

  /**
   * Lets pairs follow pool usage: when a pool's condition changed (normal, over the warning threshold, full), every
   * pair of it gets the event (the pair module's poolUsageChanged: PFUL/PFUS, PSUE, back); a pair that just entered
   * PAIR or PSUS in a pool over its threshold gets it alone. Returns the ids of the pairs that changed.
   */
  function settle(): string[] {
    if (settling) return [];
    settling = true;
    const changed: string[] = [];
    try {
      for (let round = 0; (dirty.size > 0 || fresh.size > 0 || failed.size > 0) && round < 100; round++) {
        const pools = [...dirty.entries()];
        const entered = [...fresh.values()];
        const failing = [...failed.values()];
        dirty.clear();
        fresh.clear();
        failed.clear();
        for (const p of failing) {
          const cur = pairService(engine).store.get(p.sid, p.pvolLdevId, p.muNumber);
          if (cur && pairService(engine).core.apply(cur, { type: 'fail' }, engine.clock.now()).changed) changed.push(pairId(cur.pvolLdevId, cur.muNumber));
        }
        for (const [key, { sid, poolId }] of pools) {
          if (!engine.res.getPool(sid, poolId)) continue;
          const now = poolCondition(engine, sid, poolId);
          const before = condition.get(key) ?? 'normal';
          condition.set(key, now);
          if (now !== before) changed.push(...(engine.pairHooks.poolUsageChanged?.(sid, poolId) ?? []));
        }
        for (const p of entered) {
          const now = poolCondition(engine, p.sid, p.snapshotPoolId);
          condition.set(`${p.sid}\u0000${p.snapshotPoolId}`, now);
          const cur = now === 'normal' ? undefined : pairService(engine).store.get(p.sid, p.pvolLdevId, p.muNumber);
          if (cur && pairService(engine).core.apply(cur, { type: now === 'full' ? 'poolFull' : 'poolWarn' }, engine.clock.now()).changed) {
            changed.push(pairId(cur.pvolLdevId, cur.muNumber));
          }
        }
      }
    } finally {
      settling = false;
    }
    return changed;
  }

  return {
    markDirty(sid: string, poolId: number | null): void { if (poolId !== null) dirty.set(`${sid}\u0000${poolId}`, { sid, poolId }); },
    /** A pair entered PAIR or PSUS: in a pool over its threshold it goes PFUL / PFUS at the next settle. */
    entered(p: PairRow): void { fresh.set(`${p.sid}\u0000${p.pvolLdevId}\u0000${p.muNumber}`, p); },
    /** A pair's copy failed (no pool room): it goes PSUE at the next settle. */
    failed(p: PairRow): void { failed.set(`${p.sid}\u0000${p.pvolLdevId}\u0000${p.muNumber}`, p); },
    /** The pair's copy failed and it has not gone PSUE yet (its zero-length phase ends before the settle). */
    isFailing(p: PairRow): boolean { return failed.has(`${p.sid}\u0000${p.pvolLdevId}\u0000${p.muNumber}`); },
    settle,
    clear(): void { dirty.clear(); fresh.clear(); failed.clear(); condition.clear(); },
  };
}
