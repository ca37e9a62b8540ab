import { splitTimeString } from './format.js';
import { pairId, type PairFacts } from './pairTypes.js';
import { remainingRetentionHours } from './retention.js';

/** The facts the pair object shows. */
export type PairView = Pick<PairFacts, 'pvolLdevId' | 'muNumber' | 'svolLdevId' | 'snapshotGroupName' | 'snapshotPoolId' | 'status' |
  'kind' | 'canCascade' | 'isConsistencyGroup' | 'splitTime' | 'isWrittenInSvol' | 'phaseStart' | 'dueAt' | 'queuedAt' |
  'isRedirectOnWrite' | 'retentionUntil'> & {
  /** `parentLdevId` of the S-VOL's LDEV (a vClone's parent), for the vClone flags; absent/null when none. */
  svolParentLdevId?: number | null;
};

/** What the model adds to every pair object: TIA retention hours, the vClone flags (TIA ref 3.2, 4.1). */
export interface RenderModel {
  /** The model has snapshot data retention: TIA pairs show `retentionPeriod` (remaining hours, 0 when none). */
  retention?: boolean;
  /** The model has vClones: every pair shows `isVirtualCloneVolume` / `isVirtualCloneParentVolume`. */
  virtualClone?: boolean;
}

/**
 * Both vClone flags are true only on a "paired-back" pair, whose S-VOL is a vClone of its P-VOL (TIA ref 4.4);
 * what the flags mean on any other pair is unknown, so they are false there [I, TIA ref 8.2].
 */
export const pairedBack = (p: Pick<PairView, 'pvolLdevId' | 'svolLdevId' | 'svolParentLdevId'>): boolean =>
  p.svolLdevId !== null && p.svolParentLdevId !== undefined && p.svolParentLdevId !== null && p.svolParentLdevId === p.pvolLdevId;

/** Whether the pair's text depends on the virtual clock through its retention countdown. */
export const retentionRunning = (p: Pick<PairView, 'isRedirectOnWrite' | 'retentionUntil'>): boolean =>
  p.isRedirectOnWrite && p.retentionUntil !== null;

/**
 * The pair object of `GET snapshots`, `GET snapshots/{id}` and `GET snapshot-groups/{name}` (ref 5.2), and the
 * item of `GET snapshot-replications` (ref 5.5). Field order follows the doc example (HCSR0283).
 */

export type PairRole = 'P-VOL' | 'S-VOL';

/** Percent of the running timed phase done at `now` (0-99 while it runs; queued clone copies are 0). */
export function progressOf(p: Pick<PairFacts, 'phaseStart' | 'dueAt' | 'queuedAt'>, now: number): number {
  if (p.queuedAt !== null || p.phaseStart === null || p.dueAt === null) return 0;
  if (p.dueAt <= p.phaseStart) return 99;
  return Math.max(0, Math.min(99, Math.floor(((now - p.phaseStart) * 100) / (p.dueAt - p.phaseStart))));
}

/** progressRate is shown while data moves: create/resync COPY, restore RCPY, the clone copy (PSUP) [I, ref 5.2]. */
export function movingData(p: Pick<PairFacts, 'status' | 'kind'>): boolean {
  if (p.status === 'COPY' || p.status === 'RCPY') return true;
  return p.status === 'PSUP' && p.kind === 'clone';
}

export function renderPair(p: PairView, role: PairRole, now: number, model: RenderModel = {}): Record<string, unknown> {
  const moving = movingData(p);
  const progress = moving ? progressOf(p, now) : 100;
  const out: Record<string, unknown> = {
    snapshotGroupName: p.snapshotGroupName,
    primaryOrSecondary: role,
    status: p.status,
    pvolLdevId: p.pvolLdevId,
    muNumber: p.muNumber,
  };
  if (p.svolLdevId !== null) out.svolLdevId = p.svolLdevId;
  out.snapshotPoolId = p.snapshotPoolId;
  // concordanceRate follows the data movement while it runs [I]; the doc shows 100 for a split pair. TIA pairs omit
  // it ("omitted if isRedirectOnWrite is true", TIA ref 2.2).
  if (!p.isRedirectOnWrite) out.concordanceRate = progress;
  if (moving) out.progressRate = progress;
  out.isConsistencyGroup = p.isConsistencyGroup;
  out.isWrittenInSvol = p.isWrittenInSvol;
  out.isClone = p.kind === 'clone';
  out.canCascade = p.canCascade;
  out.isRedirectOnWrite = p.isRedirectOnWrite;
  if (p.splitTime !== null) out.splitTime = splitTimeString(p.splitTime);
  out.snapshotId = pairId(p.pvolLdevId, p.muNumber);
  if (role === 'P-VOL') out.pvolProcessingStatus = 'N';
  else out.svolProcessingStatus = 'N';
  out.snapshotDataReadOnly = false;
  if (model.retention && p.isRedirectOnWrite) out.retentionPeriod = remainingRetentionHours(p, now);
  if (model.virtualClone) {
    const flag = pairedBack(p);
    out.isVirtualCloneVolume = flag;
    out.isVirtualCloneParentVolume = flag;
  }
  return out;
}

/** An item of `GET snapshot-replications` (VSP 5000): `snapshotReplicationId`, optional group/S-VOL/CTG id. */
export function renderReplication(p: PairView, ctgId: number | null, now: number): Record<string, unknown> {
  const moving = movingData(p);
  const out: Record<string, unknown> = { snapshotReplicationId: pairId(p.pvolLdevId, p.muNumber) };
  out.snapshotGroupName = p.snapshotGroupName;
  out.pvolLdevId = p.pvolLdevId;
  out.muNumber = p.muNumber;
  out.snapshotPoolId = p.snapshotPoolId;
  if (p.svolLdevId !== null) out.svolLdevId = p.svolLdevId;
  if (ctgId !== null) out.consistencyGroupId = ctgId;
  out.status = p.status;
  if (!p.isRedirectOnWrite) out.concordanceRate = moving ? progressOf(p, now) : 100;
  out.isRedirectOnWrite = p.isRedirectOnWrite;
  out.isClone = p.kind === 'clone';
  out.canCascade = p.canCascade;
  if (p.splitTime !== null) out.splitTime = splitTimeString(p.splitTime);
  return out;
}

/**
 * `JSON.stringify(renderPair(p, role, now))` built directly as text: the list reads of 1,024 pairs spend most of
 * their time creating and serialising objects. A test keeps the two renderings identical.
 */
export function renderPairJson(p: PairView, role: PairRole, now: number, model: RenderModel = {}): string {
  const moving = movingData(p);
  const progress = moving ? progressOf(p, now) : 100;
  let s = `{"snapshotGroupName":${JSON.stringify(p.snapshotGroupName)},"primaryOrSecondary":"${role}","status":"${p.status}"` +
    `,"pvolLdevId":${p.pvolLdevId},"muNumber":${p.muNumber}`;
  if (p.svolLdevId !== null) s += `,"svolLdevId":${p.svolLdevId}`;
  s += `,"snapshotPoolId":${p.snapshotPoolId}`;
  if (!p.isRedirectOnWrite) s += `,"concordanceRate":${progress}`;
  if (moving) s += `,"progressRate":${progress}`;
  s += `,"isConsistencyGroup":${p.isConsistencyGroup},"isWrittenInSvol":${p.isWrittenInSvol},"isClone":${p.kind === 'clone'}` +
    `,"canCascade":${p.canCascade},"isRedirectOnWrite":${p.isRedirectOnWrite}`;
  if (p.splitTime !== null) s += `,"splitTime":"${splitTimeString(p.splitTime)}"`;
  s += `,"snapshotId":"${p.pvolLdevId},${p.muNumber}"`;
  s += role === 'P-VOL' ? ',"pvolProcessingStatus":"N"' : ',"svolProcessingStatus":"N"';
  s += ',"snapshotDataReadOnly":false';
  if (model.retention && p.isRedirectOnWrite) s += `,"retentionPeriod":${remainingRetentionHours(p, now)}`;
  if (model.virtualClone) {
    const flag = pairedBack(p);
    s += `,"isVirtualCloneVolume":${flag},"isVirtualCloneParentVolume":${flag}`;
  }
  return `${s}}`;
}
