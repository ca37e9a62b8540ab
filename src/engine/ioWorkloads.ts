import { mix53, parsePattern, type DataSpec, type Geometry } from '../domain/content.js';
import { BLOCK } from '../domain/format.js';
import type { TimerSource } from './clock.js';
import type { Engine } from './context.js';
import { IoRefusal } from './content/index.js';

/**
 * Host write workloads on the virtual clock: `rate` writes of `ioBytes` per second into a region of an LDEV,
 * sequential or random, for a duration. They live in SQLite (io_workloads), so checkpoints and restarts keep them,
 * and run as a TimerSource in ticks of one virtual second (longer below one write per second): a tick performs
 * every write due by its instant. Offsets and data derive from the seed and the write's index, so a run repeats
 * exactly. A write the array refuses (pool full, S-VOL no longer accessible, LDEV gone) ends the workload `failed`.
 */

export interface WorkloadInput {
  sid: string; ldevId: number; ratePerSecond: number; ioBytes: number; regionOffset: number; regionBytes: number | null;
  random: boolean; seed: number | null; pattern: string | null; durationSeconds: number;
}

interface Row {
  sid: string; id: string; ldev: number; rate: number; io_bytes: number; region_offset: number; region_bytes: number;
  random: number; seed: number; pattern: string | null; start_at: number; end_at: number; tick_ms: number;
  next_at: number | null; writes: number; state: string; error: string | null; stopped_at: number | null;
}

export const MAX_RATE = 100_000;
export const MAX_DURATION_SECONDS = 30 * 24 * 3600;
export const MAX_IO_BYTES = 64 * 2 ** 20;
/** Writes one workload may plan (rate × duration): a clock advance over a whole workload stays a bounded amount of work. */
export const MAX_PLANNED_WRITES = 1_000_000;
/** Workloads kept at once (running or finished, until deleted). */
export const MAX_WORKLOADS = 64;

const iso = (ms: number) => new Date(ms).toISOString();

/** What workloads need of the host I/O service (engine/io.ts). */
export interface WorkloadDeps {
  write(sid: string, ldevId: number, offset: number, length: number, spec: DataSpec, opts: { settle: false }): unknown;
  access(sid: string, ldevId: number, how: 'write'): unknown;
  ldevOf(sid: string, ldevId: number): { blocks: number };
  ioGeometry(sid: string): Geometry;
  /** Lets pairs follow the pool usage the writes caused. */
  settle(): unknown;
}

export function createWorkloads(engine: Engine, io: WorkloadDeps) {
  const { db } = engine;
  const s = {
    insert: db.prepare(`INSERT INTO io_workloads (sid, id, ldev, rate, io_bytes, region_offset, region_bytes, random, seed, pattern,
      start_at, end_at, tick_ms, next_at, writes, state) VALUES (@sid, @id, @ldev, @rate, @io_bytes, @region_offset, @region_bytes,
      @random, @seed, @pattern, @start_at, @end_at, @tick_ms, @next_at, 0, 'running')`),
    get: db.prepare('SELECT * FROM io_workloads WHERE id = ?'),
    list: db.prepare('SELECT * FROM io_workloads ORDER BY CAST(substr(id, 2) AS INTEGER)'),
    listOf: db.prepare('SELECT * FROM io_workloads WHERE sid = ? ORDER BY CAST(substr(id, 2) AS INTEGER)'),
    remove: db.prepare('DELETE FROM io_workloads WHERE id = ?'),
    count: db.prepare('SELECT COUNT(*) FROM io_workloads').pluck(),
    save: db.prepare('UPDATE io_workloads SET writes = ?, next_at = ?, state = ?, error = ?, stopped_at = ? WHERE id = ?'),
    nextDue: db.prepare('SELECT MIN(next_at) FROM io_workloads WHERE next_at IS NOT NULL').pluck(),
    due: db.prepare('SELECT * FROM io_workloads WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at, CAST(substr(id, 2) AS INTEGER) LIMIT 64'),
  };
  let nextDueCache: number | null | undefined;
  const invalidate = () => { nextDueCache = undefined; };

  const slots = (w: Row) => Math.floor(w.region_bytes / w.io_bytes);
  const offsetOf = (w: Row, i: number) => w.region_offset + (w.random === 1 ? mix53(w.seed, i) % slots(w) : i % slots(w)) * w.io_bytes;
  /** Each write carries data of its own (new values, so every first write after a split copies), or the pattern. */
  const dataOf = (w: Row, i: number): DataSpec =>
    (w.pattern !== null ? { kind: 'pattern', bytes: parsePattern(w.pattern)! } : { kind: 'seed', seed: mix53(w.seed, i, 1) });

  function view(w: Row) {
    const durationMs = w.end_at - w.start_at;
    return {
      id: w.id, storageDeviceId: w.sid, ldevId: w.ldev, state: w.state,
      ratePerSecond: w.rate, MiBps: (w.rate * w.io_bytes) / 2 ** 20, ioSize: w.io_bytes, random: w.random === 1, seed: w.seed,
      ...(w.pattern !== null ? { pattern: w.pattern } : {}),
      offset: w.region_offset, length: w.region_bytes, durationSeconds: durationMs / 1000,
      startTime: iso(w.start_at), endTime: iso(w.end_at),
      writes: w.writes, bytesWritten: w.writes * w.io_bytes, plannedWrites: Math.floor((w.rate * durationMs) / 1000 + 1e-9),
      ...(w.next_at !== null ? { nextTime: iso(w.next_at) } : {}),
      ...(w.stopped_at !== null ? { stoppedTime: iso(w.stopped_at) } : {}),
      ...(w.error !== null ? { error: w.error } : {}),
    };
  }
  type View = ReturnType<typeof view>;

  /** One tick at virtual time `t`: every write due by then, then pairs follow the pool usage. */
  function tick(w: Row, t: number): void {
    db.transaction(() => {
      const due = Math.floor((w.rate * (Math.min(t, w.end_at) - w.start_at)) / 1000 + 1e-9);
      let writes = w.writes;
      let error: string | null = null;
      for (; writes < due; writes++) {
        try {
          io.write(w.sid, w.ldev, offsetOf(w, writes), w.io_bytes, dataOf(w, writes), { settle: false });
        } catch (e) {
          error = `write ${writes + 1} at ${iso(t)} refused: ${(e as Error).message}`;
          break;
        }
      }
      io.settle();
      const over = error !== null || t >= w.end_at;
      const state = error !== null ? 'failed' : over ? 'completed' : 'running';
      s.save.run(writes, over ? null : Math.min(t + w.tick_ms, w.end_at), state, error, over ? t : null, w.id);
    })();
  }

  const source: TimerSource = {
    nextDue() {
      if (nextDueCache === undefined) nextDueCache = (s.nextDue.get() as number | null) ?? null;
      return nextDueCache;
    },
    fire(at) {
      for (let round = 0; round < 100_000; round++) {
        const due = s.due.all(at) as Row[];
        if (due.length === 0) break;
        for (const w of due) tick(w, w.next_at!);
      }
      invalidate();
    },
  };

  /** Starts a workload now; the first tick is one tick from now. */
  function create(input: WorkloadInput): View {
    const bad = (m: string) => new IoRefusal(400, 'badRequest', m);
    io.ioGeometry(input.sid);
    const ldev = io.ldevOf(input.sid, input.ldevId);
    const bytes = ldev.blocks * BLOCK;
    if (!(input.ratePerSecond > 0 && input.ratePerSecond <= MAX_RATE)) throw bad(`the write rate must be > 0 and <= ${MAX_RATE} writes per second (got ${input.ratePerSecond})`);
    if (!(input.durationSeconds > 0 && input.durationSeconds <= MAX_DURATION_SECONDS)) throw bad(`durationSeconds must be > 0 and <= ${MAX_DURATION_SECONDS}`);
    const planned = Math.floor(input.ratePerSecond * input.durationSeconds + 1e-9);
    if (planned > MAX_PLANNED_WRITES) throw bad(`a workload plans at most ${MAX_PLANNED_WRITES} writes (rate × duration; got ${planned}): lower the rate or the duration`);
    const io_bytes = input.ioBytes;
    if (io_bytes % BLOCK !== 0 || io_bytes < BLOCK || io_bytes > MAX_IO_BYTES) throw bad(`ioSize must be whole 512-byte blocks, 512 B to ${MAX_IO_BYTES / 2 ** 20} MiB (got ${io_bytes})`);
    const regionOffset = input.regionOffset;
    const regionBytes = input.regionBytes ?? bytes - regionOffset;
    if (regionOffset % BLOCK !== 0 || regionBytes % BLOCK !== 0) throw bad('offset and length of the region are whole 512-byte blocks');
    if (regionOffset >= bytes || regionBytes <= 0 || regionOffset + regionBytes > bytes) throw bad(`the region ${regionOffset}+${regionBytes} is not inside LDEV ${input.ldevId} (${bytes} bytes)`);
    if (regionBytes < io_bytes) throw bad(`the region (${regionBytes} bytes) is smaller than one write (${io_bytes} bytes)`);
    if (input.pattern !== null && parsePattern(input.pattern) === null) throw bad('pattern must be text or 0x followed by hex byte pairs, 1 to 4096 bytes');
    if (input.seed !== null && !(Number.isSafeInteger(input.seed) && input.seed >= 0)) throw bad('seed must be a whole number >= 0');
    io.access(input.sid, input.ldevId, 'write');
    if ((s.count.get() as number) >= MAX_WORKLOADS) {
      throw new IoRefusal(409, 'limitReached', `at most ${MAX_WORKLOADS} workloads are kept: delete finished ones (DELETE /emulator/v1/io/workloads/{id})`);
    }
    const n = engine.meta.next('io_workload_id');
    const now = engine.clock.now();
    const tickMs = input.ratePerSecond >= 1 ? 1000 : Math.ceil(1000 / input.ratePerSecond);
    const end = now + Math.round(input.durationSeconds * 1000);
    const row = {
      sid: input.sid, id: `w${n}`, ldev: input.ldevId, rate: input.ratePerSecond, io_bytes, region_offset: regionOffset,
      region_bytes: regionBytes, random: input.random ? 1 : 0, seed: input.seed ?? n, pattern: input.pattern,
      start_at: now, end_at: end, tick_ms: tickMs, next_at: Math.min(now + tickMs, end),
    };
    s.insert.run(row);
    invalidate();
    engine.clock.poke();
    return view(s.get.get(row.id) as Row);
  }

  function get(id: string): View {
    const w = s.get.get(id) as Row | undefined;
    if (!w) throw new IoRefusal(404, 'notFound', `no workload ${id}`);
    return view(w);
  }

  /** Stops a workload (if it still runs) and forgets it; returns how it ended. */
  function stop(id: string): View {
    const w = s.get.get(id) as Row | undefined;
    if (!w) throw new IoRefusal(404, 'notFound', `no workload ${id}`);
    s.remove.run(id);
    invalidate();
    if (w.state !== 'running') return view(w);
    return view({ ...w, state: 'stopped', next_at: null, stopped_at: engine.clock.now() });
  }

  return {
    source, create, get, stop, invalidate,
    list: (sid?: string): View[] => ((sid === undefined ? s.list.all() : s.listOf.all(sid)) as Row[]).map(view),
  };
}

export type Workloads = ReturnType<typeof createWorkloads>;
