import Type from 'typebox';
import { listOf, strEnum } from './common.js';

/** The objects of the vClone API (TIA ref 4.5, 4.6): snapshot-family members and vClone parent volumes. */

const I = (description?: string) => Type.Integer(description ? { description } : {});
const S = (description?: string) => Type.String(description ? { description } : {});
const O = Type.Optional;

export const SnapshotFamilyMember = Type.Object({
  ldevId: I(),
  parentLdevId: I('The volume above in the family: a vClone\'s parent, an S-VOL\'s P-VOL; the root\'s own id for the root.'),
  snapshotGroupName: O(S('S-VOL entries.')),
  snapshotGroupId: O(S('S-VOL entries: equals snapshotGroupName.')),
  primaryOrSecondary: O(strEnum(['P-VOL', 'S-VOL'] as const, { description: 'P-VOL: the root with pairs; S-VOL: a pair\'s S-VOL. Absent on a vClone outside a pair.' })),
  status: O(S('The pair status (S-VOL entries).')),
  pvolLdevId: O(I()), muNumber: O(I()), svolLdevId: O(I()),
  snapshotId: O(S('`{pvolLdevId},{muNumber}` (S-VOL entries).')),
  poolId: O(I('The pair\'s snapshot pool on S-VOL entries, the LDEV\'s pool otherwise.')),
  isVirtualCloneVolume: Type.Boolean({ description: 'A vClone (or, on an S-VOL entry, a vClone of the pair\'s P-VOL).' }),
  isVirtualCloneParentVolume: Type.Boolean({ description: 'A vClone parent (VCP) (or, on an S-VOL entry, the pair is paired back from a vClone).' }),
  splitTime: O(S('`YYYY-MM-DDThh:mm:ss` once the pair is split (S-VOL entries).')),
}, { $id: 'SnapshotFamilyMember', description: 'A member of a snapshot family (TIA ref 4.5).' });

export const VirtualCloneParentVolume = Type.Object({ ldevId: I() }, { $id: 'VirtualCloneParentVolume', description: 'An LDEV with the VCP attribute.' });

/** The vClone components, for the document (objects.ts COMPONENTS). */
export const VCLONE_COMPONENTS = [
  SnapshotFamilyMember, { ...listOf('SnapshotFamilyMember', 'The members of the snapshot family (empty when the LDEV is in none).'), $id: 'SnapshotFamily' },
  VirtualCloneParentVolume, { ...listOf('VirtualCloneParentVolume', 'LDEVs with the VCP attribute (empty when none).'), $id: 'VirtualCloneParentVolumeList' },
];
