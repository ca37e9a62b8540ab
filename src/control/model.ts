import type { Engine } from '../engine/context.js';
import { modelFacts } from '../domain/models.js';
import type { TimingProfile } from '../domain/timing.js';
import {
  FixtureError, REDACTED, STATE_FORMAT, isStateExport, loadArraySection, loadFixture, readNamedFixture, storageDeviceIdOf, validateArraySpec,
  validateFixture, type ArraySpec, type Fixture, type PasswordSource, type UserSpec,
} from '../store/fixture.js';
import {
  attachScratch, clearTable, dropSaved, dumpTable, listTables, restoreTables, saveTables, SCRATCH, type Row, type TableInfo,
} from '../store/snapshot.js';
import { VERSION } from '../version.js';
import { badRequest, conflict, ControlError, notFound } from './errors.js';

/**
 * The model side of the control plane: reset, checkpoints, state export and arrays on demand. Every operation is
 * generic over the tables in `sqlite_master` and runs in one synchronous SQLite transaction, so no request can
 * see a half-replaced model; held requests (Response-Job-Status waits, latency faults) are released first.
 */

/** meta keys a reset or restore leaves alone: the schema version and the persisted clock. */
const PRESERVED_META = ['schema_version', 'clock_now'];
/**
 * meta counters that never go back: a job id a client still holds must not name another job after a reset or
 * restore (a stale poll then gets a clear 404 instead of somebody else's job). Add a key here for a new counter
 * with the same property.
 */
export const MONOTONIC_META = new Set(['job_id', 'io_workload_id']);

/** Where an array came from, so it can be reset on its own. */
export interface ArrayOrigin { fixtureName: string; spec: ArraySpec; users: UserSpec[]; onDemand: boolean }

export interface Checkpoint {
  name: string;
  prefix: string;
  tables: Set<string>;
  storageDeviceId: string | null;
  description: string | null;
  createdAt: number;
  timing: TimingProfile;
  fixture: Fixture;
  origins: Map<string, ArrayOrigin>;
}

export interface ModelDeps {
  engine: Engine;
  /** Ends held requests (all, or one array's) before the model is replaced. */
  releaseHeld(sid?: string): void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Checkpoints kept at once (each is a full copy of the model: ~80 KiB for the default fixture, MBs for big ones). */
export const MAX_CHECKPOINTS = 32;
/** Arrays on demand: one per parallel test file is the use; each holds its LDEV slots, so the count is bounded too. */
export const MAX_ARRAYS = 64;
/** Columns a state export shows as `<redacted>` unless secrets are asked for: passwords and session tokens. */
const SECRET_COLUMN = /token|passw|secret/i;

export function createModelControl({ engine, releaseHeld }: ModelDeps) {
  const { db } = engine;
  attachScratch(db);
  const checkpoints = new Map<string, Checkpoint>();
  /**
   * The model a fixture loads to, kept after the first reset to it, so the next resets copy tables back (tens of
   * ms for 100,000 pairs) instead of loading the fixture again (~0.8 s). Keyed by the fixture object: a reset that
   * names a fixture reads it again (the file may have changed) and loads it. Fixture loading reads no clock (the
   * pair loader marks times to be stamped when the pair module reloads), so a template is valid at any time.
   */
  const templates = new Map<Fixture, { prefix: string; tables: Set<string> }>();
  let prefixSeq = 0;
  let origins = originsOf(engine.fixture);

  function originsOf(fx: Fixture): Map<string, ArrayOrigin> {
    const out = new Map<string, ArrayOrigin>();
    if (isStateExport(fx)) return out;
    for (const spec of fx.arrays) out.set(storageDeviceIdOf(spec), { fixtureName: fx.name ?? 'fixture', spec, users: fx.users ?? [], onDemand: false });
    return out;
  }

  const tablesExcept = (keep: ReadonlySet<string>) => listTables(db).filter((t) => !keep.has(t.name));

  /** One array section of a fixture, with its pairs (as loadFixture does per array), under `sid`. */
  function loadSection(spec: ArraySpec, users: UserSpec[], sid: string, fixtureName: string): void {
    loadArraySection(db, engine.res, spec, users, { name: fixtureName, fidelity: engine.fixture.fidelity }, sid);
  }

  function readMeta(): Map<string, string | undefined> {
    const m = new Map<string, string | undefined>();
    for (const k of [...PRESERVED_META, ...MONOTONIC_META]) m.set(k, engine.meta.get(k));
    return m;
  }

  /** Puts back the preserved meta keys and keeps every monotonic counter at the larger of before and after. */
  function writeMeta(before: Map<string, string | undefined>): void {
    for (const k of PRESERVED_META) {
      const v = before.get(k);
      if (v === undefined) db.prepare('DELETE FROM meta WHERE key = ?').run(k);
      else engine.meta.set(k, v);
    }
    for (const k of MONOTONIC_META) {
      const after = Number(engine.meta.get(k) ?? 0);
      let floor = Math.max(after, Number(before.get(k) ?? 0));
      if (k === 'job_id') floor = Math.max(floor, (db.prepare('SELECT MAX(job_id) FROM jobs').pluck().get() as number | null) ?? 0);
      if (floor > 0) engine.meta.set(k, String(floor));
    }
  }

  function checkKeep(keep: string[] | undefined, extra: string[]): Set<string> {
    const names = new Set(listTables(db).map((t) => t.name));
    for (const k of keep ?? []) {
      if (!names.has(k) && !extra.includes(k)) throw badRequest(`keep: "${k}" is neither a table (${[...names].join(', ')}) nor one of ${extra.join(', ') || '(none)'}`);
    }
    return new Set(keep ?? []);
  }

  /**
   * A fixture by name (only inside the fixtures folder: a path is "no such fixture", whether or not it exists),
   * inline, or (undefined) the current one. Errors name the file and a line, never quote its content.
   */
  function resolveFixture(f: string | Fixture | undefined): Fixture {
    if (f === undefined) return engine.fixture;
    try {
      if (typeof f === 'string') return readNamedFixture(f, engine.fixturesDir);
      if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new FixtureError('fixture must be a name in the fixtures folder or a fixture object');
      validateFixture(f, 'inline fixture');
      return { ...f, name: f.name ?? 'inline' };
    } catch (e) {
      if (e instanceof FixtureError && e.notFound) throw new ControlError(404, 'fixtureNotFound', e.message);
      throw new ControlError(400, 'badFixture', (e as Error).message);
    }
  }

  /** The password the current model's fixture gives a user (for a state export whose passwords were redacted). */
  const passwordFor: PasswordSource = (sid, userId) => {
    const o = origins.get(sid);
    const users = o ? (o.spec.users ?? o.users) : isStateExport(engine.fixture) ? [] : engine.fixture.users ?? [];
    return users.find((u) => u.userId === userId)?.password;
  };

  /** Replaces the whole model with a fixture's state. Returns the fixture used. */
  function resetAll(opts: { fixture?: string | Fixture; keep?: string[] }): Fixture {
    const fx = resolveFixture(opts.fixture);
    const keep = checkKeep(opts.keep, ['faults', 'journal', 'timing']);
    releaseHeld();
    const template = templates.get(fx);
    let saved: { prefix: string; tables: Set<string> } | null = null;
    try {
      db.transaction(() => {
        const meta = readMeta();
        if (template) {
          restoreTables(db, tablesExcept(keep), template.prefix, template.tables);
        } else {
          for (const t of tablesExcept(keep)) clearTable(db, t);
          loadFixture(db, engine.res, fx, passwordFor);
          // A template only of a clean load: kept tables would otherwise end up in it.
          if (keep.size === 0) saved = saveTemplate();
        }
        writeMeta(meta);
      })();
    } catch (e) {
      if (e instanceof ControlError) throw e;
      throw new ControlError(400, 'badFixture', `the fixture could not be loaded, nothing changed: ${(e as Error).message}`);
    }
    if (saved) rememberTemplate(fx, saved);
    if (fx !== engine.fixture) engine.setFixture(fx);
    origins = originsOf(fx);
    engine.reloaded();
    return fx;
  }

  function saveTemplate(): { prefix: string; tables: Set<string> } {
    const prefix = `t${++prefixSeq}`;
    return { prefix, tables: new Set(saveTables(db, listTables(db), prefix)) };
  }

  /** Keeps a template once its transaction committed. */
  function rememberTemplate(fx: Fixture, t: { prefix: string; tables: Set<string> }): void {
    templates.set(fx, t);
    // Two templates at most (the current fixture and the one before); older copies are dropped.
    for (const [old, t] of templates) {
      if (templates.size <= 2) break;
      dropSaved(db, t.prefix, t.tables);
      templates.delete(old);
    }
  }

  /** Puts one array back to the fixture section it was created from; other arrays are untouched. */
  function resetArray(sid: string, keepList?: string[]): ArrayOrigin {
    if (!engine.arrays.has(sid)) throw notFound(`no array ${sid}`);
    const origin = origins.get(sid);
    if (!origin) throw conflict(`array ${sid} was loaded from a state export, not a declarative fixture; reset everything or restore a checkpoint`);
    const keep = checkKeep(keepList, []);
    releaseHeld(sid);
    db.transaction(() => {
      for (const t of tablesExcept(keep)) if (t.hasSid) clearTable(db, t, sid);
      loadSection(origin.spec, origin.users, sid, origin.fixtureName);
    })();
    engine.reloaded();
    return origin;
  }

  function checkpointInfo(cp: Checkpoint) {
    const rows: Record<string, number> = {};
    for (const t of cp.tables) {
      rows[t] = db.prepare(`SELECT COUNT(*) FROM ${SCRATCH}."${cp.prefix}__${t}"`).pluck().get() as number;
    }
    return {
      name: cp.name, storageDeviceId: cp.storageDeviceId, description: cp.description,
      createdTime: new Date(cp.createdAt).toISOString(), fixture: cp.fixture.name ?? null, rows,
    };
  }

  /** Saves the whole model (or one array's rows) under a name; an existing checkpoint of that name is replaced. */
  function saveCheckpoint(name: string, opts: { storageDeviceId?: string; description?: string }): { created: boolean; info: ReturnType<typeof checkpointInfo> } {
    if (!NAME.test(name)) throw badRequest('a checkpoint name is 1-64 characters: letters, digits, ".", "_", "-", starting with a letter or digit');
    if (!checkpoints.has(name) && checkpoints.size >= MAX_CHECKPOINTS) {
      throw new ControlError(409, 'limitReached', `at most ${MAX_CHECKPOINTS} checkpoints are kept; delete one (DELETE /emulator/v1/checkpoints/{name}) or reuse a name`);
    }
    const sid = opts.storageDeviceId;
    if (sid !== undefined && !engine.arrays.has(sid)) throw notFound(`no array ${sid}`);
    const prefix = `c${++prefixSeq}`;
    let saved: string[] = [];
    db.transaction(() => { saved = saveTables(db, listTables(db), prefix, sid); })();
    const previous = checkpoints.get(name);
    if (previous) dropSaved(db, previous.prefix, previous.tables);
    const cp: Checkpoint = {
      name, prefix, tables: new Set(saved), storageDeviceId: sid ?? null, description: opts.description ?? null,
      createdAt: engine.clock.now(), timing: engine.timing, fixture: engine.fixture, origins: new Map(origins),
    };
    checkpoints.set(name, cp);
    return { created: !previous, info: checkpointInfo(cp) };
  }

  /**
   * Brings a checkpoint back. A whole-model checkpoint also brings back the virtual time it was taken at (so pair
   * and job deadlines keep their remaining durations), the timing profile and the fixture; `clock: "keep"` leaves
   * time where it is (deadlines already passed then fire at once). An array checkpoint keeps the clock by default.
   */
  function restoreCheckpoint(name: string, opts: { clock?: 'restore' | 'keep'; keep?: string[] }) {
    const cp = checkpoints.get(name);
    if (!cp) throw notFound(`no checkpoint "${name}"`);
    const clock = opts.clock ?? (cp.storageDeviceId === null ? 'restore' : 'keep');
    if (clock !== 'restore' && clock !== 'keep') throw badRequest('clock must be restore or keep');
    const keep = checkKeep(opts.keep, []);
    const sid = cp.storageDeviceId ?? undefined;
    releaseHeld(sid);
    db.transaction(() => {
      const meta = readMeta();
      restoreTables(db, tablesExcept(keep), cp.prefix, cp.tables, sid);
      writeMeta(meta);
    })();
    if (sid === undefined) {
      if (cp.fixture !== engine.fixture) engine.setFixture(cp.fixture);
      engine.timing = cp.timing;
      origins = new Map(cp.origins);
    } else if (cp.origins.has(sid)) {
      origins.set(sid, cp.origins.get(sid)!);
    }
    engine.reloaded();
    if (clock === 'restore') engine.clock.setTime(cp.createdAt);
    return { ...checkpointInfo(cp), clock };
  }

  function deleteCheckpoint(name: string): void {
    const cp = checkpoints.get(name);
    if (!cp) throw notFound(`no checkpoint "${name}"`);
    dropSaved(db, cp.prefix, cp.tables);
    checkpoints.delete(name);
  }

  /**
   * The whole model (or one array) as JSON. The document is also a fixture: `--fixture export.json`, or `POST
   * /emulator/v1/reset {"fixture": <document>}`, loads it back table by table. Passwords and session tokens show as
   * `<redacted>` unless `secrets` (the route allows it only with a control token): loaded back, such sessions are
   * dropped and such users get the password their fixture gives them, else the default `raid-maintenance`.
   */
  function exportState(opts: { storageDeviceId?: string; tables?: string[]; secrets?: boolean }) {
    const sid = opts.storageDeviceId;
    if (sid !== undefined && !engine.arrays.has(sid)) throw notFound(`no array ${sid}`);
    const all = listTables(db);
    const known = new Set(all.map((t) => t.name));
    for (const t of opts.tables ?? []) if (!known.has(t)) throw badRequest(`no table "${t}" (tables: ${[...known].join(', ')})`);
    const chosen = all.filter((t: TableInfo) => (opts.tables === undefined || opts.tables.includes(t.name)) && (sid === undefined || t.hasSid));
    const tables: Record<string, Row[]> = {};
    for (const t of chosen) {
      const rows = dumpTable(db, t, sid);
      const secret = opts.secrets ? [] : t.columns.filter((c) => SECRET_COLUMN.test(c));
      if (secret.length) for (const r of rows) for (const c of secret) if (r[c] !== null && r[c] !== undefined) r[c] = REDACTED;
      tables[t.name] = t.name === 'meta' ? rows.filter((r) => !PRESERVED_META.includes(String(r.key))) : rows;
    }
    const fx = engine.fixture;
    const now = engine.clock.now();
    return {
      format: STATE_FORMAT,
      formatVersion: 1,
      name: `${fx.name ?? 'state'}-export`,
      description: `State of vsp-emulator ${VERSION} at virtual time ${new Date(now).toISOString()}` + (sid ? ` (array ${sid})` : ''),
      emulatorVersion: VERSION,
      schemaVersion: Number(engine.meta.get('schema_version') ?? 0),
      exportedTime: new Date(now).toISOString(),
      ...(fx.errors ? { errors: fx.errors } : {}),
      ...(fx.fidelity ? { fidelity: fx.fidelity } : {}),
      timing: engine.timing,
      arrays: engine.res.listArrays().filter((a) => sid === undefined || a.sid === sid)
        .map((a) => ({ storageDeviceId: a.sid, model: a.model, serialNumber: a.serial })),
      tables,
    };
  }

  function arrayInfo(sid: string) {
    const a = engine.arrays.get(sid)!;
    const o = origins.get(sid);
    return { storageDeviceId: sid, model: a.model, serialNumber: a.serial, fixture: o?.fixtureName ?? null, onDemand: o?.onDemand ?? false };
  }

  /** Creates an array from a fixture's array section (or an inline one) under a storage id of its own. */
  function createArray(r: { fixture?: string | Fixture; from?: string | number; array?: ArraySpec; storageDeviceId?: string; serialNumber?: number; model?: string }) {
    if (engine.arrays.size >= MAX_ARRAYS) {
      throw new ControlError(409, 'limitReached', `at most ${MAX_ARRAYS} arrays are emulated at once; delete one (DELETE /emulator/v1/arrays/{storageDeviceId})`);
    }
    const fx = resolveFixture(r.fixture);
    let base: ArraySpec;
    if (r.array !== undefined) {
      if (typeof r.array !== 'object' || r.array === null) throw badRequest('array must be an array section of a fixture');
      base = r.array;
    } else {
      if (isStateExport(fx)) throw badRequest('arrays are created from a declarative fixture (pools, ldevs, ports…), not from a state export');
      const found = typeof r.from === 'number' ? fx.arrays[r.from]
        : r.from === undefined ? fx.arrays[0] : fx.arrays.find((a) => storageDeviceIdOf(a) === r.from || String(a.serialNumber) === r.from);
      if (!found) throw notFound(`fixture "${fx.name}" has no array ${String(r.from)}`);
      base = found;
    }
    const spec: ArraySpec = structuredClone(base);
    if (r.model !== undefined) spec.model = r.model;
    let facts;
    try { facts = modelFacts(spec.model, spec.modelFacts); } catch (e) { throw badRequest((e as Error).message); }
    let sid = r.storageDeviceId;
    let serial = r.serialNumber;
    if (serial !== undefined && !(Number.isInteger(serial) && serial >= 0 && serial <= 999999)) throw badRequest('serialNumber must be 0..999999');
    if (sid !== undefined) {
      if (!/^\d{12}$/.test(sid)) throw badRequest('storageDeviceId must be 12 digits');
      serial ??= Number(sid.slice(6));
    } else if (serial !== undefined) {
      sid = `${facts.prefix}${String(serial).padStart(6, '0')}`;
    } else {
      // The section's own id when free, else the next free serial after it: ids read like the fixture's and repeat run after run.
      let s = Number.isInteger(spec.serialNumber) ? spec.serialNumber : 0;
      sid = spec.storageDeviceId ?? `${facts.prefix}${String(s).padStart(6, '0')}`;
      while (engine.arrays.has(sid) || engine.res.getArray(sid)) { s = (s + 1) % 1_000_000; sid = `${facts.prefix}${String(s).padStart(6, '0')}`; }
      serial = s;
    }
    if (engine.arrays.has(sid) || engine.res.getArray(sid)) throw conflict(`array ${sid} already exists`);
    spec.serialNumber = serial;
    spec.storageDeviceId = sid;
    try {
      validateArraySpec(spec, 'array');
      db.transaction(() => { loadSection(spec, fx.users ?? [], sid!, fx.name ?? 'inline'); })();
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    origins.set(sid, { fixtureName: fx.name ?? 'inline', spec, users: fx.users ?? [], onDemand: true });
    engine.reloaded();
    return arrayInfo(sid);
  }

  /** Removes an array and every row that belongs to it; its waiting requests are answered first. */
  function deleteArray(sid: string): void {
    if (!engine.arrays.has(sid)) throw notFound(`no array ${sid}`);
    if (engine.arrays.size === 1) throw conflict('the last array cannot be deleted (reset instead)');
    releaseHeld(sid);
    db.transaction(() => { for (const t of listTables(db)) if (t.hasSid) clearTable(db, t, sid); })();
    origins.delete(sid);
    engine.reloaded();
  }

  return {
    resetAll, resetArray, saveCheckpoint, restoreCheckpoint, deleteCheckpoint, exportState, createArray, deleteArray, arrayInfo,
    listCheckpoints: () => [...checkpoints.values()].map(checkpointInfo),
    getCheckpoint: (name: string) => {
      const cp = checkpoints.get(name);
      if (!cp) throw notFound(`no checkpoint "${name}"`);
      return checkpointInfo(cp);
    },
    listArrays: () => [...engine.arrays.keys()].map(arrayInfo),
    checkpointCount: () => checkpoints.size,
  };
}

export type ModelControl = ReturnType<typeof createModelControl>;
