import Type, { type TSchema } from 'typebox';
import { SNAPSHOT_TYPES } from '../../domain/simple.js';
import { strEnum } from '../schemas/common.js';

/**
 * The objects of the simple API (`/ConfigurationManager/simple/v1`, TIA ref 6) as the emulator renders them
 * (src/domain/simple.ts). Components with a `Simple` prefix, registered by the simple routes.
 */

const I = (description?: string, extra: Record<string, unknown> = {}) => Type.Integer({ ...(description ? { description } : {}), ...extra });
const S = (description?: string, extra: Record<string, unknown> = {}) => Type.String({ ...(description ? { description } : {}), ...extra });
const B = (description?: string) => Type.Boolean(description ? { description } : {});
const O = Type.Optional;

export const SimpleSessionToken = Type.Object({
  sessionId: S('A string equal to the token (Terraform parses it into a Go string and sends it as the token) [I, TIA ref 6.1].'),
  token: S('Send as `Authorization: Session <token>`; valid on /ConfigurationManager/v1 too.'),
}, { $id: 'SimpleSessionToken', examples: [{ sessionId: 'b74777a3f9f04ea8bd8f09847fac48d3', token: 'b74777a3f9f04ea8bd8f09847fac48d3' }] });

export const SimpleStatusResource = Type.Object({
  statusResource: S('`/ConfigurationManager/simple/v1/objects/command-status/{id}`: poll it for the result.'),
}, { $id: 'SimpleStatusResource', examples: [{ statusResource: '/ConfigurationManager/simple/v1/objects/command-status/3' }] });

/** 202 of a create with several `params` entries: one status resource per entry [I]. */
export const SimpleStatusResources = Type.Array(Type.Ref('SimpleStatusResource'), { $id: 'SimpleStatusResources' });

const OperationDetail = Type.Object({
  operationType: strEnum(['CREATE', 'UPDATE', 'DELETE'] as const),
  resourceType: S('Snapshot, SnapshotGroup or Volume.'),
  resourceId: S('e.g. `100,3` for a snapshot, `12` for a volume.'),
});

export const SimpleCommandStatus = Type.Object({
  id: I(),
  progress: strEnum(['unexecuted', 'processing', 'completed'] as const),
  status: O(strEnum(['normal', 'error'] as const, { description: 'Only once completed.' })),
  affectedResources: O(Type.Array(S(), { description: 'On success: the resources touched; create and map put the snapshot first.' })),
  errorResource: O(S('On failure: the URL the command acted on.')),
  errorCode: O(Type.Object({ SSB1: S('Lower-case hex.'), SSB2: S('Lower-case hex.') }, { description: 'On failure, when the storage system gave SSB codes.' })),
  errorMessage: O(S('On failure.')),
  operationDetails: Type.Array(OperationDetail),
}, {
  $id: 'SimpleCommandStatus', description: 'The result of an asynchronous request (TIA ref 6.2).',
  examples: [{ id: 2, progress: 'completed', status: 'normal', affectedResources: ['/ConfigurationManager/simple/v1/objects/snapshots/100,0'],
    operationDetails: [{ operationType: 'CREATE', resourceType: 'Snapshot', resourceId: '100,0' }] }],
});

export const SimpleCommandStatusDeleted = Type.Object({
  affectedResources: Type.Array(S()),
  operationDetails: Type.Array(OperationDetail),
}, { $id: 'SimpleCommandStatusDeleted', description: 'What the deleted command status said.' });

export const SimpleSnapshot = Type.Object({
  id: S('`{masterVolumeId},{snapshotId}`.'),
  masterVolumeId: I('The P-VOL.'),
  snapshotId: I('The MU number of the Thin Image pair.'),
  status: S('`Completed` (PSUS/PFUS); `Processing`, `Restoring`, `Error` otherwise [I] (fidelity.simpleSnapshotStatus).'),
  snapshotDate: S('`YYYY-MM-DDThh:mm:ssZ`: the split time (the creation time during the first copy).'),
  snapshotGroupName: S(),
  mappedVolumeId: O(I('Only when a volume is mapped.')),
  rootVolumeId: I('Root volume of the snapshot tree.'),
  type: strEnum(SNAPSHOT_TYPES),
  poolId: I('Pool of the snapshot data.'),
  usedCapacityPerRootVolume: I('MiB (not modelled per tree: 0).'),
  isVolumeCapacityExpanding: B(),
  retentionPeriod: I('Remaining retention hours; 0 when none.'),
}, {
  $id: 'SimpleSnapshot', description: 'A snapshot: the Thin Image pair `{pvolLdevId},{muNumber}` (TIA ref 6.4).',
  examples: [{ id: '0,0', masterVolumeId: 0, snapshotId: 0, status: 'Completed', snapshotDate: '2026-01-05T10:00:03Z', snapshotGroupName: 'snapshotGroup',
    rootVolumeId: 0, type: 'Snapshot', poolId: 1, usedCapacityPerRootVolume: 0, isVolumeCapacityExpanding: false, retentionPeriod: 0 }],
});

export const SimpleSnapshotList = Type.Object({ data: Type.Array(Type.Ref('SimpleSnapshot')) }, { $id: 'SimpleSnapshotList' });

export const SimpleSnapshotGroupList = Type.Object({
  data: Type.Array(Type.Object({ name: S() })),
}, { $id: 'SimpleSnapshotGroupList', description: 'Snapshot group names.' });

export const SimpleSnapshotGroup = Type.Object({
  name: S(),
  snapshots: Type.Array(Type.Object({ masterVolumeId: I(), snapshotId: I() })),
  count: I('Snapshots in this answer.'),
  totalCount: I('Snapshots in the group.'),
  hasNext: B('More after this page (ask again from the next startSnapshotId).'),
}, { $id: 'SimpleSnapshotGroup' });

export const SimpleVolume = Type.Object({
  id: I(), nickname: S('The LDEV label.'), poolId: I('-1 for a volume outside pools.'), poolName: S(),
  totalCapacity: I('MiB.'), freeCapacity: I('MiB.'), usedCapacity: I('MiB.'), reservedCapacity: I('MiB.'),
  savingSetting: strEnum(['DISABLE', 'COMPRESSION', 'DEDUPLICATION_AND_COMPRESSION'] as const),
  isDataReductionShareEnabled: B(), capacitySavingStatus: S(),
  numberOfConnectingServers: I('LU paths of the volume.'), numberOfSnapshots: I('Snapshots whose master is this volume.'),
  volumeTypes: Type.Array(S(), { description: '`Snapshot` for a volume mapped to a snapshot.' }),
  parentVolumeId: O(I('The vClone parent.')),
}, { $id: 'SimpleVolume', description: 'A volume (the fields Ansible\'s simple-API volume model reads; TIA ref 6.3 S10).' });

export const SIMPLE_COMPONENTS: TSchema[] = [
  SimpleSessionToken, SimpleStatusResource, SimpleStatusResources, SimpleCommandStatus, SimpleCommandStatusDeleted,
  SimpleSnapshot, SimpleSnapshotList, SimpleSnapshotGroupList, SimpleSnapshotGroup, SimpleVolume,
];
