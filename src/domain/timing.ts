/**
 * Timing profiles: how long jobs and pair transitions take on the virtual clock. No public source gives array
 * timings precisely, so every number here is a chosen default [I] that a `--timing` file or the control plane
 * can change. `instant` makes every job and transition complete at the moment it is requested.
 */
export interface TimingProfile {
  name: string;
  /** Time a job spends Initializing before it is Running. */
  jobQueuedMs: number;
  /** Job duration per operation name; `default` for the rest. */
  jobMs: Record<string, number>;
  /** Pair transition durations (ms) keyed by transition name; `default` for the rest. Sizes scale some (see pair engine). */
  transitionMs: Record<string, number>;
  /** Clone copy throughput per copy speed, seconds per GiB of P-VOL capacity. */
  cloneSecondsPerGiB: { slower: number; medium: number; faster: number };
}

export const REALISTIC: TimingProfile = {
  name: 'realistic',
  jobQueuedMs: 100,
  jobMs: {
    default: 1000,
    'session.create': 0,
    'ldev.create': 2000,
    'ldev.delete': 1500,
    'ldev.expand': 1500,
    'ldev.modify': 500,
    'lun.create': 1000,
    'lun.delete': 1000,
    'hostGroup.create': 1000,
    'hostGroup.modify': 500,
    'hostGroup.delete': 1000,
    'snapshot.create': 1000,
    'snapshot.split': 500,
    'snapshot.resync': 500,
    'snapshot.restore': 500,
    'snapshot.clone': 500,
    'snapshot.assign': 500,
    'snapshot.unassign': 500,
    'snapshot.delete': 1000,
    'snapshotGroup.split': 500,
    'snapshotGroup.resync': 500,
    'snapshotGroup.restore': 500,
    'snapshotGroup.clone': 500,
    'snapshotGroup.delete': 1000,
    // Thin Image Advanced (TIA ref 3, 4) [I]: retention is a setting, a vClone promotes existing data.
    'snapshot.setRetention': 500,
    'snapshotGroup.setRetention': 500,
    'snapshot.virtualClone': 1000,
    'snapshotGroup.virtualClone': 1000,
    'snapshotTree.delete': 1000,
    'snapshotTree.deleteGarbageData': 500,
    'hostWwn.create': 500,
    'hostWwn.modify': 500,
    'hostWwn.delete': 500,
    'hostIscsi.create': 500,
    'hostIscsi.modify': 500,
    'hostIscsi.delete': 500,
  },
  transitionMs: {
    default: 1000,
    // Thin Image pair phases [I]. Short enough for Cinder (polls every 3 s) and Terraform (80 s budget);
    // `<name>.perGiB` adds that many ms per GiB of P-VOL capacity.
    'pair.create': 2000,
    'pair.resync': 2000,
    'pair.restore': 3000,
    'pair.restore.perGiB': 20,
    'pair.delete': 2000,
    'pair.cloneEnd': 1000,
    // How long an autoSplit create / resync / restore shows PAIR before the array splits it [I, ref 6.2]: the doc
    // names PAIR on the way and Terraform waits for PAIR even with autoSplit, polling every 10 s (ref 6.4), so the
    // hold outlasts one poll interval. 0 passes PAIR within the same instant (no poll can see it).
    'pair.autoSplitHold': 12000,
    // Garbage-data deletion of a snapshot tree [I, TIA ref 5]: start-up before the first step, then per GiB deleted
    // (the processing ends once less than 1 GiB is left).
    'snapshotTree.garbage': 5000,
    'snapshotTree.garbage.perGiB': 2000,
  },
  cloneSecondsPerGiB: { slower: 4, medium: 2, faster: 1 },
};

export const INSTANT: TimingProfile = {
  name: 'instant',
  jobQueuedMs: 0,
  jobMs: { default: 0 },
  transitionMs: { default: 0 },
  cloneSecondsPerGiB: { slower: 0, medium: 0, faster: 0 },
};

export const PROFILES: Record<string, TimingProfile> = { realistic: REALISTIC, instant: INSTANT };

/** Merges a partial profile (from a file or the control plane) over a base profile. */
export function mergeTiming(base: TimingProfile, patch: Partial<TimingProfile>): TimingProfile {
  return {
    name: patch.name ?? base.name,
    jobQueuedMs: patch.jobQueuedMs ?? base.jobQueuedMs,
    jobMs: { ...base.jobMs, ...(patch.jobMs ?? {}) },
    transitionMs: { ...base.transitionMs, ...(patch.transitionMs ?? {}) },
    cloneSecondsPerGiB: { ...base.cloneSecondsPerGiB, ...(patch.cloneSecondsPerGiB ?? {}) },
  };
}

export function jobDuration(p: TimingProfile, op: string): number {
  return p.jobMs[op] ?? p.jobMs.default ?? 0;
}

export function transitionDuration(p: TimingProfile, name: string): number {
  return p.transitionMs[name] ?? p.transitionMs.default ?? 0;
}

const TIMING_KEYS = ['name', 'jobQueuedMs', 'jobMs', 'transitionMs', 'cloneSecondsPerGiB'];
const COPY_SPEEDS = Object.keys(REALISTIC.cloneSecondsPerGiB);
/** Operation names a profile may time: those of the realistic profile (`default` included). */
export const JOB_NAMES = Object.keys(REALISTIC.jobMs);
/** Transition names a profile may time, and their `<name>.perGiB` size terms. */
export const TRANSITION_NAMES = Object.keys(REALISTIC.transitionMs).flatMap((k) => (k.endsWith('.perGiB') ? [k] : [k, `${k}.perGiB`]))
  .filter((k, i, all) => all.indexOf(k) === i);

/**
 * Checks a partial profile (a `--timing` file, a fixture's `timing:` section) key by key: unknown keys, operation
 * and transition names are refused with their path (`timing.jobMs.ldev.craete`), durations must be numbers ≥ 0.
 * Throws an Error whose message starts with `where`.
 */
export function checkTiming(t: unknown, where: string, path = 'timing'): void {
  const fail = (msg: string): never => { throw new Error(`${where}: ${msg}`); };
  const at = (...parts: string[]) => [path, ...parts].filter(Boolean).join('.');
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const duration = (v: unknown, at: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${at} must be a number of milliseconds ≥ 0`);
  };
  const keys = (o: Record<string, unknown>, known: string[], field?: string) => {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) fail(`unknown key "${k}" at ${field ? at(field, k) : at(k)} (known: ${known.join(', ')})`);
    }
  };
  if (!isObj(t)) return fail(`${path || 'the timing profile'} must be an object`);
  keys(t, TIMING_KEYS);
  if (t.name !== undefined && typeof t.name !== 'string') fail(`${at('name')} must be a string`);
  if (t.jobQueuedMs !== undefined) duration(t.jobQueuedMs, at('jobQueuedMs'));
  for (const [field, known] of [['jobMs', JOB_NAMES], ['transitionMs', TRANSITION_NAMES], ['cloneSecondsPerGiB', COPY_SPEEDS]] as const) {
    const v = t[field];
    if (v === undefined) continue;
    if (!isObj(v)) fail(`${at(field)} must be an object`);
    keys(v as Record<string, unknown>, [...known], field);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) duration(x, at(field, k));
  }
}
