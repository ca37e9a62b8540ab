/**
 * Facts per storage model: id prefix, job retention, LDEV id range, the default microcode string, and which
 * program products and APIs the model has. Rows marked [I] are inferred; a fixture may override any field in its
 * array's `modelFacts`.
 */
export interface ModelFacts {
  family: 'VSP 5000' | 'VSP E' | 'VSP G/F' | 'VSP One B';
  /** 6-digit storageDeviceId prefix (ref 1.2). */
  prefix: string;
  /** Job records kept, oldest createdTime dropped first (ref 3.3): E 3,000, 5000 100,000; G/F [I]. */
  jobRetention: number;
  maxLdevId: number;
  dkcMicroVersion: string;
  /** Whether GET snapshot-replications exists (VSP 5000 only, ref 5.5). */
  snapshotReplications: boolean;
  maxSessions: number;
  /**
   * Thin Image standard (copy-on-write/copy-after-write) pairs. VSP One B refuses their create with SSB 2E21/9010
   * "Program product is not installed" (TIA ref 1, Terraform's comment) [C].
   */
  thinImageStandard: boolean;
  /** Thin Image Advanced (redirect-on-write) pairs between DRS volumes in one HDP pool (TIA ref 2) [C doc: VSP One B]. */
  thinImageAdvanced: boolean;
  /** Snapshot data retention (`retentionPeriod`, `set-retention`); elsewhere set-retention answers 404 KART20009-E (TIA ref 3) [C]. */
  retention: boolean;
  /** Virtual clones (`virtual-clone`, `snapshot-family`, `virtual-clone-parent-volumes`): VSP One B only (TIA ref 4) [C]. */
  virtualClone: boolean;
  /** The simple API `/ConfigurationManager/simple/v1`: documented for VSP E, G/F 130-900 and VSP One; VSP 5000 unknown [I: no] (TIA ref 6.1). */
  simpleApi: boolean;
  /** `services/snapshot-tree/actions/delete-garbage-data`: "for VSP 5000 series storage systems" (TIA ref 5) [C doc]. */
  garbageDataDelete: boolean;
}

const base = { maxLdevId: 65279, maxSessions: 64, thinImageStandard: true, thinImageAdvanced: false, retention: false, virtualClone: false };
const eSeries = { ...base, family: 'VSP E' as const, jobRetention: 3000, snapshotReplications: false, simpleApi: true, garbageDataDelete: false };
const vsp5000 = { ...base, family: 'VSP 5000' as const, prefix: '900000', jobRetention: 100000, dkcMicroVersion: '90-08-81-00/00', snapshotReplications: true, simpleApi: false, garbageDataDelete: true };
// G/F retention is not in the public material; E-series value assumed [I].
const gf = { ...base, family: 'VSP G/F' as const, prefix: '886000', jobRetention: 3000, dkcMicroVersion: '88-08-10-60/00', snapshotReplications: false, simpleApi: true, garbageDataDelete: false };
/**
 * VSP One Block 20 series (B23/B24/B26/B28) and B85: TIA, retention, vClone and the simple API; no TI standard. The
 * storageDeviceId prefix is not in the public material: 940000 is our choice [I]; job retention as the E series [I].
 */
const vspOne = {
  ...base, family: 'VSP One B' as const, prefix: '940000', jobRetention: 3000, dkcMicroVersion: 'A3-04-01-40/00', snapshotReplications: false,
  thinImageStandard: false, thinImageAdvanced: true, retention: true, virtualClone: true, simpleApi: true, garbageDataDelete: false,
};

export const MODEL_FACTS: Record<string, ModelFacts> = {
  'VSP E990': { ...eSeries, prefix: '936000', dkcMicroVersion: '93-07-23-80/00' },
  'VSP E590': { ...eSeries, prefix: '934000', dkcMicroVersion: '93-07-23-40/00' },
  'VSP E790': { ...eSeries, prefix: '934000', dkcMicroVersion: '93-07-23-40/00' },
  'VSP E1090': { ...eSeries, prefix: '938000', dkcMicroVersion: '93-07-23-60/00' },
  'VSP 5500': { ...vsp5000 },
  'VSP 5100': { ...vsp5000 },
  'VSP G900': { ...gf },
  'VSP F900': { ...gf },
  'VSP G370': { ...gf },
  'VSP One B23': { ...vspOne },
  'VSP One B24': { ...vspOne },
  'VSP One B26': { ...vspOne },
  'VSP One B28': { ...vspOne },
  'VSP One B85': { ...vspOne },
};

export function modelFacts(model: string, overrides: Partial<ModelFacts> = {}): ModelFacts {
  const known = MODEL_FACTS[model];
  if (!known) throw new Error(`unknown storage model "${model}"; known: ${Object.keys(MODEL_FACTS).join(', ')}`);
  return { ...known, ...overrides };
}
