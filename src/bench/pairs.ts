/**
 * Bench section "Thin Image pairs" (issue 3), over real HTTP on loopback against `node dist/main.js` children:
 *
 * 1. `GET snapshots?pvolLdevId=` on a P-VOL with 1,024 pairs, next to the bare Fastify route serving a static body
 *    of the same size, in the same run. Twice: with the emulator's list cache warm (every request reads the same
 *    P-VOL: the normal case, a client polling its pairs), and with the cache defeated (requests go round-robin over
 *    more P-VOLs than the cache holds, so every answer is read from SQLite and rendered again; no writes involved).
 * 2. Pair create + split + delete cycles in `instant` timing, each request with `Response-Job-Status: Completed`
 *    and checked for a Succeeded job; cascade pairs with a DP S-VOL and isDataReductionForceCopy (no LU paths).
 * 3. Start-up with a fixture of 65,280 LDEVs and 100,000 pairs: to the first API answer, cold (the fixture loaded) and
 *    warm (from the loaded image an earlier start kept), and the resident memory of the emulator process once ready.
 *
 * `npm run bench` runs it as a section; `node dist/bench/pairs.js` runs it alone. BENCH_PAIRS_LIST_PVOLS sets the
 * number of 1,024-pair P-VOLs of case 1 (default 320), BENCH_PAIRS_LOAD_PAIRS the pairs of case 3 (default 100,000).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Fixture, LdevSpec } from '../store/fixture.js';
import type { PairSpec } from '../store/pairs.js';
import { pairsFixture } from './control.js';
import { bestOf, createContext, DIST, settingsFromEnv, spawnReady, type BenchContext, type Spawned } from './harness.js';
import type { LoadRequest, LoadResult } from './load.js';

const OBJ = '/ConfigurationManager/v1/objects';
/** The list with the cache defeated must reach this share of the bare route's throughput (issues 3 and 11). */
const READ_TARGET_PERCENT = 50;
/** Issue 11: 65,280 LDEVs + 100,000 pairs ready (answering the API) in under a second. */
const READY_TARGET_MS = 1000;
const PAIRS_PER_PVOL = 1024;
/** The emulator keeps at most 256 rendered lists (src/engine/pairs/index.ts `listText`); round-robin over more defeats it. */
const LIST_CACHE_ENTRIES = 256;
/** The most LDEVs a VSP 5000 has (ids 0-65279). */
const MAX_LDEVS = 65_280;
/** Loading big fixtures takes longer than the harness's default 20 s ready timeout allows on a slow machine. */
const BIG_READY_TIMEOUT_MS = 180_000;

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const envInt = (name: string, d: number) => (Number(process.env[name]) > 0 ? Math.floor(Number(process.env[name])) : d);


function roundsOf(): number {
  return Number(process.env.BENCH_ROUNDS) > 0 ? Number(process.env.BENCH_ROUNDS) : 3;
}

/** Writes a fixture as JSON (the emulator reads `.json` fixtures with JSON.parse) and returns its path. */
function writeFixture(dir: string, name: string, fx: Fixture): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(fx));
  return path;
}

/** Resident and peak resident memory of a process, from /proc/<pid>/status (Linux), in MiB. */
function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Case 1: GET snapshots?pvolLdevId= with 1,024 pairs, list cache warm and defeated, next to the bare route. */
async function listCase(ctx: BenchContext, dir: string): Promise<void> {
  // P-VOL ids of equal digit count, so every P-VOL's answer has the same size as the bare route's body.
  const pvols = Math.max(envInt('BENCH_PAIRS_LIST_PVOLS', 320), 2);
  const first = 1000;
  const fixture = pairsFixture(pvols * PAIRS_PER_PVOL, { perPvol: PAIRS_PER_PVOL, firstLdevId: first });
  const file = writeFixture(dir, 'pairs-list', fixture);
  const emu = await ctx.spawnEmulator(['--db', ':memory:', '--fixture', file, '--http-port', '0', '--https-port', 'off',
    '--timing', 'instant', '--log-level', 'silent'], { timeoutMs: BIG_READY_TIMEOUT_MS });
  let bare: Spawned | null = null;
  try {
    const auth = await ctx.login(emu.port);
    const headers = { Authorization: auth, Accept: 'application/json' };
    const listOf = (pvol: number): LoadRequest => ({ method: 'GET', path: `${OBJ}/snapshots?pvolLdevId=${pvol}`, headers });
    const sample = await ctx.once(emu.port, listOf(first));
    if (sample.status !== 200) throw new Error(`GET snapshots?pvolLdevId=${first} answered ${sample.status}: ${sample.body.slice(0, 300)}`);
    const count = (JSON.parse(sample.body) as { data: unknown[] }).data.length;
    if (count !== PAIRS_PER_PVOL) throw new Error(`GET snapshots?pvolLdevId=${first} listed ${count} pairs, not ${PAIRS_PER_PVOL}`);
    const last = await ctx.once(emu.port, listOf(first + pvols - 1));
    const bytes = Buffer.byteLength(sample.body);
    if (Buffer.byteLength(last.body) !== bytes) throw new Error(`P-VOL answers differ in size: ${bytes} and ${Buffer.byteLength(last.body)} B`);

    const bodyFile = join(dir, 'bare-body.json');
    writeFileSync(bodyFile, sample.body);
    bare = await spawnReady(join(DIST, 'bench', 'bare.js'), [], /bare ready (\d+)/, { env: { BENCH_READ_BODY_FILE: bodyFile, BENCH_JOB_BODY: '{}' } });
    const bareSample = await ctx.once(bare.port, listOf(first));
    if (Buffer.byteLength(bareSample.body) !== bytes) throw new Error(`the bare route serves ${Buffer.byteLength(bareSample.body)} B, not ${bytes} B`);

    const rounds = roundsOf();
    const per = { durationMs: ctx.settings.durationMs / rounds };
    // Warm: every request reads P-VOL `first`. Cold: one shared counter walks all P-VOLs in turn, so a P-VOL comes
    // back only after `pvols - 1` others, more than the cache's 256 entries (it is cleared whenever it is full).
    let turn = 0;
    const warm = (port: number) => () => ctx.load({ ...per, port, next: () => listOf(first) });
    const cold = (port: number) => () => ctx.load({ ...per, port, next: () => listOf(first + (turn++ % pvols)) });
    for (const port of [bare.port, emu.port]) await ctx.load({ durationMs: 500, port, next: () => listOf(first) });

    ctx.note(`body: ${fmt(bytes)} B (${PAIRS_PER_PVOL} pairs of one P-VOL, PSUS/PAIR alternating, cascade, no S-VOL); ` +
      `${fmt(pvols)} such P-VOLs (${fmt(pvols * PAIRS_PER_PVOL)} pairs) loaded; best of ${rounds} alternating rounds of ` +
      `${(per.durationMs / 1000).toFixed(1)} s`);
    const [bareRead, warmRead, coldRead] = await bestOf(rounds, [warm(bare.port), warm(emu.port), cold(emu.port)]);
    const hitsPossible = pvols <= LIST_CACHE_ENTRIES + ctx.settings.connections;
    ctx.print({ name: `bare Fastify GET (static ${fmt(bytes)} B)`, result: bareRead! });
    ctx.print({ name: 'GET snapshots?pvolLdevId= 1,024 pairs, cache warm', result: warmRead!, baseline: { name: 'bare', result: bareRead!, target: READ_TARGET_PERCENT } });
    ctx.print({ name: `  same, cache defeated (round-robin ${pvols} P-VOLs)`, result: coldRead!, baseline: { name: 'bare', result: bareRead!, target: READ_TARGET_PERCENT } });
    const ratio = coldRead!.rps / bareRead!.rps;
    ctx.target({
      name: 'GET snapshots?pvolLdevId= of 1,024 pairs, list cache defeated, vs bare Fastify', measured: `${ratio.toFixed(2)} x bare`,
      threshold: `>= ${(READ_TARGET_PERCENT / 100).toFixed(2)} x`, met: ratio * 100 >= READ_TARGET_PERCENT,
    });
    ctx.note(`  warm: the same P-VOL every time, answered from the rendered list the emulator keeps while no pair changes ` +
      `(what a polling client sees); defeated: each answer read from SQLite and rendered again` +
      (hitsPossible ? ` (WARNING: ${pvols} P-VOLs is too few to be sure no request hits the cache)` : ''));
  } finally {
    await bare?.stop();
    await emu.stop();
  }
}

/** Case 2: create + split + delete cycles over HTTP, instant timing, each job awaited with Response-Job-Status. */
async function cycleCase(ctx: BenchContext, dir: string): Promise<void> {
  const conns = ctx.settings.connections;
  const rounds = roundsOf();
  // Each connection works on its own P-VOL. A round may end mid-cycle and leave a pair behind, so every round uses
  // its own MU and its own S-VOLs: S-VOL of (round r, connection c) = SVOL0 + r * conns + c. Round 0 is the warm-up.
  const PVOL0 = 100;
  const SVOL0 = 1000;
  const fx = pairsFixture(0);
  const ldevs: LdevSpec[] = [];
  for (let c = 0; c < conns; c++) ldevs.push({ ldevId: PVOL0 + c, capacity: '10G', poolId: 0 });
  for (let i = 0; i < (rounds + 1) * conns; i++) ldevs.push({ ldevId: SVOL0 + i, capacity: '10G', poolId: 0 });
  fx.arrays[0]!.ldevs = ldevs;
  fx.name = 'bench-pair-cycles';
  const file = writeFixture(dir, 'pairs-cycle', fx);
  const emu = await ctx.spawnEmulator(['--db', ':memory:', '--fixture', file, '--http-port', '0', '--https-port', 'off',
    '--timing', 'instant', '--log-level', 'silent']);
  try {
    const auth = await ctx.login(emu.port);
    const headers = {
      Authorization: auth, 'Content-Type': 'application/json', Accept: 'application/json', 'Response-Job-Status': 'Completed',
    };
    let round = 0;
    const cycles = (durationMs: number) => {
      const r = round++;
      return ctx.load({
        durationMs, port: emu.port, ok: [202],
        check: (_s, body) => body.includes('"state":"Succeeded"'),
        next: (c, seq): LoadRequest => {
          const pvol = PVOL0 + c;
          switch (seq % 3) {
            case 0: return {
              method: 'POST', path: `${OBJ}/snapshots`, headers,
              body: JSON.stringify({
                snapshotGroupName: `bench-c${c}`, snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: SVOL0 + r * conns + c, muNumber: r,
                canCascade: true, isDataReductionForceCopy: true,
              }),
            };
            case 1: return { method: 'POST', path: `${OBJ}/snapshots/${pvol},${r}/actions/split/invoke`, headers, body: '' };
            default: return { method: 'DELETE', path: `${OBJ}/snapshots/${pvol},${r}`, headers };
          }
        },
      });
    };
    // A longer warm-up than the reads': the create/split/delete paths take about two seconds to reach their speed.
    const warm = await cycles(1500);
    if (warm.errors) throw new Error(`pair cycles failed in the warm-up: ${warm.errors} errors ${JSON.stringify(warm.statuses)}`);
    const per = ctx.settings.durationMs / rounds;
    let best: LoadResult | null = null;
    for (let i = 0; i < rounds; i++) {
      const res = await cycles(per);
      if (!best || res.rps > best.rps) best = res;
    }
    ctx.note(`${conns} connections, each cycling a cascade pair on its own P-VOL (10 GB DP) with a DP S-VOL; ` +
      `best of ${rounds} rounds of ${(per / 1000).toFixed(1)} s`);
    ctx.print({ name: 'pair create / split / delete requests (instant timing)', result: best! });
    ctx.note(`  = ${fmt(best!.rps / 3)} create+split+delete cycles/s (3 requests per cycle, each a 202 with a Succeeded job)`);
  } finally {
    await emu.stop();
  }
}

/** Case 3: start-up with 65,280 LDEVs and 100,000 pairs: seconds to the ready line and resident memory. */
async function loadCase(ctx: BenchContext, dir: string): Promise<void> {
  const pairs = envInt('BENCH_PAIRS_LOAD_PAIRS', 100_000);
  // 1,000 P-VOLs of 100 snapshots (ids 0-999) and DP volumes for the rest of the ids up to 65,279; those are the
  // S-VOLs of the first 64,280 pairs (cascade pairs with a DP S-VOL, as Cinder makes them), one each.
  const fx = pairsFixture(pairs);
  const a = fx.arrays[0]!;
  const pvolCount = a.ldevs!.length;
  for (let id = pvolCount; id < MAX_LDEVS; id++) a.ldevs!.push({ ldevId: id, capacity: '10G', poolId: 0 });
  const specs = a.pairs as PairSpec[];
  const withSvol = Math.min(specs.length, MAX_LDEVS - pvolCount);
  for (let n = 0; n < withSvol; n++) specs[n]!.svolLdevId = pvolCount + n;
  fx.name = 'bench-65280-ldevs';
  const file = writeFixture(dir, 'pairs-load', fx);
  const fileMiB = readFileSync(file).length / 1024 / 1024;

  // One folder for every run, so the self-signed certificate is made once (by the reference run) and reused.
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd);
  const args = (fixture: string) => ['--db', ':memory:', '--fixture', fixture, '--http-port', '0', '--https-port', '0', '--log-level', 'warn'];
  const ref = await ctx.spawnEmulator(args('default'), { cwd });
  const refMem = memoryOf(ref.child.pid!);
  await ref.stop();

  // Ready = answering the API: the ready line (listening), then a login and GET ldevs/65279 answered 200. Timed two
  // ways: in-process (the ready line's startup_ms, counted from the first line of main, plus the time to that first
  // answer; what the model costs, as the start-up target counts it) and from the spawn (Node's own start and module
  // loading included, the same for any fixture: see the default fixture's figure).
  // Cold: no image of the fixture in <cwd>/data, so the emulator loads it (and keeps its image there); warm: the
  // image the run before kept, as every restart from the same fixture finds it (src/store/image.ts).
  type Run = { readyMs: number; startupMs: number; answerMs: number; rssMiB: number; hwmMiB: number };
  const images = join(cwd, 'data');
  const dropImages = () => { for (const f of existsSync(images) ? readdirSync(images) : []) if (f.startsWith('fixture-image-')) rmSync(join(images, f), { force: true }); };
  const n = envInt('BENCH_PAIRS_LOAD_RUNS', 3);
  const measure = async (cold: boolean, check: boolean): Promise<Run> => {
    if (cold) dropImages();
    const emu = await ctx.spawnEmulator(args(file), { cwd, timeoutMs: BIG_READY_TIMEOUT_MS });
    try {
      const t0 = performance.now();
      const auth = await ctx.login(emu.port);
      const headers = { Authorization: auth, Accept: 'application/json' };
      const lastLdev = await ctx.once(emu.port, { method: 'GET', path: `${OBJ}/ldevs/${MAX_LDEVS - 1}`, headers });
      const answerMs = performance.now() - t0;
      if (lastLdev.status !== 200) throw new Error(`GET ldevs/${MAX_LDEVS - 1} answered ${lastLdev.status}`);
      const mem = memoryOf(emu.child.pid!);
      if (!mem) throw new Error('cannot read /proc/<pid>/status');
      if (check) {
        // The model is whole: a P-VOL lists its 100 pairs.
        const lastPvol = pvolCount - 1;
        const list = await ctx.once(emu.port, { method: 'GET', path: `${OBJ}/snapshots?pvolLdevId=${lastPvol}`, headers });
        const listed = list.status === 200 ? (JSON.parse(list.body) as { data: unknown[] }).data.length : -1;
        const expected = specs.filter((p) => p.pvolLdevId === lastPvol).length;
        if (listed !== expected) throw new Error(`GET snapshots?pvolLdevId=${lastPvol} listed ${listed} pairs, not ${expected} (${cold ? 'cold' : 'warm'})`);
      }
      return { readyMs: emu.readyMs, startupMs: emu.startupMs, answerMs, ...mem };
    } finally {
      await emu.stop();
    }
  };
  // Alternating, so load from other processes on the machine falls on both alike.
  const coldRuns: Run[] = [];
  const warmRuns: Run[] = [];
  for (let i = 0; i < n; i++) {
    coldRuns.push(await measure(true, i === 0));
    warmRuns.push(await measure(false, i === 0));
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const inProcess = (rs: Run[]) => rs.map((r) => r.startupMs + r.answerMs);
  const fromSpawn = (rs: Run[]) => rs.map((r) => r.readyMs + r.answerMs);
  ctx.note(`fixture: ${fmt(MAX_LDEVS)} LDEVs, ${fmt(specs.length)} pairs (${fmt(pvolCount)} P-VOLs x ${specs.length / pvolCount}, ` +
    `${fmt(withSvol)} with a DP S-VOL), ${fmt(pvolCount)} snapshot groups; ${fileMiB.toFixed(1)} MiB of JSON`);
  ctx.note(`ready (first API answer: login + GET ldevs/${MAX_LDEVS - 1}), --db :memory: --fixture <file> --http-port 0 --https-port 0, ${n} runs each:`);
  for (const [label, rs] of [['cold (fixture loaded, image kept)', coldRuns], ['warm (image of the run before)', warmRuns]] as const) {
    ctx.note(`  ${label}: in-process (startup_ms + first answer) ${inProcess(rs).map((x) => `${fmt(x)} ms`).join(', ')}` +
      ` (startup_ms ${rs.map((r) => r.startupMs).join(', ')}; first answer ${rs.map((r) => fmt(r.answerMs)).join(', ')} ms);` +
      ` from the spawn ${fromSpawn(rs).map((x) => `${fmt(x)} ms`).join(', ')}`);
  }
  ctx.note(`  default fixture: ${ref.readyMs.toFixed(0)} ms from the spawn to its ready line (startup_ms ${ref.startupMs}): what any start costs`);
  const runs = [...coldRuns, ...warmRuns];
  ctx.note(`resident memory once ready (VmRSS):  ${runs.map((r) => `${r.rssMiB.toFixed(0)} MiB`).join(', ')}` +
    `;  peak during the load (VmHWM): ${runs.map((r) => `${r.hwmMiB.toFixed(0)} MiB`).join(', ')}` +
    (refMem ? `  (default fixture: ${refMem.rssMiB.toFixed(0)} MiB)` : ''));
  for (const [label, rs] of [['cold: first start of the fixture, loaded', coldRuns], ['warm: later starts, from its image', warmRuns]] as const) {
    ctx.target({
      name: `65,280 LDEVs + 100,000 pairs ready (in-process, to the first API answer), ${label}`,
      // The best run beside the median: on a shared machine other load lengthens some runs, never shortens one.
      measured: `median ${fmt(med(inProcess(rs)))} ms of ${rs.length} runs (best ${fmt(Math.min(...inProcess(rs)))} ms)`,
      threshold: `< ${fmt(READY_TARGET_MS)} ms`, met: med(inProcess(rs)) < READY_TARGET_MS,
      note: `from the spawn ${fmt(med(fromSpawn(rs)))} ms`,
    });
  }
}

/** The `npm run bench` section. */
export async function bench(ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vsp-bench-pairs-'));
  try {
    // BENCH_PAIRS_CASES=list,cycle,load runs only the cases named.
    const cases = new Set((process.env.BENCH_PAIRS_CASES ?? 'list,cycle,load').split(',').map((c) => c.trim()));
    if (cases.has('list')) await listCase(ctx, dir);
    if (cases.has('cycle')) await cycleCase(ctx, dir);
    if (cases.has('load')) await loadCase(ctx, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  bench(createContext(settingsFromEnv(process.env))).catch((e: unknown) => {
    process.stderr.write(`pairs bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
