/**
 * The JSON shapes of the web view's own endpoints (GET /emulator/ui/api/view, /scenarios, /events), shared by the
 * server (src/ui/view.ts) and the page (ui/src). A declaration file so that both TypeScript projects can import it
 * without either compiling the other's sources.
 */

export interface UiClock { mode: 'manual' | 'real'; speed: number; time: string; epochMs: number }

export interface UiArray { storageDeviceId: string; model: string; serialNumber: number }

/** A pool as `GET pools/{id}` renders it (only the fields the page reads are named). */
export interface UiPool {
  poolId: number; poolName: string; poolType: string; poolStatus: string;
  usedCapacityRate: number; totalPoolCapacity: number; availableVolumeCapacity: number;
  warningThreshold: number; depletionThreshold: number; snapshotCount: number; snapshotUsedCapacity: number;
  locatedVolumeCount: number;
  [field: string]: unknown;
}

/** The LDEV fields the page shows (from the `GET ldevs/{id}` object) and the volume's place in the trees. */
export interface UiLdev {
  ldevId: number; label: string; byteFormatCapacity: string; blockCapacity: number; poolId: number | null;
  attributes: string[]; status: string; numOfUsedBlock: number | null; snapshotPoolId: number | null;
  /** `P-VOL` when it has pairs, `S-VOL` when assigned to a pair, both for a cascade node, none otherwise. */
  roles: Array<'P-VOL' | 'S-VOL'>;
  /** The vClone's parent LDEV (the LDEV shows `VC` and `parentLdevId`, TIA ref 4.1); null when not a vClone. */
  parentLdevId: number | null;
  /** The LDEV is a vClone parent (`VCP`): some vClone's parentLdevId names it. */
  isVirtualCloneParent: boolean;
}

/** A pair exactly as `GET snapshots/{id}` renders it, plus what the engine knows about its timed phase. */
export interface UiPair {
  snapshotId: string; snapshotGroupName: string; status: string; pvolLdevId: number; muNumber: number;
  svolLdevId?: number; snapshotPoolId: number; concordanceRate: number; progressRate?: number;
  isConsistencyGroup: boolean; isWrittenInSvol: boolean; isClone: boolean; canCascade: boolean; splitTime?: string;
  /** The running timed phase (create, resync, restore, cloneCopy, delete, cloneEnd) or null. */
  phase: string | null;
  /** When the phase ends (virtual time), or null. */
  dueTime: string | null;
  /** A clone copy waiting for one of the array's copy slots. */
  queued: boolean;
  /** Thin Image Advanced (redirect-on-write, TIA ref 2): such pairs have no concordanceRate. */
  isRedirectOnWrite?: boolean;
  /** Remaining whole hours of snapshot-data retention at the view's instant (TIA ref 3.2), 0 when none. */
  retentionPeriod?: number;
  /** VSP One B pair flags (TIA ref 4): a "paired-back" pair to a vClone has both true. */
  isVirtualCloneVolume?: boolean;
  isVirtualCloneParentVolume?: boolean;
  [field: string]: unknown;
}

/** A vClone (TIA ref 4.1): an LDEV whose parentLdevId names the volume it was cloned from. */
export interface UiVclone { ldevId: number; parentLdevId: number; label: string }

export interface UiGroup { snapshotGroupName: string; isConsistencyGroup: boolean; consistencyGroupId: number | null; pairCount: number }

export interface UiJob {
  jobId: number; operation: string; status: string; state: string; createdTime: string; updatedTime: string;
  completedTime?: string; requestMethod: string; requestUrl: string; affectedResources: string[]; error?: unknown;
}

export interface UiJournalEntry {
  seq: number; kind: string; time: string; method: string | null; path: string | null; status: number | null;
  jobId: number | null; operation: string | null; fault: { id: string; type: string } | null; pending: boolean;
  userId: string | null;
}

/** A pair status change as it happened (recorded by the database while a page is open), in virtual time. */
export interface UiTransition {
  seq: number; time: string; snapshotId: string; pvolLdevId: number; muNumber: number; isClone: boolean;
  /** null: the pair was created. */
  from: string | null;
  /** null: the pair is gone. */
  to: string | null;
  /** The pair's S-VOL when the row was recorded (a vanished pair's S-VOL may have become a vClone). */
  svolLdevId?: number | null;
  /** A pair that vanished because its S-VOL became a vClone (virtual-clone create/convert, TIA ref 4.2): that LDEV. */
  becameVclone?: number;
  /**
   * Made by the page, not the server: a vClone that appeared or went between two views without a pair turning into it
   * (deleted, restored to its parent, loaded): `pvolLdevId` is the parent, `muNumber` -1, `snapshotId` `vclone:<ldevId>`.
   */
  vclone?: { ldevId: number; parentLdevId: number; change: 'appeared' | 'gone' };
}

export interface UiCheckpoint { name: string; storageDeviceId: string | null; description: string | null; [field: string]: unknown }

export interface UiView {
  /** Change sequence the view was built at (the `seq` of the last change event). */
  seq: number;
  /** Number of resets/restores so far: a page does not animate transitions across one. */
  epoch: number;
  version: string;
  storageDeviceId: string;
  arrays: UiArray[];
  clock: UiClock;
  fixture: { name: string | null; description: string | null };
  timing: string;
  pools: UiPool[];
  ldevs: UiLdev[];
  ldevCount: number;
  pairs: UiPair[];
  pairCount: number;
  /** Every vClone of the array (not limited like `ldevs`): the trees draw each under its parent. */
  vclones: UiVclone[];
  /**
   * When retention ends (virtual time), by snapshotId, for the pairs it holds (TIA ref 3.3): the page counts down to it
   * as the clock moves. Beside the pairs, which stay exactly what `GET snapshots/{id}` answers.
   */
  retentionEnds: Record<string, string>;
  groups: UiGroup[];
  jobs: UiJob[];
  journal: UiJournalEntry[];
  transitions: UiTransition[];
  checkpoints: UiCheckpoint[];
  /** Fault rules armed: waiting for matching requests, or scheduled and not yet applied. */
  activeFaults: number;
  /** The first user of the array: the page logs in to the REST API with it, as a client would. */
  login: { userId: string; password: string } | null;
}

export interface UiScenario { name: string; description: string | null; training: boolean }
