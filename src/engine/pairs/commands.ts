import { VspError } from '../../domain/errors.js';
import type { PairEvent } from '../../domain/pairMachine.js';
import { pairId, type CopySpeed, type PairOp } from '../../domain/pairTypes.js';
import { remainingRetentionHours, retentionEnd, retentionLocked } from '../../domain/retention.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import type { PairCore, Refusal } from './core.js';

/**
 * Pair-, group- and tree-level commands (ref 5.1 rows 7-12, 15-19, 22, 23). Each checks the acceptance matrix
 * and the operation's own preconditions, then drives the pair machine; a refusal throws a catalog error so the
 * job fails with nothing applied.
 */

export type PairAction = 'split' | 'resync' | 'restore' | 'clone' | 'assign' | 'unassign' | 'delete' | 'setRetention';

export interface PairActionParams {
  pvol: number; mu: number; op: PairAction;
  autoSplit?: boolean; copySpeed?: CopySpeed; svolLdevId?: number;
  /** TIA snapshot data retention in hours: split, resync (with autoSplit) and set-retention (TIA ref 3.1). */
  retentionPeriod?: number;
}
export interface GroupActionParams {
  group: string; op: 'split' | 'resync' | 'restore' | 'clone' | 'delete' | 'setRetention'; autoSplit?: boolean; copySpeed?: CopySpeed;
  retentionPeriod?: number;
}

/** Outcome of judging an action on one pair: go (Y), accepted no-op (YN), or the refusal. */
export type Judgement = { verdict: 'Y' } | { verdict: 'YN' } | { verdict: 'N'; refusal: Refusal };

/** Operations that the doc reserves to the snapshot group for CTG-mode pairs (ref 5.4). */
const GROUP_ONLY_FOR_CTG = new Set<PairOp>(['split', 'resync', 'restore', 'clone']);

export function createPairCommands(engine: Engine, core: PairCore) {
  const { store } = core;
  const refuse = (key: string, vars: Record<string, string | number>): Judgement => ({ verdict: 'N', refusal: { key, vars } });

  /** The S-VOL rules of assign-volume: defined, same size, free, DP volume for cascade pairs, LU paths [L]. */
  function assignRefusal(p: PairRow, svol: number): Judgement | null {
    const id = pairId(p.pvolLdevId, p.muNumber);
    if (p.svolLdevId !== null) return refuse('svolAlreadyAssigned', { pair: id });
    const l = engine.res.getLdev(p.sid, svol);
    if (!l) return refuse('ldevNotDefined', { ldevId: svol });
    if (svol === p.pvolLdevId) return refuse('sameVolume', { ldevId: svol });
    const owner = store.bySvol(p.sid, svol);
    if (owner) return refuse('svolInUse', { ldevId: svol, pair: pairId(owner.pvolLdevId, owner.muNumber) });
    if (store.isPvol(p.sid, svol)) return refuse('svolInUse', { ldevId: svol, pair: 'P-VOL of other pairs' });
    if (l.blocks !== engine.res.getLdev(p.sid, p.pvolLdevId)?.blocks) return refuse('volumeSizeMismatch', { pvol: p.pvolLdevId, svol });
    if (l.poolId === null && p.canCascade) return refuse('svolNotDpVolume', { ldevId: svol });
    // TIA: the S-VOL must carry DRS and be in the pair's snapshot pool (TIA ref 2.2 assign-volume).
    if (p.isRedirectOnWrite && (!l.drs || l.poolId !== p.snapshotPoolId)) return refuse('tiaSvolNotDrs', { ldevId: svol, poolId: p.snapshotPoolId });
    if (engine.fidelity.nonCascadeNeedsLuPaths && !p.canCascade && engine.res.countLunsOfLdev(p.sid, svol) === 0) {
      return refuse('svolNoLuPath', { ldevId: svol });
    }
    return null;
  }

  /**
   * set-retention (TIA ref 3.3): TIA pairs in PSUS only; a smaller value than the remaining hours is refused, the same
   * value is an accepted no-op (Ansible re-sends it) [I].
   */
  function judgeRetention(p: PairRow, hours: number): Judgement {
    const id = pairId(p.pvolLdevId, p.muNumber);
    if (!p.isRedirectOnWrite) return refuse('retentionNotTia', { target: `pair = ${id}` });
    if (p.status !== 'PSUS') return refuse('retentionStatus', { pair: id, status: p.status });
    const current = remainingRetentionHours(p, engine.clock.now());
    if (hours < current) return refuse('retentionDecrease', { pair: id, requested: hours, current });
    return hours === current ? { verdict: 'YN' } : { verdict: 'Y' };
  }

  /** Judges a pair-level action: CTG restriction, the matrix (with the cascade parent), then the action's own rules. */
  function judgeAction(p: PairRow, params: Omit<PairActionParams, 'pvol' | 'mu'>, level: 'pair' | 'group' | 'tree'): Judgement {
    if (params.op === 'setRetention') return judgeRetention(p, params.retentionPeriod!);
    const op: PairOp = params.op;
    const id = pairId(p.pvolLdevId, p.muNumber);
    if (level === 'pair' && p.isConsistencyGroup && GROUP_ONLY_FOR_CTG.has(op)) return refuse('ctgPairLevelOperation', { pair: id });
    // "You cannot create a clone for Thin Image Advanced" (TIA ref 2.1, 2.2).
    if (op === 'clone' && p.isRedirectOnWrite) return refuse('tiaCloneRefused', { target: `pair = ${id}` });
    const now = engine.clock.now();
    // Retention locks delete and resync until it ends on the virtual clock (TIA ref 3.3).
    if ((op === 'delete' || op === 'resync') && retentionLocked(p, now)) {
      return refuse('retentionLocked', { pair: id, hours: remainingRetentionHours(p, now) });
    }
    if (params.retentionPeriod !== undefined && !p.isRedirectOnWrite) return refuse('retentionNotTia', { target: `pair = ${id}` });
    const j = core.judge(p, op);
    if (j.verdict === 'N') return { verdict: 'N', refusal: j.refusal! };
    if (j.verdict === 'YN') return { verdict: 'YN' };
    if (op === 'assign') return assignRefusal(p, params.svolLdevId!) ?? { verdict: 'Y' };
    if (op === 'unassign') {
      if (p.svolLdevId === null) return refuse('pairHasNoSvol', { pair: id });
      if (core.liveChildren(p.sid, p.svolLdevId).length > 0) return refuse('svolHasCascadedPairs', { ldevId: p.svolLdevId });
    }
    // A snapshot pair with pairs cascaded from its S-VOL goes only with its lower layers (or by tree delete) [I];
    // a clone pair may go: its subtree is left in PSUE, as the tree delete does (ref 5.7).
    if (op === 'delete' && p.kind === 'snapshot' && level !== 'tree' && core.liveChildren(p.sid, p.svolLdevId).length > 0) {
      return refuse('pairHasCascadedPairs', { pair: id });
    }
    return { verdict: 'Y' };
  }

  function eventOf(params: Omit<PairActionParams, 'pvol' | 'mu' | 'op'> & { op: Exclude<PairAction, 'setRetention'> }, p: PairRow): PairEvent {
    const parent = core.parentOf(p);
    const withParent = { parent: parent ? { status: parent.status, kind: parent.kind } : null };
    switch (params.op) {
      case 'resync': return { type: 'resync', autoSplit: params.autoSplit ?? false, ...withParent };
      case 'restore': {
        // TIA ignores the restore's autoSplit: the pair goes back to PSUS (fidelity.tiaRestoreAutoSplit, TIA ref 2.2).
        const ignore = p.isRedirectOnWrite && engine.fidelity.tiaRestoreAutoSplit !== 'honour';
        return { type: 'restore', autoSplit: ignore ? true : params.autoSplit ?? false, ...withParent };
      }
      case 'delete': return { type: 'delete', hasSvol: p.svolLdevId !== null, ...withParent };
      default: return { type: params.op, ...withParent };
    }
  }

  /** Performs a judged Y action on a pair at `now`. */
  function perform(p: PairRow, params: Omit<PairActionParams, 'pvol' | 'mu'>, now: number): void {
    if (params.op === 'setRetention') {
      store.update({ ...p, retentionUntil: retentionEnd(now, params.retentionPeriod!) });
      core.invalidate();
      return;
    }
    let row = params.op === 'clone' ? { ...p, copySpeed: params.copySpeed ?? 'medium' } : p;
    // A split or resync with retentionPeriod starts the period now; a resync drops the old snapshot and its period.
    if (params.retentionPeriod !== undefined) row = { ...row, retentionUntil: retentionEnd(now, params.retentionPeriod) };
    else if (params.op === 'resync') row = { ...row, retentionUntil: null };
    const r = core.apply(row, eventOf({ ...params, op: params.op }, p), now, { svol: params.svolLdevId });
    if (!r.changed) throw new VspError('pairStatusRefused', { operation: params.op, pair: pairId(p.pvolLdevId, p.muNumber), status: p.status });
  }

  /** The check a route runs before accepting a request, so 412-form refusals answer synchronously. */
  function precheck(sid: string, params: PairActionParams): Judgement | 'missing' {
    const p = store.get(sid, params.pvol, params.mu);
    if (!p) return 'missing';
    return judgeAction(p, params, 'pair');
  }

  function pairAction(sid: string, params: PairActionParams): string[] {
    const path = `snapshots/${pairId(params.pvol, params.mu)}`;
    const p = store.get(sid, params.pvol, params.mu);
    if (!p) throw new VspError('pairNotExist', { pair: pairId(params.pvol, params.mu) });
    const j = judgeAction(p, params, 'pair');
    if (j.verdict === 'N') throw new VspError(j.refusal.key, j.refusal.vars);
    if (j.verdict === 'Y') perform(p, params, engine.clock.now());
    return [path];
  }

  /**
   * A group action applies to every pair of the group at one instant (a CTG split is atomic, ref 5.7). Any
   * refusal fails the whole job and nothing is applied [I]; YN pairs are left as they are.
   */
  function groupAction(sid: string, params: GroupActionParams): string[] {
    const group = store.getGroup(sid, params.group);
    if (!group) throw new VspError('snapshotGroupNotExist', { group: params.group });
    const now = engine.clock.now();
    let pairs = store.byGroup(sid, params.group);
    groupRules(group, pairs, params, now);
    // Deletes go bottom-up so a pair's lower layers in the same group are on their way out before it is judged.
    if (params.op === 'delete') pairs = pairs.map((p) => ({ p, layer: core.layerOf(sid, p.pvolLdevId) })).sort((a, b) => b.layer - a.layer).map((x) => x.p);
    else {
      const wantClone = params.op === 'clone';
      const tia = wantClone ? pairs.find((p) => p.isRedirectOnWrite) : undefined;
      if (tia) throw new VspError('tiaCloneRefused', { target: `pair = ${pairId(tia.pvolLdevId, tia.muNumber)}` });
      if ((params.op === 'split' || wantClone) && pairs.some((p) => (p.kind === 'clone') !== wantClone)) {
        throw new VspError('cloneAttributeMismatch', { group: params.group });
      }
      for (const p of pairs) {
        const j = judgeAction(p, params, 'group');
        if (j.verdict === 'N') throw new VspError(j.refusal.key, j.refusal.vars);
      }
    }
    for (const listed of pairs) {
      const p = store.get(sid, listed.pvolLdevId, listed.muNumber);
      if (!p) continue;
      const j = judgeAction(p, params, 'group');
      if (j.verdict === 'N') throw new VspError(j.refusal.key, j.refusal.vars);
      if (j.verdict === 'Y') perform(p, params, now);
    }
    return [`snapshot-groups/${encodeURIComponent(params.group)}`];
  }

  /** The rules of a group operation that are about the group as a whole (TIA ref 2.2, 3.3). */
  function groupRules(group: { name: string; isCtg: boolean }, pairs: PairRow[], params: GroupActionParams, now: number): void {
    if (params.op === 'resync' || params.op === 'delete') {
      const locked = pairs.find((p) => retentionLocked(p, now));
      if (locked) throw new VspError('groupRetentionLocked', { group: group.name, pair: pairId(locked.pvolLdevId, locked.muNumber) });
    }
    if (!group.isCtg && engine.fidelity.tiaGroupSharedPvolOps.includes(params.op)) {
      const pvols = new Set<number>();
      for (const p of pairs) {
        if (!p.isRedirectOnWrite) continue;
        if (pvols.has(p.pvolLdevId)) throw new VspError('tiaGroupSharedPvol', { group: group.name });
        pvols.add(p.pvolLdevId);
      }
    }
  }

  /**
   * Snapshot-tree delete (ref 5.7): forcibly deletes every cascade pair of the tree under the root volume. The
   * tree ends at clone pairs: they are deleted, the trees under their S-VOLs are left in PSUE.
   */
  function treeDelete(sid: string, root: number): string[] {
    const above = store.bySvol(sid, root);
    if (above && above.kind !== 'clone') throw new VspError('notTreeRoot', { ldevId: root });
    const now = engine.clock.now();
    const pairs: PairRow[] = [];
    const queue = [root];
    const seen = new Set<number>();
    while (queue.length) {
      const ldev = queue.shift()!;
      if (seen.has(ldev)) continue;
      seen.add(ldev);
      for (const p of store.byPvol(sid, ldev)) {
        if (!p.canCascade) continue;
        pairs.push(p);
        if (p.kind === 'snapshot' && p.svolLdevId !== null) queue.push(p.svolLdevId);
      }
    }
    if (pairs.length === 0) throw new VspError('noSnapshotTree', { ldevId: root });
    // Not for TIA trees (TIA ref 2.2; TI and TIA never share a tree, so one TIA pair makes it a TIA tree).
    if (pairs.some((p) => p.isRedirectOnWrite)) throw new VspError('tiaTreeDeleteRefused', { ldevId: root });
    for (const listed of pairs.reverse()) {
      const p = store.get(sid, listed.pvolLdevId, listed.muNumber);
      if (p) core.apply(p, { type: 'forceDelete', hasSvol: p.svolLdevId !== null }, now);
    }
    return [`ldevs/${root}`];
  }

  return { precheck, pairAction, groupAction, treeDelete, judgeAction };
}

export type PairCommands = ReturnType<typeof createPairCommands>;
