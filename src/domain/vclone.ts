import { pairId, type PairFacts, type PairStatus } from './pairTypes.js';
import { retentionLocked } from './retention.js';

/**
 * Virtual clones (vClone) of Thin Image Advanced pairs, VSP One B only (TIA ref 4). Pure rules: which pair may
 * become a vClone (`create` from PAIR, `convert` from PSUS/PFUS) or be restored from one (`restore` on a
 * "paired-back" pair), a group's uniform status, and the members of a snapshot family.
 */

export const VCLONE_OPERATIONS = ['create', 'convert', 'restore'] as const;
export type VcloneOperation = typeof VCLONE_OPERATIONS[number];

/** The pair statuses each operation starts from (TIA ref 4.4; Terraform also converts from PFUS). */
export const VCLONE_FROM: Record<VcloneOperation, readonly PairStatus[]> = {
  create: ['PAIR'],
  convert: ['PSUS', 'PFUS'],
  restore: ['PAIR', 'PSUS'],
};

/** What the rules need of a pair: its facts plus whether its S-VOL is a vClone of its P-VOL ("paired back"). */
export type VclonePair = Pick<PairFacts, 'pvolLdevId' | 'muNumber' | 'svolLdevId' | 'status' | 'kind' | 'isConsistencyGroup' |
  'isRedirectOnWrite' | 'retentionUntil'> & { pairedBack: boolean };

/** A refusal: catalog key and its variables. */
export interface VcloneRefusal { key: string; vars: Record<string, string | number> }

/**
 * Whether `op` may run on the pair at `now`, else the refusal. The array's answers are unknown (TIA ref 8.1): the
 * rules are the clients' guards (TIA ref 4.2, 4.4), refused as a Failed job [I].
 */
export function judgeVclone(op: VcloneOperation, p: VclonePair, now: number): VcloneRefusal | null {
  const pair = pairId(p.pvolLdevId, p.muNumber);
  if (!p.isRedirectOnWrite || p.kind !== 'snapshot') return { key: 'vcloneNotTia', vars: { pair } };
  if (op === 'create' && p.isConsistencyGroup) return { key: 'vcloneCtgPair', vars: { pair } };
  if (!VCLONE_FROM[op].includes(p.status)) return { key: 'vcloneStatusRefused', vars: { operation: op, pair, status: p.status } };
  if (p.svolLdevId === null) return { key: 'vcloneNoSvol', vars: { pair } };
  if (op === 'restore') {
    if (!p.pairedBack) return { key: 'vcloneNotPairedBack', vars: { pair } };
    if (retentionLocked(p, now)) return { key: 'vcloneRetentionLocked', vars: { pair } };
  } else if (p.pairedBack) {
    // A paired-back pair is already a vClone of its P-VOL: it can only be restored [I].
    return { key: 'vcloneStatusRefused', vars: { operation: op, pair, status: p.status } };
  }
  return null;
}

/** A group's members must share one status (Ansible and Terraform guard it, TIA ref 4.3); null when they do. */
export function mixedStatus(group: string, pairs: ReadonlyArray<Pick<PairFacts, 'status'>>): VcloneRefusal | null {
  return pairs.some((p) => p.status !== pairs[0]!.status) ? { key: 'vcloneGroupMixed', vars: { group } } : null;
}

/** A pair as the family sees it. */
export interface FamilyPair {
  pvolLdevId: number; muNumber: number; svolLdevId: number | null; snapshotGroupName: string; status: string;
  snapshotPoolId: number; splitTime: string | null;
}

/** A volume as the family sees it. */
export interface FamilyVolume { ldevId: number; parentLdevId: number | null; poolId: number | null; isVcParent: boolean }

/** What the family walk reads: every accessor is a store lookup. */
export interface FamilySource {
  volume(ldevId: number): FamilyVolume | undefined;
  pairsOfPvol(ldevId: number): FamilyPair[];
  pairOfSvol(ldevId: number): FamilyPair | undefined;
  vclonesOf(ldevId: number): number[];
}

/** A `snapshot-family` member (TIA ref 4.5): ldevId and parentLdevId always, the rest when applicable. */
export interface FamilyMember {
  ldevId: number; parentLdevId: number;
  snapshotGroupName?: string; snapshotGroupId?: string; primaryOrSecondary?: 'P-VOL' | 'S-VOL'; status?: string;
  pvolLdevId?: number; muNumber?: number; svolLdevId?: number; snapshotId?: string; poolId?: number;
  isVirtualCloneVolume: boolean; isVirtualCloneParentVolume: boolean; splitTime?: string;
}

const MAX_MEMBERS = 100_000;

/**
 * The snapshot family of `ldevId` [I, TIA ref 4.5]: the tree rooted at the volume reached by walking up from it
 * (S-VOL to its P-VOL, vClone to its parent), then every pair's S-VOL and every vClone below. One entry per volume:
 * the root (`P-VOL` when it has pairs), S-VOLs with their pair's fields (both vClone flags true when the S-VOL is a
 * vClone of its P-VOL, TIA ref 4.4), and vClones outside a pair without `primaryOrSecondary` (Terraform picks the
 * vClone by that, TIA ref 4.5). parentLdevId: the volume above, the root's own id for the root (Ansible's sample).
 * Empty when the LDEV is undefined or in no family.
 */
export function snapshotFamily(src: FamilySource, ldevId: number): FamilyMember[] {
  const start = src.volume(ldevId);
  if (!start) return [];
  let root = start;
  const up = new Set<number>([root.ldevId]);
  for (;;) {
    const above = src.pairOfSvol(root.ldevId)?.pvolLdevId ?? root.parentLdevId;
    const next = above === null || above === undefined ? undefined : src.volume(above);
    if (!next || up.has(next.ldevId)) break;
    up.add(next.ldevId);
    root = next;
  }
  const rootPairs = src.pairsOfPvol(root.ldevId);
  if (rootPairs.length === 0 && src.vclonesOf(root.ldevId).length === 0) return [];

  const out: FamilyMember[] = [];
  const seen = new Set<number>();
  const flagsOf = (v: FamilyVolume) => ({ isVirtualCloneVolume: v.parentLdevId !== null, isVirtualCloneParentVolume: v.isVcParent });
  out.push({
    ldevId: root.ldevId, parentLdevId: root.ldevId, ...(rootPairs.length > 0 ? { primaryOrSecondary: 'P-VOL' as const } : {}),
    ...(root.poolId !== null ? { poolId: root.poolId } : {}), ...flagsOf(root),
  });
  seen.add(root.ldevId);
  const queue = [root.ldevId];
  while (queue.length > 0 && out.length < MAX_MEMBERS) {
    const vol = queue.shift()!;
    for (const p of src.pairsOfPvol(vol)) {
      if (p.svolLdevId === null || seen.has(p.svolLdevId)) continue;
      const sv = src.volume(p.svolLdevId);
      if (!sv) continue;
      seen.add(sv.ldevId);
      queue.push(sv.ldevId);
      const pairedBack = sv.parentLdevId === p.pvolLdevId;
      out.push({
        ldevId: sv.ldevId, parentLdevId: p.pvolLdevId, snapshotGroupName: p.snapshotGroupName, snapshotGroupId: p.snapshotGroupName,
        primaryOrSecondary: 'S-VOL', status: p.status, pvolLdevId: p.pvolLdevId, muNumber: p.muNumber, svolLdevId: sv.ldevId,
        snapshotId: pairId(p.pvolLdevId, p.muNumber), poolId: p.snapshotPoolId,
        isVirtualCloneVolume: pairedBack, isVirtualCloneParentVolume: pairedBack,
        ...(p.splitTime !== null ? { splitTime: p.splitTime } : {}),
      });
    }
    for (const child of src.vclonesOf(vol)) {
      if (seen.has(child)) continue;
      const cv = src.volume(child);
      if (!cv) continue;
      seen.add(child);
      queue.push(child);
      out.push({ ldevId: child, parentLdevId: vol, ...(cv.poolId !== null ? { poolId: cv.poolId } : {}), ...flagsOf(cv) });
    }
  }
  return out;
}
