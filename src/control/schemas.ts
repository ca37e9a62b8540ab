import { isNamed, named } from './openapi.js';

/**
 * The bodies the control plane answers with, as JSON Schemas (2020-12, the dialect of OpenAPI 3.1). They are the
 * document's `components.schemas` and what test/control/contract.test.ts holds every answer to: objects are closed
 * (`additionalProperties: false`) so a field rendered but not declared fails, and every field always sent is
 * `required`. Open only where the body is open by nature (state export rows, journal bodies, catalog overrides).
 * Examples are real answers (test/control/contract.test.ts's run: the default fixture with DP volumes 10-12 and a
 * 100 MiB Thin Image pool, manual clock from 2026-01-05T10:00:00Z, seed 1); the test checks each against its schema.
 */

type Schema = Record<string, unknown>;

/** A closed object: every property required except those listed as optional. */
const rec = (properties: Record<string, unknown>, optional: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object', additionalProperties: false, required: Object.keys(properties).filter((k) => !optional.includes(k)), properties, ...extra,
});
const string = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
/** The schema or null (a named schema stays a reference). */
export const orNull = (s: Schema): Schema => (typeof s.type === 'string' && !isNamed(s)
  ? { ...s, type: [s.type, 'null'] }
  : { anyOf: [s, { type: 'null' }] });
const name = <T extends Schema>(n: string, s: T, example?: unknown): T => named(n, s, example);
const list = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
const dataOf = (items: Schema, description: string) => rec({ data: list(items, description) });

// ---- health and clock ----

export const ClockSchema = name('Clock', rec({
  mode: { type: 'string', enum: ['manual', 'real'], description: 'manual: time moves only when told; real: wall time × speed' },
  speed: num('speed factor of real mode'),
  time: time('virtual time, RFC 3339 UTC with milliseconds'),
  epochMs: int('the same instant in milliseconds since 1970'),
}), { mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: 1767607200000 });

const StateCounts = rec({ arrays: int('arrays'), ldevs: int('defined LDEVs'), pairs: int('Thin Image pairs') });
const startExample = { state: 'loaded', fixture: 'default', db: ':memory:', fresh: false, counts: { arrays: 1, ldevs: 4, pairs: 0 } };

export const HealthSchema = name('Health', rec({
  status: { type: 'string', enum: ['ready', 'starting'], description: 'ready (200) once the fixture is loaded and the server listens; starting (503) before' },
  version: string('the emulator\'s version'),
  fixture: orNull(string('the fixture loaded')),
  arrays: list(string(), 'storage ids of the emulated arrays'),
  clock: ClockSchema,
  timing: string('name of the timing profile in force'),
  faults: int('fault rules still active'),
  checkpoints: int('checkpoints kept'),
  held: int('requests held by latency faults'),
  seed: orNull(int('the seed of tokens and generated names (null: random)')),
  start: rec({
    state: { type: 'string', enum: ['loaded', 'resumed'], description: 'loaded from a fixture, or resumed from the database' },
    fixture: orNull(string('the fixture the state came from')), db: string('--db'), fresh: bool('the database was discarded first (--fresh)'),
    counts: StateCounts, note: string('why the origin is unknown, or what --fresh did'),
  }, ['note'], { description: 'how this process started' }),
  counts: StateCounts,
}), {
  status: 'ready', version: '0.1.0', fixture: 'default', arrays: ['936000123456'],
  clock: { mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: 1767607200000 },
  timing: 'realistic', faults: 0, checkpoints: 0, held: 0, seed: 1, start: startExample, counts: { arrays: 1, ldevs: 4, pairs: 0 },
});

export const OpenApiDocumentSchema = name('OpenApiDocument', {
  type: 'object', required: ['openapi', 'info', 'paths'], additionalProperties: true,
  description: 'An OpenAPI 3.1 document (this one).',
  properties: { openapi: { type: 'string', const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
});

// ---- timing ----

const msMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'number', minimum: 0 }, description });
export const TimingProfileSchema = name('TimingProfile', rec({
  name: string('realistic, instant, or the name a profile was given'),
  jobQueuedMs: num('time a job spends Initializing before it is Running (virtual ms)'),
  jobMs: msMap('job duration per operation (`default` for the rest), virtual ms'),
  transitionMs: msMap('pair transition durations (`default` for the rest; `<name>.perGiB` adds ms per GiB of P-VOL), virtual ms'),
  cloneSecondsPerGiB: rec({ slower: num(), medium: num(), faster: num() }, [], { description: 'clone copy seconds per GiB per copy speed' }),
}), {
  name: 'instant', jobQueuedMs: 0, jobMs: { default: 0 }, transitionMs: { default: 0 }, cloneSecondsPerGiB: { slower: 0, medium: 0, faster: 0 },
});

// ---- reset and state ----

export const ResetResultSchema = name('ResetResult', rec({
  storageDeviceIds: list(string(), 'the arrays reset'),
  fixture: orNull(string('the fixture they were reset to')),
  durationMs: num('wall-clock milliseconds the reset took'),
}), { storageDeviceIds: ['936000123456'], fixture: 'default', durationMs: 8.64 });

export const StateExportSchema = name('StateExport', rec({
  format: { type: 'string', const: 'vsp-emulator-state' },
  formatVersion: { type: 'integer', const: 1 },
  name: string(), description: string(),
  emulatorVersion: string(),
  schemaVersion: int('the database schema version the rows follow'),
  exportedTime: time('virtual time of the export'),
  errors: { type: 'object', additionalProperties: { type: 'object' }, description: 'the fixture\'s error catalog overrides (when it has some)' },
  fidelity: { type: 'object', description: 'the fixture\'s fidelity settings (when it has some)' },
  timing: TimingProfileSchema,
  arrays: list(rec({ storageDeviceId: string(), model: string(), serialNumber: int() })),
  tables: {
    type: 'object', description: 'every table (or those asked for) as rows of column → value; passwords and tokens show as `<redacted>`',
    additionalProperties: list({ type: 'object', additionalProperties: true }),
  },
}, ['errors', 'fidelity'], {
  description: 'The model as JSON. The document is a fixture: `--fixture <file>` or POST reset {"fixture": <document>} loads it back.',
}), {
  format: 'vsp-emulator-state', formatVersion: 1, name: 'default-export',
  description: 'State of vsp-emulator 0.1.0 at virtual time 2026-01-05T10:00:00.000Z', emulatorVersion: '0.1.0', schemaVersion: 1,
  exportedTime: '2026-01-05T10:00:00.000Z',
  timing: { name: 'instant', jobQueuedMs: 0, jobMs: { default: 0 }, transitionMs: { default: 0 }, cloneSecondsPerGiB: { slower: 0, medium: 0, faster: 0 } },
  arrays: [{ storageDeviceId: '936000123456', model: 'VSP E990', serialNumber: 123456 }],
  tables: { meta: [], users: [{ sid: '936000123456', user_id: 'maintenance', password: '<redacted>' }] },
});

// ---- checkpoints ----

const checkpointProps = {
  name: string(),
  storageDeviceId: orNull(string('the array saved, or null for the whole model')),
  description: orNull(string()),
  createdTime: time('virtual time it was taken at'),
  fixture: orNull(string('the fixture in force when it was taken')),
  rows: { type: 'object', additionalProperties: { type: 'integer' }, description: 'rows saved per table' },
};
const checkpointExample = {
  name: 'before', storageDeviceId: null, description: 'clean', createdTime: '2026-01-05T10:00:00.000Z', fixture: 'default',
  rows: {
    meta: 1, arrays: 1, users: 1, sessions: 1, pools: 2, ldevs: 7, ports: 4, host_groups: 5, host_wwns: 1, host_iscsis: 0, luns: 1, jobs: 0,
    snapshot_groups: 0, pairs: 0, content_chunks: 0, content_snapdata: 0, content_vols: 0, content_gens: 0, content_svols: 0, content_arrays: 0, io_workloads: 0,
  },
};
export const CheckpointSchema = name('Checkpoint', rec(checkpointProps), checkpointExample);
export const CheckpointListSchema = name('CheckpointList', dataOf(CheckpointSchema, 'checkpoints, oldest first'), { data: [checkpointExample] });
export const CheckpointRestoredSchema = name('CheckpointRestored', rec({
  ...checkpointProps,
  clock: { type: 'string', enum: ['restore', 'keep'], description: 'whether virtual time went back to the checkpoint\'s' },
  durationMs: num('wall-clock milliseconds the restore took'),
  clockNow: ClockSchema,
}), {
  ...checkpointExample, clock: 'restore', durationMs: 11.35,
  clockNow: { mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: 1767607200000 },
});

// ---- arrays ----

const arrayExample = { storageDeviceId: '936000123457', model: 'VSP E990', serialNumber: 123457, fixture: 'default', onDemand: true };
export const ArrayInfoSchema = name('ArrayInfo', rec({
  storageDeviceId: string(), model: string(), serialNumber: int(),
  fixture: orNull(string('the fixture it was loaded from (null: a state export)')),
  onDemand: bool('created by POST arrays'),
}), arrayExample);
export const ArrayListSchema = name('ArrayList', dataOf(ArrayInfoSchema, 'the emulated arrays'), {
  data: [{ storageDeviceId: '936000123456', model: 'VSP E990', serialNumber: 123456, fixture: 'default', onDemand: false }, arrayExample],
});

// ---- faults (the match and effect schemas are the request's, see routes.ts) ----

export const DomainResultSchema = name('FaultDomainResult', rec({
  storageDeviceId: string(),
  pairs: list(string(), 'pairs whose status changed ("pvolLdevId,muNumber")'),
  pool: rec({ poolId: int(), usedRate: num('% used after the fault'), poolStatus: string() }),
}, ['pool']));

/** A fault rule as answered: the rule as given and its counters. */
export function faultRuleSchemas(match: Schema, effect: Schema) {
  const props = {
    id: string('f1, f2, …'),
    description: orNull(string()),
    match: orNull(match),
    effect,
    times: orNull(int('how many times it may apply (null: until deleted)')),
    probability: num(),
    seed: int('seed of its probability draws'),
    phase: { type: 'string', enum: ['request', 'submit', 'immediate', 'scheduled'], description: 'when it is checked: on arrival, when a job is submitted, at once, at dueTime' },
    dueTime: time('when a scheduled rule fires'),
    matched: int('requests it matched'),
    applied: int('times it applied'),
    remaining: orNull(int('applications left (null: no limit)')),
    active: bool(),
    createdTime: time(),
  };
  const example = {
    id: 'f1', description: 'pools busy once', match: { method: 'GET', path: '/ConfigurationManager/v1/objects/pools' },
    effect: { type: 'http', status: 503, retryAfter: 1 }, times: 1, probability: 1, seed: 1, phase: 'request',
    matched: 0, applied: 0, remaining: 1, active: true, createdTime: '2026-01-05T10:00:01.000Z',
  };
  const scheduled = {
    id: 'f3', description: null, match: null, effect: { type: 'pair', pvolLdevId: 10 }, times: null, probability: 1, seed: 3, phase: 'scheduled',
    dueTime: '2026-01-05T10:01:01.000Z', matched: 0, applied: 0, remaining: null, active: true, createdTime: '2026-01-05T10:00:01.000Z',
  };
  const rule = name('FaultRule', rec(props, ['dueTime']), example);
  return {
    rule,
    added: name('FaultRuleAdded', rec({ ...props, result: DomainResultSchema }, ['dueTime', 'result'], {
      description: 'The rule added; `result` tells what an immediate pair or pool rule did.',
    }), {
      id: 'f2', description: null, match: null, effect: { type: 'pool', poolId: 1, usedRate: 10 }, times: null, probability: 1, seed: 2,
      phase: 'immediate', matched: 1, applied: 1, remaining: null, active: true, createdTime: '2026-01-05T10:00:01.000Z',
      result: { storageDeviceId: '936000123456', pairs: [], pool: { poolId: 1, usedRate: 10, poolStatus: 'POLN' } },
    }),
    list: name('FaultRuleList', dataOf(rule, 'rules in the order they are checked'), { data: [{ ...example, matched: 1, applied: 1, remaining: 0, active: false }, scheduled] }),
  };
}

export const FaultsDeletedSchema = name('FaultsDeleted', rec({ deleted: int('rules deleted') }), { deleted: 3 });

// ---- journal ----

const statsProps = {
  capacity: int('entries kept at most'),
  size: int('entries kept now'),
  dropped: int('entries dropped (oldest first) since the last clear'),
  lastSeq: int('sequence number of the newest entry'),
  bytes: int('bytes the stored bodies hold now'),
  byteBudget: int('bytes the stored bodies may hold together'),
};
const statsExample = { capacity: 1000, size: 3, dropped: 0, lastSeq: 5, bytes: 1855, byteBudget: 16777216 };
export const JournalStatsSchema = name('JournalStats', rec(statsProps), statsExample);
const entryExample = {
  seq: 4, kind: 'request', time: '2026-01-05T10:00:01.000Z', method: 'GET', url: '/ConfigurationManager/v1/objects/pools',
  path: '/ConfigurationManager/v1/objects/pools', storageDeviceId: '936000123456', userId: 'maintenance',
  requestHeaders: { authorization: 'Session <redacted>', host: '127.0.0.1:23450', 'accept-encoding': 'gzip, deflate', connection: 'close' },
  requestBody: null, status: 503,
  responseBody: {
    errorSource: '/ConfigurationManager/v1/objects/pools', messageId: 'KART00003-E', message: 'The REST server is busy.',
    solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', detailCode: '00003E-0',
  },
  jobId: null, operation: null, fault: { id: 'f1', type: 'http' }, pending: false, durationMs: 2,
};
const eventExample = {
  seq: 3, kind: 'event', time: '2026-01-05T10:00:01.000Z', method: null, url: null, path: null, storageDeviceId: '936000123456', userId: null,
  requestHeaders: {}, requestBody: null, status: null, responseBody: null, jobId: null, operation: null,
  fault: { id: 'f2', type: 'pool', detail: { storageDeviceId: '936000123456', pairs: [], pool: { poolId: 1, usedRate: 10, poolStatus: 'POLN' } } },
  pending: false, durationMs: null,
};
export const JournalEntrySchema = name('JournalEntry', rec({
  seq: int('monotonic sequence number, never reused (not by a clear either)'),
  kind: { type: 'string', enum: ['request', 'event'], description: 'request: an API call; event: a fault applied outside any request' },
  time: time('virtual time of arrival'),
  method: orNull(string()), url: orNull(string()), path: orNull(string('the URL without its query')),
  storageDeviceId: orNull(string()), userId: orNull(string()),
  requestHeaders: { type: 'object', additionalProperties: { type: 'string' }, description: 'credentials and cookies shown as `<redacted>`' },
  requestBody: { description: 'the body sent (JSON), null, or {"truncated": true, "bytes": n} beyond 64 KiB; secrets `<redacted>`' },
  status: orNull(int('null while pending or when the connection was broken')),
  responseBody: { description: 'the body answered, as requestBody' },
  jobId: orNull(int('the job the request created')),
  operation: orNull(string('the job operation it submitted (ldev.create, snapshot.split, …)')),
  fault: orNull(rec({
    id: string('the rule'), type: { type: 'string', enum: ['http', 'latency', 'transport', 'job', 'pair', 'pool'] },
    detail: { type: 'object', description: 'what a domain effect did, or why it failed' },
  }, ['detail'])),
  pending: bool('true until the response is sent'),
  durationMs: orNull(num('wall-clock milliseconds from arrival to response')),
}), entryExample);
export const JournalSchema = name('Journal', rec({ data: list(JournalEntrySchema, 'entries, oldest first'), ...statsProps }), { data: [eventExample, entryExample], ...statsExample });
export const JournalClearedSchema = name('JournalCleared', rec({ cleared: int('entries removed') }), { cleared: 1 });

export const SeedSchema = name('Seed', rec({ seed: orNull(int('0 to 4294967295, or null (random)')) }), { seed: 7 });

// ---- host I/O ----

const role = { type: 'string', enum: ['volume', 'P-VOL', 'S-VOL'], description: 'how the host sees the volume' };
const ioCommon = {
  storageDeviceId: string(), ldevId: int(),
  offset: int('first byte'), length: int('bytes'), chunkSize: int('bytes of a content chunk (copy-on-write unit)'),
  role, snapshotId: string('the pair ("pvolLdevId,muNumber") whose S-VOL this is'),
};
export const IoWriteResultSchema = name('IoWriteResult', rec({
  ...ioCommon,
  chunks: int('chunks written'), snapshotDataChunks: int('old chunks kept as snapshot data'), allocatedPages: int('DP pool pages allocated'),
  pairsChanged: list(string(), 'pairs ("pvolLdevId,muNumber") whose status changed with the pool usage'),
}, ['snapshotId']), {
  storageDeviceId: '936000123456', ldevId: 10, offset: 0, length: 1048576, chunkSize: 1048576, role: 'P-VOL',
  chunks: 1, snapshotDataChunks: 1, allocatedPages: 1, pairsChanged: [],
});
export const FingerprintSchema = name('Fingerprint', rec({
  ...ioCommon,
  algorithm: { type: 'string', const: 'sha256' },
  fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  nonZeroChunks: int('chunks of the range that hold data'),
}, ['snapshotId'], { description: 'offset and length are the range covered (widened to whole chunks)' }), {
  storageDeviceId: '936000123456', ldevId: 10, offset: 0, length: 1073741824, chunkSize: 1048576, role: 'P-VOL', algorithm: 'sha256',
  fingerprint: 'ed6770d90c4708aaf79db551627f6ddda4579a51eb47fe67288e56b3054d29dd', nonZeroChunks: 1,
});
const workloadExample = {
  id: 'w1', storageDeviceId: '936000123456', ldevId: 10, state: 'running', ratePerSecond: 1, MiBps: 1, ioSize: 1048576, random: false,
  seed: 1, pattern: 'w1', offset: 0, length: 1073741824, durationSeconds: 100, startTime: '2026-01-05T10:00:01.000Z', endTime: '2026-01-05T10:01:41.000Z',
  writes: 0, bytesWritten: 0, plannedWrites: 100, nextTime: '2026-01-05T10:00:02.000Z',
};
const failedExample = {
  id: 'w2', storageDeviceId: '936000123456', ldevId: 11, state: 'failed', ratePerSecond: 4, MiBps: 1, ioSize: 262144, random: true, seed: 5,
  offset: 0, length: 1073741824, durationSeconds: 10, startTime: '2026-01-05T10:00:01.000Z', endTime: '2026-01-05T10:00:11.000Z',
  writes: 8, bytesWritten: 2097152, plannedWrites: 40, stoppedTime: '2026-01-05T10:00:04.000Z',
  error: 'write 9 at 2026-01-05T10:00:04.000Z refused: LDEV 11 is the S-VOL of pair 10,0 in PAIR: hosts cannot write it (an S-VOL is accessible in PSUS and PFUS only)',
};
export const WorkloadSchema = name('Workload', rec({
  id: string('w1, w2, …'), storageDeviceId: string(), ldevId: int(),
  state: { type: 'string', enum: ['running', 'completed', 'failed', 'stopped'] },
  ratePerSecond: num(), MiBps: num(), ioSize: int('bytes per write'), random: bool(), seed: int(),
  pattern: string('the data written, when a pattern was given'),
  offset: int('first byte of the region'), length: int('bytes of the region'), durationSeconds: num(),
  startTime: time(), endTime: time(),
  writes: int('writes done'), bytesWritten: int(), plannedWrites: int(),
  nextTime: time('virtual time of the next tick (running only)'),
  stoppedTime: time('when it was stopped'),
  error: string('why the array refused a write (failed only)'),
}, ['pattern', 'nextTime', 'stoppedTime', 'error']), workloadExample);
export const WorkloadListSchema = name('WorkloadList', dataOf(WorkloadSchema, 'workloads, oldest first'), { data: [workloadExample, failedExample] });

/** GET health before the emulator is ready (503). */
export const HEALTH_STARTING = {
  status: 'starting', version: '0.1.0', fixture: 'default', arrays: ['936000123456'],
  clock: { mode: 'manual', speed: 1, time: '2026-01-05T10:00:00.000Z', epochMs: 1767607200000 },
  timing: 'realistic', faults: 0, checkpoints: 0, held: 0, seed: 1, start: startExample, counts: { arrays: 1, ldevs: 4, pairs: 0 },
};
