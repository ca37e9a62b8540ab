/**
 * The one error catalog. Every error the emulator can produce is a row here: HTTP status (for synchronous
 * errors) or the job-failure form, messageId, message, cause, solution, solutionType, SSB1/SSB2 and the
 * RAID-Manager return code. Rows marked certainty 'I' are our best reading of public material; a fixture can
 * override any row (`errors:` in the fixture file), see README "Fidelity notes".
 */

export type Certainty = 'C' | 'L' | 'I';

export interface CatalogEntry {
  /** HTTP status when the error is answered synchronously; jobs carry it inside `error` regardless. */
  status: number;
  messageId: string;
  /** `{name}` placeholders are filled from the vars given when the error is raised. */
  message: string;
  cause?: string;
  solution: string;
  solutionType: 'SEE_ERROR_DETAIL' | 'RETRY';
  ssb1?: string;
  ssb2?: string;
  /** RAID-Manager style return code placed at errorCode.errorCode (Cinder reads it). */
  returnCode?: string;
  certainty: Certainty;
  /** Where the fact comes from (reference section). */
  source: string;
}

const STORAGE_CAUSE = 'An error occurred during execution of a RAID Manager command.';
const STORAGE_MESSAGE = 'An error occurred in the storage system. (message = {detail})';

function storage(detail: string, ssb1: string, ssb2: string, certainty: Certainty, source: string,
  extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    status: 409,
    messageId: 'KART30000-E',
    message: STORAGE_MESSAGE.replace('{detail}', detail),
    cause: STORAGE_CAUSE,
    solution: 'Check the status of the storage system and the specified resources, and then try again.',
    solutionType: 'SEE_ERROR_DETAIL',
    ssb1,
    ssb2,
    certainty,
    source,
    ...extra,
  };
}

export const defaultCatalog = {
  // ---- request validation (synchronous 400) ----
  unknownAttribute: {
    status: 400, messageId: 'KART40038-E',
    message: 'An unsupported parameter is specified in the request body, or the hierarchy of the specified parameter is invalid (attribute = {attribute})',
    solution: 'Check whether the specified attribute is correct, and whether the attribute is specified in the correct hierarchy.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.1 (tf comment), 4.3',
  },
  requiredParameter: {
    status: 400, messageId: 'KART20008-E', message: 'Required parameters are not specified. (parameter = {attribute})',
    solution: 'Check parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.1 (HCSR0079)',
  },
  requiredQuery: {
    status: 400, messageId: 'KART40044-E', message: 'Required parameters are not specified. (parameter = {attribute})',
    solution: 'Specify the required query parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3',
  },
  invalidCombination: {
    status: 400, messageId: 'KART40046-E',
    message: 'Required parameters are not specified, or the combination of the specified parameters is invalid. ({detail})',
    solution: 'Check the parameters and their combination.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3',
  },
  invalidParameterCombination: {
    status: 400, messageId: 'KART20016-E', message: 'The combination of the specified parameters is invalid. ({detail})',
    solution: 'Check the combination of the parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3 (pve-FCLU)',
  },
  invalidValue: {
    status: 400, messageId: 'KART40039-E', message: 'The specified value is invalid. (attribute = {attribute}, value = {value})',
    solution: 'Specify a valid value.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'inferred: KART400xx family',
  },
  invalidJson: {
    status: 400, messageId: 'KART40040-E', message: 'The request body is not in the correct format. ({detail})',
    solution: 'Specify the request body in JSON format.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'inferred',
  },
  unsupportedMediaType: {
    status: 415, messageId: 'KART40041-E', message: 'The specified Content-Type is not supported. (Content-Type = {value})',
    solution: 'Specify application/json.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2',
  },
  // ---- auth / sessions ----
  authRequired: {
    status: 401, messageId: 'KART40005-E', message: 'Authentication failed. The Authorization header is not specified or is invalid.',
    cause: 'The user could not be authenticated.', solution: 'Specify valid authentication information.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (401)',
  },
  invalidCredentials: {
    status: 401, messageId: 'KART40005-E', message: 'Authentication failed. The user ID or password is incorrect.',
    cause: 'The user could not be authenticated.', solution: 'Specify a valid user ID and password.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (401)',
  },
  invalidToken: {
    status: 401, messageId: 'KART40006-E', message: 'The specified token is invalid. (token = {token})',
    cause: 'The session has expired or has been discarded.', solution: 'Generate a session again, and then retry.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 2.1 (ansible matches the text; cinder reacts to 401)',
  },
  tooManySessions: {
    status: 503, messageId: 'KART40062-E', message: 'The maximum number of sessions ({limit}) has been reached.',
    solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', certainty: 'C', source: 'ref 2.1 (64 sessions, 503)',
  },
  // ---- the emulator's browser guard: no array equivalent, so an emulator-owned messageId (VSPEMU…) says so ----
  crossSiteRefused: {
    status: 403, messageId: 'VSPEMU40301-E', message: 'The request was refused: changes are not accepted from another site\'s web page.',
    cause: 'The request carries an Origin or Sec-Fetch-Site header of another site.', solution: 'Send the request from a tool, or from a page served by the emulator.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'emulator only: cross-site guard (README "Security and limits")',
  },
  hostNotAllowed: {
    status: 403, messageId: 'VSPEMU40302-E', message: 'The request was refused: the Host name is not allowed.',
    cause: 'A browser reached the emulator by a host name that is not localhost, an IP address or an --allowed-host name (DNS rebinding guard).',
    solution: 'Use localhost or an IP address, or start the emulator with --allowed-host <name>.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'emulator only: Host allow-list (README "Security and limits")',
  },
  // ---- routing ----
  objectNotFound: {
    status: 404, messageId: 'KART30013-E', message: 'Specified object does not exist. (object = {object})',
    cause: 'The specified object does not exist in the storage system.', solution: 'Specify an existing object.',
    solutionType: 'SEE_ERROR_DETAIL', returnCode: 'EX_ENOOBJ', certainty: 'I', source: 'ref 4.3, 12.2 (substring matched by ansible)',
  },
  noResource: {
    status: 404, messageId: 'KART20009-E', message: 'No resource exists at the specified URL. (URL = {url})',
    solution: 'Check the URL.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.3',
  },
  methodNotAllowed: {
    status: 405, messageId: 'KART20010-E', message: 'The specified method is not supported for this URL. (method = {method})',
    solution: 'Specify a supported HTTP method.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (405)',
  },
  serverBusy: {
    status: 503, messageId: 'KART00003-E', message: 'The REST server is busy.',
    solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', certainty: 'C', source: 'ref 4.3',
  },
  internal: {
    status: 500, messageId: 'KART00001-E', message: 'An internal error occurred in the REST API server. ({detail})',
    solution: 'Contact the emulator maintainers with the log.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'never expected',
  },
  // ---- storage-side rejections (Failed jobs, KART30000-E + SSB) ----
  ldevAlreadyDefined: storage('The specified LDEV is already defined.', '2E22', '0001', 'C', 'ref 4.4 (cinder LDEV_ALREADY_DEFINED)'),
  noFreeLdevId: storage('There is no free LDEV ID in the specified range.', '2E11', '2209', 'C', 'ref 4.4 (cinder NO_AVAILABLE_LDEV_ID)'),
  ldevNotDefined: storage('The specified LDEV is not installed.', '2E20', '0000', 'C', 'ref 4.4 (cinder-horcm INVALID_LUN_SSB)'),
  poolNotFound: storage('The specified pool does not exist or is not a pool that can be used.', '2E10', '9700', 'I', 'inferred'),
  poolCapacityExhausted: storage('The pool capacity is insufficient, or the subscription limit of the pool is exceeded.', '2E30', '0007', 'I',
    'inferred: 2E30,0007 is in cinder REST_NO_RETRY_ERRORS'),
  capacityOutOfRange: storage('The specified capacity is out of range.', '2E10', '9705', 'I', 'inferred: 2E10,9705 is in cinder REST_NO_RETRY_ERRORS; E590H rejects <= 46 MiB [L]'),
  ldevHasLuPaths: storage('The LDEV cannot be deleted because LU paths are defined for it.', '2E10', '9706', 'I', 'ref 7.1 [L] refusal; SSB inferred'),
  ldevInPair: storage('The LDEV cannot be deleted or changed because it is assigned to a pair.', '2E10', '9707', 'I', 'ref 7.1 [L] refusal; SSB inferred'),
  ldevHasPairsExpand: storage('The LDEV cannot be expanded because it is used by a copy pair.', 'B96B', 'AF2E', 'I', 'ref 4.1 (SAE HSAE0118)'),
  luPathAlreadyDefined: storage('The LU path is already defined.', 'B958', '015A', 'C', 'ref 4.4 (cinder _LU_PATH_DEFINED)'),
  lunInUse: storage('Another LDEV is already mapped to the specified LUN.', 'B958', '0947', 'C', 'ref 4.4 (cinder ANOTHER_LDEV_MAPPED)'),
  noFreeLun: storage('There is no free LUN in the host group.', 'B958', '0201', 'I', 'inferred'),
  lastPathOfSnapshotPvol: storage('The last LU path of a Thin Image P-VOL cannot be deleted while the volume has snapshot pairs.', 'B958', '020A', 'I',
    'ref 4.4 (cinder-horcm SNAP_LAST_PATH_SSB)'),
  hostGroupNameInUse: storage('The specified host group name is already used on the port.', 'B957', '4186', 'I', 'inferred'),
  // Cinder's FC driver looks for this exact text in the error message to move on to another port (hbsd_rest_fc
  // _MSG_EXCEED_HOST_GROUP_MAX), so the wording is [C]; the SSB is [I].
  noFreeHostGroup: storage('could not find empty Host group ID for adding.', 'B957', '4187', 'I',
    'message text: cinder hbsd_rest_fc _MSG_EXCEED_HOST_GROUP_MAX; SSB inferred'),
  hostGroupNumberInUse: storage('The specified host group number is already in use on the port.', 'B956', '3173', 'I',
    'ref 4.4: cinder-horcm HOSTGROUP_INSTALLED (raidcom add host_grp); B956,3173 is in cinder REST_NO_RETRY_ERRORS'),
  iscsiTargetNameInUse: storage('The specified iSCSI target name is already used on the port.', 'B957', '418B', 'I', 'inferred'),
  lunSecurityDisabled: storage('A host group cannot be added to a port whose LUN security is disabled.', 'B957', '4102', 'I', 'inferred'),
  hostIscsiAlreadyRegistered: storage('The iSCSI name is already registered in an iSCSI target of the port.', 'B957', '4185', 'I',
    'inferred: same rule and SSB as wwnAlreadyRegistered'),
  exceedIscsiNameMax: storage('The maximum number of iSCSI names has been exceeded.', 'B957', '4184', 'I', 'inferred: same SSB as exceedWwnMax'),
  hostGroupHasLuns: storage('The host group cannot be deleted because LU paths are defined in it.', 'B957', '4189', 'I', 'inferred'),
  hostGroupZero: storage('Host group 0 cannot be deleted.', 'B957', '418A', 'I', 'inferred'),
  wwnAlreadyRegistered: storage('The WWN is already registered in a host group of the port.', 'B957', '4185', 'I', 'inferred'),
  exceedWwnMax: storage('The maximum number of WWNs has been exceeded.', 'B957', '4184', 'C', 'ref 4.4 (cinder EXCEED_WWN_MAX)'),
  portTypeMismatch: storage('The operation is not supported for the type of the specified port.', 'B957', '4100', 'I', 'inferred'),
  parityGroupNotEmulated: storage('The specified parity group does not exist.', '2E10', '0100', 'I', 'parity groups are not emulated'),
  resourceLocked: storage('The resource is locked by another session.', '2E11', '2205', 'C', 'ref 4.4 (cinder _REST_LOCKED_ERRORS)',
    { returnCode: 'EX_EACCES' }),
  // ---- Thin Image pairs (storage-side rejections: Failed job, KART30000-E + SSB; 412 rows answered synchronously).
  // SSBs marked I are invented in the 2E3x family so that every refusal is distinguishable; none is in Cinder's
  // no-retry list unless noted, so Cinder re-sends such a request for 30 s as it would on a real array.
  invalidSnapshotPool: storage('The specified pool is not created, is a multi-tier pool, is a pool with data direct mapping enabled, or is for mainframe.',
    '2E30', '600E', 'C', 'ref 4.4 (cinder INVALID_SNAPSHOT_POOL); message [L] E590H, ref 5.6'),
  maxCtgExceeded: storage('The maximum number of consistency groups ({limit}) has been exceeded.', '2E10', '2302', 'C',
    'ref 4.4 (cinder _MAX_CTG_COUNT_EXCEEDED_ADD_SNAPSHOT)'),
  maxPairsInCtgExceeded: storage('The maximum number of pairs in the consistency group ({limit}) has been exceeded.', '2E13', '9900', 'C',
    'ref 4.4 (cinder _MAX_PAIR_COUNT_IN_CTG_EXCEEDED_ADD_SNAPSHOT)'),
  pairNotExist: storage('The specified snapshot P-VOL does not have LU paths, or the specified snapshot pair does not exist.', '2E31', '0001', 'L',
    'ref 4.1 [L] E590H job text; SSB I; EX_ENOOBJ lets Cinder ignore it on DELETE (ref 4.5)', { returnCode: 'EX_ENOOBJ' }),
  pvolNoLuPath: storage('The specified snapshot P-VOL does not have LU paths, or the specified snapshot pair does not exist.', '2E31', '0002', 'L',
    'ref 5.6 [L] E590H: non-cascade pairs need LU paths; SSB I'),
  svolNoLuPath: storage('The specified snapshot S-VOL does not have LU paths, or the specified snapshot pair does not exist.', '2E31', '0003', 'L',
    'ref 5.6 [L] E590H (create without canCascade, assign-volume); SSB I'),
  snapshotGroupNotExist: storage('The specified snapshot group does not exist. (group = {group})', '2E31', '000F', 'I', 'inferred'),
  muInUse: storage('The specified MU number is already used by another pair of the P-VOL. (pair = {pair}, status = {status})', '2E31', '0004', 'I', 'inferred'),
  svolInUse: storage('The specified S-VOL is already used in a Thin Image pair. (ldevId = {ldevId}, {pair})', '2E31', '0005', 'I', 'inferred'),
  svolNotDpVolume: storage('The S-VOL of a cascade or clone pair must be a DP volume. (ldevId = {ldevId})', '2E31', '0006', 'I',
    'ref 5.6 [doc] volume-type rule; SSB I'),
  volumeSizeMismatch: storage('The capacity of the S-VOL differs from that of the P-VOL. (P-VOL = {pvol}, S-VOL = {svol})', '2E31', '0007', 'I',
    'ref 7.1 (tf/pve: sizes must be equal); SSB I'),
  vvolCascadeMix: storage('Pairs whose S-VOL is a Thin Image V-VOL and cascade pairs cannot share the P-VOL. (ldevId = {ldevId})', '2E31', '0008', 'I',
    'ref 5.6 [doc] volume components; SSB I'),
  nonCascadeSvolAsPvol: storage('The P-VOL is the S-VOL of a pair without the cascade attribute. (ldevId = {ldevId})', '2E31', '0009', 'I', 'ref 9; SSB I'),
  drForceCopyRequired: storage('isDataReductionForceCopy must be true for a P-VOL with capacity saving enabled. (ldevId = {ldevId})', '2E31', '000A', 'I',
    'ref 5.6 (tf validator quoting the doc); SSB I'),
  ctgPairConflict: storage('Pairs that share a P-VOL or belong to different layers of one snapshot tree cannot be in the same consistency group. (group = {group})',
    '2E31', '000B', 'I', 'ref 5.4 [doc] TIA CTG requirements; SSB I'),
  groupModeMismatch: storage('The consistency group mode of the request does not match that of the snapshot group. (group = {group})', '2E31', '000C', 'I', 'inferred'),
  pvolIsVvol: storage('A Thin Image V-VOL cannot be the P-VOL of a pair. (ldevId = {ldevId})', '2E31', '000D', 'I', 'ref 7.1 V-VOL use; SSB I'),
  sameVolume: storage('The P-VOL and the S-VOL must be different volumes. (ldevId = {ldevId})', '2E31', '000E', 'I', 'inferred'),
  poolThresholdExceeded: storage('Thin Image pairs cannot be created because the usage rate of the pool exceeds its warning threshold. (poolId = {poolId})',
    '2E30', '6010', 'I', 'ref 5.6 [doc] "HTI pairs cannot be created when the pool threshold is exceeded"; SSB I'),
  maxGroupsExceeded: storage('The maximum number of snapshot groups ({limit}) has been exceeded.', '2E10', '2303', 'I', 'ref 5.4 [doc] limit; SSB I'),
  maxPairsInGroupExceeded: storage('The maximum number of pairs in the snapshot group ({limit}) has been exceeded.', '2E13', '9901', 'I', 'ref 5.4 [doc] limit; SSB I'),
  pvolPairLimit: storage('The maximum number of pairs for the P-VOL ({limit}) has been exceeded. (ldevId = {ldevId})', '2E13', '9902', 'I', 'ref 9 [doc] 1,024; SSB I'),
  cascadeLayerLimit: storage('The maximum number of cascade layers ({limit}) has been exceeded.', '2E13', '9903', 'I', 'ref 9 [doc] 64 layers; SSB I'),
  ctgPairLevelOperation: storage('The pair belongs to a snapshot group in consistency group mode: operate on the snapshot group. (pair = {pair})',
    '2E32', '0001', 'I', 'ref 5.4 [C] (tf/doc: not for CTG-mode pairs); form and SSB I'),
  pairStatusRefused: storage('The operation cannot be performed in the current pair status. (operation = {operation}, pair = {pair}, status = {status})',
    '2E32', '0002', 'I', 'ref 6.3 N cells; text and SSB I'),
  cascadeParentRefused: storage('The operation cannot be performed in the status of the upper-layer pair. (operation = {operation}, upper pair = {pair}, status = {status})',
    '2E32', '0003', 'I', 'ref 6.3 cascaded-pair matrix; SSB I'),
  cloneAttributeMismatch: storage('The clone option (indicated or not) in the command does not match the clone attribute of the specified snapshot pairs.',
    '2E32', '0004', 'L', 'ref 8 [L] E590H group split on clone pairs; SSB I'),
  svolAlreadyAssigned: storage('An S-VOL is already assigned to the pair. (pair = {pair})', '2E32', '0005', 'I', 'ref 5.7 (tf: pair must have no S-VOL)'),
  pairHasNoSvol: storage('No S-VOL is assigned to the pair. (pair = {pair})', '2E32', '0006', 'I', 'inferred'),
  svolHasCascadedPairs: storage('The S-VOL cannot be released because pairs are cascaded from it. (ldevId = {ldevId})', '2E32', '0007', 'I', 'inferred'),
  pairHasCascadedPairs: storage('The pair cannot be deleted because pairs are cascaded from its S-VOL; delete the lower layers or the snapshot tree. (pair = {pair})',
    '2E32', '0008', 'I', 'inferred'),
  notTreeRoot: storage('The specified volume is not the root volume of a snapshot tree. (ldevId = {ldevId})', '2E32', '0009', 'I',
    'ref 5.7 [doc] "specify the root volume"; SSB I'),
  noSnapshotTree: storage('The specified volume has no pairs with the cascade attribute. (ldevId = {ldevId})', '2E32', '000A', 'I', 'inferred'),
  cloneCopyLimit: storage('The number of pairs being cloned at the same time ({limit}) has been exceeded.', '2E32', '000B', 'I',
    'ref 8 [doc] "up to three pairs concurrently"; used only with fidelity.cloneConcurrency = refuse'),
  // ---- virtual clones (TIA ref 4): the array's answers to these refusals are unknown (TIA ref 8.1), SSBs ours ----
  vcloneNotTia: storage('Virtual clone operations can be performed only on Thin Image Advanced pairs. (pair = {pair})', '2E33', '0001', 'I',
    'TIA ref 4.2 (tf: pair must be TIA, client rule), 8.1; SSB I'),
  vcloneCtgPair: storage('A virtual clone cannot be created from a pair in a consistency group. (pair = {pair})', '2E33', '0002', 'I',
    'TIA ref 4.2 (tf: "vClone create is forbidden ... Consistency Group", client rule), 8.1; SSB I'),
  vcloneStatusRefused: storage('The virtual clone operation cannot be performed in the current pair status. (operationType = {operation}, pair = {pair}, status = {status})',
    '2E33', '0003', 'I', 'TIA ref 4.4 (create: PAIR, convert: PSUS/PFUS, restore: PAIR/PSUS), 8.1; SSB I'),
  vcloneNotPairedBack: storage('The S-VOL of the pair is not a virtual clone of its P-VOL; restore needs a pair created back from the vClone. (pair = {pair})',
    '2E33', '0004', 'I', 'TIA ref 4.4 (restore on a "paired-back" pair), 8.1; SSB I'),
  vcloneRetentionLocked: storage('The pair is under a snapshot data retention period. (pair = {pair})', '2E33', '0005', 'I',
    'TIA ref 3.3, 4.4 (tf checkTIARetention before vRestore), 8.1; SSB I'),
  vcloneGroupMixed: storage('The pairs of the snapshot group are not all in the same status. (group = {group})', '2E33', '0006', 'I',
    'TIA ref 4.3 (ansible, tf: uniform status, client rules), 8.1; SSB I'),
  vcloneNoSvol: storage('The pair has no S-VOL to become a virtual clone. (pair = {pair})', '2E33', '0007', 'I', 'TIA ref 4.4 [I]; SSB I'),
  vcloneParentHasChildren: storage('The LDEV cannot be deleted because it is the parent of virtual clones. (ldevId = {ldevId}, vClones = {children})',
    '2E10', '9708', 'I', 'TIA ref 4.1 (Cinder deletes the parent only once VCP is gone); used with fidelity.vcloneParentDelete = refuse; SSB I'),
  // ---- Thin Image Advanced pairs and retention (TIA ref 2, 3): only 2E21/9010 is evidenced (TIA ref 7); the array's
  // answers to the other refusals are unknown (TIA ref 8.1), so they are Failed jobs with SSBs of ours (2E34/2E35) ----
  programProductNotInstalled: storage('Program product is not installed. ({product})', '2E21', '9010', 'C',
    'TIA ref 1, 7 (tf comment: the array\'s answer to a TI standard create on VSP One B)'),
  tiaPoolMismatch: storage('When creating a Thin Image Advanced pair, specify the pool ID of the HDP pool to which the P-VOL belongs. (poolId = {poolId}, ldevId = {ldevId})',
    '2E34', '0001', 'I', 'TIA ref 2.1 (message: tf/ansible doc text, client rule); SSB I'),
  tiaSvolNotDrs: storage('The S-VOL of a Thin Image Advanced pair must be a volume with capacity saving (DRS) in the snapshot pool. (ldevId = {ldevId}, poolId = {poolId})',
    '2E34', '0002', 'I', 'TIA ref 2.1, 2.2 (tf create and assign-volume rules, client rules); SSB I'),
  tiaCloneRefused: storage('You cannot create a clone for Thin Image Advanced. ({target})', '2E34', '0003', 'I',
    'TIA ref 2.1 [pve p.566 doc text], 2.2 (tf client rule); SSB I'),
  tiMixedTree: storage('Thin Image (CAW/CoW) and Thin Image Advanced pairs cannot coexist in the same snapshot tree. (ldevId = {ldevId})', '2E34', '0004', 'I',
    'TIA ref 2.1 [pve p.606 doc text]; SSB I'),
  tiaTreeDeleteRefused: storage('Snapshot tree delete is not supported for Thin Image Advanced pairs. (ldevId = {ldevId})', '2E34', '0005', 'I',
    'TIA ref 2.2 (tf client rule); SSB I'),
  // ---- garbage-data deletion (TIA ref 5, VSP 5000): the array's answers are unknown (TIA ref 8.1), SSBs ours ----
  garbageTiaTree: storage('Garbage data deletion is not supported for Thin Image Advanced pairs. (ldevId = {ldevId})', '2E36', '0001', 'I',
    'TIA ref 2.2, 5 (tf client rule); SSB I'),
  garbageNotRunning: storage('Garbage data deletion is not in progress in the snapshot tree. (ldevId = {ldevId})', '2E36', '0002', 'I',
    'TIA ref 5, 8.6 (stop when idle unknown); used with fidelity.garbageStopWhenIdle = refuse; SSB I'),
  tiaGroupSharedPvol: storage('The operation cannot be performed in units of the snapshot group: it is not in consistency group mode and holds two or more Thin Image Advanced pairs of the same P-VOL. Operate on the pairs. (group = {group})',
    '2E34', '0006', 'I', 'TIA ref 2.2 last row (doc text in tf; ansible maps KART30000-E to it); fidelity.tiaGroupSharedPvolOps; SSB I'),
  retentionNotTia: storage('A snapshot data retention period can be set only for Thin Image Advanced pairs. ({target})', '2E35', '0001', 'I',
    'TIA ref 3.1, 3.3 (tf: "can only be performed on TIA pair", client rule); SSB I'),
  retentionStatus: storage('The snapshot data retention period can be set only when the pair status is PSUS. (pair = {pair}, status = {status})', '2E35', '0002', 'I',
    'TIA ref 3.3 (tf/ansible docs: PSUS only, client rules); SSB I'),
  retentionDecrease: storage('You cannot specify a value smaller than the current value. (pair = {pair}, requested = {requested}, current = {current})', '2E35', '0003', 'I',
    'TIA ref 3.3 ("Hitachi Doc" text quoted by tf); SSB I'),
  retentionLocked: storage('The pair cannot be resynchronized or deleted until its snapshot data retention period ends. (pair = {pair}, retentionPeriod = {hours})',
    '2E35', '0004', 'I', 'TIA ref 3.3 (tf checkTIARetention, client rule; the array\'s answer unknown, ref 8.1); SSB I'),
  groupRetentionLocked: storage('Pairs cannot be resynchronized or deleted in units of the snapshot group while a pair of it has a snapshot data retention period. (group = {group}, pair = {pair})',
    '2E35', '0005', 'I', 'TIA ref 3.3 group-level doc text (tf); SSB I'),
  splitNotAllowed: {
    status: 412, messageId: 'KART30094-E', message: 'The actions specified when pairs are split cannot run. ({detail})',
    solution: 'Check the status of the pair, and then try again.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I',
    source: 'ref 4.2 [doc] split: "412 ... actions specified when pairs are split cannot run"; messageId I',
  },
  pairPrecondition: {
    status: 412, messageId: 'KART30096-E', message: 'The conditions for running the API request on the pair are not met. ({detail})',
    solution: 'Check the status of the pair, and then try again.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I',
    source: 'ref 4.2 [doc] 412 "conditions for running the API request are not met"; used when fidelity.pairRefusalForm makes another operation sync'
  },
  cloneNotAllowed: {
    status: 412, messageId: 'KART30095-E', message: 'The specified pair cannot be cloned. ({detail})',
    solution: 'Check the status and the clone attribute of the pair, and then try again.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I',
    source: 'ref 4.2 [doc] clone: "412 ... the specified pair cannot be cloned"; messageId I',
  },
} satisfies Record<string, CatalogEntry>;

export type ErrorKey = keyof typeof defaultCatalog | (string & {});
export type Catalog = Record<string, CatalogEntry>;

/** An error raised by domain or engine code; the wire layer renders it, the job layer stores it. */
export class VspError extends Error {
  constructor(readonly key: ErrorKey, readonly vars: Record<string, string | number> = {}, readonly statusOverride?: number) {
    super(`${key}`);
  }
}

export function vspError(key: ErrorKey, vars: Record<string, string | number> = {}): VspError {
  return new VspError(key, vars);
}

export interface ErrorBody {
  errorSource?: string;
  messageId: string;
  message: string;
  cause?: string;
  solution: string;
  solutionType: string;
  errorCode?: { SSB1?: string; SSB2?: string; errorCode?: string };
  detailCode: string;
}

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** `KART40038-E` → `40038E-0`, the array's detailCode shape. */
export function detailCodeOf(messageId: string): string {
  const m = /^KART(\d+)-([A-Z])$/.exec(messageId);
  return m ? `${m[1]}${m[2]}-0` : '00000E-0';
}

/** Renders a catalog row into the VSP error object a client reads. */
export function renderError(catalog: Catalog, err: VspError, errorSource?: string): { status: number; body: ErrorBody } {
  const entry = catalog[err.key] ?? catalog.internal!;
  const body: ErrorBody = {
    ...(errorSource ? { errorSource } : {}),
    messageId: entry.messageId,
    message: fill(entry.message, err.vars),
    ...(entry.cause ? { cause: fill(entry.cause, err.vars) } : {}),
    solution: fill(entry.solution, err.vars),
    solutionType: entry.solutionType,
    detailCode: detailCodeOf(entry.messageId),
  };
  if (entry.ssb1 || entry.returnCode) {
    body.errorCode = {
      ...(entry.ssb1 ? { SSB1: entry.ssb1, SSB2: entry.ssb2 ?? '0000' } : {}),
      ...(entry.returnCode ? { errorCode: entry.returnCode } : {}),
    };
  }
  return { status: err.statusOverride ?? entry.status, body };
}

/** Merges fixture overrides (partial rows) over the default catalog. */
export function buildCatalog(overrides: Record<string, Partial<CatalogEntry>> = {}): Catalog {
  const out: Catalog = { ...defaultCatalog };
  for (const [k, v] of Object.entries(overrides)) {
    const base = out[k];
    out[k] = { ...(base ?? defaultCatalog.internal), ...v } as CatalogEntry;
  }
  return out;
}
