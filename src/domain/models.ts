/**
 * Facts per storage model: id prefix, job retention, LDEV id range, the default microcode string.
 * Rows marked [I] are inferred; a fixture may override any field in its array's `modelFacts`.
 */
export interface ModelFacts {
  family: 'VSP 5000' | 'VSP E' | 'VSP G/F';
  /** 6-digit storageDeviceId prefix (ref 1.2). */
  prefix: string;
  /** Job records kept, oldest createdTime dropped first (ref 3.3): E 3,000, 5000 100,000; G/F [I]. */
  jobRetention: number;
  maxLdevId: number;
  dkcMicroVersion: string;
  /** Whether GET snapshot-replications exists (VSP 5000 only, ref 5.5). */
  snapshotReplications: boolean;
  maxSessions: number;
}

const base = { maxLdevId: 65279, maxSessions: 64 };

export const MODEL_FACTS: Record<string, ModelFacts> = {
  'VSP E990': { ...base, family: 'VSP E', prefix: '936000', jobRetention: 3000, dkcMicroVersion: '93-07-23-80/00', snapshotReplications: false },
  'VSP E590': { ...base, family: 'VSP E', prefix: '934000', jobRetention: 3000, dkcMicroVersion: '93-07-23-40/00', snapshotReplications: false },
  'VSP E790': { ...base, family: 'VSP E', prefix: '934000', jobRetention: 3000, dkcMicroVersion: '93-07-23-40/00', snapshotReplications: false },
  'VSP E1090': { ...base, family: 'VSP E', prefix: '938000', jobRetention: 3000, dkcMicroVersion: '93-07-23-60/00', snapshotReplications: false },
  'VSP 5500': { ...base, family: 'VSP 5000', prefix: '900000', jobRetention: 100000, dkcMicroVersion: '90-08-81-00/00', snapshotReplications: true },
  'VSP 5100': { ...base, family: 'VSP 5000', prefix: '900000', jobRetention: 100000, dkcMicroVersion: '90-08-81-00/00', snapshotReplications: true },
  // G/F retention is not in the public material; E-series value assumed [I].
  'VSP G900': { ...base, family: 'VSP G/F', prefix: '886000', jobRetention: 3000, dkcMicroVersion: '88-08-10-60/00', snapshotReplications: false },
  'VSP F900': { ...base, family: 'VSP G/F', prefix: '886000', jobRetention: 3000, dkcMicroVersion: '88-08-10-60/00', snapshotReplications: false },
  'VSP G370': { ...base, family: 'VSP G/F', prefix: '886000', jobRetention: 3000, dkcMicroVersion: '88-08-10-60/00', snapshotReplications: false },
};

export function modelFacts(model: string, overrides: Partial<ModelFacts> = {}): ModelFacts {
  const known = MODEL_FACTS[model];
  if (!known) throw new Error(`unknown storage model "${model}"; known: ${Object.keys(MODEL_FACTS).join(', ')}`);
  return { ...known, ...overrides };
}
