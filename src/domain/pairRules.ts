import { VspError } from './errors.js';
import { decide, type AcceptanceTables } from './pairMatrix.js';
import { COPY_SPEEDS, pairId, type CopySpeed, type PairFacts, type PairKind, type PairLimits, type PairStatus } from './pairTypes.js';
import { RETENTION_MAX_HOURS, RETENTION_MIN_HOURS } from './retention.js';

/**
 * Create-pair rules (ref 5.6): the request-level rules the REST server checks before a job exists (400), and the
 * storage-side rules the array checks when the job runs (a Failed job, KART30000-E + SSB). Pure: the engine
 * gathers the facts, these functions judge them.
 */

/** The create body after validation and defaulting. */
export interface CreatePairRequest {
  snapshotGroupName: string;
  snapshotPoolId: number;
  pvolLdevId: number;
  svolLdevId?: number;
  muNumber?: number;
  /** Undefined = not given: a new group is non-CTG, an existing group keeps its mode. */
  isConsistencyGroup?: boolean;
  autoSplit: boolean;
  canCascade: boolean;
  isClone: boolean;
  /** Start the clone copy when the create COPY ends (clonesAutomation, or isClone + autoSplit accepted live). */
  clonesAutomation: boolean;
  copySpeed: CopySpeed;
  isDataReductionForceCopy: boolean;
  /** TIA snapshot data retention in hours (only with autoSplit, on models with retention; TIA ref 3.1). */
  retentionPeriod?: number;
}

/**
 * `isClone` + `autoSplit`: the doc forbids it, the E590H refused it only together with `isConsistencyGroup`
 * (KART20016-E) and otherwise started the copy at creation [L, ref 5.6 / 12.3].
 */
export type CloneAutoSplitPolicy = 'rejectWithCtg' | 'reject' | 'accept';

export interface CreateBody {
  snapshotGroupName: string; snapshotPoolId: number; pvolLdevId: number;
  svolLdevId?: number | null; muNumber?: number | null; isConsistencyGroup?: boolean | null; autoSplit?: boolean | null;
  canCascade?: boolean | null; isClone?: boolean | null; clonesAutomation?: boolean | null; copySpeed?: string | null;
  isDataReductionForceCopy?: boolean | null; retentionPeriod?: number | null;
}

const combo = (detail: string) => new VspError('invalidParameterCombination', { detail });

/** Parses `copySpeed` (case-insensitive, ref 5.1 row 10); null when it is not one of the three speeds. */
export function parseCopySpeed(value: string): CopySpeed | null {
  const v = value.toLowerCase();
  return (COPY_SPEEDS as readonly string[]).includes(v) ? (v as CopySpeed) : null;
}

/**
 * `retentionPeriod` of a create, split or resync (TIA ref 3.1): hours 1-12288, and only on models with data retention
 * (elsewhere KART20016-E as before). Null means not given (Terraform sends null on every create).
 */
export function parseRetentionPeriod(value: number | null | undefined, retention: boolean): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!retention) throw combo('retentionPeriod can be specified only for Thin Image Advanced pairs with data retention');
  if (!Number.isInteger(value) || value < RETENTION_MIN_HOURS || value > RETENTION_MAX_HOURS) {
    throw new VspError('invalidValue', { attribute: 'retentionPeriod', value });
  }
  return value;
}

/**
 * The request-level rules of `POST snapshots` (ref 5.6 table, Terraform's doc-derived validator). Throws 400s.
 * `retention`: the model has snapshot data retention (TIA ref 3.1).
 */
export function normalizeCreateBody(body: CreateBody, limits: PairLimits, cloneAutoSplit: CloneAutoSplitPolicy, retention = false): CreatePairRequest {
  const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;
  if (body.snapshotGroupName.length < 1 || body.snapshotGroupName.length > limits.groupNameMax) {
    throw new VspError('invalidValue', { attribute: 'snapshotGroupName', value: body.snapshotGroupName });
  }
  if (given(body.muNumber) && (body.muNumber < 0 || body.muNumber > limits.maxMu)) {
    throw new VspError('invalidValue', { attribute: 'muNumber', value: body.muNumber });
  }
  const isClone = body.isClone ?? false;
  let autoSplit = body.autoSplit ?? false;
  let clonesAutomation = body.clonesAutomation ?? false;
  const retentionPeriod = parseRetentionPeriod(body.retentionPeriod, retention);
  // "only if the auto_split attribute is set to true for new pair" (TIA ref 3.1).
  if (retentionPeriod !== undefined && body.autoSplit !== true) throw combo('retentionPeriod can be specified only when autoSplit is true');
  if (isClone && !given(body.svolLdevId)) throw new VspError('invalidCombination', { detail: 'svolLdevId is required when isClone is true' });
  if (isClone && body.canCascade === false) throw combo('canCascade must be true when isClone is true');
  if (clonesAutomation && !isClone) throw combo('clonesAutomation can be specified only when isClone is true');
  if (given(body.copySpeed) && !(isClone && clonesAutomation)) throw combo('copySpeed can be specified only with isClone and clonesAutomation');
  if (isClone && autoSplit) {
    if (cloneAutoSplit === 'reject' || (cloneAutoSplit === 'rejectWithCtg' && body.isConsistencyGroup)) {
      throw combo('autoSplit cannot be true when isClone is true');
    }
    // Accepted: the copy starts at creation, as clonesAutomation does [L].
    autoSplit = false;
    clonesAutomation = true;
  }
  let copySpeed: CopySpeed = 'medium';
  if (given(body.copySpeed)) {
    const speed = parseCopySpeed(body.copySpeed);
    if (!speed) throw new VspError('invalidValue', { attribute: 'copySpeed', value: body.copySpeed });
    copySpeed = speed;
  }
  return {
    snapshotGroupName: body.snapshotGroupName, snapshotPoolId: body.snapshotPoolId, pvolLdevId: body.pvolLdevId,
    ...(given(body.svolLdevId) ? { svolLdevId: body.svolLdevId } : {}),
    ...(given(body.muNumber) ? { muNumber: body.muNumber } : {}),
    ...(given(body.isConsistencyGroup) ? { isConsistencyGroup: body.isConsistencyGroup } : {}),
    autoSplit, canCascade: body.canCascade ?? isClone, isClone, clonesAutomation, copySpeed,
    isDataReductionForceCopy: body.isDataReductionForceCopy ?? false,
    ...(retentionPeriod !== undefined ? { retentionPeriod } : {}),
  };
}

/** What the array knows about a volume that takes part in a pair. */
export interface VolumeFacts {
  ldevId: number; blocks: number;
  /** A Thin Image V-VOL (created with poolId -1). */
  isVvol: boolean;
  /** Capacity saving (dedupe/compression) enabled. */
  capacitySaving: boolean;
  luPaths: number;
  /** The LDEV carries `DRS` (a capacity-saving data reduction shared volume) and the DP pool it is in. */
  drs?: boolean;
  poolId?: number | null;
}
export interface PoolSide { type: string; isMainframe: boolean; overWarning: boolean }

/** Everything the storage-side create rules look at, gathered by the engine inside the job's transaction. */
export interface CreateFacts {
  pool: PoolSide | null;
  pvol: VolumeFacts | null;
  svol: VolumeFacts | null;
  /** The pair already on the requested MU, when an MU is given. */
  atMu: PairFacts | null;
  usedMus: number[];
  /** The P-VOL has pairs whose S-VOL is a V-VOL / pairs with the cascade attribute. */
  pvolHasVvolPairs: boolean;
  pvolHasCascadePairs: boolean;
  /** The pair whose S-VOL is the P-VOL (cascade parent) and its layer (1 = pair on the root). */
  parent: (PairFacts & { layer: number }) | null;
  /** The pair whose S-VOL is the requested S-VOL, and whether the S-VOL has pairs of its own. */
  svolPair: PairFacts | null;
  svolIsPvol: boolean;
  group: { isCtg: boolean; pairCount: number } | null;
  groupCount: number;
  ctgCount: number;
  /** CTG mode: the group holds a pair of the same P-VOL / of another layer of the same snapshot tree. */
  ctgSamePvol: boolean;
  ctgSameTree: boolean;
  /** Clone copies running or waiting (for the `refuse` concurrency policy). */
  clonesBusy: number;
  /** The snapshot tree the P-VOL is in holds Thin Image Advanced pairs / Thin Image standard pairs. */
  treeHasTia?: boolean;
  treeHasTi?: boolean;
}

export interface CreateOptions {
  limits: PairLimits;
  tables: AcceptanceTables;
  /** Non-cascade pairs need LU paths on P-VOL and S-VOL [L, E590H]. */
  luPathsForNonCascade: boolean;
  clonePolicy: 'queue' | 'refuse';
  /** Model facts: TI standard installed (default true) / TIA (default false) (TIA ref 1). */
  thinImageStandard?: boolean;
  thinImageAdvanced?: boolean;
}

export type CreateVerdict =
  /** `tia`: the pair is Thin Image Advanced (absent for TI standard). */
  | { kind: 'create'; mu: number; newGroup: boolean; isCtg: boolean; tia?: true }
  | { kind: 'noop'; mu: number }
  | { kind: 'refuse'; key: string; vars: Record<string, string | number> };

const refuse = (key: string, vars: Record<string, string | number> = {}): CreateVerdict => ({ kind: 'refuse', key, vars });

/** Lowest MU not in `used` (sorted or not), or -1 when all of 0..maxMu are taken. */
export function lowestFreeMu(used: number[], maxMu: number): number {
  const taken = new Set(used);
  for (let mu = 0; mu <= maxMu; mu++) if (!taken.has(mu)) return mu;
  return -1;
}

const POOL_TYPES_FOR_SNAPSHOTS = new Set(['HTI', 'HDP']);

/**
 * Whether a create names exactly the pair that is on its MU: same S-VOL (or none), group, pool and attributes.
 * `autoSplit` and `clonesAutomation` are compared only while the pair is in the COPY of its own creation: a later
 * resync or restore replaces the context's autoSplit with its own, so the create's value is no longer known [I].
 */
export function repeatsCreate(req: CreatePairRequest, p: PairFacts): boolean {
  if ((req.svolLdevId ?? null) !== p.svolLdevId) return false;
  if (req.snapshotGroupName !== p.snapshotGroupName || req.snapshotPoolId !== p.snapshotPoolId) return false;
  if ((req.isClone ? 'clone' : 'snapshot') !== p.kind || req.canCascade !== p.canCascade) return false;
  if (req.isConsistencyGroup !== undefined && req.isConsistencyGroup !== p.isConsistencyGroup) return false;
  if (req.isDataReductionForceCopy !== p.isDataReductionForceCopy || req.copySpeed !== p.copySpeed) return false;
  if (p.phase === 'create' && (req.autoSplit !== p.autoSplit || req.clonesAutomation !== p.cloneAfterCopy)) return false;
  return true;
}

/** The storage-side rules of pair creation, in the order the array is assumed to check them [I]. */
export function judgeCreate(req: CreatePairRequest, f: CreateFacts, o: CreateOptions): CreateVerdict {
  const kind: PairKind = req.isClone ? 'clone' : 'snapshot';
  const op = req.isClone ? 'createClone' : 'create';
  if (!f.pool || !POOL_TYPES_FOR_SNAPSHOTS.has(f.pool.type) || f.pool.isMainframe) return refuse('invalidSnapshotPool', { poolId: req.snapshotPoolId });
  if (!f.pvol) return refuse('ldevNotDefined', { ldevId: req.pvolLdevId });
  if (f.pvol.isVvol) return refuse('pvolIsVvol', { ldevId: req.pvolLdevId });
  if (req.svolLdevId !== undefined) {
    if (!f.svol) return refuse('ldevNotDefined', { ldevId: req.svolLdevId });
    if (req.svolLdevId === req.pvolLdevId) return refuse('sameVolume', { ldevId: req.svolLdevId });
  }
  const tia = isTiaCreate(f.pool, f.pvol, o);
  const tiaRefusal = tia ? tiaCreateRefusal(req, f) : null;
  if (tiaRefusal) return tiaRefusal;
  // VSP One B has no TI standard: "Program product is not installed", SSB 2E21/9010 (TIA ref 1, 7).
  if (!tia && o.thinImageStandard === false) return refuse('programProductNotInstalled', { product: 'Thin Image' });
  if (!tia && req.retentionPeriod !== undefined) return refuse('retentionNotTia', { target: `pvolLdevId = ${req.pvolLdevId}` });
  // "Thin Image (CAW/CoW) and Thin Image Advanced pairs cannot coexist in the same snapshot tree" (TIA ref 2.1).
  if (tia ? f.treeHasTi : f.treeHasTia) return refuse('tiMixedTree', { ldevId: req.pvolLdevId });
  // An explicit MU that is taken: the acceptance matrix's YN (an accepted no-op) covers only a repeat of the
  // create that made the pair (a client re-sending it, as Cinder does); any other create on a used MU is refused.
  if (f.atMu) {
    const verdict = decide(o.tables, f.atMu.kind, f.atMu.status, op);
    if (verdict === 'YN' && repeatsCreate(req, f.atMu)) return { kind: 'noop', mu: f.atMu.muNumber };
    return refuse('muInUse', { pair: pairId(req.pvolLdevId, f.atMu.muNumber), status: f.atMu.status });
  }
  if (f.parent) {
    if (!f.parent.canCascade) return refuse('nonCascadeSvolAsPvol', { ldevId: req.pvolLdevId });
    const verdict = decide(o.tables, kind, 'SMPL', op, { status: f.parent.status, kind: f.parent.kind });
    if (verdict !== 'Y') return refuse('cascadeParentRefused', { operation: 'create', pair: pairId(f.parent.pvolLdevId, f.parent.muNumber), status: f.parent.status });
    if (f.parent.layer + 1 > o.limits.cascadeLayers) return refuse('cascadeLayerLimit', { limit: o.limits.cascadeLayers });
  }
  if (f.svol) {
    if (f.svolPair) return refuse('svolInUse', { ldevId: f.svol.ldevId, pair: pairId(f.svolPair.pvolLdevId, f.svolPair.muNumber) });
    if (f.svolIsPvol) return refuse('svolInUse', { ldevId: f.svol.ldevId, pair: 'P-VOL of other pairs' });
    if (f.svol.blocks !== f.pvol.blocks) return refuse('volumeSizeMismatch', { pvol: f.pvol.ldevId, svol: f.svol.ldevId });
    if (f.svol.isVvol && (req.canCascade || req.isClone)) return refuse('svolNotDpVolume', { ldevId: f.svol.ldevId });
    if (f.svol.isVvol && f.pvolHasCascadePairs) return refuse('vvolCascadeMix', { ldevId: req.pvolLdevId });
  }
  if (req.canCascade && f.pvolHasVvolPairs) return refuse('vvolCascadeMix', { ldevId: req.pvolLdevId });
  if (o.luPathsForNonCascade && !req.canCascade) {
    if (f.pvol.luPaths === 0) return refuse('pvolNoLuPath', { ldevId: f.pvol.ldevId });
    if (f.svol && f.svol.luPaths === 0) return refuse('svolNoLuPath', { ldevId: f.svol.ldevId });
  }
  if (f.pvol.capacitySaving && !req.isDataReductionForceCopy) return refuse('drForceCopyRequired', { ldevId: f.pvol.ldevId });
  if (f.usedMus.length >= o.limits.pairsPerPvol) return refuse('pvolPairLimit', { ldevId: req.pvolLdevId, limit: o.limits.pairsPerPvol });
  const mu = req.muNumber ?? lowestFreeMu(f.usedMus, o.limits.maxMu);
  if (mu < 0) return refuse('pvolPairLimit', { ldevId: req.pvolLdevId, limit: o.limits.pairsPerPvol });
  if (f.pool.overWarning) return refuse('poolThresholdExceeded', { poolId: req.snapshotPoolId });
  let isCtg: boolean;
  if (f.group) {
    isCtg = f.group.isCtg;
    if (req.isConsistencyGroup !== undefined && req.isConsistencyGroup !== isCtg) {
      return refuse('groupModeMismatch', { group: req.snapshotGroupName });
    }
    if (isCtg && f.group.pairCount >= o.limits.pairsPerConsistencyGroup) return refuse('maxPairsInCtgExceeded', { limit: o.limits.pairsPerConsistencyGroup });
    if (f.group.pairCount >= o.limits.pairsPerGroup) return refuse('maxPairsInGroupExceeded', { limit: o.limits.pairsPerGroup });
  } else {
    isCtg = req.isConsistencyGroup ?? false;
    if (isCtg && f.ctgCount >= o.limits.consistencyGroups) return refuse('maxCtgExceeded', { limit: o.limits.consistencyGroups });
    if (f.groupCount >= o.limits.groups) return refuse('maxGroupsExceeded', { limit: o.limits.groups });
  }
  if (isCtg && (f.ctgSamePvol || f.ctgSameTree)) return refuse('ctgPairConflict', { group: req.snapshotGroupName, ldevId: req.pvolLdevId });
  if (req.isClone && req.clonesAutomation && o.clonePolicy === 'refuse' && f.clonesBusy >= o.limits.concurrentClones) {
    return refuse('cloneCopyLimit', { limit: o.limits.concurrentClones });
  }
  return { kind: 'create', mu, newGroup: !f.group, isCtg, ...(tia ? { tia: true as const } : {}) };
}

/** TIA recognition (TIA ref 2.1, 9.1): on a model with TIA, an HDP snapshot pool and a P-VOL with `DRS`. */
export function isTiaCreate(pool: PoolSide, pvol: VolumeFacts, o: Pick<CreateOptions, 'thinImageAdvanced'>): boolean {
  return o.thinImageAdvanced === true && pool.type === 'HDP' && pvol.drs === true;
}

/** The TIA create rules (TIA ref 2.1): the P-VOL's own HDP pool, no clone, an S-VOL with DRS in the same pool. */
function tiaCreateRefusal(req: CreatePairRequest, f: CreateFacts): CreateVerdict | null {
  if (f.pvol!.poolId !== req.snapshotPoolId) return refuse('tiaPoolMismatch', { poolId: req.snapshotPoolId, ldevId: req.pvolLdevId });
  if (req.isClone) return refuse('tiaCloneRefused', { target: `pvolLdevId = ${req.pvolLdevId}` });
  if (f.svol && (f.svol.drs !== true || f.svol.poolId !== req.snapshotPoolId)) {
    return refuse('tiaSvolNotDrs', { ldevId: f.svol.ldevId, poolId: req.snapshotPoolId });
  }
  return null;
}

/** Lowest free consistency-group id: TI prefers 128-2047, then 0-127 [doc: "TI prefers 128-2047"; order I]. */
export function allocateCtgId(used: number[], max = 2047): number {
  const taken = new Set(used);
  for (let id = 128; id <= max; id++) if (!taken.has(id)) return id;
  for (let id = 0; id < 128; id++) if (!taken.has(id)) return id;
  return -1;
}

/** Statuses in which a pair's volumes may be expanded with `enhancedExpansion` (ref 7.1: PSUS/SSUS). */
export const EXPANDABLE_STATUSES: ReadonlySet<PairStatus> = new Set(['PSUS', 'PFUS']);
