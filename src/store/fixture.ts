import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { modelFacts, type ModelFacts } from '../domain/models.js';
import { parseByteFormat } from '../domain/format.js';
import type { CatalogEntry } from '../domain/errors.js';
import type { TimingProfile } from '../domain/timing.js';
import type { Db } from './db.js';
import type { ResourceStore } from './resources.js';
import { loadRows, type Row } from './snapshot.js';
import { loadFixturePairs, type PairSpec } from './pairs.js';

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

/** Resolves a fixture name (`default`, `vsp5500`) or a path, and parses it. */
export function readFixture(nameOrPath: string): Fixture {
  const candidates = [nameOrPath, join(FIXTURES_DIR, `${nameOrPath}.yaml`), join(FIXTURES_DIR, `${nameOrPath}.json`)];
  const path = candidates.find((p) => existsSync(p) && extname(p) !== '');
  if (!path) throw new Error(`fixture "${nameOrPath}" not found (looked in ${FIXTURES_DIR} and as a path)`);
  const text = readFileSync(path, 'utf8');
  const doc = (extname(path) === '.json' ? JSON.parse(text) : parseYaml(text)) as Fixture;
  validateFixture(doc, path);
  return { name: doc.name ?? nameOrPath, ...doc };
}

export function validateFixture(doc: Fixture, where = 'fixture'): void {
  const fail = (msg: string): never => { throw new Error(`${where}: ${msg}`); };
  if (!doc || !Array.isArray(doc.arrays) || doc.arrays.length === 0) fail('needs a non-empty "arrays" list');
  for (const a of doc.arrays) {
    if (!a.model) fail('an array needs "model"');
    modelFacts(a.model, a.modelFacts);
    if (!Number.isInteger(a.serialNumber) || a.serialNumber < 0 || a.serialNumber > 999999) fail(`array ${a.model}: serialNumber must be 0..999999`);
    for (const p of a.pools ?? []) if (parseByteFormat(p.capacity) === null) fail(`pool ${p.poolId}: capacity "${p.capacity}" is not a size like 10T`);
    for (const l of a.ldevs ?? []) if (parseByteFormat(l.capacity) === null) fail(`ldev ${l.ldevId}: capacity "${l.capacity}" is not a size like 10G`);
  }
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

/** Inserts the fixture's arrays (in the caller's transaction). Returns the storage device ids in order. */
export function loadFixture(db: Db, res: ResourceStore, fx: Fixture): string[] {
  // A state export (GET /emulator/v1/state) carries rows per table: loaded as they are, for every table.
  if (isStateExport(fx)) {
    db.transaction(() => loadRows(db, fx.tables))();
    return fx.arrays.map(storageDeviceIdOf);
  }
  const sids: string[] = [];
  db.transaction(() => {
    for (const a of fx.arrays) {
      const sid = loadArray(res, a, fx.users ?? []);
      sids.push(sid);
      if (a.pairs) loadFixturePairs(db, sid, a.pairs as PairSpec[], (id) => res.ldevExists(sid, id));
    }
  })();
  return sids;
}

export function loadArray(res: ResourceStore, a: ArraySpec, defaultUsers: UserSpec[] = [], sidOverride?: string): string {
  const sid = sidOverride ?? storageDeviceIdOf(a);
  if (res.getArray(sid)) throw new Error(`array ${sid} is defined twice`);
  const { pools = [], ldevs = [], ports = [], luns = [], users, pairs: _pairs, ...doc } = a; // pairs: loadFixturePairs
  res.insertArray({ sid, model: a.model, serial: a.serialNumber, doc: doc as Record<string, unknown> });
  const allUsers = users ?? (defaultUsers.length ? defaultUsers : [{ userId: 'maintenance', password: 'raid-maintenance' }]);
  for (const u of allUsers) res.insertUser(sid, u.userId, u.password);
  for (const p of pools) {
    res.insertPool({
      sid, poolId: p.poolId, name: p.poolName, type: p.poolType, totalBlocks: blocksOf(p.capacity),
      warning: p.warningThreshold ?? 70, depletion: p.depletionThreshold ?? 80, vvolRate: p.virtualVolumeCapacityRate ?? -1,
      numPoolVols: p.numOfLdevs ?? 4, firstLdevId: p.firstLdevId ?? 0, snapshotUsedBlocks: 0,
      extraUsedBlocks: blocksOf(p.usedCapacity), isMainframe: p.isMainframe ?? false,
    });
  }
  for (const l of ldevs) {
    const blocks = blocksOf(l.capacity);
    res.insertLdev({
      sid, ldevId: l.ldevId, emulation: l.emulationType ?? 'OPEN-V-CVS', blocks,
      poolId: l.poolId === undefined || l.poolId < 0 ? null : l.poolId, label: l.label ?? '', status: 'NML',
      extraAttrs: l.attributes ?? [], drMode: l.dataReductionMode ?? 'disabled',
      drStatus: (l.dataReductionMode ?? 'disabled') === 'disabled' ? 'DISABLED' : 'ENABLED',
      drs: l.isDataReductionSharedVolumeEnabled ?? false, fullAlloc: l.isFullAllocationEnabled ?? false,
      usedBlocks: l.isFullAllocationEnabled ? blocks : Math.min(blocks, blocksOf(l.usedCapacity)),
      clprId: 0, mpBladeId: l.ldevId % 2, resourceGroupId: 0, alua: false, relocation: true,
    });
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
