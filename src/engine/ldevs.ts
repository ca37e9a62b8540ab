import { renderLdev, renderUndefinedLdev, type LdevPortView } from '../domain/ldev.js';
import { canLocate, type PoolFacts } from '../domain/pool.js';
import { MIB_BLOCKS } from '../domain/format.js';
import { VspError } from '../domain/errors.js';
import type { Statement } from 'better-sqlite3';
import { toLdev, type LdevRow } from '../store/resources.js';
import type { Engine } from './context.js';
import { readCache, type ReadSpace } from './readCache.js';

/** The pool facts the capacity arithmetic needs, read from the model. */
export function poolFacts(engine: Engine, sid: string, poolId: number): PoolFacts | undefined {
  const p = engine.res.getPool(sid, poolId);
  if (!p) return undefined;
  const u = engine.res.poolUsage(sid, poolId);
  return {
    ...p, located: { n: u.n, blocks: u.located, used: u.used },
    // Counted when read: capacity checks on hot paths (host writes, pair statuses) never need it.
    get snapshotCount() { return engine.pairHooks.poolSnapshotCount(sid, poolId); },
  };
}

/**
 * The read path of `GET ldevs/{id}` is the hottest route of the emulator: two statements per LDEV (the LDEV with
 * its pool's type, and its LU paths with their host group names) instead of one per pool, path and host group.
 */
interface LdevReads { ldev: Statement; ports: Statement }
const readStatements = new WeakMap<Engine, LdevReads>();
function reads(engine: Engine): LdevReads {
  let s = readStatements.get(engine);
  if (!s) {
    s = {
      ldev: engine.db.prepare(`SELECT l.*, p.type AS pool_type FROM ldevs l
        LEFT JOIN pools p ON p.sid = l.sid AND p.pool_id = l.pool_id WHERE l.sid = ? AND l.ldev_id = ?`),
      ports: engine.db.prepare(`SELECT u.port_id, u.hg_number, u.lun, COALESCE(h.name, '') FROM luns u
        LEFT JOIN host_groups h ON h.sid = u.sid AND h.port_id = u.port_id AND h.hg_number = u.hg_number
        WHERE u.sid = ? AND u.ldev_id = ? ORDER BY u.port_id, u.hg_number, u.lun`).raw(),
    };
    readStatements.set(engine, s);
  }
  return s;
}

function portsOf(engine: Engine, sid: string, ldevId: number): LdevPortView[] {
  return (reads(engine).ports.all(sid, ldevId) as Array<[string, number, number, string]>)
    .map(([portId, hostGroupNumber, lun, hostGroupName]) => ({ portId, hostGroupNumber, hostGroupName, lun }));
}

/**
 * Fields another feature adds to a defined LDEV's object (e.g. garbage-data deletion on a snapshot-tree root),
 * registered once per engine. A provider returns undefined when it has nothing to say about the LDEV. What a provider
 * reads must change only with a database write: `GET ldevs/{id}` answers from a cache kept while the database is unchanged.
 */
export type LdevFields = (sid: string, row: LdevRow) => Record<string, unknown> | undefined;
const fieldProviders = new WeakMap<Engine, LdevFields[]>();
export function addLdevFields(engine: Engine, provider: LdevFields): void {
  const list = fieldProviders.get(engine) ?? [];
  list.push(provider);
  fieldProviders.set(engine, list);
}
function extraFields(engine: Engine, sid: string, row: LdevRow): Record<string, unknown> | undefined {
  const list = fieldProviders.get(engine);
  if (!list) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const p of list) { const f = p(sid, row); if (f) out = { ...out, ...f }; }
  return out;
}

/** The LDEV object for a slot, defined or not. */
export function ldevObject(engine: Engine, sid: string, ldevId: number) {
  const raw = reads(engine).ldev.get(sid, ldevId) as Record<string, unknown> | undefined;
  if (!raw) return renderUndefinedLdev(ldevId);
  const row = toLdev(raw);
  return renderLdev({ ...row, poolType: (raw.pool_type as string | null) ?? undefined }, engine.arrays.get(sid)!.serial,
    portsOf(engine, sid, ldevId), engine.pairHooks.ldevPairInfo(sid, ldevId), extraFields(engine, sid, row));
}

/** Per engine and array: the read cache's space of LDEV JSON texts by ldevId (no key string built per read). */
const ldevSpaces = new WeakMap<Engine, Map<string, ReadSpace<number, string>>>();

/** `GET ldevs/{id}` as JSON text, served from the read cache while the database is unchanged. */
export function ldevJson(engine: Engine, sid: string, ldevId: number): string {
  let bySid = ldevSpaces.get(engine);
  if (!bySid) ldevSpaces.set(engine, bySid = new Map());
  let space = bySid.get(sid);
  if (!space) bySid.set(sid, space = readCache(engine).space<number, string>(`ldev\u0000${sid}`));
  return space.get(ldevId, () => JSON.stringify(ldevObject(engine, sid, ldevId)));
}

export function renderDefined(engine: Engine, row: LdevRow) {
  const sid = row.sid;
  const poolType = row.poolId === null ? undefined : engine.res.getPool(sid, row.poolId)?.type;
  return renderLdev({ ...row, poolType }, engine.arrays.get(sid)!.serial, portsOf(engine, sid, row.ldevId),
    engine.pairHooks.ldevPairInfo(sid, row.ldevId), extraFields(engine, sid, row));
}

export interface CreateLdevParams {
  ldevId?: number; startLdevId?: number; endLdevId?: number; poolId: number; blocks: number; label?: string;
  dataReductionMode?: string; drs?: boolean; fullAlloc?: boolean; emulationType?: string; clprId?: number; mpBladeId?: number;
  isAluaEnabled?: boolean; parityGroupId?: string;
}

const err = (key: string, vars: Record<string, string | number> = {}) => new VspError(key, vars);

const deletedListeners = new WeakMap<Engine, Array<(sid: string, ldevId: number) => void>>();
/** Calls `fn` inside the transaction that deletes an LDEV (modules with per-LDEV rows drop theirs). */
export function onLdevDeleted(engine: Engine, fn: (sid: string, ldevId: number) => void): void {
  const list = deletedListeners.get(engine) ?? [];
  list.push(fn);
  deletedListeners.set(engine, list);
}

/** Registers the LDEV commands: create, modify, expand, delete. */
export function registerLdevCommands(engine: Engine): void {
  const { res } = engine;

  engine.jobs.register('ldev.create', ({ sid, params }) => {
    const p = params as CreateLdevParams;
    if (p.parityGroupId !== undefined) throw err('parityGroupNotEmulated');
    const max = engine.arrays.get(sid)!.facts.maxLdevId;
    let ldevId: number;
    if (p.ldevId !== undefined) {
      if (res.ldevExists(sid, p.ldevId)) throw err('ldevAlreadyDefined');
      ldevId = p.ldevId;
    } else {
      const from = p.startLdevId ?? 0;
      const to = Math.min(p.endLdevId ?? max, max);
      const used = new Set(res.definedIdsInRange(sid, from, to));
      let free = -1;
      for (let id = from; id <= to; id++) if (!used.has(id)) { free = id; break; }
      if (free < 0) throw err('noFreeLdevId');
      ldevId = free;
    }
    if (p.blocks > engine.fidelity.maxVolumeMiB * MIB_BLOCKS) throw err('capacityOutOfRange');
    let poolId: number | null = null;
    if (p.poolId >= 0) {
      const pool = poolFacts(engine, sid, p.poolId);
      if (!pool || pool.type === 'HTI' || pool.isMainframe) throw err('poolNotFound');
      const minBlocks = engine.fidelity.minDpVolumeMiB * MIB_BLOCKS;
      if (p.blocks < minBlocks) throw err('capacityOutOfRange');
      if (!canLocate(pool, p.blocks, p.fullAlloc ?? false)) throw err('poolCapacityExhausted');
      poolId = p.poolId;
    }
    const drMode = p.dataReductionMode ?? 'disabled';
    res.insertLdev({
      sid, ldevId, emulation: p.emulationType ?? 'OPEN-V-CVS', blocks: p.blocks, poolId, label: p.label ?? '', status: 'NML',
      extraAttrs: [], drMode, drStatus: drMode === 'disabled' ? 'DISABLED' : 'ENABLED', drs: p.drs ?? false,
      fullAlloc: p.fullAlloc ?? false, usedBlocks: p.fullAlloc ? p.blocks : 0, clprId: p.clprId ?? 0,
      mpBladeId: p.mpBladeId ?? ldevId % 2, resourceGroupId: 0, alua: p.isAluaEnabled ?? false, relocation: true,
      parentLdevId: null,
    });
    return [`ldevs/${ldevId}`];
  });

  engine.jobs.register('ldev.modify', ({ sid, params }) => {
    const p = params as { ldevId: number; label?: string; dataReductionMode?: string; isFullAllocationEnabled?: boolean;
      isAluaEnabled?: boolean; isRelocationEnabled?: boolean; clprId?: number; mpBladeId?: number };
    const row = res.getLdev(sid, p.ldevId);
    if (!row) throw err('ldevNotDefined');
    const next = { ...row };
    if (p.label !== undefined) next.label = p.label;
    if (p.dataReductionMode !== undefined) {
      next.drMode = p.dataReductionMode;
      next.drStatus = p.dataReductionMode === 'disabled' ? 'DISABLED' : 'ENABLED';
    }
    if (p.isFullAllocationEnabled !== undefined) {
      if (p.isFullAllocationEnabled && !row.fullAlloc && row.poolId !== null) {
        const pool = poolFacts(engine, sid, row.poolId)!;
        if (!canLocate({ ...pool, located: { ...pool.located, blocks: pool.located.blocks - row.blocks } }, row.blocks, true) ||
          pool.located.used - row.usedBlocks + row.blocks > pool.totalBlocks) throw err('poolCapacityExhausted');
        next.usedBlocks = row.blocks;
      }
      next.fullAlloc = p.isFullAllocationEnabled;
    }
    if (p.isAluaEnabled !== undefined) next.alua = p.isAluaEnabled;
    if (p.isRelocationEnabled !== undefined) next.relocation = p.isRelocationEnabled;
    if (p.clprId !== undefined) next.clprId = p.clprId;
    if (p.mpBladeId !== undefined) next.mpBladeId = p.mpBladeId;
    res.updateLdev(next);
    return [`ldevs/${p.ldevId}`];
  });

  engine.jobs.register('ldev.expand', ({ sid, params }) => {
    const p = params as { ldevId: number; blocks: number; enhancedExpansion?: boolean };
    const row = res.getLdev(sid, p.ldevId);
    if (!row) throw err('ldevNotDefined');
    const busy = engine.pairHooks.ldevBusyReason(sid, p.ldevId, 'expand');
    if (busy && !(p.enhancedExpansion && busy === 'expandNeedsEnhanced')) throw err(busy === 'expandNeedsEnhanced' ? 'ldevHasPairsExpand' : busy);
    if (row.poolId === null) throw err('ldevHasPairsExpand');
    const pool = poolFacts(engine, sid, row.poolId)!;
    if (!canLocate(pool, p.blocks, row.fullAlloc)) throw err('poolCapacityExhausted');
    if (row.blocks + p.blocks > engine.fidelity.maxVolumeMiB * MIB_BLOCKS) throw err('capacityOutOfRange');
    res.updateLdev({ ...row, blocks: row.blocks + p.blocks, usedBlocks: row.fullAlloc ? row.blocks + p.blocks : row.usedBlocks });
    return [`ldevs/${p.ldevId}`];
  });

  engine.jobs.register('ldev.delete', ({ sid, params }) => {
    const p = params as { ldevId: number };
    if (!res.ldevExists(sid, p.ldevId)) throw err('ldevNotDefined');
    if (res.countLunsOfLdev(sid, p.ldevId) > 0) throw err('ldevHasLuPaths');
    const busy = engine.pairHooks.ldevBusyReason(sid, p.ldevId, 'delete');
    if (busy) throw err(busy);
    // A vClone parent (VCP): refused while vClones name it [I], or they stop being vClones (TIA ref 4.1).
    const children = res.vcloneChildren(sid, p.ldevId);
    if (children.length > 0) {
      if (engine.fidelity.vcloneParentDelete !== 'orphan') throw err('vcloneParentHasChildren', { ldevId: p.ldevId, children: children.join(', ') });
      for (const c of children) res.updateLdev({ ...res.getLdev(sid, c)!, parentLdevId: null });
    }
    res.deleteLdev(sid, p.ldevId);
    for (const fn of deletedListeners.get(engine) ?? []) fn(sid, p.ldevId);
    return [`ldevs/${p.ldevId}`];
  });
}
