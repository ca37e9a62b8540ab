import { buildCatalog, type Catalog } from '../domain/errors.js';
import { defaultFidelity, type Fidelity } from '../domain/fidelity.js';
import { modelFacts, type ModelFacts } from '../domain/models.js';
import { checkTiming, mergeTiming, PROFILES, REALISTIC, type TimingProfile } from '../domain/timing.js';
import { readFileSync, rmSync } from 'node:fs';
import { createMeta, openDb, openDbImage, type Db, type Meta } from '../store/db.js';
import { fixtureFromHead, fixtureHead } from '../store/fixtureHead.js';
import { findImage, fixtureRows, imageKey, IMAGE_MIN_ROWS, imageUses, keepImage } from '../store/image.js';
import { countState, originNameOf, readOrigin, type StateCounts } from '../store/origin.js';
import {
  fileDigest, FIXTURES_DIR, fixtureDigest, fixtureSource, loadFixture, parseDataFile, parseFixtureSource, readFixture, validateFixture,
  type Fixture, type FixtureSource,
} from '../store/fixture.js';
import { createJobStore, type JobStore } from '../store/jobs.js';
import { createResourceStore, type ResourceStore } from '../store/resources.js';
import { createSessionStore, type SessionStore } from '../store/sessions.js';
import { VirtualClock, type ClockMode } from './clock.js';
import { createJobEngine, type JobEngine } from './jobs.js';
import { createRng, type Rng } from './rng.js';

export interface Logger {
  info: (obj: object, msg?: string) => void;
  warn: (obj: object, msg?: string) => void;
  error: (obj: object, msg?: string) => void;
  debug: (obj: object, msg?: string) => void;
}

export interface EngineOptions {
  db?: string;
  /** Discard the database file (and its -wal/-shm) before opening it: start from the fixture whatever it held. */
  fresh?: boolean;
  /**
   * The fixture to load into an empty database. On a database that already holds state, a fixture given here must be
   * the one that state came from (else createEngine throws, naming both and the ways out); leave it out to resume
   * whatever the database holds.
   */
  fixture?: string | Fixture;
  /** Where fixture names resolve (`--fixtures-dir`); the control plane reads fixtures by name only from here. */
  fixturesDir?: string;
  timing?: string | Partial<TimingProfile>;
  clock?: ClockMode;
  speed?: number;
  /** Start the virtual clock at this instant (ms) instead of wall time. */
  startTime?: number;
  seed?: number | null;
  log?: Logger;
  /**
   * Folder that keeps the loaded images of big fixtures across processes (store/image.ts; the CLI uses the folder of
   * its TLS certificate). Without one, images are kept in the process only.
   */
  imageCacheDir?: string;
}

/** What a pair module tells the LDEV layer about a volume (kept as a hook so the foundation has no pair code). */
export interface PairHooks {
  /** `HTI` attribute and `snapshotPoolId` of an LDEV. */
  ldevPairInfo(sid: string, ldevId: number): { hti: boolean; snapshotPoolId?: number };
  /** A reason key from the catalog when the LDEV may not be deleted/changed because of pairs, else null. */
  ldevBusyReason(sid: string, ldevId: number, op: 'delete' | 'expand' | 'unmap'): string | null;
  /** Number of pairs whose snapshot data lives in the pool. */
  poolSnapshotCount(sid: string, poolId: number): number;
  /**
   * Control-plane `pair` fault: drop the selected pairs to PSUE now, as the array does on an internal failure,
   * and return their ids (`"pvolLdevId,muNumber"`). Absent until the pair module implements it.
   */
  suspendPairs?(sid: string, select: PairSelector): string[];
  /**
   * Control-plane `pool` fault: a pool's used capacity was just changed. Apply what the array does when a pool
   * fills (pairs whose snapshot data lives in a full pool go PSUE) and return the ids of the pairs changed.
   */
  poolUsageChanged?(sid: string, poolId: number): string[];
}

/** Which pairs a `pair` fault affects; every given field must match, none given = every pair of the array. */
export interface PairSelector {
  pvolLdevId?: number; muNumber?: number; svolLdevId?: number; snapshotGroupName?: string; poolId?: number;
}

const noPairs: PairHooks = {
  ldevPairInfo: () => ({ hti: false }),
  ldevBusyReason: () => null,
  poolSnapshotCount: () => 0,
};

export interface ArrayInfo { sid: string; model: string; serial: number; facts: ModelFacts; doc: Record<string, unknown> }

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** What the engine started from: said by the ready line and by health. */
export interface StartInfo {
  /** `loaded`: the database was empty and the fixture was loaded; `resumed`: the database's state was kept as it was. */
  state: 'loaded' | 'resumed';
  /** The fixture the state came from (null: a database made before origins were recorded). */
  fixture: string | null;
  db: string;
  /** The database file was discarded first (`--fresh`). */
  fresh: boolean;
  /** Arrays, LDEVs and pairs at start. */
  counts: StateCounts;
  /** Something the user should know (e.g. the origin fixture is no longer in the fixtures folder). */
  note?: string;
}

/** The engine's logger, by database: modules that only see the database (the pair core) log through it. */
const logs = new WeakMap<Db, () => Logger>();
/** The logger of the engine that owns `db` (silent when none). */
export function engineLog(db: Db): Logger {
  return logs.get(db)?.() ?? silent;
}

/** The error for a `--fixture` that disagrees with the state a database holds. */
export class FixtureMismatchError extends Error {
  constructor(readonly db: string, readonly origin: string, readonly asked: string, counts: StateCounts) {
    super(`database ${db} holds state loaded from fixture "${origin}" (${describeCounts(counts)}), not "${asked}": ` +
      `start over from "${asked}" with --fresh (discards the database), use another --db file, or --db :memory: (keeps nothing); ` +
      `or leave out --fixture to resume it`);
  }
}

/** `1 array, 4 LDEVs, 0 pairs`. */
export function describeCounts(c: StateCounts): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `${n(c.arrays, 'array', 'arrays')}, ${n(c.ldevs, 'LDEV', 'LDEVs')}, ${n(c.pairs, 'pair', 'pairs')}`;
}

/** Removes a database file and the files SQLite keeps beside it. */
function discardDb(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
}

const holdsArrays = (db: Db) => db.prepare('SELECT 1 FROM arrays LIMIT 1').get() !== undefined;

/**
 * The database a new :memory: engine starts from when its fixture is big (IMAGE_MIN_ROWS LDEVs and pairs or more): a
 * copy of the image kept from an earlier load of the same fixture, or `db` once the fixture is loaded into it and its
 * image kept. A small fixture (or an image SQLite refuses) leaves `db` empty for the usual load.
 */
function loadedImage(db: Db, fixture: Fixture, dir: string | undefined): Db {
  if (fixtureRows(fixture) < IMAGE_MIN_ROWS) return db;
  const key = imageKey(fixtureDigest(fixture));
  const kept = findImage(key, dir);
  if (kept) {
    try {
      const copy = openDbImage(kept.image);
      db.close();
      imageUses.reused++;
      return copy;
    } catch { /* not usable after all: load */ }
  }
  loadFixture(db, createResourceStore(db), fixture);
  keepImage(key, { image: db.serialize(), head: fixtureHead(fixture) }, dir);
  return db;
}

/**
 * A start from a big fixture file that a kept image serves: the image and the fixture's head, the file's bytes read
 * (and hashed for the key) but not parsed (fixtureHead.ts). Otherwise the file's source and bytes, for the usual read
 * without reading it twice; null when readFixture has to say what is wrong.
 */
function fromImage(name: string, fixturesDir: string, dir: string | undefined): { db: Db; fixture: Fixture } | { src: FixtureSource; bytes: Buffer } | null {
  const src = fixtureSource(name, fixturesDir);
  if (!src) return null;
  let bytes: Buffer;
  try { bytes = readFileSync(src.path); } catch { return null; }
  const digest = fileDigest(bytes, src.fallbackName);
  const kept = digest ? findImage(imageKey(digest), dir) : null;
  if (kept) {
    let db: Db | undefined;
    try {
      db = openDbImage(kept.image);
      const fixture = fixtureFromHead(kept.head, bytes, src);
      imageUses.reused++;
      return { db, fixture };
    } catch {
      db?.close(); // not usable after all: read and load
    }
  }
  return { src, bytes };
}

/** Resolves `--timing`: a profile name, a JSON file, or an object, merged over `realistic`. */
export function resolveTiming(t: string | Partial<TimingProfile> | undefined): TimingProfile {
  if (t === undefined) return REALISTIC;
  if (typeof t === 'string') {
    if (Object.hasOwn(PROFILES, t)) return PROFILES[t]!;
    const doc = parseDataFile(t, t);
    checkTiming(doc, t, '');
    return mergeTiming(REALISTIC, doc as Partial<TimingProfile>);
  }
  const base = t.name && Object.hasOwn(PROFILES, t.name) ? PROFILES[t.name]! : REALISTIC;
  return mergeTiming(base, t);
}

/**
 * Where virtual time resumes on a database that has some. Manual mode: where it stood. Real mode: wall time, but
 * never before what the database has already seen (a fast clock runs ahead of the wall; going back would put every
 * stored deadline further ahead and date new jobs before old ones). `clock_now` is written on a clean shutdown only,
 * so after kill -9 the newest job's creation time is the floor.
 */
function resumeAt(db: Db, meta: Meta, mode: ClockMode): number | undefined {
  const persisted = Number(meta.get('clock_now') ?? NaN);
  if (mode === 'manual') return Number.isFinite(persisted) ? persisted : undefined;
  const newestJob = db.prepare('SELECT created_at FROM jobs ORDER BY job_id DESC LIMIT 1').pluck().get() as number | undefined;
  const floor = Math.max(Number.isFinite(persisted) ? persisted : 0, newestJob ?? 0);
  return floor > Date.now() ? floor : undefined;
}

/**
 * The composition root of the engine: database, stores, clock, job engine and the per-array facts. The HTTP
 * layer and the control plane take this object; modules that add behaviour (pairs, capacity) hook into it.
 */
export function createEngine(opts: EngineOptions = {}) {
  let log = opts.log ?? silent;
  const dbPath = opts.db ?? ':memory:';
  const fresh = Boolean(opts.fresh) && dbPath !== ':memory:';
  if (fresh) discardDb(dbPath);
  let db: Db = openDb(dbPath);
  const fixturesDir = opts.fixturesDir ?? FIXTURES_DIR;
  const held = holdsArrays(db);
  const origin = held ? readOrigin(db) : null;
  let note: string | undefined;
  let fixture: Fixture;
  try {
    if (typeof opts.fixture === 'object') {
      validateFixture(opts.fixture);
      fixture = opts.fixture;
    } else if (opts.fixture !== undefined || !origin) {
      const name = opts.fixture ?? 'default';
      const warm = !held && dbPath === ':memory:' ? fromImage(name, fixturesDir, opts.imageCacheDir) : null;
      if (warm && 'db' in warm) {
        db.close();
        db = warm.db;
        fixture = warm.fixture;
      } else {
        fixture = warm ? parseFixtureSource(warm.src, warm.bytes) : readFixture(name, fixturesDir);
      }
    } else {
      // Resuming without --fixture: the origin fixture gives the catalog, fidelity and timing overrides and what a reset goes back to.
      try {
        fixture = readFixture(origin.name, fixturesDir);
      } catch {
        fixture = readFixture('default', fixturesDir);
        note = `fixture "${origin.name}" is not in the fixtures folder: a reset goes back to "default"`;
      }
    }
    if (held && origin && opts.fixture !== undefined) {
      const asked = originNameOf(fixture);
      if (asked !== origin.name) throw new FixtureMismatchError(dbPath, origin.name, asked, countState(db));
    }
    // A new :memory: database of a big fixture: the image an earlier load of the same fixture left, else a load that
    // leaves one (store/image.ts). A file database is filled row by row: its pages are the file's.
    if (!held && dbPath === ':memory:' && !holdsArrays(db)) db = loadedImage(db, fixture, opts.imageCacheDir);
  } catch (e) {
    db.close();
    throw e;
  }
  logs.set(db, () => log);
  const meta: Meta = createMeta(db);
  const res: ResourceStore = createResourceStore(db);
  const jobStore: JobStore = createJobStore(db);
  const sessions: SessionStore = createSessionStore(db);
  const clock = new VirtualClock({ mode: opts.clock ?? 'real', speed: opts.speed ?? 1, start: opts.startTime ?? resumeAt(db, meta, opts.clock ?? 'real') });
  const rng: Rng = createRng(opts.seed ?? null);
  let timing = resolveTiming(opts.timing ?? fixture.timing);
  let catalog: Catalog = buildCatalog(fixture.errors);
  let fidelity: Fidelity = { ...defaultFidelity, ...(fixture.fidelity ?? {}) } as Fidelity;

  const arrays = new Map<string, ArrayInfo>();
  const refreshArrays = () => {
    arrays.clear();
    for (const a of res.listArrays()) {
      arrays.set(a.sid, { sid: a.sid, model: a.model, serial: a.serial, doc: a.doc,
        facts: modelFacts(a.model, (a.doc.modelFacts ?? {}) as Partial<ModelFacts>) });
    }
  };
  // A file database that already holds arrays is resumed as it is; an empty one is seeded from the fixture.
  if (!holdsArrays(db)) loadFixture(db, res, fixture);
  refreshArrays();
  const startInfo: StartInfo = {
    state: held ? 'resumed' : 'loaded', fixture: held ? origin?.name ?? null : originNameOf(fixture), db: dbPath, fresh,
    counts: countState(db), ...(note ? { note } : held && !origin ? { note: 'the database does not record its fixture (made by an older version)' } : {}),
  };

  const jobs: JobEngine = createJobEngine({
    db, meta, jobs: jobStore, clock, catalog: () => catalog, timing: () => timing,
    retention: (sid) => arrays.get(sid)?.facts.jobRetention ?? 3000,
    // Through `log`, so a logger set later (the server's, see setLog) reaches the job engine too.
    log: { info: (o, m) => log.info(o, m), debug: (o, m) => log.debug(o, m), error: (o, m) => log.error(o, m) },
  });

  const reloadListeners: Array<() => void> = [];

  const engine = {
    db, meta, res, jobStore, sessions, clock, jobs, rng, arrays, fixturesDir, startInfo,
    get log() { return log; },
    /** Logs through `l` from now on (buildApp hands the engine the server's pino logger). */
    setLog(l: Logger) { log = l; },
    /** Arrays, LDEVs and pairs now. */
    counts: () => countState(db),
    /** The fixture the state now in the database came from (a reset or checkpoint restore moves it); null if unrecorded. */
    origin: (): string | null => readOrigin(db)?.name ?? null,
    pairHooks: noPairs as PairHooks,
    get fixture() { return fixture; },
    get timing() { return timing; },
    set timing(t: TimingProfile) { timing = t; },
    get catalog() { return catalog; },
    get fidelity() { return fidelity; },
    defaultSid(): string {
      return arrays.keys().next().value as string;
    },
    refreshArrays,
    /** Modules with in-memory caches over the database register here; called after reset/restore replaced state. */
    onReload(listener: () => void) {
      reloadListeners.push(listener);
    },
    /** Re-reads everything cached from the database (arrays, due-time caches) after the state was replaced. */
    reloaded() {
      refreshArrays();
      jobs.invalidate();
      for (const l of reloadListeners) l();
    },
    /** Replaces the fixture-level tables (used by reset with another fixture). */
    setFixture(fx: Fixture) {
      fixture = fx;
      catalog = buildCatalog(fx.errors);
      fidelity = { ...defaultFidelity, ...(fx.fidelity ?? {}) } as Fidelity;
      if (fx.timing) timing = resolveTiming(fx.timing);
    },
    close() {
      meta.set('clock_now', String(clock.now()));
      clock.stop();
      db.close();
    },
  };
  return engine;
}

export type Engine = ReturnType<typeof createEngine>;
