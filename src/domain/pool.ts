import { blocksToMiB } from './format.js';

/** The facts a pool object is computed from; nothing in it is static. */
export interface PoolFacts {
  poolId: number; name: string; type: string; totalBlocks: number; warning: number; depletion: number; vvolRate: number;
  numPoolVols: number; firstLdevId: number; isMainframe: boolean;
  /** DP volumes located in the pool: count, virtual blocks, allocated blocks. */
  located: { n: number; blocks: number; used: number };
  snapshotUsedBlocks: number; extraUsedBlocks: number; snapshotCount: number;
}

export function usedBlocksOf(p: PoolFacts): number {
  return Math.min(p.totalBlocks, p.located.used + p.snapshotUsedBlocks + p.extraUsedBlocks);
}

/** Percentage used, rounded down as the array shows it. */
export function usedRate(p: PoolFacts): number {
  return p.totalBlocks === 0 ? 0 : Math.floor((usedBlocksOf(p) * 100) / p.totalBlocks);
}

/**
 * Pool status: POLN normal; POLF once usage reaches the depletion threshold or the pool is full [I: the doc names
 * the codes, the exact trigger is inferred]; POLS/POLE are not produced by the model yet.
 */
export function poolStatus(p: PoolFacts): 'POLN' | 'POLF' {
  return usedBlocksOf(p) >= p.totalBlocks || usedRate(p) >= p.depletion ? 'POLF' : 'POLN';
}

/** The pool object of `GET pools` / `GET pools/{id}`; capacities in MiB. */
export function renderPool(p: PoolFacts) {
  const total = blocksToMiB(p.totalBlocks);
  const used = blocksToMiB(usedBlocksOf(p));
  const rate = usedRate(p);
  return {
    poolId: p.poolId,
    poolStatus: poolStatus(p),
    usedCapacityRate: rate,
    usedPhysicalCapacityRate: rate,
    poolName: p.name,
    availableVolumeCapacity: total - used,
    availablePhysicalVolumeCapacity: total - used,
    totalPoolCapacity: total,
    totalPhysicalCapacity: total,
    numOfLdevs: p.numPoolVols,
    firstLdevId: p.firstLdevId,
    warningThreshold: p.warning,
    depletionThreshold: p.depletion,
    virtualVolumeCapacityRate: p.vvolRate,
    isMainframe: p.isMainframe,
    isShrinking: false,
    locatedVolumeCount: p.located.n,
    totalLocatedCapacity: blocksToMiB(p.located.blocks),
    blockingMode: 'NB',
    totalReservedCapacity: 0,
    reservedVolumeCount: 0,
    poolType: p.type,
    duplicationNumber: 0,
    dataReductionAccelerateCompCapacity: 0,
    dataReductionCapacity: 0,
    dataReductionBeforeCapacity: 0,
    dataReductionAccelerateCompRate: 0,
    duplicationRate: 0,
    compressionRate: 0,
    dataReductionRate: 0,
    snapshotCount: p.snapshotCount,
    snapshotUsedCapacity: blocksToMiB(p.snapshotUsedBlocks),
    suspendSnapshot: true,
  };
}

/** Whether a new DP volume of `blocks` fits: subscription limit, and free space when fully allocated. */
export function canLocate(p: PoolFacts, blocks: number, fullAllocation: boolean): boolean {
  if (p.vvolRate >= 0 && (p.located.blocks + blocks) * 100 > p.totalBlocks * p.vvolRate) return false;
  if (fullAllocation && usedBlocksOf(p) + blocks > p.totalBlocks) return false;
  return true;
}
