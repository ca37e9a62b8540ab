/**
 * Garbage-data deletion of a snapshot tree (TIA ref 5, VSP 5000): "defragment the snapshot data area" of a tree
 * from its root volume. Pure rules; the engine (engine/garbage.ts) stores the state and runs it on the virtual clock.
 *
 * What "garbage" is, is ours [I]: on models with the service, snapshot data released inside a tree that still
 * exists (a resync, the delete of one of its pairs) is counted as the tree's garbage. The pool's accounting is not
 * changed by it (the released capacity is free at once, as on every model); only this figure and its processing are.
 */

export const GARBAGE_STATES = ['idle', 'running', 'stopped', 'completed'] as const;
/** `idle`: the tree has garbage but processing was never started. */
export type GarbageState = (typeof GARBAGE_STATES)[number];

export const GARBAGE_OPERATIONS = ['start', 'stop'] as const;
export type GarbageOperation = (typeof GARBAGE_OPERATIONS)[number];

/** 1 GiB in 512-byte blocks: processing stops by itself once less than this is left ("less than 1 GB", TIA ref 5). */
export const GARBAGE_STOP_BLOCKS = 2 * 1024 * 1024;

export interface GarbageRow {
  sid: string;
  root: number;
  state: GarbageState;
  garbageBlocks: number;
  /** Virtual ms of the next processing step while running, else null. */
  dueAt: number | null;
}

/**
 * One processing step at `at`: less than 1 GiB left ends the processing (completed); otherwise 1 GiB goes and the
 * next step is `stepMs` later.
 */
export function garbageStep(row: GarbageRow, at: number, stepMs: number): GarbageRow {
  if (row.garbageBlocks < GARBAGE_STOP_BLOCKS) return { ...row, state: 'completed', dueAt: null };
  return { ...row, garbageBlocks: row.garbageBlocks - GARBAGE_STOP_BLOCKS, dueAt: at + stepMs };
}

/** The fields the root LDEV shows [I: the reference names none, TIA ref 5, 8.6]. */
export function garbageLdevFields(row: Pick<GarbageRow, 'state' | 'garbageBlocks'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (row.state !== 'idle') out.snapshotGarbageDataDeletionStatus = row.state;
  out.snapshotGarbageDataCapacity = Math.floor(row.garbageBlocks / 2048);
  return out;
}
