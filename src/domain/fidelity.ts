/**
 * Behaviour the public evidence leaves open, as data. Each row names our choice and why; a fixture's
 * `fidelity:` section (or the control plane) overrides any row. The README's "Fidelity notes" mirror this table.
 */
export interface Fidelity {
  /** Seconds a `Response-Job-Status: Completed` request is held when no `Response-Max-Wait` is sent [I]. */
  responseMaxWaitDefaultSeconds: number;
  /** `self` and `affectedResources` follow the request's URL form ('request') or are always embedded ('embedded') [I, ref 12.6]. */
  jobUrlForm: 'request' | 'embedded';
  /** Basic auth accepted on every request, not only POST sessions [L, ref 2.1 pve on E590H]. */
  basicAuthOnEveryRequest: boolean;
  /** Smallest DP volume the array creates, in MiB: <= 46 MiB fails on the E590H [L]. */
  minDpVolumeMiB: number;
  /** Largest volume, in MiB (256 TiB) [I]. */
  maxVolumeMiB: number;
  /** Largest `count` accepted by GET ldevs [C doc range 1-16384]. */
  ldevListMaxCount: number;
  /** HTTP status of `GET snapshots` with an invalid filter combination [I, ref 5.3]. */
  invalidSnapshotQueryStatus: number;
  /** Cells of the pair acceptance matrix to change, e.g. `{"snapshot.COPY.delete": "Y"}` [doc matrix, ref 6.3]. */
  pairAcceptance: Record<string, 'Y' | 'YN' | 'N'>;
  /** Refusal form per pair-level operation: 'sync412' or 'job' (defaults: split/clone 412, the rest job) [I, ref 12.1]. */
  pairRefusalForm: Record<string, 'sync412' | 'job'>;
  /** Thin Image limits to change (maxMu, pairsPerPvol, cascadeLayers, pairsPerGroup, groups, ...) [doc, ref 9]. */
  pairLimits: Record<string, number>;
  /** isClone + autoSplit: 'rejectWithCtg' (E590H [L]), 'reject' (doc rule), 'accept' [ref 5.6, 12.3]. */
  cloneAutoSplit: 'rejectWithCtg' | 'reject' | 'accept';
  /** A clone copy beyond the three that run at once: 'queue' (waits in PSUP at 0 %) or 'refuse' (Failed job) [I, ref 8]. */
  cloneConcurrency: 'queue' | 'refuse';
  /** Non-cascade pairs (and assign-volume) need LU paths on their volumes [L, E590H, ref 5.6]. */
  nonCascadeNeedsLuPaths: boolean;
  /** Pair actions whose bare `{}` body (no `parameters`) is refused with KART40046-E [L: restore on the E590H]. */
  bareBodyRefused: string[];
  /**
   * Which volumes keep their last LU path while paired: 'nonCascade' (volumes of pairs that need LU paths,
   * so Cinder can still detach volumes with cascade snapshots), 'all' P-VOLs/S-VOLs, or 'none' [I, ref 4.4 B958/020A].
   */
  lastPathProtection: 'nonCascade' | 'all' | 'none';
  /**
   * Granularity of the volume content model and of Thin Image copy-on-write, in KiB (must divide the DP page):
   * 1 MiB keeps a 64 TiB volume at 64 Mi chunk slots and host writes of a few KiB meaningful [I].
   */
  contentChunkKiB: number;
  /** HDP page: DP volumes allocate pool capacity in pages of this many MiB on first write [doc: pool pages of 42 MB]. */
  dpPageMiB: number;
  /** What a restore copies to the P-VOL: the S-VOL as hosts see it ('svol', host writes included) or the snapshot as split ('snapshot') [I]. */
  restoreSource: 'svol' | 'snapshot';
  /**
   * DP pages a clone copy end (S-VOL) or a restore (P-VOL) allocates are checked against the pool's free space as host
   * writes are: without room the copy fails whole, the pair goes PSUE ("failure during restore", copy failure) and
   * nothing is allocated [I, ref 6.2, 8]. False: allocated regardless (the pool may end past 100 %).
   */
  copyChecksPoolSpace: boolean;
  /**
   * delete-garbage-data on a model without it (TIA ref 5: VSP 5000 only): 'notFound' (404 KART20009-E, as the other
   * model-gated URLs here answer) or 'programProduct' (Failed job 2E21/9010, the one evidenced "not installed" answer,
   * TIA ref 7) [I, TIA ref 8.1].
   */
  garbageDeleteUnsupported: 'notFound' | 'programProduct';
  /** delete-garbage-data `stop` when no processing runs: 'accept' (Succeeded, nothing done, like a YN cell) or 'refuse' (Failed job 2E36/0002) [I, TIA ref 5, 8.6]. */
  garbageStopWhenIdle: 'accept' | 'refuse';
  /**
   * What a vClone `convert` keeps on the new vClone: the snapshot as split ('snapshot', TIA ref 4.4 "content = the
   * stored snapshot" [I]) or the S-VOL as hosts see it, their S-VOL writes included ('svol').
   */
  vcloneConvertSource: 'snapshot' | 'svol';
  /**
   * DELETE of an LDEV that vClones name as parent: 'refuse' (job fails KART30000-E 2E10/9708) or 'orphan' (deleted,
   * its vClones stop being vClones). Unknown on the array; Cinder deletes the parent only after VCP is gone [I, TIA ref 4.1].
   */
  vcloneParentDelete: 'refuse' | 'orphan';
  /** GET snapshot-family of an undefined LDEV or one in no family: 'empty' (`{"data":[]}`, as Ansible reads any error) or 'notFound' (404) [I, TIA ref 4.5]. */
  snapshotFamilyUnknownLdev: 'empty' | 'notFound';
  /**
   * Simple API: who may read a command status: 'any' authenticated caller, or only the 'session' that submitted the
   * command (the doc: "specify the token of the session that was used"; others get 404). 'any' because Terraform
   * re-logs in every ~270 s, possibly in the middle of its polling [I, TIA ref 6.1/6.2].
   */
  simpleCommandStatusReader: 'any' | 'session';
  /**
   * Simple API: the snapshot `status` per pair status, over the defaults (PSUS/PFUS `Completed` [C]; COPY/PAIR/PSUP/CPYP
   * `Processing`, RCPY `Restoring`, PSUE/PFUL `Error` [I], TIA ref 6.4), e.g. `{"PFUL": "Completed"}`.
   */
  simpleSnapshotStatus: Record<string, string>;
  /**
   * Restore of a Thin Image Advanced pair: 'ignore' its `autoSplit` ("For Thin Image Advanced pairs, autoSplit attribute
   * is ignored", doc text quoted by Terraform): the pair returns to PSUS keeping its snapshot [I: end status], or
   * 'honour' it as TI standard does (Terraform's group note "Tested it, it's not ignored") [TIA ref 2.2].
   */
  tiaRestoreAutoSplit: 'ignore' | 'honour';
  /**
   * Group operations refused (KART30000-E 2E34/0006) on a non-CTG snapshot group holding two or more TIA pairs of one
   * P-VOL ("operations in units of snapshot groups might fail"); [] = never [I: which operations, TIA ref 2.2].
   */
  tiaGroupSharedPvolOps: string[];
  /**
   * `GET snapshots?muNumber=M&detailInfoType=retention` (Ansible when the P-VOL is 0, and only off VSP E / One B, where
   * it reads groups instead; invalid per the doc): 'refuse' it as the other invalid combinations (400 KART40046-E), or
   * 'list' the pairs on MU M of every P-VOL [I, TIA ref 3.1, ref 5.3].
   */
  muOnlyRetentionQuery: 'list' | 'refuse';
  [row: string]: unknown;
}

export const defaultFidelity: Fidelity = {
  responseMaxWaitDefaultSeconds: 60,
  jobUrlForm: 'request',
  basicAuthOnEveryRequest: true,
  minDpVolumeMiB: 47,
  maxVolumeMiB: 256 * 1024 * 1024,
  ldevListMaxCount: 16384,
  invalidSnapshotQueryStatus: 400,
  pairAcceptance: {},
  pairRefusalForm: {},
  pairLimits: {},
  cloneAutoSplit: 'rejectWithCtg',
  cloneConcurrency: 'queue',
  nonCascadeNeedsLuPaths: true,
  bareBodyRefused: ['restore'],
  lastPathProtection: 'nonCascade',
  contentChunkKiB: 1024,
  dpPageMiB: 42,
  restoreSource: 'svol',
  copyChecksPoolSpace: true,
  garbageDeleteUnsupported: 'notFound',
  garbageStopWhenIdle: 'accept',
  vcloneConvertSource: 'snapshot',
  vcloneParentDelete: 'refuse',
  snapshotFamilyUnknownLdev: 'empty',
  simpleCommandStatusReader: 'any',
  simpleSnapshotStatus: {},
  tiaRestoreAutoSplit: 'ignore',
  tiaGroupSharedPvolOps: ['split', 'resync', 'restore'],
  muOnlyRetentionQuery: 'refuse',
};
