/**
 * Thin Image pair vocabulary, in the array's own words (ref 5.2, 6.1). Pure types and constants shared by the
 * pair machine, the acceptance matrix, the create rules and the renderers.
 */

/** REST `status` strings a pair can show (ref 6.1). `SMPL` is never stored: it is "no pair". */
export const PAIR_STATUSES = ['SMPP', 'COPY', 'PAIR', 'PSUS', 'PFUL', 'PFUS', 'PSUE', 'RCPY', 'PSUP', 'CPYP'] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];
/** A status row of the acceptance matrix: the stored statuses plus SMPL (the pair does not exist). */
export type MatrixStatus = PairStatus | 'SMPL';

/** `snapshot` = snapshot attribute; `clone` = clone attribute (`isClone: true`). */
export type PairKind = 'snapshot' | 'clone';

/**
 * Operations of the acceptance matrix (ref 6.3). `create` / `createClone` are the doc's two create columns
 * (a snapshot-attribute or a clone-attribute pair on a P-VOL/MU that is in the given status); `clone` is the
 * doc's "Split (clone)" column. `assign` / `unassign` are not in the doc's matrix: their rows are inferred.
 */
export const PAIR_OPS = ['create', 'createClone', 'split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete'] as const;
export type PairOp = (typeof PAIR_OPS)[number];

/** Y = performed; YN = accepted, nothing done ("operation not performed, process terminated"); N = refused. */
export type Acceptance = 'Y' | 'YN' | 'N';

export const COPY_SPEEDS = ['slower', 'medium', 'faster'] as const;
export type CopySpeed = (typeof COPY_SPEEDS)[number];

/** The timed phase a pair is in; it names the transition duration of the timing profile. */
/** `autoSplitHold`: the PAIR an autoSplit create, resync or restore shows before its split (ref 6.2). */
export type PairPhase = 'create' | 'resync' | 'restore' | 'cloneCopy' | 'delete' | 'cloneEnd' | 'autoSplitHold';

/** What the pair machine needs besides the status (persisted with the pair). */
export interface PairMachineContext {
  kind: PairKind;
  canCascade: boolean;
  /** Split as soon as the running COPY (create/resync) or RCPY (restore) ends. */
  autoSplit: boolean;
  /** clonesAutomation: start the clone copy as soon as the create COPY ends. */
  cloneAfterCopy: boolean;
  /** The timed phase of the current status, or null when the status waits for nothing. */
  phase: PairPhase | null;
}

/** A pair as the domain sees it (the store's row without storage keys). */
export interface PairFacts extends PairMachineContext {
  pvolLdevId: number;
  muNumber: number;
  svolLdevId: number | null;
  snapshotGroupName: string;
  snapshotPoolId: number;
  status: PairStatus;
  isConsistencyGroup: boolean;
  copySpeed: CopySpeed;
  isDataReductionForceCopy: boolean;
  splitTime: number | null;
  isWrittenInSvol: boolean;
  /** Start and end (virtual ms) of the running timed phase, for progressRate. */
  phaseStart: number | null;
  dueAt: number | null;
  /** Set while a clone copy waits for one of the array's copy slots. */
  queuedAt: number | null;
  /** Thin Image Advanced (redirect-on-write): `isRedirectOnWrite: true`, no `concordanceRate`. */
  isRedirectOnWrite: boolean;
  /** Virtual ms at which the TIA snapshot data retention period ends; null when none is set. */
  retentionUntil: number | null;
}

/** The numeric limits of Thin Image (ref 5.4, 9). A fixture may override them (`fidelity.pairLimits`). */
export interface PairLimits {
  maxMu: number;
  pairsPerPvol: number;
  cascadeLayers: number;
  pairsPerGroup: number;
  groups: number;
  consistencyGroups: number;
  pairsPerConsistencyGroup: number;
  concurrentClones: number;
  groupNameMax: number;
}

export const PAIR_LIMITS: PairLimits = {
  maxMu: 1023,
  pairsPerPvol: 1024,
  cascadeLayers: 64,
  pairsPerGroup: 8192,
  groups: 2048,
  consistencyGroups: 2048,
  pairsPerConsistencyGroup: 8192,
  concurrentClones: 3,
  groupNameMax: 32,
};

export const pairId = (pvol: number, mu: number): string => `${pvol},${mu}`;
