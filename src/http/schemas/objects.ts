import Type, { type TSchema } from 'typebox';
import { listOf, strEnum } from './common.js';
import { EXAMPLES } from './examples.js';
import { VCLONE_COMPONENTS } from './vclone.js';

/**
 * The objects the API answers with, as the emulator renders them (src/domain/*, src/engine/jobs.ts). A field the
 * array omits in some states is optional, never `null`. Objects are closed in the contract test (a field rendered
 * but not declared fails it); the document leaves them open (JSON Schema's default) unless a client must not
 * expect more. Each is a component (`$id`), referenced by the routes.
 */

const I = (description?: string, extra: Record<string, unknown> = {}) => Type.Integer({ ...(description ? { description } : {}), ...extra });
const S = (description?: string, extra: Record<string, unknown> = {}) => Type.String({ ...(description ? { description } : {}), ...extra });
const B = (description?: string) => Type.Boolean(description ? { description } : {});
const O = Type.Optional;

export const VspError = Type.Object({
  errorSource: O(S('The URL that failed (absent inside some job errors).')),
  messageId: S('KARTnnnnn-E (VSPEMUnnnnn-E for refusals of the emulator\'s own browser guard).', { pattern: '^(KART|VSPEMU)[0-9]{5}-[EWI]$' }),
  message: S(),
  cause: O(S()),
  solution: S(),
  solutionType: strEnum(['SEE_ERROR_DETAIL', 'RETRY'] as const),
  detailCode: S('`<nnnnn><E>-0`, e.g. 40038E-0.'),
  errorCode: O(Type.Object({
    SSB1: O(S('Storage sense byte 1 (hex).')),
    SSB2: O(S('Storage sense byte 2 (hex).')),
    errorCode: O(S('RAID Manager return code, e.g. EX_ENOOBJ.')),
  }, { description: 'Present when the storage system produced a code.' })),
}, { $id: 'VspError', description: 'The error object (HCSR0079): the body of every 4xx/5xx and the `error` of a Failed job.' });

export const Job = Type.Object({
  jobId: I(),
  self: S('`/ConfigurationManager/v1/objects/jobs/{jobId}` (storage-scoped when the request was).'),
  userId: S(),
  status: strEnum(['Initializing', 'Running', 'Completed'] as const),
  state: strEnum(['Queued', 'Started', 'Succeeded', 'Failed'] as const),
  createdTime: S('RFC 3339, UTC.', { format: 'date-time' }),
  updatedTime: S('RFC 3339, UTC.', { format: 'date-time' }),
  request: Type.Object({
    requestUrl: S(),
    requestMethod: S(),
    requestBody: S('The request body as a JSON string (empty when there was none).'),
  }),
  affectedResources: Type.Array(S(), { description: 'URLs of the created or changed objects, e.g. `.../snapshots/100,3`.' }),
  completedTime: O(S('Present once Completed.', { format: 'date-time' })),
  error: O(Type.Ref('VspError')),
}, { $id: 'Job', description: 'The job object (HCSR0078) of every mutation.' });

export const SessionToken = Type.Object({
  token: S('Send as `Authorization: Session <token>`.'),
  sessionId: I(),
}, { $id: 'SessionToken' });

export const Session = Type.Object({
  sessionId: I(), userId: S(), ipAddress: S(),
  createdTime: S(undefined, { format: 'date-time' }), lastAccessTime: S(undefined, { format: 'date-time' }),
}, { $id: 'Session' });

export const Version = Type.Object({ productName: S(), apiVersion: S() }, { $id: 'ApiVersion' });

const storageSummary = {
  storageDeviceId: S('12 digits: model prefix and the 6-digit serial.'), model: S(), serialNumber: I(),
  svpIp: S(), ctl1Ip: S(), ctl2Ip: S(),
};
export const StorageSummary = Type.Object(storageSummary, { $id: 'StorageSummary' });
export const Storage = Type.Object({
  ...storageSummary,
  mappWebServerHttpsPort: I(), rmiPort: I(), dkcMicroVersion: S(), detailDkcMicroVersion: S(),
  communicationModes: Type.Array(Type.Object({ communicationMode: S() })),
  isSecure: B(), lanConnectionProtocol: S(), targetCtl: S(), usesSvp: B(), isCompressionAccelerationAvailable: B(),
}, { $id: 'Storage' });

export const Pool = Type.Object({
  poolId: I(), poolStatus: strEnum(['POLN', 'POLF', 'POLS', 'POLE'] as const), usedCapacityRate: I(), usedPhysicalCapacityRate: I(),
  poolName: S(), availableVolumeCapacity: I('MiB'), availablePhysicalVolumeCapacity: I('MiB'), totalPoolCapacity: I('MiB'),
  totalPhysicalCapacity: I('MiB'), numOfLdevs: I(), firstLdevId: I(), warningThreshold: I(), depletionThreshold: I(),
  virtualVolumeCapacityRate: I('-1: unlimited'), isMainframe: B(), isShrinking: B(), locatedVolumeCount: I(),
  totalLocatedCapacity: I('MiB'), blockingMode: S(), totalReservedCapacity: I(), reservedVolumeCount: I(),
  poolType: strEnum(['HDP', 'HDT', 'HTI', 'RT', 'DM'] as const), duplicationNumber: I(), dataReductionAccelerateCompCapacity: I(),
  dataReductionCapacity: I(), dataReductionBeforeCapacity: I(), dataReductionAccelerateCompRate: I(), duplicationRate: I(),
  compressionRate: I(), dataReductionRate: I(), snapshotCount: I(), snapshotUsedCapacity: I('MiB'), suspendSnapshot: B(),
}, { $id: 'Pool' });

export const Ldev = Type.Object({
  ldevId: I(),
  clprId: O(I()),
  emulationType: S('`OPEN-V-CVS`, or `NOT DEFINED` for a free slot (which then shows only ldevId, emulationType, ssid, resourceGroupId).'),
  byteFormatCapacity: O(S('Two decimals and a unit, e.g. `10.00 G`.')),
  blockCapacity: O(I('512-byte blocks.')),
  numOfPorts: O(I()),
  ports: O(Type.Array(Type.Object({ portId: S(), hostGroupNumber: I(), hostGroupName: S(), lun: I() }), { description: 'Only when the LDEV has LU paths.' })),
  attributes: O(Type.Array(S(), { description: 'CVS, HDP/HDT or VVOL, DRS, VC on a vClone, VCP on a vClone parent, HTI while in a Thin Image pair.' })),
  label: O(S()),
  status: O(S('NML, BLK, BSY.')),
  mpBladeId: O(I()),
  ssid: S(),
  poolId: O(I('DP volumes only.')),
  numOfUsedBlock: O(I()),
  isFullAllocationEnabled: O(B()),
  isRelocationEnabled: O(B()),
  resourceGroupId: I(),
  dataReductionStatus: O(S()),
  dataReductionMode: O(S()),
  isAluaEnabled: O(B()),
  naaId: O(S()),
  snapshotPoolId: O(I('While the LDEV is a Thin Image S-VOL.')),
  parentLdevId: O(I('On a virtual clone (attribute VC, VSP One B): its parent LDEV (TIA ref 4.1).')),
  snapshotGarbageDataDeletionStatus: O(S('VSP 5000, a snapshot-tree root once garbage-data deletion was started: running, stopped or completed (TIA ref 5; field name [I]).',
    { enum: ['running', 'stopped', 'completed'] })),
  snapshotGarbageDataCapacity: O(I('VSP 5000, a snapshot-tree root with garbage data: the garbage left, MiB (TIA ref 5; field name [I]).')),
}, { $id: 'Ldev', description: 'An LDEV slot: a defined LDEV, or a free one (`emulationType: NOT DEFINED`, 200 rather than 404).' });

export const Port = Type.Object({
  portId: S(), portType: S('FIBRE, ISCSI, FCoE…'), portAttributes: Type.Array(S()),
  portSpeed: O(S()), loopId: O(S()), fabricMode: O(B()), portConnection: O(S('FC ports.')), lunSecuritySetting: B(),
  wwn: O(S('FC ports.')), ipv4Address: O(S()), ipv4Subnetmask: O(S()), tcpPort: O(S('iSCSI ports; a string.')),
  portMode: O(S('With detailInfoType=portMode.')),
  logins: O(Type.Array(Type.Object({
    loginWwn: O(S()), wwnNickName: O(S()), loginIscsiName: O(S()), iscsiNickName: O(S()), hostGroupId: S(), isLoggedIn: B(),
  }), { description: 'With detailInfoType=logins.' })),
}, { $id: 'Port', additionalProperties: true, description: 'A port; a fixture may add further attributes, shown as given.' });

export const HostGroup = Type.Object({
  hostGroupId: S('`{portId},{hostGroupNumber}`.'), portId: S(), hostGroupNumber: I(),
  hostGroupName: O(S()), hostMode: O(S()), hostModeOptions: O(Type.Array(I())),
  iscsiName: O(S('iSCSI targets.')), authenticationMode: O(S('iSCSI targets.')),
  isDefined: O(Type.Boolean({ description: 'false on a free number listed by isUndefined=true (which shows no name or mode).' })),
  resourceGroupId: O(I('With detailInfoType=resourceGroup.')),
}, { $id: 'HostGroup' });

export const HostWwn = Type.Object({
  hostWwnId: S('`{portId},{hostGroupNumber},{hostWwn}`.'), portId: S(), hostGroupNumber: I(), hostGroupName: S(), hostWwn: S(), wwnNickname: S(),
}, { $id: 'HostWwn' });

export const HostIscsi = Type.Object({
  hostIscsiId: S('`{portId},{hostGroupNumber},{iscsiName}`.'), portId: S(), hostGroupNumber: I(), hostGroupName: S(), iscsiName: S(), iscsiNickname: S(),
}, { $id: 'HostIscsi' });

export const Lun = Type.Object({
  lunId: S('`{portId},{hostGroupNumber},{lun}`.'), portId: S(), hostGroupNumber: I(), hostMode: S(), lun: I(), ldevId: I(), isCommandDevice: B(),
  luHostReserve: O(Type.Object({ openSystem: B(), persistent: B(), pgrKey: B(), mainframe: B(), acaReserve: B() }, { description: 'Unless isBasicLunInformation=true.' })),
  hostModeOptions: O(Type.Array(I())),
  isAluaEnabled: O(B('With lunOption=ALUA.')), asymmetricAccessState: O(S('With lunOption=ALUA.')),
}, { $id: 'Lun' });

const PAIR_STATUS = ['SMPL', 'SMPP', 'COPY', 'PAIR', 'PFUL', 'PSUS', 'PFUS', 'PSUE', 'RCPY', 'PSUP', 'CPYP', 'OTHER'] as const;

export const Pair = Type.Object({
  snapshotGroupName: S(),
  primaryOrSecondary: strEnum(['P-VOL', 'S-VOL'] as const, { description: 'The role of the LDEV the query named (S-VOL for svolLdevId).' }),
  status: strEnum(PAIR_STATUS),
  pvolLdevId: I(),
  muNumber: I(undefined, { minimum: 0, maximum: 1023 }),
  svolLdevId: O(I('Omitted while the pair has no S-VOL.')),
  snapshotPoolId: I(),
  concordanceRate: O(I('Omitted for Thin Image Advanced pairs (isRedirectOnWrite true).')),
  progressRate: O(I('Only while data moves: COPY, RCPY, and the copy of a clone (PSUP).')),
  isConsistencyGroup: B(), isWrittenInSvol: B(), isClone: B(), canCascade: B(), isRedirectOnWrite: B(),
  splitTime: O(S('`YYYY-MM-DDThh:mm:ss` (no zone), once split.')),
  snapshotId: S('`{pvolLdevId},{muNumber}`.'),
  pvolProcessingStatus: O(S('When primaryOrSecondary is P-VOL.')),
  svolProcessingStatus: O(S('When primaryOrSecondary is S-VOL.')),
  snapshotDataReadOnly: B(),
  retentionPeriod: O(I('Thin Image Advanced pairs on models with data retention: remaining hours of the retention period, 0 when none or expired (TIA ref 3.2).')),
  isVirtualCloneVolume: O(B('Models with vClones (VSP One B): true on a pair whose S-VOL is a vClone of its P-VOL (TIA ref 4.1, 4.4).')),
  isVirtualCloneParentVolume: O(B('Models with vClones (VSP One B): as isVirtualCloneVolume (TIA ref 4.1, 4.4).')),
}, { $id: 'Snapshot', description: 'A Thin Image pair (ref 5.2); field order as the doc example (HCSR0283).' });

export const Replication = Type.Object({
  snapshotReplicationId: S(), snapshotGroupName: S(), pvolLdevId: I(), muNumber: I(), snapshotPoolId: I(),
  svolLdevId: O(I()), consistencyGroupId: O(I()), status: strEnum(PAIR_STATUS), concordanceRate: O(I('Omitted for Thin Image Advanced pairs.')),
  isRedirectOnWrite: B(), isClone: B(), canCascade: B(), splitTime: O(S()),
}, { $id: 'SnapshotReplication', description: 'An item of GET snapshot-replications (VSP 5000 series).' });

export const SnapshotGroup = Type.Object({
  snapshotGroupName: S(), snapshotGroupId: S('Equals the name.'),
  snapshots: O(Type.Array(Type.Ref('Snapshot'), { description: 'GET snapshot-groups/{id}, and the list with detailInfoType=pair.' })),
}, { $id: 'SnapshotGroup' });

const list = (id: string, item: string, description: string) => ({ ...listOf(item, description), $id: id });

/** A component with its examples (examples.ts). */
const withExamples = (s: TSchema): TSchema => {
  const id = (s as { $id?: string }).$id!;
  return EXAMPLES[id] ? { ...s, examples: EXAMPLES[id] } as TSchema : s;
};

/** Every component, in the order of the document. */
export const COMPONENTS: TSchema[] = ([
  VspError, Job, Version, SessionToken, Session, list('SessionList', 'Session', 'Sessions of the array.'),
  StorageSummary, list('StorageList', 'StorageSummary', 'The storage systems.'), Storage,
  Pool, list('PoolList', 'Pool', 'Pools.'), Ldev, list('LdevList', 'Ldev', 'LDEV slots.'),
  Port, list('PortList', 'Port', 'Ports.'), HostGroup, list('HostGroupList', 'HostGroup', 'Host groups / iSCSI targets.'),
  HostWwn, list('HostWwnList', 'HostWwn', 'Host WWNs.'), HostIscsi, list('HostIscsiList', 'HostIscsi', 'Host iSCSI names.'),
  Lun, list('LunList', 'Lun', 'LU paths.'), Pair, list('SnapshotList', 'Snapshot', 'Thin Image pairs, by MU.'),
  Replication, list('SnapshotReplicationList', 'SnapshotReplication', 'Thin Image pairs by P-VOL range.'),
  SnapshotGroup, list('SnapshotGroupList', 'SnapshotGroup', 'Snapshot groups.'),
  ...VCLONE_COMPONENTS,
] as TSchema[]).map(withExamples);

/**
 * Responses serialised by fast-json-stringify rather than JSON.stringify: fixed shapes whose every field is
 * declared (the contract test compares each answer with the object the handler sent, so a dropped or
 * converted field fails it). Ports stay on JSON.stringify: fixtures may add attributes of any type.
 */
export const FAST_SERIALIZED = new Set(['Job', 'ApiVersion', 'SessionToken', 'Session', 'SessionList', 'StorageSummary', 'StorageList',
  'Storage', 'Pool', 'PoolList', 'LdevList', 'HostGroup', 'HostGroupList', 'HostWwn', 'HostWwnList', 'HostIscsi', 'HostIscsiList',
  'Lun', 'LunList', 'Snapshot', 'SnapshotList', 'SnapshotReplicationList', 'SnapshotGroup', 'SnapshotGroupList']);
