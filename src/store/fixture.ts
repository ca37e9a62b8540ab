import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { modelFacts, type ModelFacts } from '../domain/models.js';
import { parseByteFormat } from '../domain/format.js';
import type { CatalogEntry } from '../domain/errors.js';
import type { TimingProfile } from '../domain/timing.js';
import { withIndexesDeferred, type Db } from './db.js';
import type { ResourceStore } from './resources.js';
import { loadRows, type Row } from './snapshot.js';
import { loadFixturePairs, type PairSpec } from './pairs.js';
import { seedFixtureContent } from './fixtureContent.js';
import { validateArraySpec, validateFixture } from './fixtureShape.js';
import { originNameOf, recordOrigin } from './origin.js';

/** The checker lives in fixtureShape.ts; callers import it from here as before. */
export { validateArraySpec, validateFixture };

/**
 * The declarative fixture format: arrays with their users, pools, LDEVs, ports, host groups, WWNs, iSCSI names
 * and LU paths, plus optional overrides of the error catalog, the fidelity table and the timing profile.
 * See fixtures/*.yaml and the README.
 */
export interface Fixture {
  name?: string;
  description?: string;
  users?: UserSpec[];
  arrays: ArraySpec[];
  errors?: Record<string, Partial<CatalogEntry>>;
  fidelity?: Record<string, unknown>;
  timing?: Partial<TimingProfile>;
  /** Extension sections other modules read (pairs, control plane scenario steps…). */
  [extra: string]: unknown;
}
export interface UserSpec { userId: string; password: string }
export interface ArraySpec {
  storageDeviceId?: string; model: string; serialNumber: number;
  svpIp?: string; ctl1Ip?: string; ctl2Ip?: string; dkcMicroVersion?: string;
  modelFacts?: Partial<ModelFacts>;
  users?: UserSpec[];
  pools?: PoolSpec[];
  ldevs?: LdevSpec[];
  ports?: PortSpec[];
  luns?: Array<{ portId: string; hostGroupNumber: number; lun: number; ldevId: number }>;
  [extra: string]: unknown;
}
export interface PoolSpec {
  poolId: number; poolName: string; poolType: 'HDP' | 'HDT' | 'HTI' | 'RT' | 'DM';
  capacity: string; warningThreshold?: number; depletionThreshold?: number; virtualVolumeCapacityRate?: number;
  numOfLdevs?: number; firstLdevId?: number; usedCapacity?: string; isMainframe?: boolean;
}
export interface LdevSpec {
  ldevId: number; capacity: string; poolId?: number; label?: string; dataReductionMode?: string;
  isFullAllocationEnabled?: boolean; usedCapacity?: string; attributes?: string[]; emulationType?: string;
  isDataReductionSharedVolumeEnabled?: boolean;
  /** A virtual clone of this LDEV of the same array (VSP One B, TIA ref 4.1): the LDEV shows `VC`, the parent `VCP`. */
  parentLdevId?: number;
}
export interface PortSpec {
  portId: string; portType: 'FIBRE' | 'ISCSI'; lunSecuritySetting?: boolean;
  wwn?: string; portSpeed?: string; portAttributes?: string[]; ipv4Address?: string; ipv4Subnetmask?: string; tcpPort?: number;
  hostGroups?: HostGroupSpec[];
}
export interface HostGroupSpec {
  hostGroupNumber: number; hostGroupName: string; hostMode?: string; hostModeOptions?: number[];
  iscsiName?: string; wwns?: string[]; iscsiNames?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
/** The shipped fixtures folder, found from src/ or dist/. */
export const FIXTURES_DIR = [resolve(here, '../../fixtures'), resolve(here, '../../../fixtures')].find((d) => existsSync(d))
  ?? resolve(here, '../../fixtures');

/** A fixture that cannot be read: `notFound` when there is no such fixture (404 over HTTP), else it is invalid (400). */
export class FixtureError extends Error {
  constructor(message: string, readonly notFound = false) { super(message); }
}

/** What a fixture name over HTTP may be: a plain file name in the fixtures folder, never a path. */
export const FIXTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EXTENSIONS = ['.yaml', '.yml', '.json'];

const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };

/**
 * A fixture by plain name, looked up only inside `dir` (`default` → `<dir>/default.yaml`, `.yml` or `.json`): what a
 * control-plane caller may name. Anything else (a path, `..`, a missing file) is the same FixtureError, so the
 * answer never tells whether some path exists.
 */
export function readNamedFixture(name: string, dir = FIXTURES_DIR): Fixture {
  const files = FIXTURE_NAME.test(name)
    ? [...(EXTENSIONS.includes(extname(name)) ? [name] : []), ...EXTENSIONS.map((e) => `${name}${e}`)].map((f) => join(dir, f))
    : [];
  const path = files.find((f) => isFile(f) && inside(dir, f));
  if (!path) throw new FixtureError(`no fixture ${JSON.stringify(name.slice(0, 80))} in the fixtures folder`, true);
  return parseFixtureFile(path, basename(path), name);
}

/** Whether `file` (symlinks resolved) lies inside `dir`. */
function inside(dir: string, file: string): boolean {
  try { return realpathSync(file).startsWith(realpathSync(dir) + sep); } catch { return false; }
}

/**
 * Resolves a fixture name (`default`, `vsp5500`, in `dir`) or a path (the CLI's `--fixture`: the operator owns the
 * machine), and parses and validates it. Errors name the file, never quote its content.
 */
export function readFixture(nameOrPath: string, dir = FIXTURES_DIR): Fixture {
  if (extname(nameOrPath) !== '' && isFile(nameOrPath)) return parseFixtureFile(nameOrPath, nameOrPath, nameOrPath);
  try {
    return readNamedFixture(nameOrPath, dir);
  } catch (e) {
    if (e instanceof FixtureError && e.notFound) throw new FixtureError(`fixture "${nameOrPath}" not found (looked in ${dir} and as a path)`, true);
    throw e;
  }
}

/** Reads and parses a JSON or YAML file; errors name `shown` and a line and column, never the content. */
export function parseDataFile(path: string, shown: string, onBytes?: (bytes: Buffer) => void, given?: Buffer): unknown {
  let text: string;
  try {
    const bytes = given ?? readFileSync(path);
    onBytes?.(bytes);
    text = bytes.toString('utf8');
  } catch (e) {
    throw new FixtureError(`${shown}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (extname(path) === '.json') {
    try { return JSON.parse(text); } catch {
      throw new FixtureError(`${shown}: not valid JSON at ${lineColumn(text, jsonErrorOffset(text))}`);
    }
  }
  try { return parseYaml(text); } catch (e) {
    const pos = (e as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const code = (e as { code?: unknown }).code;
    throw new FixtureError(`${shown}: not valid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/**
 * Where JSON.parse fails, without its message (V8 quotes the text around the error): the shortest prefix that fails
 * for another reason than ending early, found by bisection.
 */
function jsonErrorOffset(text: string): number {
  const fine = (n: number) => {
    try { JSON.parse(text.slice(0, n)); return true; } catch (e) {
      const m = (e as Error).message;
      const at = /position (\d+)/.exec(m);
      return /end of JSON input|Unterminated string/.test(m) || (at !== null && Number(at[1]) >= n);
    }
  };
  if (fine(text.length)) return text.length;
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fine(mid)) lo = mid; else hi = mid;
  }
  return hi - 1;
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function parseFixtureFile(path: string, shown: string, fallbackName: string, bytes?: Buffer): Fixture {
  let digest = '';
  const doc = parseDataFile(path, shown, (b) => { digest = fileDigest(b, fallbackName); }, bytes) as Fixture;
  validateFixture(doc, shown);
  const fx = { name: doc.name ?? fallbackName, ...doc };
  if (digest) digests.set(fx, digest);
  return fx;
}

/**
 * What a fixture file's loaded rows depend on: its bytes and the name a document without `name:` gets. Only a big
 * file's is ever asked for (a loaded image's key): small ones skip the hash.
 */
export function fileDigest(bytes: Buffer, fallbackName: string): string {
  return bytes.length >= 1 << 20 ? `file:${createHash('sha256').update(bytes).digest('hex')}:${fallbackName}` : '';
}

/** Where readFixture reads `nameOrPath` from: the file, the name its errors show, the name a document without one gets. */
export interface FixtureSource { path: string; shown: string; fallbackName: string }

/** The file readFixture would read (null when there is none: readFixture says why). */
export function fixtureSource(nameOrPath: string, dir = FIXTURES_DIR): FixtureSource | null {
  if (extname(nameOrPath) !== '' && isFile(nameOrPath)) return { path: nameOrPath, shown: nameOrPath, fallbackName: nameOrPath };
  if (!FIXTURE_NAME.test(nameOrPath)) return null;
  const files = [...(EXTENSIONS.includes(extname(nameOrPath)) ? [nameOrPath] : []), ...EXTENSIONS.map((e) => `${nameOrPath}${e}`)].map((f) => join(dir, f));
  const path = files.find((f) => isFile(f) && inside(dir, f));
  return path ? { path, shown: basename(path), fallbackName: nameOrPath } : null;
}

/** readFixture of a source whose bytes were read already. */
export function parseFixtureSource(src: FixtureSource, bytes: Buffer): Fixture {
  return parseFixtureFile(src.path, src.shown, src.fallbackName, bytes);
}

/** The digest of the bytes a fixture object was read from (a big file's), so its image key needs no second pass. */
const digests = new WeakMap<Fixture, string>();

/**
 * What a fixture's loaded rows depend on, as a digest: the file's text it was read from, else its JSON (an object
 * given in code; it may have been changed since an earlier start, so it is hashed again every time).
 */
export function fixtureDigest(fx: Fixture): string {
  return digests.get(fx) ?? `json:${createHash('sha256').update(JSON.stringify(fx)).digest('hex')}`;
}

/** The `format` of a whole-model export; such a document is also a fixture (its `arrays` only name the arrays). */
export const STATE_FORMAT = 'vsp-emulator-state';

/** Whether a fixture is a state export: rows per table instead of declarative sections. */
export function isStateExport(fx: Fixture): fx is Fixture & { tables: Record<string, Row[]> } {
  return fx.format === STATE_FORMAT && typeof fx.tables === 'object' && fx.tables !== null;
}

export function storageDeviceIdOf(a: ArraySpec): string {
  return a.storageDeviceId ?? `${modelFacts(a.model, a.modelFacts).prefix}${String(a.serialNumber).padStart(6, '0')}`;
}

/** The default host group 0 name the array gives each port: CL1-A → "1A-G00". */
export function defaultHostGroupName(portId: string): string {
  const m = /^CL(\w)-(\w)$/.exec(portId);
  return m ? `${m[1]}${m[2]}-G00` : `${portId}-G00`;
}

export function iscsiTargetName(serial: number, portId: string, hg: number): string {
  const m = /^CL(\w)-(\w)$/.exec(portId);
  const port = m ? `${m[1]}${m[2]}`.toLowerCase() : portId.toLowerCase();
  return `iqn.1994-04.jp.co.hitachi:rsd.h8m.t.${String(serial).padStart(5, '0')}.${port}${hg.toString(16).padStart(3, '0')}`;
}

const blocksOf = (size: string | undefined) => (size ? parseByteFormat(size) ?? 0 : 0);

/** What a state export shows in place of a password or token (unless secrets were asked for). */
export const REDACTED = '<redacted>';
/** The user every array has when its fixture names none. */
export const DEFAULT_USER: UserSpec = { userId: 'maintenance', password: 'raid-maintenance' };

/** Where a redacted password is loaded from: the password some fixture gives that user on that array, if any. */
export type PasswordSource = (sid: string, userId: string) => string | undefined;

/**
 * The rows of a state export made loadable: a session whose token was redacted is dropped (its client logs in
 * again), a redacted password becomes `passwordFor`'s, else the default user's password (`raid-maintenance`).
 */
export function unredactRows(tables: Record<string, Row[]>, passwordFor: PasswordSource = () => undefined): Record<string, Row[]> {
  const out = { ...tables };
  if (Array.isArray(out.sessions)) out.sessions = out.sessions.filter((r) => r.token !== REDACTED);
  if (Array.isArray(out.users)) {
    out.users = out.users.map((r) => (r.password !== REDACTED ? r
      : { ...r, password: passwordFor(String(r.sid), String(r.user_id)) ?? DEFAULT_USER.password }));
  }
  return out;
}

/** Inserts the fixture's arrays (in the caller's transaction). Returns the storage device ids in order. */
export function loadFixture(db: Db, res: ResourceStore, fx: Fixture, passwordFor?: PasswordSource): string[] {
  // A state export (GET /emulator/v1/state) carries rows per table: loaded as they are, for every table.
  if (isStateExport(fx)) {
    db.transaction(() => {
      loadRows(db, unredactRows(fx.tables, passwordFor));
      recordOrigin(db, originNameOf(fx)); // the fixture the exported state came from, when the export says
    })();
    return fx.arrays.map(storageDeviceIdOf);
  }
  const sids: string[] = [];
  db.transaction(() => {
    recordOrigin(db, originNameOf(fx));
    for (const a of fx.arrays) sids.push(loadArraySection(db, res, a, fx.users ?? [], fx));
  })();
  return sids;
}

/**
 * One array section of a fixture with everything it declares: the array, its pairs, and (training fixtures) the
 * content its used capacity stands for. The whole load, a per-array reset and an array on demand all use it.
 */
export function loadArraySection(db: Db, res: ResourceStore, a: ArraySpec, users: UserSpec[], fx: Pick<Fixture, 'name' | 'fidelity'>, sidOverride?: string): string {
  const rows = (a.ldevs?.length ?? 0) + (Array.isArray(a.pairs) ? a.pairs.length : 0);
  const fill = () => {
    const sid = loadArray(res, a, users, sidOverride, db);
    if (Array.isArray(a.pairs)) {
      // The array is new (loadArray refuses a second definition): its LDEVs are the section's, so a set answers what a
      // query per P-VOL and S-VOL did (a quarter of a second for 100,000 pairs); the query still decides any miss (an
      // id written as a string, which SQLite's integer column takes).
      const ldevIds = new Set((a.ldevs ?? []).map((l) => l.ldevId));
      loadFixturePairs(db, sid, a.pairs as PairSpec[], (id) => ldevIds.has(id) || res.ldevExists(sid, id), modelFacts(a.model, a.modelFacts));
    }
    return sid;
  };
  // A big section fills its tables with their secondary indexes set aside (built once at the end); a small one is
  // not worth the schema change (it makes every prepared statement recompile once).
  const sid = rows >= BULK_ROWS ? withIndexesDeferred(db, ['ldevs', 'pairs', 'snapshot_groups'], fill) : fill();
  seedFixtureContent(db, sid, a, fx); // training fixtures: used capacity is written data (fixtureContent.ts)
  return sid;
}

/** LDEVs + pairs of one array section from which its load defers the index builds (see withIndexesDeferred). */
const BULK_ROWS = 5000;

export function loadArray(res: ResourceStore, a: ArraySpec, defaultUsers: UserSpec[] = [], sidOverride?: string, db?: Db): string {
  const sid = sidOverride ?? storageDeviceIdOf(a);
  if (res.getArray(sid)) throw new Error(`array ${sid} is defined twice`);
  const { pools = [], ldevs = [], ports = [], luns = [], users, pairs: _pairs, ...doc } = a; // pairs: loadFixturePairs
  res.insertArray({ sid, model: a.model, serial: a.serialNumber, doc: doc as Record<string, unknown> });
  const allUsers = users ?? (defaultUsers.length ? defaultUsers : [DEFAULT_USER]);
  for (const u of allUsers) res.insertUser(sid, u.userId, u.password);
  for (const p of pools) {
    res.insertPool({
      sid, poolId: p.poolId, name: p.poolName, type: p.poolType, totalBlocks: blocksOf(p.capacity),
      warning: p.warningThreshold ?? 70, depletion: p.depletionThreshold ?? 80, vvolRate: p.virtualVolumeCapacityRate ?? -1,
      numPoolVols: p.numOfLdevs ?? 4, firstLdevId: p.firstLdevId ?? 0, snapshotUsedBlocks: 0,
      extraUsedBlocks: blocksOf(p.usedCapacity), isMainframe: p.isMainframe ?? false,
    });
  }
  const sizes = new Map<string | undefined, number>();
  const blocksOfLdev = (size: string | undefined) => {
    let n = sizes.get(size);
    if (n === undefined) sizes.set(size, (n = blocksOf(size)));
    return n;
  };
  // With the database at hand, LDEV rows go in positionally (65,280 of them: no row object, parameter object and
  // JSON text each); the values are those of the row insertLdev writes below.
  const bulk = db?.prepare(`INSERT INTO ldevs (sid, ldev_id, emulation, blocks, pool_id, label, status, extra_attrs, dr_mode, dr_status,
    drs, full_alloc, used_blocks, clpr_id, mp_blade_id, resource_group_id, alua, relocation, parent_ldev_id)
    VALUES (?, ?, ?, ?, ?, ?, 'NML', ?, ?, ?, ?, ?, ?, 0, ?, 0, 0, 1, ?)`);
  for (const l of ldevs) {
    const blocks = blocksOfLdev(l.capacity);
    if (bulk) {
      const drMode = l.dataReductionMode ?? 'disabled';
      bulk.run(sid, l.ldevId, l.emulationType ?? 'OPEN-V-CVS', blocks, l.poolId === undefined || l.poolId < 0 ? null : l.poolId,
        l.label ?? '', l.attributes == null ? '[]' : JSON.stringify(l.attributes), drMode, drMode === 'disabled' ? 'DISABLED' : 'ENABLED',
        l.isDataReductionSharedVolumeEnabled ? 1 : 0, l.isFullAllocationEnabled ? 1 : 0,
        l.isFullAllocationEnabled ? blocks : Math.min(blocks, blocksOfLdev(l.usedCapacity)), l.ldevId % 2, l.parentLdevId ?? null);
      continue;
    }
    res.insertLdev({
      sid, ldevId: l.ldevId, emulation: l.emulationType ?? 'OPEN-V-CVS', blocks,
      poolId: l.poolId === undefined || l.poolId < 0 ? null : l.poolId, label: l.label ?? '', status: 'NML',
      extraAttrs: l.attributes ?? [], drMode: l.dataReductionMode ?? 'disabled',
      drStatus: (l.dataReductionMode ?? 'disabled') === 'disabled' ? 'DISABLED' : 'ENABLED',
      drs: l.isDataReductionSharedVolumeEnabled ?? false, fullAlloc: l.isFullAllocationEnabled ?? false,
      usedBlocks: l.isFullAllocationEnabled ? blocks : Math.min(blocks, blocksOfLdev(l.usedCapacity)),
      clprId: 0, mpBladeId: l.ldevId % 2, resourceGroupId: 0, alua: false, relocation: true, parentLdevId: l.parentLdevId ?? null,
    });
  }
  for (const l of ldevs) {
    if (l.parentLdevId === undefined) continue;
    if (!ldevs.some((p) => p.ldevId === l.parentLdevId) || l.parentLdevId === l.ldevId) {
      throw new Error(`fixture array ${sid}: ldev ${l.ldevId}: parentLdevId ${l.parentLdevId} is not another LDEV of the array`);
    }
    if (!modelFacts(a.model, a.modelFacts).virtualClone) throw new Error(`fixture array ${sid}: ldev ${l.ldevId}: parentLdevId needs a model with virtual clones (VSP One B)`);
  }
  for (const p of ports) {
    const { portId, portType, lunSecuritySetting, hostGroups = [], ...portDoc } = p;
    res.insertPort({ sid, portId, type: portType, doc: portDoc, lunSecurity: lunSecuritySetting ?? true });
    const groups = hostGroups.some((h) => h.hostGroupNumber === 0)
      ? hostGroups
      : [{ hostGroupNumber: 0, hostGroupName: defaultHostGroupName(portId) }, ...hostGroups];
    for (const h of groups) {
      res.insertHostGroup({
        sid, portId, hgNumber: h.hostGroupNumber, name: h.hostGroupName, hostMode: h.hostMode ?? 'LINUX/IRIX',
        hostModeOptions: h.hostModeOptions ?? [],
        iscsiName: portType === 'ISCSI' ? (h.iscsiName ?? iscsiTargetName(a.serialNumber, portId, h.hostGroupNumber)) : null,
        authMode: 'NONE',
      });
      for (const w of h.wwns ?? []) res.insertHostWwn(sid, portId, h.hostGroupNumber, w.toLowerCase(), '-');
      for (const n of h.iscsiNames ?? []) res.insertHostIscsi(sid, portId, h.hostGroupNumber, n, '-');
    }
  }
  for (const l of luns) res.insertLun({ sid, portId: l.portId, hgNumber: l.hostGroupNumber, lun: l.lun, ldevId: l.ldevId });
  return sid;
}
