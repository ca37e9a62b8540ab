import type { Db } from './db.js';

/** Row types of the array's configuration, in VSP vocabulary. */
export interface ArrayRow { sid: string; model: string; serial: number; doc: Record<string, unknown> }
export interface PoolRow {
  sid: string; poolId: number; name: string; type: string; totalBlocks: number; warning: number; depletion: number;
  vvolRate: number; numPoolVols: number; firstLdevId: number; snapshotUsedBlocks: number; extraUsedBlocks: number;
  isMainframe: boolean;
}
export interface LdevRow {
  sid: string; ldevId: number; emulation: string; blocks: number; poolId: number | null; label: string; status: string;
  extraAttrs: string[]; drMode: string; drStatus: string; drs: boolean; fullAlloc: boolean; usedBlocks: number;
  clprId: number; mpBladeId: number; resourceGroupId: number; alua: boolean; relocation: boolean;
  /** vClone parent (the LDEV shows `VC` and `parentLdevId`); null when the LDEV is not a vClone. */
  parentLdevId: number | null;
}
export interface PortRow { sid: string; portId: string; type: 'FIBRE' | 'ISCSI'; doc: Record<string, unknown>; lunSecurity: boolean }
export interface HostGroupRow {
  sid: string; portId: string; hgNumber: number; name: string; hostMode: string; hostModeOptions: number[];
  iscsiName: string | null; authMode: string;
}
export interface LunRow { sid: string; portId: string; hgNumber: number; lun: number; ldevId: number }

type Raw = Record<string, unknown>;

const toArray = (r: Raw): ArrayRow => ({ sid: r.sid as string, model: r.model as string, serial: r.serial as number, doc: JSON.parse(r.doc as string) });
const toPool = (r: Raw): PoolRow => ({
  sid: r.sid as string, poolId: r.pool_id as number, name: r.name as string, type: r.type as string,
  totalBlocks: r.total_blocks as number, warning: r.warning as number, depletion: r.depletion as number,
  vvolRate: r.vvol_rate as number, numPoolVols: r.num_pool_vols as number, firstLdevId: r.first_ldev_id as number,
  snapshotUsedBlocks: r.snapshot_used_blocks as number, extraUsedBlocks: r.extra_used_blocks as number,
  isMainframe: r.is_mainframe === 1,
});
export const toLdev = (r: Raw): LdevRow => ({
  sid: r.sid as string, ldevId: r.ldev_id as number, emulation: r.emulation as string, blocks: r.blocks as number,
  poolId: r.pool_id as number | null, label: r.label as string, status: r.status as string,
  extraAttrs: JSON.parse(r.extra_attrs as string), drMode: r.dr_mode as string, drStatus: r.dr_status as string,
  drs: r.drs === 1, fullAlloc: r.full_alloc === 1, usedBlocks: r.used_blocks as number, clprId: r.clpr_id as number,
  mpBladeId: r.mp_blade_id as number, resourceGroupId: r.resource_group_id as number, alua: r.alua === 1,
  relocation: r.relocation === 1, parentLdevId: (r.parent_ldev_id as number | null) ?? null,
});
const toPort = (r: Raw): PortRow => ({
  sid: r.sid as string, portId: r.port_id as string, type: r.type as 'FIBRE' | 'ISCSI', doc: JSON.parse(r.doc as string),
  lunSecurity: r.lun_security === 1,
});
const toHg = (r: Raw): HostGroupRow => ({
  sid: r.sid as string, portId: r.port_id as string, hgNumber: r.hg_number as number, name: r.name as string,
  hostMode: r.host_mode as string, hostModeOptions: JSON.parse(r.host_mode_options as string),
  iscsiName: r.iscsi_name as string | null, authMode: r.auth_mode as string,
});
const toLun = (r: Raw): LunRow => ({ sid: r.sid as string, portId: r.port_id as string, hgNumber: r.hg_number as number, lun: r.lun as number, ldevId: r.ldev_id as number });

const b = (v: boolean) => (v ? 1 : 0);

/** Repositories for arrays, users, pools, LDEVs, ports, host groups, host WWNs/iSCSI names and LU paths. */
export function createResourceStore(db: Db) {
  const s = {
    arrays: db.prepare('SELECT * FROM arrays ORDER BY rowid'),
    array: db.prepare('SELECT * FROM arrays WHERE sid = ?'),
    insertArray: db.prepare('INSERT INTO arrays (sid, model, serial, doc) VALUES (?, ?, ?, ?)'),
    user: db.prepare('SELECT password FROM users WHERE sid = ? AND user_id = ?').pluck(),
    insertUser: db.prepare('INSERT OR REPLACE INTO users (sid, user_id, password) VALUES (?, ?, ?)'),
    pools: db.prepare('SELECT * FROM pools WHERE sid = ? ORDER BY pool_id'),
    pool: db.prepare('SELECT * FROM pools WHERE sid = ? AND pool_id = ?'),
    insertPool: db.prepare(`INSERT INTO pools (sid, pool_id, name, type, total_blocks, warning, depletion, vvol_rate, num_pool_vols,
      first_ldev_id, snapshot_used_blocks, extra_used_blocks, is_mainframe) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`),
    poolUsage: db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(blocks),0) AS located, COALESCE(SUM(used_blocks),0) AS used
      FROM ldevs WHERE sid = ? AND pool_id = ?`),
    addSnapshotUsed: db.prepare('UPDATE pools SET snapshot_used_blocks = MAX(0, snapshot_used_blocks + ?) WHERE sid = ? AND pool_id = ?'),
    ldev: db.prepare('SELECT * FROM ldevs WHERE sid = ? AND ldev_id = ?'),
    ldevExists: db.prepare('SELECT 1 FROM ldevs WHERE sid = ? AND ldev_id = ?').pluck(),
    ldevRange: db.prepare('SELECT * FROM ldevs WHERE sid = ? AND ldev_id >= ? AND ldev_id <= ? ORDER BY ldev_id'),
    ldevsFrom: db.prepare('SELECT * FROM ldevs WHERE sid = ? AND ldev_id >= ? ORDER BY ldev_id LIMIT ?'),
    ldevIdsFrom: db.prepare('SELECT ldev_id FROM ldevs WHERE sid = ? AND ldev_id >= ? AND ldev_id <= ? ORDER BY ldev_id').pluck(),
    insertLdev: db.prepare(`INSERT INTO ldevs (sid, ldev_id, emulation, blocks, pool_id, label, status, extra_attrs, dr_mode, dr_status,
      drs, full_alloc, used_blocks, clpr_id, mp_blade_id, resource_group_id, alua, relocation, parent_ldev_id)
      VALUES (@sid, @ldevId, @emulation, @blocks, @poolId, @label, @status, @extraAttrs, @drMode, @drStatus, @drs, @fullAlloc,
      @usedBlocks, @clprId, @mpBladeId, @resourceGroupId, @alua, @relocation, @parentLdevId)`),
    updateLdev: db.prepare(`UPDATE ldevs SET blocks=@blocks, label=@label, status=@status, extra_attrs=@extraAttrs, dr_mode=@drMode,
      dr_status=@drStatus, full_alloc=@fullAlloc, used_blocks=@usedBlocks, alua=@alua, relocation=@relocation,
      clpr_id=@clprId, mp_blade_id=@mpBladeId, parent_ldev_id=@parentLdevId WHERE sid=@sid AND ldev_id=@ldevId`),
    deleteLdev: db.prepare('DELETE FROM ldevs WHERE sid = ? AND ldev_id = ?'),
    ports: db.prepare('SELECT * FROM ports WHERE sid = ? ORDER BY port_id'),
    port: db.prepare('SELECT * FROM ports WHERE sid = ? AND port_id = ?'),
    insertPort: db.prepare('INSERT INTO ports (sid, port_id, type, doc, lun_security) VALUES (?, ?, ?, ?, ?)'),
    hostGroups: db.prepare('SELECT * FROM host_groups WHERE sid = ? AND port_id = ? ORDER BY hg_number'),
    allHostGroups: db.prepare('SELECT * FROM host_groups WHERE sid = ? ORDER BY port_id, hg_number'),
    hostGroup: db.prepare('SELECT * FROM host_groups WHERE sid = ? AND port_id = ? AND hg_number = ?'),
    hostGroupByName: db.prepare('SELECT * FROM host_groups WHERE sid = ? AND port_id = ? AND name = ?'),
    insertHostGroup: db.prepare(`INSERT INTO host_groups (sid, port_id, hg_number, name, host_mode, host_mode_options, iscsi_name, auth_mode)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    updateHostGroup: db.prepare(`UPDATE host_groups SET name=?, host_mode=?, host_mode_options=?, auth_mode=? WHERE sid=? AND port_id=? AND hg_number=?`),
    deleteHostGroup: db.prepare('DELETE FROM host_groups WHERE sid = ? AND port_id = ? AND hg_number = ?'),
    hostWwns: db.prepare('SELECT * FROM host_wwns WHERE sid = ? AND port_id = ? AND hg_number = ? ORDER BY wwn'),
    hostWwnOnPort: db.prepare('SELECT * FROM host_wwns WHERE sid = ? AND port_id = ? AND wwn = ?'),
    countWwnsOnPort: db.prepare('SELECT COUNT(*) FROM host_wwns WHERE sid = ? AND port_id = ?').pluck(),
    insertHostWwn: db.prepare('INSERT INTO host_wwns (sid, port_id, hg_number, wwn, nickname) VALUES (?, ?, ?, ?, ?)'),
    updateHostWwn: db.prepare('UPDATE host_wwns SET nickname = ? WHERE sid = ? AND port_id = ? AND hg_number = ? AND wwn = ?'),
    deleteHostWwn: db.prepare('DELETE FROM host_wwns WHERE sid = ? AND port_id = ? AND hg_number = ? AND wwn = ?'),
    deleteHostWwnsOfHg: db.prepare('DELETE FROM host_wwns WHERE sid = ? AND port_id = ? AND hg_number = ?'),
    hostIscsis: db.prepare('SELECT * FROM host_iscsis WHERE sid = ? AND port_id = ? AND hg_number = ? ORDER BY iscsi_name'),
    hostIscsiOnPort: db.prepare('SELECT * FROM host_iscsis WHERE sid = ? AND port_id = ? AND iscsi_name = ?'),
    insertHostIscsi: db.prepare('INSERT INTO host_iscsis (sid, port_id, hg_number, iscsi_name, nickname) VALUES (?, ?, ?, ?, ?)'),
    updateHostIscsi: db.prepare('UPDATE host_iscsis SET nickname = ? WHERE sid = ? AND port_id = ? AND hg_number = ? AND iscsi_name = ?'),
    deleteHostIscsi: db.prepare('DELETE FROM host_iscsis WHERE sid = ? AND port_id = ? AND hg_number = ? AND iscsi_name = ?'),
    deleteHostIscsisOfHg: db.prepare('DELETE FROM host_iscsis WHERE sid = ? AND port_id = ? AND hg_number = ?'),
    lunsOfLdev: db.prepare('SELECT * FROM luns WHERE sid = ? AND ldev_id = ? ORDER BY port_id, hg_number, lun'),
    lunsOfHg: db.prepare('SELECT * FROM luns WHERE sid = ? AND port_id = ? AND hg_number = ? ORDER BY lun'),
    lun: db.prepare('SELECT * FROM luns WHERE sid = ? AND port_id = ? AND hg_number = ? AND lun = ?'),
    countLunsOfLdev: db.prepare('SELECT COUNT(*) FROM luns WHERE sid = ? AND ldev_id = ?').pluck(),
    insertLun: db.prepare('INSERT INTO luns (sid, port_id, hg_number, lun, ldev_id) VALUES (?, ?, ?, ?, ?)'),
    deleteLun: db.prepare('DELETE FROM luns WHERE sid = ? AND port_id = ? AND hg_number = ? AND lun = ?'),
    deleteLunsOfHg: db.prepare('DELETE FROM luns WHERE sid = ? AND port_id = ? AND hg_number = ?'),
    countIscsisOnPort: db.prepare('SELECT COUNT(*) FROM host_iscsis WHERE sid = ? AND port_id = ?').pluck(),
    vcloneChildren: db.prepare('SELECT ldev_id FROM ldevs WHERE sid = ? AND parent_ldev_id = ? ORDER BY ldev_id').pluck(),
    vcloneParents: db.prepare('SELECT DISTINCT parent_ldev_id FROM ldevs WHERE sid = ? AND parent_ldev_id IS NOT NULL ORDER BY parent_ldev_id').pluck(),
  };

  return {
    listArrays: (): ArrayRow[] => (s.arrays.all() as Raw[]).map(toArray),
    getArray: (sid: string): ArrayRow | undefined => { const r = s.array.get(sid) as Raw | undefined; return r && toArray(r); },
    insertArray: (a: ArrayRow) => s.insertArray.run(a.sid, a.model, a.serial, JSON.stringify(a.doc)),
    userPassword: (sid: string, userId: string) => s.user.get(sid, userId) as string | undefined,
    insertUser: (sid: string, userId: string, password: string) => s.insertUser.run(sid, userId, password),

    listPools: (sid: string): PoolRow[] => (s.pools.all(sid) as Raw[]).map(toPool),
    getPool: (sid: string, poolId: number): PoolRow | undefined => { const r = s.pool.get(sid, poolId) as Raw | undefined; return r && toPool(r); },
    insertPool: (p: PoolRow) => s.insertPool.run(p.sid, p.poolId, p.name, p.type, p.totalBlocks, p.warning, p.depletion, p.vvolRate,
      p.numPoolVols, p.firstLdevId, p.snapshotUsedBlocks, p.extraUsedBlocks, b(p.isMainframe)),
    /** DP volumes located in the pool: count, virtual (located) blocks, allocated (used) blocks. */
    poolUsage: (sid: string, poolId: number) => s.poolUsage.get(sid, poolId) as { n: number; located: number; used: number },
    addSnapshotUsed: (sid: string, poolId: number, deltaBlocks: number) => s.addSnapshotUsed.run(deltaBlocks, sid, poolId),

    getLdev: (sid: string, ldevId: number): LdevRow | undefined => { const r = s.ldev.get(sid, ldevId) as Raw | undefined; return r && toLdev(r); },
    ldevExists: (sid: string, ldevId: number): boolean => s.ldevExists.get(sid, ldevId) === 1,
    ldevsInRange: (sid: string, from: number, to: number): LdevRow[] => (s.ldevRange.all(sid, from, to) as Raw[]).map(toLdev),
    /** Up to `limit` defined LDEVs with id >= `from`, in id order (for paging filtered lists). */
    ldevsFrom: (sid: string, from: number, limit: number): LdevRow[] => (s.ldevsFrom.all(sid, from, limit) as Raw[]).map(toLdev),
    definedIdsInRange: (sid: string, from: number, to: number): number[] => s.ldevIdsFrom.all(sid, from, to) as number[],
    insertLdev: (l: LdevRow) => s.insertLdev.run(ldevParams(l)),
    updateLdev: (l: LdevRow) => s.updateLdev.run(ldevParams(l)),
    deleteLdev: (sid: string, ldevId: number) => s.deleteLdev.run(sid, ldevId),

    listPorts: (sid: string): PortRow[] => (s.ports.all(sid) as Raw[]).map(toPort),
    getPort: (sid: string, portId: string): PortRow | undefined => { const r = s.port.get(sid, portId) as Raw | undefined; return r && toPort(r); },
    insertPort: (p: PortRow) => s.insertPort.run(p.sid, p.portId, p.type, JSON.stringify(p.doc), b(p.lunSecurity)),

    listHostGroups: (sid: string, portId?: string): HostGroupRow[] =>
      ((portId === undefined ? s.allHostGroups.all(sid) : s.hostGroups.all(sid, portId)) as Raw[]).map(toHg),
    getHostGroup: (sid: string, portId: string, hg: number): HostGroupRow | undefined => {
      const r = s.hostGroup.get(sid, portId, hg) as Raw | undefined; return r && toHg(r);
    },
    getHostGroupByName: (sid: string, portId: string, name: string): HostGroupRow | undefined => {
      const r = s.hostGroupByName.get(sid, portId, name) as Raw | undefined; return r && toHg(r);
    },
    insertHostGroup: (h: HostGroupRow) => s.insertHostGroup.run(h.sid, h.portId, h.hgNumber, h.name, h.hostMode,
      JSON.stringify(h.hostModeOptions), h.iscsiName, h.authMode),
    updateHostGroup: (h: HostGroupRow) => s.updateHostGroup.run(h.name, h.hostMode, JSON.stringify(h.hostModeOptions), h.authMode,
      h.sid, h.portId, h.hgNumber),
    deleteHostGroup: (sid: string, portId: string, hg: number) => {
      s.deleteHostWwnsOfHg.run(sid, portId, hg);
      s.deleteHostIscsisOfHg.run(sid, portId, hg);
      s.deleteHostGroup.run(sid, portId, hg);
    },

    listHostWwns: (sid: string, portId: string, hg: number) =>
      (s.hostWwns.all(sid, portId, hg) as Raw[]).map((r) => ({ wwn: r.wwn as string, nickname: r.nickname as string })),
    findHostWwnOnPort: (sid: string, portId: string, wwn: string) => {
      const r = s.hostWwnOnPort.get(sid, portId, wwn) as Raw | undefined;
      return r && { hgNumber: r.hg_number as number, wwn: r.wwn as string, nickname: r.nickname as string };
    },
    countWwnsOnPort: (sid: string, portId: string) => s.countWwnsOnPort.get(sid, portId) as number,
    insertHostWwn: (sid: string, portId: string, hg: number, wwn: string, nickname: string) => s.insertHostWwn.run(sid, portId, hg, wwn, nickname),
    updateHostWwn: (sid: string, portId: string, hg: number, wwn: string, nickname: string) => s.updateHostWwn.run(nickname, sid, portId, hg, wwn),
    deleteHostWwn: (sid: string, portId: string, hg: number, wwn: string) => s.deleteHostWwn.run(sid, portId, hg, wwn),

    listHostIscsis: (sid: string, portId: string, hg: number) =>
      (s.hostIscsis.all(sid, portId, hg) as Raw[]).map((r) => ({ iscsiName: r.iscsi_name as string, nickname: r.nickname as string })),
    findHostIscsiOnPort: (sid: string, portId: string, name: string) => {
      const r = s.hostIscsiOnPort.get(sid, portId, name) as Raw | undefined;
      return r && { hgNumber: r.hg_number as number, iscsiName: r.iscsi_name as string, nickname: r.nickname as string };
    },
    insertHostIscsi: (sid: string, portId: string, hg: number, name: string, nickname: string) => s.insertHostIscsi.run(sid, portId, hg, name, nickname),
    updateHostIscsi: (sid: string, portId: string, hg: number, name: string, nickname: string) => s.updateHostIscsi.run(nickname, sid, portId, hg, name),
    deleteHostIscsi: (sid: string, portId: string, hg: number, name: string) => s.deleteHostIscsi.run(sid, portId, hg, name),

    lunsOfLdev: (sid: string, ldevId: number): LunRow[] => (s.lunsOfLdev.all(sid, ldevId) as Raw[]).map(toLun),
    lunsOfHostGroup: (sid: string, portId: string, hg: number): LunRow[] => (s.lunsOfHg.all(sid, portId, hg) as Raw[]).map(toLun),
    getLun: (sid: string, portId: string, hg: number, lun: number): LunRow | undefined => {
      const r = s.lun.get(sid, portId, hg, lun) as Raw | undefined; return r && toLun(r);
    },
    countLunsOfLdev: (sid: string, ldevId: number) => s.countLunsOfLdev.get(sid, ldevId) as number,
    insertLun: (l: LunRow) => s.insertLun.run(l.sid, l.portId, l.hgNumber, l.lun, l.ldevId),
    deleteLun: (sid: string, portId: string, hg: number, lun: number) => s.deleteLun.run(sid, portId, hg, lun),
    deleteLunsOfHostGroup: (sid: string, portId: string, hg: number) => s.deleteLunsOfHg.run(sid, portId, hg),
    countIscsisOnPort: (sid: string, portId: string) => s.countIscsisOnPort.get(sid, portId) as number,
    /** The vClones of an LDEV (LDEVs naming it as their parent), in id order. */
    vcloneChildren: (sid: string, parent: number): number[] => s.vcloneChildren.all(sid, parent) as number[],
    /** The LDEVs some vClone names as parent (they show VCP), in id order. */
    vcloneParents: (sid: string): number[] => s.vcloneParents.all(sid) as number[],
  };
}

function ldevParams(l: LdevRow) {
  return {
    ...l, extraAttrs: JSON.stringify(l.extraAttrs), drs: b(l.drs), fullAlloc: b(l.fullAlloc), alua: b(l.alua), relocation: b(l.relocation),
  };
}

export type ResourceStore = ReturnType<typeof createResourceStore>;
