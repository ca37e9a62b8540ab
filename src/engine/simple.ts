import { VspError } from '../domain/errors.js';
import { normalizeCreateBody } from '../domain/pairRules.js';
import { pairId } from '../domain/pairTypes.js';
import {
  renderCommandStatus, renderSimpleSnapshot, renderSimpleVolume, SIMPLE_OBJECTS,
  type OperationDetail, type SimpleSnapshotView, type SnapshotType,
} from '../domain/simple.js';
import type { JobRow } from '../store/jobs.js';
import type { PairRow } from '../store/pairs.js';
import { createSimpleCommandStore, type SimpleCommandRow } from '../store/simple.js';
import type { Engine } from './context.js';
import { pairService } from './pairs/index.js';

/**
 * The simple API over the one model (TIA ref 6): every mutation is a command whose job runs the CM command handlers
 * it stands for (LDEV create, pair create/assign/restore/delete, group delete, LDEV delete) inside one job and one
 * transaction, timed as that CM operation. Its command status (TIA ref 6.2) is persisted in `simple_commands`.
 */

/** Who submits a command and how (the wire layer's view of the request). */
export interface SimpleRequest {
  sid: string; userId: string; owner: string;
  request: { url: string; method: string; body: string };
  instant?: boolean; origin?: object;
}

interface CommandParams { commandId: number }
export interface CreateParams extends CommandParams { masterVolumeId: number; poolId: number; snapshotGroupName: string; type: SnapshotType }
export interface SnapshotParams extends CommandParams { pvol: number; mu: number }
export interface MapParams extends SnapshotParams { poolId: number }
export interface GroupParams extends CommandParams { name: string }
export interface VolumeParams extends CommandParams { ldevId: number }

/** The CM operation each simple command stands for: its job takes that operation's time (timing profile). */
const TIMED_AS: Record<string, string> = {
  'simple.snapshot.create': 'snapshot.create', 'simple.snapshot.map': 'snapshot.assign',
  'simple.snapshot.restore': 'snapshot.restore', 'simple.snapshot.delete': 'snapshot.delete',
  'simple.snapshotGroup.delete': 'snapshotGroup.delete', 'simple.volume.delete': 'ldev.delete',
};

const services = new WeakMap<Engine, SimpleService>();

export function simpleService(engine: Engine): SimpleService {
  const s = services.get(engine);
  if (!s) throw new Error('simple API module not registered');
  return s;
}

function createSimpleService(engine: Engine) {
  const commands = createSimpleCommandStore(engine.db);
  const pairs = () => pairService(engine).store;
  const now = () => engine.clock.now();

  /** Runs another command's handler inside the running job (same transaction: all or nothing). */
  function run(op: string, sid: string, userId: string, jobId: number, params: unknown): string[] {
    const handler = engine.jobs.handler(op);
    if (!handler) throw new VspError('internal', { detail: `no handler for ${op}` });
    return handler({ sid, userId, jobId, params });
  }

  /** The pair as the simple API sees it: a pair being deleted (SMPP) is already gone [I]. */
  function livePair(sid: string, pvol: number, mu: number): PairRow | undefined {
    const p = pairs().get(sid, pvol, mu);
    return p && p.status !== 'SMPP' ? p : undefined;
  }

  /** Root of the snapshot tree the pair's P-VOL is in (up through the pairs whose S-VOL it is). */
  function rootOf(sid: string, ldevId: number): number {
    let root = ldevId;
    for (let up = pairs().bySvol(sid, root), n = 0; up && n < 128; up = pairs().bySvol(sid, root), n++) root = up.pvolLdevId;
    return root;
  }

  function view(p: PairRow): SimpleSnapshotView {
    return { ...p, rootVolumeId: rootOf(p.sid, p.pvolLdevId) };
  }

  function renderSnapshot(p: PairRow) {
    return renderSimpleSnapshot(view(p), now(), engine.fidelity.simpleSnapshotStatus);
  }

  /** A new volume the size of the master volume, for a Mapped Snapshot, a Snap Clone or a map (TIA ref 6.3 S4). */
  function newVolume(sid: string, userId: string, jobId: number, master: number, poolId: number): number {
    const m = engine.res.getLdev(sid, master);
    if (!m) throw new VspError('ldevNotDefined', { ldevId: master });
    // Same capacity saving as the master: a TIA S-VOL must be a DRS volume of the pair's pool (TIA ref 2.1).
    const [path] = run('ldev.create', sid, userId, jobId, {
      poolId, blocks: m.blocks, label: `Snapshot of ID:${master}`, dataReductionMode: m.drMode, drs: m.drs,
    });
    return Number(path!.slice('ldevs/'.length));
  }

  const handlers = {
    'simple.snapshot.create': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: CreateParams }) => {
      const master = engine.res.getLdev(sid, params.masterVolumeId);
      if (!master) throw new VspError('ldevNotDefined', { ldevId: params.masterVolumeId });
      const clone = params.type === 'Snap Clone';
      const details: OperationDetail[] = [];
      let svol: number | undefined;
      if (params.type !== 'Snapshot') {
        // The volume goes to the master volume's pool: poolId names the snapshot data's pool (an HTI pool on VSP E) [I].
        if (master.poolId === null) throw new VspError('invalidValue', { attribute: 'masterVolumeId', value: params.masterVolumeId });
        svol = newVolume(sid, userId, jobId, params.masterVolumeId, master.poolId);
      }
      // Cascade pairs: a mapped volume needs no LU path and may be mapped later (ref 5.6); the first copy splits by itself.
      const request = normalizeCreateBody({
        snapshotGroupName: params.snapshotGroupName, snapshotPoolId: params.poolId, pvolLdevId: params.masterVolumeId,
        ...(svol === undefined ? {} : { svolLdevId: svol }),
        autoSplit: !clone, canCascade: true, isClone: clone, clonesAutomation: clone, isDataReductionForceCopy: true,
      }, pairService(engine).core.limits(), engine.fidelity.cloneAutoSplit);
      const [path] = run('snapshot.create', sid, userId, jobId, request);
      const id = path!.slice('snapshots/'.length);
      details.push({ operationType: 'CREATE', resourceType: 'Snapshot', resourceId: id });
      if (svol !== undefined) details.push({ operationType: 'CREATE', resourceType: 'Volume', resourceId: String(svol) });
      commands.setDetails(params.commandId, details);
      // Ansible reads affectedResources[0] as the snapshot: its URL comes first (TIA ref 6.3 S3).
      return [`snapshots/${id}`, ...(svol === undefined ? [] : [`volumes/${svol}`])];
    },
    'simple.snapshot.map': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: MapParams }) => {
      const id = pairId(params.pvol, params.mu);
      if (!livePair(sid, params.pvol, params.mu)) throw new VspError('pairNotExist', { pair: id });
      const svol = newVolume(sid, userId, jobId, params.pvol, params.poolId);
      run('snapshot.assign', sid, userId, jobId, { pvol: params.pvol, mu: params.mu, svolLdevId: svol });
      commands.setDetails(params.commandId, [
        { operationType: 'UPDATE', resourceType: 'Snapshot', resourceId: id },
        { operationType: 'CREATE', resourceType: 'Volume', resourceId: String(svol) },
      ]);
      return [`snapshots/${id}`, `volumes/${svol}`];
    },
    'simple.snapshot.restore': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: SnapshotParams }) => {
      const id = pairId(params.pvol, params.mu);
      if (!livePair(sid, params.pvol, params.mu)) throw new VspError('pairNotExist', { pair: id });
      // RCPY, then split again: the snapshot stays a snapshot after it overwrote its master volume (TIA ref 6.4).
      run('snapshot.restore', sid, userId, jobId, { pvol: params.pvol, mu: params.mu, autoSplit: true });
      commands.setDetails(params.commandId, [{ operationType: 'UPDATE', resourceType: 'Volume', resourceId: String(params.pvol) }]);
      return [`snapshots/${id}`, `volumes/${params.pvol}`];
    },
    'simple.snapshot.delete': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: SnapshotParams }) => {
      const id = pairId(params.pvol, params.mu);
      if (!livePair(sid, params.pvol, params.mu)) throw new VspError('pairNotExist', { pair: id });
      run('snapshot.delete', sid, userId, jobId, { pvol: params.pvol, mu: params.mu });
      commands.setDetails(params.commandId, [{ operationType: 'DELETE', resourceType: 'Snapshot', resourceId: id }]);
      return [`snapshots/${id}`];
    },
    'simple.snapshotGroup.delete': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: GroupParams }) => {
      const members = pairs().byGroup(sid, params.name).filter((p) => p.status !== 'SMPP');
      if (members.length === 0) throw new VspError('snapshotGroupNotExist', { group: params.name });
      run('snapshotGroup.delete', sid, userId, jobId, { group: params.name });
      commands.setDetails(params.commandId, [
        { operationType: 'DELETE', resourceType: 'SnapshotGroup', resourceId: params.name },
        ...members.map((p): OperationDetail => ({ operationType: 'DELETE', resourceType: 'Snapshot', resourceId: pairId(p.pvolLdevId, p.muNumber) })),
      ]);
      return [`snapshot-groups/${encodeURIComponent(params.name)}`];
    },
    'simple.volume.delete': ({ sid, userId, jobId, params }: { sid: string; userId: string; jobId: number; params: VolumeParams }) => {
      run('ldev.delete', sid, userId, jobId, { ldevId: params.ldevId });
      commands.setDetails(params.commandId, [{ operationType: 'DELETE', resourceType: 'Volume', resourceId: String(params.ldevId) }]);
      return [`volumes/${params.ldevId}`];
    },
  };

  /** Copies a completed job's outcome into its command status (once). */
  function finish(c: SimpleCommandRow, job: JobRow): void {
    if (c.completedAt !== null || job.completedAt === null) return;
    const ok = job.state === 'Succeeded';
    commands.complete(c.id, job.completedAt, ok ? 'normal' : 'error', ok ? job.affected : [], ok ? null : job.error);
  }

  return {
    commands, handlers, livePair, renderSnapshot, rootOf, finish,

    /** Records the command, then submits its job; answers the command id (`command-status/{id}`). */
    submit(r: SimpleRequest, op: keyof typeof handlers, params: Record<string, unknown>, resource: string, planned: OperationDetail[]): number {
      const id = engine.meta.next('simple_command_id');
      commands.insert({
        sid: r.sid, id, jobId: null, owner: r.owner, resource, details: planned, createdAt: now(),
        completedAt: null, status: null, affected: null, error: null,
      });
      commands.prune(r.sid, engine.arrays.get(r.sid)!.facts.jobRetention);
      const job = engine.jobs.submit({
        sid: r.sid, userId: r.userId, op, params: { ...params, commandId: id }, request: r.request,
        selfPrefix: SIMPLE_OBJECTS, timingOp: TIMED_AS[op], instant: r.instant, origin: r.origin,
      });
      commands.setJob(id, job.jobId);
      return id;
    },

    /** The command status object at the current virtual time; undefined when there is none (or not for this reader). */
    status(id: number, reader: string): Record<string, unknown> | undefined {
      let c = commands.get(id);
      if (!c) return undefined;
      if (engine.fidelity.simpleCommandStatusReader === 'session' && c.owner !== reader) return undefined;
      const job = c.jobId === null ? undefined : engine.jobs.get(c.jobId);
      if (c.completedAt === null && job?.completedAt !== null && job !== undefined) { finish(c, job); c = commands.get(id)!; }
      let progress: 'unexecuted' | 'processing' | 'completed' = 'completed';
      if (c.completedAt === null) progress = job && now() >= job.startAt ? 'processing' : 'unexecuted';
      return renderCommandStatus({ id: c.id, progress, status: c.status, resource: c.resource, affected: c.affected ?? [], details: c.details, error: c.error });
    },

    /** Snapshots of the array the simple API lists: every pair but those being deleted, by master volume and snapshot id. */
    snapshots(sid: string): PairRow[] {
      return pairs().all(sid).filter((p) => p.status !== 'SMPP');
    },

    /** The volume object (S10) of a defined LDEV. */
    volume(sid: string, ldevId: number) {
      const l = engine.res.getLdev(sid, ldevId);
      if (!l) return undefined;
      const pool = l.poolId === null ? undefined : engine.res.getPool(sid, l.poolId);
      return renderSimpleVolume({
        ldevId, label: l.label, poolId: l.poolId, poolName: pool?.name ?? null, blocks: l.blocks, usedBlocks: l.usedBlocks,
        drMode: l.drMode, drs: l.drs, servers: engine.res.countLunsOfLdev(sid, ldevId), snapshots: pairs().countOfPvol(sid, ldevId),
        isSnapshotVolume: (pairs().bySvol(sid, ldevId)?.status ?? 'SMPP') !== 'SMPP', parentLdevId: l.parentLdevId,
      });
    },
  };
}

export type SimpleService = ReturnType<typeof createSimpleService>;

/** Registers the simple API's commands on an engine (after the LDEV and pair modules, whose handlers it runs). */
export function registerSimpleModule(engine: Engine): void {
  const svc = createSimpleService(engine);
  services.set(engine, svc);
  for (const [op, handler] of Object.entries(svc.handlers)) engine.jobs.register(op, handler as never);
  engine.jobs.onCompleted((job) => {
    const id = (job.params as { commandId?: unknown } | null)?.commandId;
    if (!job.op.startsWith('simple.') || typeof id !== 'number') return;
    const c = svc.commands.get(id);
    if (c) svc.finish(c, job);
  });
}
