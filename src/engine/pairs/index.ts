import { EXPANDABLE_STATUSES, type CreatePairRequest } from '../../domain/pairRules.js';
import { movingData, renderPair, renderPairJson, renderReplication, retentionRunning, type PairRole, type PairView, type RenderModel } from '../../domain/pairRender.js';
import { pairId } from '../../domain/pairTypes.js';
import { usedBlocksOf, usedRate } from '../../domain/pool.js';
import { createPairStore, stampLoadTimes, type PairRow } from '../../store/pairs.js';
import type { Engine, PairHooks } from '../context.js';
import { poolFacts } from '../ldevs.js';
import { createPairCommands, type GroupActionParams, type PairActionParams } from './commands.js';
import { createPairCore, type PairContentHooks } from './core.js';
import { createPairHandler } from './create.js';

/**
 * The Thin Image pair module: store, pair machine engine, the clock source of due transitions, the job handlers
 * of every pair / group / tree operation, and the hooks the LDEV and pool layers ask about pairs.
 */

const services = new WeakMap<object, PairService>();

function createPairService(engine: Engine) {
  const store = createPairStore(engine.db);
  let content: PairContentHooks | undefined;
  const core = createPairCore({
    db: engine.db, store, res: engine.res, clock: engine.clock, timing: () => engine.timing, fidelity: () => engine.fidelity,
    content: () => content,
  });
  const createPair = createPairHandler(engine, core);
  const commands = createPairCommands(engine, core);
  const now = () => engine.clock.now();
  /** What the array's model adds to pair objects (TIA retention hours, vClone flags). */
  const modelOf = (sid: string): RenderModel => {
    const f = engine.arrays.get(sid)?.facts;
    return { retention: f?.retention === true, virtualClone: f?.virtualClone === true };
  };
  /** A stored pair as a view: with its S-VOL's vClone parent when the model shows the vClone flags. */
  const viewOf = (p: PairRow, model: RenderModel): PairView =>
    (model.virtualClone && p.svolLdevId !== null ? { ...p, svolParentLdevId: engine.res.getLdev(p.sid, p.svolLdevId)?.parentLdevId ?? null } : p);
  // List answers reused while no pair changed (store.version): the rendered text when nothing in it depends on
  // the clock, else the rows, re-rendered for the progress of the moment. Clients poll the same list every few
  // seconds, and 1,024 pairs are ~400 KB of JSON.
  const cache = new Map<string, { version: number; views: PairView[]; text: string | Buffer | null }>();

  return {
    store, core, commands, createPair,
    /** Lets the content model (engine/content/) follow pair changes. */
    setContentHooks(hooks: PairContentHooks): void { content = hooks; },
    /**
     * `{"data": [...]}` of the pairs `rows()` returns, as JSON text, cached under `key` while valid. `sql`, when
     * given, answers the same list as UTF-8 bytes rendered by SQLite (P-VOL role only), or null when a pair needs
     * the JS rendering.
     */
    listText(key: string, rows: () => PairView[], role: PairRole = 'P-VOL', sql?: () => Buffer | null, sid?: string): string | Buffer {
      const model = sid === undefined ? {} : modelOf(sid);
      // vClone flags follow the S-VOL's LDEV, which changes without the pair store knowing: no cache on such models.
      if (model.virtualClone) {
        const t = now();
        return `{"data":[${rows().map((p) => renderPairJson(p, role, t, model)).join(',')}]}`;
      }
      let entry = cache.get(key);
      if (!entry || entry.version !== store.version) {
        const version = store.version;
        if (cache.size >= 256) cache.clear();
        const body = sql?.() ?? null;
        entry = { version, views: body ? [] : rows(), text: body };
        cache.set(key, entry);
      }
      if (entry.text !== null) return entry.text;
      const t = now();
      const text = `{"data":[${entry.views.map((p) => renderPairJson(p, role, t, model)).join(',')}]}`;
      if (!entry.views.some((v) => movingData(v) || (model.retention && retentionRunning(v)))) entry.text = text;
      return text;
    },
    /** The pair object as a client reads it, at the current virtual time. */
    render: (p: PairRow, role: PairRole = 'P-VOL') => {
      const model = modelOf(p.sid);
      return renderPair(viewOf(p, model), role, now(), model);
    },
    renderAll: (rows: PairRow[], role: PairRole = 'P-VOL') => {
      const t = now();
      return rows.map((p) => {
        const model = modelOf(p.sid);
        return renderPair(viewOf(p, model), role, t, model);
      });
    },
    renderReplications: (sid: string, rows: PairRow[]) => {
      const t = now();
      const ctg = new Map(store.listGroups(sid).map((g) => [g.name, g.ctgId]));
      return rows.map((p) => renderReplication(p, ctg.get(p.snapshotGroupName) ?? null, t));
    },
  };
}

export type PairService = ReturnType<typeof createPairService>;

/** The pair service of an engine (registered by `registerPairModule`). */
export function pairService(engine: Engine): PairService {
  const s = services.get(engine);
  if (!s) throw new Error('pair module not registered');
  return s;
}

/** Pair statuses and pool conditions: PFUL/PFUS over the warning threshold, PSUE when the pool is full (ref 6.2). */
export function poolCondition(engine: Engine, sid: string, poolId: number): 'normal' | 'warning' | 'full' {
  const pf = poolFacts(engine, sid, poolId);
  if (!pf) return 'normal';
  if (usedBlocksOf(pf) >= pf.totalBlocks) return 'full';
  return usedRate(pf) > pf.warning ? 'warning' : 'normal';
}

/** Registers the pair module on an engine: commands, timer source, LDEV/pool hooks, reload handling. */
export function registerPairModule(engine: Engine): void {
  const svc = createPairService(engine);
  services.set(engine, svc);
  const { store, core, commands } = svc;
  engine.clock.addSource(core.source);

  const start = () => {
    store.touch();
    engine.db.transaction(() => stampLoadTimes(engine.db, engine.clock.now()))();
    core.invalidate();
    core.scheduleUnscheduled(engine.clock.now());
  };
  start();
  engine.onReload(start);

  const jobs = engine.jobs;
  jobs.register('snapshot.create', ({ sid, params }) => svc.createPair(sid, params as CreatePairRequest));
  for (const op of ['split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete', 'setRetention'] as const) {
    jobs.register(`snapshot.${op}`, ({ sid, params }) => commands.pairAction(sid, { ...(params as PairActionParams), op }));
  }
  for (const op of ['split', 'resync', 'restore', 'clone', 'delete', 'setRetention'] as const) {
    jobs.register(`snapshotGroup.${op}`, ({ sid, params }) => commands.groupAction(sid, { ...(params as GroupActionParams), op }));
  }
  jobs.register('snapshotTree.delete', ({ sid, params }) => commands.treeDelete(sid, (params as { ldevId: number }).ldevId));

  /** Applies an array-side event to pairs and returns the ids of those that changed. */
  const applyAll = (rows: PairRow[], type: 'fail' | 'poolWarn' | 'poolRecover' | 'poolFull'): string[] => {
    const changed: string[] = [];
    const at = engine.clock.now();
    engine.db.transaction(() => {
      for (const listed of rows) {
        const p = store.get(listed.sid, listed.pvolLdevId, listed.muNumber);
        if (p && core.apply(p, { type }, at).changed) changed.push(pairId(p.pvolLdevId, p.muNumber));
      }
    })();
    return changed;
  };

  const hooks: PairHooks & Record<string, unknown> = {
    ldevPairInfo(sid, ldevId) {
      const pool = store.svolPool(sid, ldevId);
      if (pool !== undefined) return { hti: true, snapshotPoolId: pool };
      return { hti: store.isPvol(sid, ldevId) };
    },
    ldevBusyReason(sid, ldevId, op) {
      const asSvol = store.bySvol(sid, ldevId);
      const asPvol = store.byPvol(sid, ldevId);
      if (!asSvol && asPvol.length === 0) return null;
      if (op === 'delete') return 'ldevInPair';
      if (op === 'expand') {
        const all = asSvol ? [asSvol, ...asPvol] : asPvol;
        return all.every((p) => EXPANDABLE_STATUSES.has(p.status)) ? 'expandNeedsEnhanced' : 'ldevHasPairsExpand';
      }
      // unmap: the last LU path of a paired volume (raidcom B958/020A); by default only volumes of non-cascade
      // pairs, which need LU paths (ref 5.6 [L]), so hosts can still detach volumes with cascade snapshots [I].
      const rule = engine.fidelity.lastPathProtection;
      const protectedVol = rule === 'all' || (rule === 'nonCascade' && ((asSvol && !asSvol.canCascade) || asPvol.some((p) => !p.canCascade)));
      return protectedVol && engine.res.countLunsOfLdev(sid, ldevId) <= 1 ? 'lastPathOfSnapshotPvol' : null;
    },
    poolSnapshotCount: (sid, poolId) => store.countOfPool(sid, poolId),
    suspendPairs(sid: string, select: { pvolLdevId?: number; muNumber?: number; svolLdevId?: number; snapshotGroupName?: string; poolId?: number }) {
      const rows = store.all(sid).filter((p) => (select.pvolLdevId === undefined || p.pvolLdevId === select.pvolLdevId)
        && (select.muNumber === undefined || p.muNumber === select.muNumber)
        && (select.svolLdevId === undefined || p.svolLdevId === select.svolLdevId)
        && (select.snapshotGroupName === undefined || p.snapshotGroupName === select.snapshotGroupName)
        && (select.poolId === undefined || p.snapshotPoolId === select.poolId));
      return applyAll(rows, 'fail');
    },
    poolUsageChanged(sid: string, poolId: number) {
      const condition = poolCondition(engine, sid, poolId);
      const type = condition === 'full' ? 'poolFull' : condition === 'warning' ? 'poolWarn' : 'poolRecover';
      return applyAll(store.byPool(sid, poolId), type);
    },
  };
  engine.pairHooks = hooks;
}
