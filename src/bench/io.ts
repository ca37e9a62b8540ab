/**
 * Bench section "host I/O and capacity": host writes per second into a P-VOL with 64 split Thin Image snapshots
 * (copy-on-write into snapshot data, then plain overwrites, then through the control-plane route), and the memory a
 * 64 TiB volume with 1,048,576 written 1 MiB chunks costs (SQLite bytes and the process's RSS/heap, measured in a
 * child process of its own). In process, Fastify inject for the route. `npm run bench` runs it as a section;
 * `node dist/bench/io.js [writes|memory]` runs one part. BENCH_IO_WRITES / BENCH_IO_CHUNKS scale them.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from '../app.js';
import { mix53 } from '../domain/content.js';
import { ioService } from '../engine/io.js';
import type { Fixture } from '../store/fixture.js';

const MiB = 2 ** 20;
const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function fixture(volume: string): Fixture {
  return {
    name: 'bench-io',
    users: [{ userId: 'maintenance', password: 'raid-maintenance' }],
    arrays: [{
      model: 'VSP E990', serialNumber: 424243,
      pools: [
        { poolId: 0, poolName: 'DP', poolType: 'HDP', capacity: '4000T', virtualVolumeCapacityRate: -1 },
        { poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '400T' },
      ],
      ldevs: [{ ldevId: 0, capacity: volume, poolId: 0 }],
    }],
  };
}

async function app(volume: string) {
  return buildApp({ db: ':memory:', clock: 'manual', fixture: fixture(volume), timing: 'instant', seed: 1, logger: false });
}

export interface WriteBenchResult {
  snapshots: number; volumeGiB: number; setupMs: number;
  cow: { writes: number; perSecond: number }; overwrite: { writes: number; perSecond: number };
  http: { writes: number; perSecond: number };
  snapshotDataRows: number; snapshotUsedGiB: number;
}

/** 64 snapshots of a 64 GiB P-VOL, each split after 256 random chunk writes; then timed 1 MiB host writes. */
export async function measureWrites(writes = 20_000, snapshots = 64): Promise<WriteBenchResult> {
  const volumeGiB = 64;
  const built = await app(`${volumeGiB}G`);
  try {
    const { engine } = built;
    const io = ioService(engine);
    const sid = engine.defaultSid();
    const chunks = volumeGiB * 1024;
    const auth = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;
    let t0 = performance.now();
    io.write(sid, 0, 0, volumeGiB * 1024 * MiB, { kind: 'seed', seed: 0 });
    for (let s = 0; s < snapshots; s++) {
      for (let i = 0; i < 256; i++) io.write(sid, 0, (mix53(s, i) % chunks) * MiB, MiB, { kind: 'seed', seed: s * 1000 + i });
      const r = await built.app.inject({
        method: 'POST', url: '/ConfigurationManager/v1/objects/snapshots',
        headers: { authorization: auth, 'content-type': 'application/json', 'x-vsp-emulator-instant': '1' },
        payload: { snapshotGroupName: 'bench', snapshotPoolId: 1, pvolLdevId: 0, canCascade: true, isDataReductionForceCopy: true, autoSplit: true },
      });
      if (r.statusCode !== 202 || !r.body.includes('"Succeeded"')) throw new Error(`pair ${s}: ${r.statusCode} ${r.body}`);
    }
    const splitCount = engine.db.prepare("SELECT COUNT(*) FROM pairs WHERE status = 'PSUS'").pluck().get() as number;
    if (splitCount !== snapshots) throw new Error(`${splitCount} split snapshots, not ${snapshots}`);
    const setupMs = ms(t0);

    // Distinct chunks in a scattered order (a stride coprime with the chunk count): every write is the first
    // to its chunk since the last split, so each one copies the old chunk into the pool first.
    const at = (i: number) => ((i * 40_503) % chunks) * MiB;
    const n = Math.min(writes, chunks);
    t0 = performance.now();
    for (let i = 0; i < n; i++) io.write(sid, 0, at(i), MiB, { kind: 'seed', seed: 1e6 + i });
    const cowMs = ms(t0);
    t0 = performance.now();
    for (let i = 0; i < n; i++) io.write(sid, 0, at(i), MiB, { kind: 'seed', seed: 2e6 + i });
    const overMs = ms(t0);

    const httpN = Math.max(1, Math.floor(n / 4));
    t0 = performance.now();
    for (let i = 0; i < httpN; i++) {
      const r = await built.app.inject({
        method: 'POST', url: '/emulator/v1/io/write', headers: { 'content-type': 'application/json' },
        payload: { ldevId: 0, offset: at(n + i), length: MiB, seed: 3e6 + i },
      });
      if (r.statusCode !== 200) throw new Error(`POST io/write: ${r.statusCode} ${r.body}`);
    }
    const httpMs = ms(t0);
    const rows = engine.db.prepare('SELECT COUNT(*) FROM content_snapdata').pluck().get() as number;
    const used = engine.res.getPool(sid, 1)!.snapshotUsedBlocks;
    return {
      snapshots, volumeGiB, setupMs,
      cow: { writes: n, perSecond: n / (cowMs / 1000) }, overwrite: { writes: n, perSecond: n / (overMs / 1000) },
      http: { writes: httpN, perSecond: httpN / (httpMs / 1000) },
      snapshotDataRows: rows, snapshotUsedGiB: used / 2048 / 1024,
    };
  } finally {
    await built.close();
  }
}

export interface MemoryBenchResult {
  volumeTiB: number; chunks: number; writeMs: number; fingerprintMs: number;
  dbBytes: number; dbBytesEmpty: number; rssBytes: number; rssBytesBefore: number; heapBytes: number; heapBytesBefore: number;
  usedGiB: number;
}

/** A 64 TiB DP volume given `chunks` written 1 MiB chunks, in runs of 64 at scattered 64 MiB-aligned places. */
export async function measureMemory(chunks = 1 << 20): Promise<MemoryBenchResult> {
  const volumeTiB = 64;
  const gc = (globalThis as { gc?: () => void }).gc;
  const built = await app(`${volumeTiB}T`);
  try {
    const { engine } = built;
    const io = ioService(engine);
    const sid = engine.defaultSid();
    const dbBytes = () => (engine.db.pragma('page_count', { simple: true }) as number) * (engine.db.pragma('page_size', { simple: true }) as number);
    gc?.();
    const before = process.memoryUsage();
    const dbBytesEmpty = dbBytes();
    const run = 64;
    const slots = (volumeTiB * 2 ** 40) / (run * MiB);
    const writes = Math.ceil(chunks / run);
    let t0 = performance.now();
    for (let i = 0; i < writes; i++) {
      const slot = (i * 104_729) % slots; // a prime stride: distinct slots
      io.write(sid, 0, slot * run * MiB, Math.min(run, chunks - i * run) * MiB, { kind: 'seed', seed: i });
    }
    const writeMs = ms(t0);
    t0 = performance.now();
    const f = io.fingerprint(sid, 0);
    const fingerprintMs = ms(t0);
    if (f.nonZeroChunks !== chunks) throw new Error(`fingerprint saw ${f.nonZeroChunks} chunks, not ${chunks}`);
    gc?.();
    const after = process.memoryUsage();
    return {
      volumeTiB, chunks, writeMs, fingerprintMs, dbBytes: dbBytes(), dbBytesEmpty,
      rssBytes: after.rss, rssBytesBefore: before.rss, heapBytes: after.heapUsed, heapBytesBefore: before.heapUsed,
      usedGiB: engine.res.getLdev(sid, 0)!.usedBlocks / 2048 / 1024,
    };
  } finally {
    await built.close();
  }
}

export function describeWrites(r: WriteBenchResult): string[] {
  return [
    `P-VOL of ${r.volumeGiB} GiB with ${r.snapshots} split snapshots (256 new chunks between splits; set-up ${fmt(r.setupMs / 1000, 1)} s), 1 MiB writes:`,
    `  first write to a chunk since the splits (copy-on-write):  ${fmt(r.cow.perSecond).padStart(8)} writes/s  (${fmt(r.cow.writes)} writes, engine)`,
    `  overwrite (no copy):                                      ${fmt(r.overwrite.perSecond).padStart(8)} writes/s  (${fmt(r.overwrite.writes)} writes, engine)`,
    `  POST /emulator/v1/io/write (Fastify inject, with copy):   ${fmt(r.http.perSecond).padStart(8)} writes/s  (${fmt(r.http.writes)} requests)`,
    `  snapshot data: ${fmt(r.snapshotDataRows)} kept chunks shared by the 64 snapshots, ${fmt(r.snapshotUsedGiB, 1)} GiB of pool 1`,
  ];
}

export function describeMemory(r: MemoryBenchResult): string[] {
  const mb = (b: number) => `${fmt(b / 2 ** 20, 1)} MiB`;
  return [
    `${r.volumeTiB} TiB DP volume, ${fmt(r.chunks)} written 1 MiB chunks (runs of 64 at scattered places): written in ${fmt(r.writeMs / 1000, 1)} s, ` +
      `whole-volume fingerprint ${fmt(r.fingerprintMs)} ms, ${fmt(r.usedGiB)} GiB of DP pages allocated`,
    `  SQLite: ${mb(r.dbBytes)} (${mb(r.dbBytesEmpty)} before; ${fmt((r.dbBytes - r.dbBytesEmpty) / r.chunks, 1)} bytes per chunk)`,
    `  process: RSS ${mb(r.rssBytes)} (${mb(r.rssBytesBefore)} before), JS heap ${mb(r.heapBytes)} (${mb(r.heapBytesBefore)} before)`,
  ];
}

/** The memory figures from a fresh child process, so RSS is not the bench runner's. */
function memoryInChild(chunks: number): MemoryBenchResult {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'memory-json', String(chunks)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as MemoryBenchResult;
}

/** The `npm run bench` section. */
export async function bench(ctx: { note: (text: string) => void }): Promise<void> {
  const writes = Number(process.env.BENCH_IO_WRITES ?? 20_000);
  const chunks = Number(process.env.BENCH_IO_CHUNKS ?? 1 << 20);
  for (const line of describeWrites(await measureWrites(writes))) ctx.note(line);
  for (const line of describeMemory(memoryInChild(chunks))) ctx.note(line);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const part = process.argv[2] ?? 'all';
  const arg = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const print = (lines: string[]) => { for (const l of lines) process.stdout.write(`  ${l}\n`); };
  (async () => {
    if (part === 'memory-json') process.stdout.write(`${JSON.stringify(await measureMemory(arg))}\n`);
    else if (part === 'memory') print(describeMemory(memoryInChild(arg ?? 1 << 20)));
    else if (part === 'writes') print(describeWrites(await measureWrites(arg)));
    else await bench({ note: (l) => process.stdout.write(`  ${l}\n`) });
  })().catch((e: unknown) => {
    process.stderr.write(`io bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
