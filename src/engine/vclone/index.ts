import { VspError } from '../../domain/errors.js';
import { splitTimeString } from '../../domain/format.js';
import { pairId } from '../../domain/pairTypes.js';
import { judgeVclone, mixedStatus, snapshotFamily, type FamilyMember, type FamilyPair, type FamilySource, type VcloneOperation } from '../../domain/vclone.js';
import type { PairRow } from '../../store/pairs.js';
import type { Engine } from '../context.js';
import { addLdevFields } from '../ldevs.js';
import { pairService } from '../pairs/index.js';
import { readCache } from '../readCache.js';
import { vcloneContent } from './content.js';

/**
 * Virtual clones on VSP One B (TIA ref 4): the `virtual-clone` job handlers of pairs and snapshot groups, the
 * LDEV side (`parentLdevId`, `VCP`), `snapshot-family` and `virtual-clone-parent-volumes`.
 *
 * create / convert: the pair goes at once inside the job (GET → 404, the group with its last pair) and its S-VOL
 * becomes a vClone of the P-VOL holding the P-VOL's data now (create) or the stored snapshot (convert). restore: a
 * pair created back from a vClone to its parent writes the vClone's data to the P-VOL through RCPY and ends PSUS;
 * the vClone relationship is dropped when the restore job runs (the pair enters RCPY) [I].
 */

export interface PairVcloneParams { pvol: number; mu: number; operationType: VcloneOperation }
export interface GroupVcloneParams { group: string; operationType: VcloneOperation }

const services = new WeakMap<Engine, VcloneService>();

function createVcloneService(engine: Engine) {
  const { res } = engine;
  const pairs = () => pairService(engine);
  const content = vcloneContent(engine);

  /** The LDEVs that vClones name as parent, per array, while the database is unchanged (read paths ask per LDEV). */
  const parentsOf = (sid: string): ReadonlySet<number> =>
    readCache(engine).get(`vcp\u0000${sid}`, () => new Set(res.vcloneParents(sid)));

  const pairedBack = (p: PairRow) => p.svolLdevId !== null && res.getLdev(p.sid, p.svolLdevId)?.parentLdevId === p.pvolLdevId;

  function judge(p: PairRow, op: VcloneOperation): void {
    const refusal = judgeVclone(op, { ...p, pairedBack: pairedBack(p) }, engine.clock.now());
    if (refusal) throw new VspError(refusal.key, refusal.vars);
  }

  const parentView = (p: PairRow) => {
    const up = pairs().core.parentOf(p);
    return up ? { status: up.status, kind: up.kind } : null;
  };

  /** Removes the pair at once (content released, S-VOL unlinked, the group with its last pair) [I: no SMPP phase shown]. */
  function removePair(p: PairRow, now: number): void {
    const { core } = pairs();
    const r = core.apply(p, { type: 'forceDelete', hasSvol: p.svolLdevId !== null }, now);
    if (r.pair) core.apply(r.pair, { type: 'timer' }, now);
    if (pairs().store.get(p.sid, p.pvolLdevId, p.muNumber)) throw new VspError('internal', { detail: `pair ${pairId(p.pvolLdevId, p.muNumber)} was not removed` });
  }

  /** create / convert on one judged pair: the S-VOL keeps its data and becomes a vClone of the P-VOL. */
  function promote(p: PairRow, op: 'create' | 'convert', now: number): void {
    const svol = p.svolLdevId!;
    const data = content.promotedData(p, op === 'create' ? 'pvol' : engine.fidelity.vcloneConvertSource);
    removePair(p, now);
    content.writeOwn(p.sid, svol, data);
    const row = res.getLdev(p.sid, svol)!;
    res.updateLdev({ ...row, parentLdevId: p.pvolLdevId });
  }

  /** restore on one judged paired-back pair: PAIR is split first, then RCPY with autoSplit so it ends PSUS. */
  function restore(p: PairRow, now: number): void {
    const { core } = pairs();
    let cur: PairRow = p;
    const refuse = () => new VspError('vcloneStatusRefused', { operation: 'restore', pair: pairId(p.pvolLdevId, p.muNumber), status: cur.status });
    if (cur.status === 'PAIR') {
      const r = core.apply(cur, { type: 'split', parent: parentView(cur) }, now);
      if (!r.changed || !r.pair) throw refuse();
      cur = r.pair;
    }
    const vcloneData = content.stashed(p);
    const r = core.apply(cur, { type: 'restore', autoSplit: true, parent: parentView(cur) }, now);
    if (!r.changed) throw refuse();
    if (r.pair?.status === 'RCPY') content.restoreFromStash(r.pair, vcloneData);
    const svol = res.getLdev(p.sid, p.svolLdevId!)!;
    res.updateLdev({ ...svol, parentLdevId: null });
  }

  function run(p: PairRow, op: VcloneOperation, now: number): void {
    if (op === 'restore') restore(p, now);
    else promote(p, op, now);
  }

  function pairAction(sid: string, params: PairVcloneParams): string[] {
    const p = pairs().store.get(sid, params.pvol, params.mu);
    if (!p) throw new VspError('pairNotExist', { pair: pairId(params.pvol, params.mu) });
    judge(p, params.operationType);
    run(p, params.operationType, engine.clock.now());
    content.settle();
    return [`snapshots/${pairId(params.pvol, params.mu)}`];
  }

  /** Every member, one status, judged before any is touched: a refusal leaves the group as it was. */
  function groupAction(sid: string, params: GroupVcloneParams): string[] {
    const { store } = pairs();
    if (!store.getGroup(sid, params.group)) throw new VspError('snapshotGroupNotExist', { group: params.group });
    const members = store.byGroup(sid, params.group);
    const mixed = mixedStatus(params.group, members);
    if (mixed) throw new VspError(mixed.key, mixed.vars);
    for (const p of members) judge(p, params.operationType);
    const now = engine.clock.now();
    for (const listed of members) {
      const p = store.get(sid, listed.pvolLdevId, listed.muNumber);
      if (p) run(p, params.operationType, now);
    }
    content.settle();
    return [`snapshot-groups/${encodeURIComponent(params.group)}`];
  }

  function familySource(sid: string): FamilySource {
    const { store } = pairs();
    const parents = parentsOf(sid);
    const view = (p: PairRow): FamilyPair => ({
      pvolLdevId: p.pvolLdevId, muNumber: p.muNumber, svolLdevId: p.svolLdevId, snapshotGroupName: p.snapshotGroupName,
      status: p.status, snapshotPoolId: p.snapshotPoolId, splitTime: p.splitTime === null ? null : splitTimeString(p.splitTime),
    });
    return {
      volume(ldevId) {
        const l = res.getLdev(sid, ldevId);
        return l && { ldevId, parentLdevId: l.parentLdevId, poolId: l.poolId, isVcParent: parents.has(ldevId) };
      },
      pairsOfPvol: (ldevId) => store.byPvol(sid, ldevId).map(view),
      pairOfSvol: (ldevId) => { const p = store.bySvol(sid, ldevId); return p && view(p); },
      vclonesOf: (ldevId) => (parents.has(ldevId) ? res.vcloneChildren(sid, ldevId) : []),
    };
  }

  return {
    pairAction, groupAction, parentsOf,
    /** `GET snapshot-family?ldevId=` members (TIA ref 4.5). */
    family: (sid: string, ldevId: number): FamilyMember[] => snapshotFamily(familySource(sid), ldevId),
    /** `GET virtual-clone-parent-volumes`: the defined LDEVs showing VCP. */
    parentVolumes: (sid: string): number[] => [...parentsOf(sid)].filter((id) => res.ldevExists(sid, id)),
  };
}

export type VcloneService = ReturnType<typeof createVcloneService>;

export function vcloneService(engine: Engine): VcloneService {
  const s = services.get(engine);
  if (!s) throw new Error('vClone module not registered');
  return s;
}

/** Registers vClones on an engine (after the pair and I/O modules): job handlers, the LDEV fields, the content stash. */
export function registerVcloneModule(engine: Engine): void {
  const svc = createVcloneService(engine);
  services.set(engine, svc);
  engine.jobs.register('snapshot.virtualClone', ({ sid, params }) => svc.pairAction(sid, params as PairVcloneParams));
  engine.jobs.register('snapshotGroup.virtualClone', ({ sid, params }) => svc.groupAction(sid, params as GroupVcloneParams));
  // VC comes from the LDEV's own row (domain/ldev.ts); parentLdevId and the derived VCP from here (TIA ref 4.1).
  addLdevFields(engine, (sid, row) => {
    if (row.parentLdevId === null && !engine.arrays.get(sid)?.facts.virtualClone) return undefined;
    const isParent = svc.parentsOf(sid).has(row.ldevId);
    if (row.parentLdevId === null && !isParent) return undefined;
    return { ...(row.parentLdevId !== null ? { parentLdevId: row.parentLdevId } : {}), ...(isParent ? { attributes: ['VCP'] } : {}) };
  });
  vcloneContent(engine).install();
}
