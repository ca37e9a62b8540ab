import type { FastifyInstance } from 'fastify';
import { parseBytes, parsePattern, type DataSpec } from '../domain/content.js';
import type { Engine } from '../engine/context.js';
import { ioService, IoRefusal } from '../engine/io.js';
import { MAX_DURATION_SECONDS, MAX_PLANNED_WRITES, MAX_RATE, MAX_WORKLOADS } from '../engine/ioWorkloads.js';
import { badRequest, ControlError, notFound } from './errors.js';
import { doc, err, obj, ok, str } from './openapi.js';
import { FingerprintSchema, IoWriteResultSchema, WorkloadListSchema, WorkloadSchema } from './schemas.js';

/**
 * Host I/O routes of the control plane (/emulator/v1/io): what a host connected to the array would do, so tests
 * and trainers can put data on volumes and check what snapshots, restores and clones hold. Sizes and offsets are
 * bytes: a whole number, or a number with a binary unit ("4K", "1M", "1.5G"); writes are whole 512-byte blocks.
 */

const tags = ['host I/O'];
const noLdev = err('`notFound`: no such array or LDEV', 'notFound', 'LDEV 99 is not defined on array 936000123456');
const noWorkload = err('`notFound`: no such workload', 'notFound', 'no workload w999');
const svolInPair = (how: string) => `LDEV 12 is the S-VOL of pair 10,1 in PAIR: hosts cannot ${how} it (an S-VOL is accessible in PSUS and PFUS only)`;
const workloadId = { id: 'the workload\'s id (w1, w2, …)' };
const bytesSchema = {
  anyOf: [{ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, { type: 'string', maxLength: 32 }],
  description: 'bytes: a whole number, or a number with K, M, G or T (binary)',
};
const ldevSchema = { type: 'integer', minimum: 0, maximum: 65535 };
const patternSchema = { type: 'string', maxLength: 8194, description: 'data: its UTF-8 text repeated, or `0x` + hex byte pairs repeated ("0x00" = zeros); 1-4096 bytes' };
const seedSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'data: pseudo-random bytes from this seed' };

/** Runs a handler, turning host I/O refusals into control-plane errors. */
async function guarded<T>(fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof IoRefusal) throw new ControlError(e.status, e.code, e.message);
    throw e;
  }
}

export function ioRoutes(app: FastifyInstance, engine: Engine): void {
  const io = () => ioService(engine);
  const arrayOf = (sid: string | undefined): string => {
    const s = sid ?? engine.defaultSid();
    if (!engine.arrays.has(s)) throw notFound(`no array ${s}`);
    return s;
  };
  const bytes = (v: unknown, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = parseBytes(v);
    if (n === null) throw badRequest(`${what} must be a whole number of bytes or a size like "4K", "1M", "1.5G" (got ${JSON.stringify(v)})`);
    return n;
  };
  const dataOf = (b: { pattern?: string; seed?: number }): DataSpec | null => {
    if (b.pattern !== undefined && b.seed !== undefined) throw badRequest('give "pattern" or "seed", not both');
    if (b.seed !== undefined) return { kind: 'seed', seed: b.seed };
    if (b.pattern === undefined) return null;
    const p = parsePattern(b.pattern);
    if (!p) throw badRequest('pattern must be text or 0x followed by hex byte pairs, 1 to 4096 bytes');
    return { kind: 'pattern', bytes: p };
  };

  app.post('/io/write', {
    schema: doc('writeLdev', tags, 'Write to an LDEV', 'Writes `pattern` or `seed` data to bytes [offset, offset + length) of an LDEV as a host would: the first write to a ' +
      'chunk after a Thin Image split keeps the old chunk as snapshot data in the pair\'s pool (shared by every snapshot that still reads it), a DP ' +
      'volume allocates pool pages on first write, a write to a split S-VOL sets the pair\'s isWrittenInSvol and uses pool space. Pairs follow the ' +
      'pool usage at once (PFUL/PFUS over the warning threshold, PSUE when full). All or nothing: a write the pool cannot hold is refused.',
    {
      200: ok('written', IoWriteResultSchema),
      400: err('a range outside the volume or not whole 512-byte blocks, no data or both pattern and seed, a bad size', 'badRequest',
        'write: offset and length are whole 512-byte blocks (got 0, 1000)'),
      404: noLdev,
      409: err('`volumeNotAccessible`: the volume is an S-VOL outside PSUS/PFUS or a V-VOL outside a pair; `poolFull`: the pool cannot hold the write (nothing ' +
        'was written); `geometryChanged`, `badGeometry`: the fidelity\'s chunk or page size does not fit the content', 'volumeNotAccessible', svolInPair('write')),
    },
    {
      body: obj({ storageDeviceId: str, ldevId: ldevSchema, offset: bytesSchema, length: bytesSchema, pattern: patternSchema, seed: seedSchema },
        { required: ['ldevId', 'length'] }),
    }),
  }, async (req) => guarded(() => {
    const b = req.body as { storageDeviceId?: string; ldevId: number; offset?: unknown; length: unknown; pattern?: string; seed?: number };
    const sid = arrayOf(b.storageDeviceId);
    const data = dataOf(b);
    if (!data) throw badRequest('give the data to write: "pattern" or "seed"');
    return io().write(sid, b.ldevId, bytes(b.offset, 'offset') ?? 0, bytes(b.length, 'length')!, data);
  }));

  app.get('/io/fingerprint', {
    schema: doc('fingerprintLdev', tags, 'Fingerprint of what an LDEV reads', 'SHA-256 over the content of the whole LDEV or of a byte range (widened to whole chunks; ' +
      '`offset` and `length` in the answer are the range covered). Equal content gives equal fingerprints however it got there (host writes, a ' +
      'restore, a clone copy), so a restored P-VOL fingerprints as its snapshot did. An S-VOL reads as its pair\'s snapshot and can be read in PSUS ' +
      'and PFUS only.',
    {
      200: ok('fingerprint', FingerprintSchema),
      400: err('a query value out of range, a range outside the volume, or a bad size', 'badRequest', 'fingerprint: offset 2147483648 is beyond the end of LDEV 10 (1073741824 bytes)'),
      404: noLdev,
      409: err('`volumeNotAccessible`: an S-VOL outside PSUS/PFUS; `geometryChanged`, `badGeometry`: the fidelity does not fit the content', 'volumeNotAccessible', svolInPair('read')),
    },
    {
      querystring: {
        type: 'object', required: ['ldevId'],
        properties: { ldevId: ldevSchema, storageDeviceId: str, offset: { type: 'string', maxLength: 32, description: bytesSchema.description }, length: { type: 'string', maxLength: 32, description: bytesSchema.description } },
      },
    }),
  }, async (req) => guarded(() => {
    const q = req.query as { ldevId: number; storageDeviceId?: string; offset?: string; length?: string };
    return io().fingerprint(arrayOf(q.storageDeviceId), q.ldevId, bytes(q.offset, 'offset'), bytes(q.length, 'length'));
  }));

  app.post('/io/workloads', {
    schema: doc('startWorkload', tags, 'Start a write workload', 'Writes `ratePerSecond` writes (or `MiBps`) of `ioSize` (default: one chunk) into an LDEV (or the region offset/length), ' +
      'sequential or `random`, for `durationSeconds` of virtual time, in ticks of one virtual second. Each write carries new data derived from `seed` ' +
      '(default: the workload number) unless `pattern` is given, so a run repeats exactly. A write the array refuses ends it `failed`. ' +
      `At most ${MAX_RATE} writes a second, ${MAX_DURATION_SECONDS} seconds, ${MAX_PLANNED_WRITES} writes in all, and ${MAX_WORKLOADS} workloads kept ` +
      '(finished ones count until deleted: 409 limitReached beyond).',
    {
      201: ok('started', WorkloadSchema),
      400: err('neither or both of ratePerSecond and MiBps, a rate, size, duration or region out of range, bad data', 'badRequest', 'give "ratePerSecond" or "MiBps"'),
      404: noLdev,
      409: err('`volumeNotAccessible`: the volume cannot be written; `limitReached`: 64 workloads are kept already', 'volumeNotAccessible', svolInPair('write')),
    },
    {
      body: obj({
        storageDeviceId: str, ldevId: ldevSchema, ratePerSecond: { type: 'number', exclusiveMinimum: 0 }, MiBps: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 },
        ioSize: bytesSchema, random: { type: 'boolean' }, durationSeconds: { type: 'number', exclusiveMinimum: 0 }, seed: seedSchema, pattern: patternSchema,
        offset: bytesSchema, length: bytesSchema,
      }, { required: ['ldevId', 'durationSeconds'] }),
    }),
  }, async (req, reply) => guarded(() => {
    const b = req.body as { storageDeviceId?: string; ldevId: number; ratePerSecond?: number; MiBps?: number; ioSize?: unknown; random?: boolean;
      durationSeconds: number; seed?: number; pattern?: string; offset?: unknown; length?: unknown };
    const sid = arrayOf(b.storageDeviceId);
    if ((b.ratePerSecond === undefined) === (b.MiBps === undefined)) throw badRequest('give "ratePerSecond" or "MiBps"');
    const ioBytes = bytes(b.ioSize, 'ioSize') ?? io().ioGeometry(sid).chunkBytes;
    if (ioBytes <= 0) throw badRequest('ioSize must be > 0');
    const view = io().workloads.create({
      sid, ldevId: b.ldevId, ratePerSecond: b.ratePerSecond ?? (b.MiBps! * 2 ** 20) / ioBytes, ioBytes,
      regionOffset: bytes(b.offset, 'offset') ?? 0, regionBytes: bytes(b.length, 'length') ?? null,
      random: b.random ?? false, seed: b.seed ?? null, pattern: b.pattern ?? null, durationSeconds: b.durationSeconds,
    });
    return reply.code(201).send(view);
  }));

  app.get('/io/workloads', {
    schema: doc('listWorkloads', tags, 'List write workloads', 'Running, completed and failed workloads (until deleted), with writes done so far.',
      { 200: ok('list', WorkloadListSchema), 404: err('`notFound`: no such array', 'notFound', 'no array 999999999999') },
      { querystring: { type: 'object', properties: { storageDeviceId: { type: 'string', description: 'one array\'s workloads only' } } } }),
  }, async (req) => guarded(() => {
    const q = req.query as { storageDeviceId?: string };
    return { data: io().workloads.list(q.storageDeviceId === undefined ? undefined : arrayOf(q.storageDeviceId)) };
  }));

  app.get('/io/workloads/:id', {
    schema: doc('getWorkload', tags, 'One write workload', 'Its state and the writes done so far.',
      { 200: ok('workload', WorkloadSchema), 404: noWorkload }, { params: workloadId }),
  }, async (req) => guarded(() => io().workloads.get((req.params as { id: string }).id)));

  app.delete('/io/workloads/:id', {
    schema: doc('stopWorkload', tags, 'Stop and forget a write workload', 'Stops it (if it still runs) and removes it; answers how it ended (`stopped` if it was running). ' +
      'What it wrote stays.', { 200: ok('how it ended', WorkloadSchema), 404: noWorkload }, { params: workloadId }),
  }, async (req) => guarded(() => io().workloads.stop((req.params as { id: string }).id)));
}
