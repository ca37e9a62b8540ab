import type { ControlPlane } from '../control/index.js';
import { movingData } from '../domain/pairRender.js';
import { renderPool } from '../domain/pool.js';
import { retentionLocked } from '../domain/retention.js';
import type { Engine } from '../engine/context.js';
import { renderJob } from '../engine/jobs.js';
import { poolFacts, renderDefined } from '../engine/ldevs.js';
import { pairService, type PairService } from '../engine/pairs/index.js';
import type { PairRow } from '../store/pairs.js';
import type { ChangeFeed } from './changes.js';
import type { UiJob, UiJournalEntry, UiLdev, UiPair, UiPool, UiVclone, UiView } from './wire.js';

/**
 * The compact view of one array that the page draws: pools, LDEVs, pairs, groups, jobs, the journal, pair
 * transitions, checkpoints and the clock, in one JSON document. Pools, LDEVs, pairs and jobs are rendered by the
 * same functions as the REST API, so the page shows exactly what a client would read at this virtual instant.
 */

/** More than a classroom needs; a big benchmark array is shown in part (the counts tell how much). */
export const VIEW_LIMITS = { ldevs: 512, pairs: 2048, jobs: 30, journal: 40, transitions: 200 };

export interface ViewDeps { engine: Engine; control: ControlPlane; feed: ChangeFeed; version: string }

function pairsOf(svc: PairService, engine: Engine, sid: string): { rows: PairRow[]; count: number } {
  const count = engine.db.prepare('SELECT COUNT(*) FROM pairs WHERE sid = ?').pluck().get(sid) as number;
  if (count <= VIEW_LIMITS.pairs) return { rows: svc.store.all(sid), count };
  // Whole P-VOLs only, up to the limit: a P-VOL's MUs are never cut in half.
  const cut = engine.db.prepare('SELECT pvol FROM pairs WHERE sid = ? ORDER BY pvol, mu LIMIT 1 OFFSET ?').pluck().get(sid, VIEW_LIMITS.pairs) as number;
  return { rows: svc.store.inPvolRange(sid, 0, Math.max(0, cut - 1)), count };
}

function optionalPairService(engine: Engine): PairService | null {
  try { return pairService(engine); } catch { return null; }
}

/** Builds the view of array `sid` (which must exist); `since` limits transitions to those after that sequence. */
export function buildView(deps: ViewDeps, sid: string, since = 0): UiView {
  const { engine, control, feed } = deps;
  engine.clock.runDue(); // as every REST request does: whatever is due has happened before we look
  const now = engine.clock.now();
  const c = engine.clock.state();
  const db = engine.db;

  const pools = engine.res.listPools(sid).map((p) => renderPool(poolFacts(engine, sid, p.poolId)!) as unknown as UiPool);

  const svc = optionalPairService(engine);
  const { rows, count: pairCount } = svc ? pairsOf(svc, engine, sid) : { rows: [], count: 0 };
  const pairs: UiPair[] = rows.map((p) => ({
    ...(svc!.render(p) as unknown as UiPair),
    phase: p.phase, dueTime: p.dueAt === null ? null : new Date(p.dueAt).toISOString(), queued: p.queuedAt !== null,
  }));
  // The page counts retention down itself as the clock runs, to the same instant the array unlocks (TIA ref 3.3).
  const retentionEnds: Record<string, string> = {};
  for (const p of rows) if (retentionLocked(p, now)) retentionEnds[`${p.pvolLdevId},${p.muNumber}`] = new Date(p.retentionUntil!).toISOString();
  // Progress bars move with the clock alone: the feed ticks while any does.
  feed.setMoving(sid, rows.some((p) => movingData(p) && p.dueAt !== null));
  const groups = svc ? svc.store.listGroups(sid).map((g) => ({
    snapshotGroupName: g.name, isConsistencyGroup: g.isCtg, consistencyGroupId: g.ctgId, pairCount: svc.store.countOfGroup(sid, g.name),
  })) : [];

  const roles = new Map<number, Set<'P-VOL' | 'S-VOL'>>();
  const role = (id: number, r: 'P-VOL' | 'S-VOL') => { let s = roles.get(id); if (!s) roles.set(id, s = new Set()); s.add(r); };
  for (const p of rows) { role(p.pvolLdevId, 'P-VOL'); if (p.svolLdevId !== null) role(p.svolLdevId, 'S-VOL'); }
  const ldevCount = db.prepare('SELECT COUNT(*) FROM ldevs WHERE sid = ?').pluck().get(sid) as number;
  const ldevs: UiLdev[] = engine.res.ldevsFrom(sid, 0, VIEW_LIMITS.ldevs).map((row) => {
    const o = renderDefined(engine, row) as Record<string, unknown>;
    return {
      ldevId: row.ldevId, label: String(o.label ?? ''), byteFormatCapacity: String(o.byteFormatCapacity), blockCapacity: Number(o.blockCapacity),
      poolId: (o.poolId as number | undefined) ?? null, attributes: (o.attributes as string[] | undefined) ?? [], status: String(o.status),
      numOfUsedBlock: (o.numOfUsedBlock as number | undefined) ?? null, snapshotPoolId: (o.snapshotPoolId as number | undefined) ?? null,
      roles: [...(roles.get(row.ldevId) ?? [])].sort(),
      parentLdevId: row.parentLdevId, isVirtualCloneParent: ((o.attributes as string[] | undefined) ?? []).includes('VCP'),
    };
  });
  // Read from the rows, not the LDEV window above: a vClone is drawn under its parent wherever either sits.
  const vclones = (db.prepare('SELECT ldev_id, parent_ldev_id, label FROM ldevs WHERE sid = ? AND parent_ldev_id IS NOT NULL ORDER BY ldev_id LIMIT ?')
    .all(sid, VIEW_LIMITS.ldevs) as Array<{ ldev_id: number; parent_ldev_id: number; label: string | null }>)
    .map((r): UiVclone => ({ ldevId: r.ldev_id, parentLdevId: r.parent_ldev_id, label: r.label ?? '' }));

  const jobIds = db.prepare('SELECT job_id FROM jobs WHERE sid = ? ORDER BY job_id DESC LIMIT ?').pluck().all(sid, VIEW_LIMITS.jobs) as number[];
  const jobs: UiJob[] = [];
  for (const id of jobIds) {
    const row = engine.jobs.get(id);
    if (!row) continue;
    const j = renderJob(row, now);
    jobs.push({
      jobId: j.jobId, operation: row.op, status: j.status, state: j.state, createdTime: j.createdTime, updatedTime: j.updatedTime,
      ...(j.completedTime ? { completedTime: j.completedTime } : {}), requestMethod: j.request.requestMethod, requestUrl: j.request.requestUrl,
      affectedResources: j.affectedResources, ...(j.error !== undefined ? { error: j.error } : {}),
    });
  }

  // Requests of this array, and those no array was resolved for (refused before authentication, unknown URLs).
  const journal: UiJournalEntry[] = control.journal.list({ limit: VIEW_LIMITS.journal * 4 })
    .filter((e) => e.storageDeviceId === sid || e.storageDeviceId === null)
    .slice(-VIEW_LIMITS.journal).reverse()
    .map((e) => ({
      seq: e.seq, kind: e.kind, time: e.time, method: e.method, path: e.path, status: e.status, jobId: e.jobId,
      operation: e.operation, fault: e.fault ? { id: e.fault.id, type: e.fault.type } : null, pending: e.pending, userId: e.userId,
    }));

  const user = db.prepare('SELECT user_id, password FROM users WHERE sid = ? ORDER BY rowid LIMIT 1').get(sid) as { user_id: string; password: string } | undefined;
  const fx = engine.fixture;
  return {
    seq: feed.seq,
    epoch: feed.epoch,
    version: deps.version,
    storageDeviceId: sid,
    arrays: [...engine.arrays.values()].map((a) => ({ storageDeviceId: a.sid, model: a.model, serialNumber: a.serial })),
    clock: { mode: c.mode, speed: c.speed, time: new Date(c.now).toISOString(), epochMs: c.now },
    fixture: { name: fx.name ?? null, description: fx.description ?? null },
    timing: engine.timing.name,
    pools,
    ldevs,
    ldevCount,
    pairs,
    pairCount,
    vclones,
    retentionEnds,
    groups,
    jobs,
    journal,
    transitions: feed.transitions(sid, since, VIEW_LIMITS.transitions),
    checkpoints: control.model.listCheckpoints(),
    // Rules still waiting for requests (or for their time); an immediate pool/pair effect is done once applied.
    activeFaults: control.faults.all().filter((r) => control.faults.active(r)
      && (r.phase === 'request' || r.phase === 'submit' || (r.phase === 'scheduled' && r.applied === 0))).length,
    login: user ? { userId: user.user_id, password: user.password } : null,
  };
}
