import type { Fidelity } from '../../domain/fidelity.js';
import { decide, patchTables, REFUSAL_FORM, type AcceptanceTables, type RefusalForm } from '../../domain/pairMatrix.js';
import { step, type MachineStatus, type PairEffect, type PairEvent } from '../../domain/pairMachine.js';
import { PAIR_LIMITS, pairId, type PairLimits, type PairMachineContext, type PairOp, type PairPhase } from '../../domain/pairTypes.js';
import { transitionDuration, type TimingProfile } from '../../domain/timing.js';
import type { Db } from '../../store/db.js';
import type { PairRow, PairStore } from '../../store/pairs.js';
import type { ResourceStore } from '../../store/resources.js';
import type { TimerSource, VirtualClock } from '../clock.js';
import { engineLog } from '../context.js';
import { rfc3339 } from '../../domain/format.js';

/**
 * The pair engine's core: applies machine events to stored pairs (status, context, effects, the deadline of the
 * next timed transition) and fires due transitions from the virtual clock. Everything runs inside the caller's
 * SQLite transaction; the clock's TimerSource opens its own.
 */

export interface PairCoreDeps {
  db: Db;
  store: PairStore;
  res: Pick<ResourceStore, 'getLdev'>;
  clock: VirtualClock;
  timing: () => TimingProfile;
  fidelity: () => Fidelity;
  /** The content model's hooks (engine/content.ts), when registered. */
  content?: () => PairContentHooks | undefined;
}

/** What the content model (volume data, snapshot data, pool space) follows of pair changes. */
export interface PairContentHooks {
  /** A pair was inserted by a create: its S-VOL, if any, now shows the pair's snapshot. */
  pairCreated(p: PairRow): void;
  /**
   * The machine moved `before` to `status` (GONE: deleted) with `effects` on `event`. `after` is the row about to be
   * stored; the hook may set its `isWrittenInSvol`.
   */
  pairMoved(before: PairRow, after: PairRow, status: MachineStatus, effects: readonly PairEffect[], event: PairEvent['type']): void;
  /** A top-level pair change is over: pool usage it changed may move pairs (PFUL/PFUS/PSUE, back). */
  settle(): void;
  /** The event that ends the pair's timed phase instead of `timer` (e.g. `fail`: no pool room for a clone copy), or null. */
  timerEvent?(p: PairRow): PairEvent | null;
}

const PHASE_TIMER: Record<Exclude<PairPhase, 'cloneCopy'>, string> = {
  create: 'pair.create', resync: 'pair.resync', restore: 'pair.restore', delete: 'pair.delete', cloneEnd: 'pair.cloneEnd',
  autoSplitHold: 'pair.autoSplitHold',
};
const GIB_BLOCKS = 2 * 1024 * 1024;

export const ctxOf = (p: PairRow): PairMachineContext =>
  ({ kind: p.kind, canCascade: p.canCascade, autoSplit: p.autoSplit, cloneAfterCopy: p.cloneAfterCopy, phase: p.phase });

/** A refusal: the catalog key and its variables. */
export interface Refusal { key: string; vars: Record<string, string | number> }

export function createPairCore(deps: PairCoreDeps) {
  const { store } = deps;
  let nextDueCache: number | null | undefined;
  let tablesFor: { src: unknown; tables: AcceptanceTables } | null = null;

  const dirty = () => { nextDueCache = undefined; };

  function tables(): AcceptanceTables {
    const src = deps.fidelity().pairAcceptance;
    if (!tablesFor || tablesFor.src !== src) tablesFor = { src, tables: patchTables(src as Record<string, 'Y' | 'YN' | 'N'>) };
    return tablesFor.tables;
  }
  function limits(): PairLimits {
    return { ...PAIR_LIMITS, ...(deps.fidelity().pairLimits ?? {}) } as PairLimits;
  }
  function refusalForm(op: PairOp): RefusalForm {
    return (deps.fidelity().pairRefusalForm?.[op] as RefusalForm | undefined) ?? REFUSAL_FORM[op];
  }

  /** Duration (ms) of a timed phase: a fixed time (+ per GiB), or the clone copy at the pair's copy speed. */
  function durationOf(p: PairRow, phase: PairPhase): number {
    const t = deps.timing();
    const gib = (deps.res.getLdev(p.sid, p.pvolLdevId)?.blocks ?? 0) / GIB_BLOCKS;
    if (phase === 'cloneCopy') return Math.round((t.cloneSecondsPerGiB[p.copySpeed] ?? 0) * 1000 * gib);
    const name = PHASE_TIMER[phase];
    return Math.round(transitionDuration(t, name) + (t.transitionMs[`${name}.perGiB`] ?? 0) * gib);
  }

  /** Sets the deadline of the phase the pair just entered; a clone copy beyond the copy slots waits in the queue. */
  function schedule(p: PairRow, now: number): void {
    p.queuedAt = null;
    if (p.phase === null) { p.phaseStart = null; p.dueAt = null; return; }
    if (p.phase === 'cloneCopy' && store.copyingCount(p.sid) >= limits().concurrentClones) {
      p.phaseStart = null; p.dueAt = null; p.queuedAt = now;
      return;
    }
    p.phaseStart = now;
    p.dueAt = now + durationOf(p, p.phase);
  }

  /** The pair above in the snapshot tree: the one whose S-VOL is this pair's P-VOL. */
  const parentOf = (p: Pick<PairRow, 'sid' | 'pvolLdevId'>) => store.bySvol(p.sid, p.pvolLdevId);

  /** Layer of a P-VOL in its tree: 1 for pairs on the root volume. */
  function layerOf(sid: string, pvol: number): number {
    let layer = 1;
    for (let up = store.bySvol(sid, pvol); up && layer < 1000; up = store.bySvol(sid, up.pvolLdevId)) layer++;
    return layer;
  }

  /**
   * The acceptance of `op` on the pair under its cascade parent, with the refusal that goes with an N:
   * the clone-attribute mismatch [L] when the operation does not fit the attribute at all, the parent's status
   * when the parent blocks, else the pair's own status.
   */
  function judge(p: PairRow, op: PairOp): { verdict: 'Y' | 'YN' | 'N'; refusal?: Refusal } {
    const parent = parentOf(p);
    const parentView = parent ? { status: parent.status, kind: parent.kind } : null;
    const verdict = decide(tables(), p.kind, p.status, op, parentView);
    if (verdict !== 'N') return { verdict };
    const own = decide(tables(), p.kind, p.status, op);
    const id = pairId(p.pvolLdevId, p.muNumber);
    if ((op === 'split' && p.kind === 'clone') || (op === 'clone' && p.kind === 'snapshot')) {
      return { verdict, refusal: { key: 'cloneAttributeMismatch', vars: { pair: id } } };
    }
    if (own !== 'N' && parent) {
      return { verdict, refusal: { key: 'cascadeParentRefused', vars: { operation: op, pair: pairId(parent.pvolLdevId, parent.muNumber), status: parent.status } } };
    }
    return { verdict, refusal: { key: 'pairStatusRefused', vars: { operation: op, pair: id, status: p.status } } };
  }

  /** Pairs whose P-VOL is the LDEV and that are not already being deleted (they keep a pair above from going). */
  const liveChildren = (sid: string, ldevId: number | null) =>
    (ldevId === null ? [] : store.byPvol(sid, ldevId).filter((c) => c.status !== 'SMPP'));

  /** Every pair below `ldevId` in its tree gets `fail` (PSUE): their source is gone [doc, ref 5.7 tree delete]. */
  function failSubtree(sid: string, ldevId: number, now: number, seen = new Set<number>()): void {
    if (seen.has(ldevId)) return;
    seen.add(ldevId);
    for (const child of store.byPvol(sid, ldevId)) {
      const cur = store.get(sid, child.pvolLdevId, child.muNumber);
      if (!cur) continue;
      const after = apply(cur, { type: 'fail' }, now).pair ?? cur;
      if (after.svolLdevId !== null) failSubtree(sid, after.svolLdevId, now, seen);
    }
  }

  /** Starts waiting clone copies while copy slots are free. */
  function startQueued(sid: string, now: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      if (store.copyingCount(sid) >= limits().concurrentClones) return;
      const next = store.nextQueuedClone(sid);
      if (!next) return;
      next.queuedAt = null;
      next.phaseStart = now;
      next.dueAt = now + durationOf(next, 'cloneCopy');
      store.update(next);
      dirty();
      if (next.dueAt <= now) apply(next, { type: 'timer' }, now);
    }
  }

  function removeRow(p: PairRow): void {
    store.delete(p.sid, p.pvolLdevId, p.muNumber);
    if (store.countOfGroup(p.sid, p.snapshotGroupName) === 0) store.deleteGroup(p.sid, p.snapshotGroupName);
  }

  let depth = 0;
  /** Runs a pair change; the outermost one lets the content model settle pool usage afterwards. */
  function outermost<T>(fn: () => T): T {
    depth++;
    let done = false;
    try {
      const out = fn();
      done = true;
      return out;
    } finally {
      depth--;
      if (done && depth === 0) deps.content?.()?.settle();
    }
  }

  /**
   * Applies a machine event to a stored pair at virtual time `now`: new status and context, effects, deadline,
   * then settles zero-length phases at once (so `instant` timing reaches final statuses inside the job).
   * Returns the pair as stored afterwards (null once deleted) and whether the machine moved.
   */
  function apply(p: PairRow, event: PairEvent, now: number, opts: { svol?: number } = {}): { changed: boolean; pair: PairRow | null } {
    return outermost(() => applyStep(p, event, now, opts));
  }

  function applyStep(p: PairRow, event: PairEvent, now: number, opts: { svol?: number }): { changed: boolean; pair: PairRow | null } {
    if (event.type === 'timer') event = deps.content?.()?.timerEvent?.(p) ?? event;
    const r = step(p.status, ctxOf(p), event, tables());
    if (!r.changed) {
      if (event.type === 'timer' && p.dueAt !== null) {
        // A deadline the status does not use (e.g. a fixture row): drop it so the clock does not spin on it.
        store.update({ ...p, dueAt: null, phaseStart: null });
        dirty();
      }
      return { changed: false, pair: p };
    }
    const next: PairRow = { ...p, ...r.context };
    const svolBefore = p.svolLdevId;
    for (const e of r.effects) {
      if (e === 'stampSplitTime') next.splitTime = now;
      else if (e === 'clearSplitTime') next.splitTime = null;
      else if (e === 'attachSvol') next.svolLdevId = opts.svol ?? null;
      else if (e === 'releaseSvol') next.svolLdevId = null;
    }
    deps.content?.()?.pairMoved(p, next, r.status, r.effects, event.type);
    if (r.status !== p.status) {
      engineLog(deps.db).debug({
        storageDeviceId: p.sid, pair: pairId(p.pvolLdevId, p.muNumber), snapshotGroupName: p.snapshotGroupName, from: p.status, to: r.status,
        event: event.type, virtualTime: rfc3339(now),
      }, `pair ${pairId(p.pvolLdevId, p.muNumber)} ${p.status} -> ${r.status}`);
    }
    if (r.status === 'GONE') {
      removeRow(next);
    } else {
      const entered = r.status !== p.status || r.context.phase !== p.phase;
      next.status = r.status as PairRow["status"];
      if (entered) schedule(next, now);
      store.update(next);
    }
    dirty();
    deps.clock.poke();
    if (r.effects.includes('endCloneCopy')) startQueued(p.sid, now);
    if (r.effects.includes('orphanSubtree') && p.kind === 'clone' && svolBefore !== null) failSubtree(p.sid, svolBefore, now);
    if (r.status === 'GONE') return { changed: true, pair: null };
    if (next.dueAt !== null && next.dueAt <= now) return { changed: true, pair: apply(next, { type: 'timer' }, now).pair };
    return { changed: true, pair: next };
  }

  /** Inserts a new pair in COPY (the machine's create), with its deadline; settles at once when COPY takes no time. */
  function insertCreated(p: PairRow, now: number): PairRow | null {
    return outermost(() => {
      store.insert(p);
      engineLog(deps.db).debug({
        storageDeviceId: p.sid, pair: pairId(p.pvolLdevId, p.muNumber), snapshotGroupName: p.snapshotGroupName, from: 'SMPL', to: p.status,
        event: 'create', virtualTime: rfc3339(now),
      }, `pair ${pairId(p.pvolLdevId, p.muNumber)} SMPL -> ${p.status}`);
      deps.content?.()?.pairCreated(p);
      dirty();
      deps.clock.poke();
      if (p.dueAt !== null && p.dueAt <= now) return apply(p, { type: 'timer' }, now).pair;
      return p;
    });
  }

  /** Gives fixture pairs in a timed status their deadline from the current virtual time. */
  function scheduleUnscheduled(now: number): void {
    const rows = store.unscheduled();
    if (rows.length === 0) return;
    deps.db.transaction(() => {
      const copying = new Set<string>();
      for (const p of rows) {
        // Clone copies join the queue first, so the copy slots are handed out by startQueued as usual.
        if (p.phase === 'cloneCopy') { p.queuedAt = now; copying.add(p.sid); } else schedule(p, now);
        store.update(p);
      }
      for (const sid of copying) startQueued(sid, now);
    })();
    dirty();
    deps.clock.poke();
  }

  const source: TimerSource = {
    nextDue() {
      if (nextDueCache === undefined) nextDueCache = store.nextDue();
      return nextDueCache;
    },
    fire(at) {
      deps.db.transaction(() => {
        for (let round = 0; round < 10_000; round++) {
          const due = store.dueUpTo(at);
          if (due.length === 0) break;
          for (const d of due) {
            const cur = store.get(d.sid, d.pvolLdevId, d.muNumber);
            if (!cur || cur.dueAt === null || cur.dueAt > at) continue;
            apply(cur, { type: 'timer' }, at);
          }
        }
      })();
      dirty();
    },
  };

  return {
    store, tables, limits, refusalForm, durationOf, parentOf, layerOf, judge, liveChildren, apply, insertCreated,
    schedule, scheduleUnscheduled, failSubtree, source, invalidate: dirty,
  };
}

export type PairCore = ReturnType<typeof createPairCore>;
