import { VspError } from '../../domain/errors.js';
import { step } from '../../domain/pairMachine.js';
import { allocateCtgId, judgeCreate, type CreateFacts, type CreatePairRequest, type VolumeFacts } from '../../domain/pairRules.js';
import { pairId, type PairMachineContext } from '../../domain/pairTypes.js';
import { usedRate } from '../../domain/pool.js';
import { retentionEnd } from '../../domain/retention.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import { poolFacts } from '../ldevs.js';
import type { PairCore } from './core.js';

/**
 * `POST snapshots` when its job runs: gathers what the array knows (volumes, pool, the P-VOL's pairs, the tree,
 * the group), lets the domain rules judge, and inserts the pair in COPY through the pair machine.
 */
export function createPairHandler(engine: Engine, core: PairCore) {
  const { store } = core;

  function volume(sid: string, ldevId: number): VolumeFacts | null {
    const l = engine.res.getLdev(sid, ldevId);
    if (!l) return null;
    return {
      ldevId, blocks: l.blocks, isVvol: l.poolId === null, capacitySaving: l.drMode !== 'disabled', luPaths: engine.res.countLunsOfLdev(sid, ldevId),
      drs: l.drs, poolId: l.poolId,
    };
  }

  /** Which kinds of pairs the snapshot tree of `ldevId` holds: walked up to its root, then every pair below it. */
  function treeKinds(sid: string, ldevId: number): { tia: boolean; ti: boolean } {
    let root = ldevId;
    for (let up = store.bySvol(sid, root), n = 0; up && n < 1000; up = store.bySvol(sid, up.pvolLdevId), n++) root = up.pvolLdevId;
    const out = { tia: false, ti: false };
    const queue = [root];
    const seen = new Set<number>();
    while (queue.length && seen.size < 100_000 && !(out.tia && out.ti)) {
      const ldev = queue.shift()!;
      if (seen.has(ldev)) continue;
      seen.add(ldev);
      for (const p of store.byPvol(sid, ldev)) {
        if (p.isRedirectOnWrite) out.tia = true; else out.ti = true;
        if (p.svolLdevId !== null) queue.push(p.svolLdevId);
      }
    }
    return out;
  }

  /** Whether any pair directly above or below the P-VOL in its tree is in the group (CTG rule, ref 5.4). */
  function treeInGroup(sid: string, pvol: number, group: string): boolean {
    for (let up = store.bySvol(sid, pvol), n = 0; up && n < 100; up = store.bySvol(sid, up.pvolLdevId), n++) {
      if (up.snapshotGroupName === group) return true;
    }
    const queue: number[] = [];
    for (const p of store.byPvol(sid, pvol)) if (p.svolLdevId !== null) queue.push(p.svolLdevId);
    for (let seen = 0; queue.length && seen < 100_000; seen++) {
      for (const p of store.byPvol(sid, queue.shift()!)) {
        if (p.snapshotGroupName === group) return true;
        if (p.svolLdevId !== null) queue.push(p.svolLdevId);
      }
    }
    return false;
  }

  function facts(sid: string, req: CreatePairRequest): CreateFacts {
    const pool = engine.res.getPool(sid, req.snapshotPoolId);
    const pf = pool ? poolFacts(engine, sid, req.snapshotPoolId) : undefined;
    const pvolPairs = store.byPvol(sid, req.pvolLdevId);
    const parent = store.bySvol(sid, req.pvolLdevId);
    const group = store.getGroup(sid, req.snapshotGroupName);
    const isCtg = group ? group.isCtg : req.isConsistencyGroup ?? false;
    // Only a model with TIA can mix kinds; elsewhere every pair is TI standard and the walk is not needed.
    const tree = engine.arrays.get(sid)!.facts.thinImageAdvanced ? treeKinds(sid, req.pvolLdevId) : { tia: false, ti: true };
    return {
      treeHasTia: tree.tia, treeHasTi: tree.ti,
      pool: pool && pf ? { type: pool.type, isMainframe: pool.isMainframe, overWarning: usedRate(pf) > pf.warning } : null,
      pvol: volume(sid, req.pvolLdevId),
      svol: req.svolLdevId === undefined ? null : volume(sid, req.svolLdevId),
      atMu: req.muNumber === undefined ? null : pvolPairs.find((p) => p.muNumber === req.muNumber) ?? null,
      usedMus: pvolPairs.map((p) => p.muNumber),
      pvolHasCascadePairs: pvolPairs.some((p) => p.canCascade),
      pvolHasVvolPairs: pvolPairs.some((p) => !p.canCascade && p.svolLdevId !== null && engine.res.getLdev(sid, p.svolLdevId)?.poolId === null),
      parent: parent ? { ...parent, layer: core.layerOf(sid, parent.pvolLdevId) } : null,
      svolPair: req.svolLdevId === undefined ? null : store.bySvol(sid, req.svolLdevId) ?? null,
      svolIsPvol: req.svolLdevId === undefined ? false : store.isPvol(sid, req.svolLdevId),
      group: group ? { isCtg: group.isCtg, pairCount: store.countOfGroup(sid, group.name) } : null,
      groupCount: store.countGroups(sid),
      ctgCount: store.countConsistencyGroups(sid),
      ctgSamePvol: isCtg && group !== undefined && store.groupHasPvol(sid, group.name, req.pvolLdevId),
      ctgSameTree: isCtg && group !== undefined && treeInGroup(sid, req.pvolLdevId, group.name),
      clonesBusy: store.copyingCount(sid) + store.pendingCloneCount(sid),
    };
  }

  return function createPair(sid: string, req: CreatePairRequest): string[] {
    const now = engine.clock.now();
    const model = engine.arrays.get(sid)!.facts;
    const verdict = judgeCreate(req, facts(sid, req), {
      limits: core.limits(), tables: core.tables(), clonePolicy: engine.fidelity.cloneConcurrency,
      luPathsForNonCascade: engine.fidelity.nonCascadeNeedsLuPaths,
      thinImageStandard: model.thinImageStandard, thinImageAdvanced: model.thinImageAdvanced,
    });
    if (verdict.kind === 'refuse') throw new VspError(verdict.key, verdict.vars);
    if (verdict.kind === 'noop') return [`snapshots/${pairId(req.pvolLdevId, verdict.mu)}`];
    if (verdict.newGroup) {
      const ctgId = verdict.isCtg ? allocateCtgId(store.usedCtgIds(sid)) : null;
      store.insertGroup({ sid, name: req.snapshotGroupName, isCtg: verdict.isCtg, ctgId, createdAt: now });
    }
    const initial: PairMachineContext = { kind: 'snapshot', canCascade: false, autoSplit: false, cloneAfterCopy: false, phase: null };
    const r = step('SMPL', initial, {
      type: 'create', kind: req.isClone ? 'clone' : 'snapshot', canCascade: req.canCascade, autoSplit: req.autoSplit,
      cloneAfterCopy: req.clonesAutomation,
    }, core.tables());
    if (!r.changed || r.status !== 'COPY') throw new VspError('pairStatusRefused', { operation: 'create', pair: pairId(req.pvolLdevId, verdict.mu), status: 'SMPL' });
    const row: PairRow = {
      sid, pvolLdevId: req.pvolLdevId, muNumber: verdict.mu, svolLdevId: req.svolLdevId ?? null,
      snapshotGroupName: req.snapshotGroupName, snapshotPoolId: req.snapshotPoolId, status: 'COPY', ...r.context,
      isConsistencyGroup: verdict.isCtg, copySpeed: req.copySpeed, isDataReductionForceCopy: req.isDataReductionForceCopy,
      splitTime: null, isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null, createdAt: now,
      // The retention period runs from the create on the virtual clock [I: not from the autoSplit's split, seconds later].
      isRedirectOnWrite: verdict.tia === true, retentionUntil: req.retentionPeriod !== undefined ? retentionEnd(now, req.retentionPeriod) : null,
    };
    core.schedule(row, now);
    core.insertCreated(row, now);
    return [`snapshots/${pairId(req.pvolLdevId, verdict.mu)}`];
  };
}
