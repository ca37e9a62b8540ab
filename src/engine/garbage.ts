import { VspError } from '../domain/errors.js';
import { garbageLdevFields, garbageStep, type GarbageOperation, type GarbageRow, type GarbageState } from '../domain/garbage.js';
import { transitionDuration } from '../domain/timing.js';
import type { Statement } from 'better-sqlite3';
import type { TimerSource } from './clock.js';
import type { Engine } from './context.js';
import { addLdevFields } from './ldevs.js';
import { pairService } from './pairs/index.js';

/**
 * Garbage-data deletion of snapshot trees (TIA ref 5, VSP 5000 models): the `snapshotTree.deleteGarbageData` job,
 * the per-root state in `garbage_deletions`, its processing on the virtual clock and the fields it adds to the root
 * LDEV. The content model reports the snapshot data released inside a tree (`garbageReleased`).
 */

/** Start-up of the processing before its first step, and its time per GiB of garbage [I]: timing profile keys. */
export const GARBAGE_TIMER = 'snapshotTree.garbage';

export interface GarbageParams { ldevId: number; operationType: GarbageOperation }

interface Statements {
  get: Statement; upsert: Statement; del: Statement; next: Statement; due: Statement;
}
const statements = new WeakMap<Engine, Statements>();
function st(engine: Engine): Statements {
  let s = statements.get(engine);
  if (!s) {
    const db = engine.db;
    s = {
      get: db.prepare('SELECT state, garbage_blocks, due_at FROM garbage_deletions WHERE sid = ? AND root = ?').raw(),
      upsert: db.prepare(`INSERT INTO garbage_deletions (sid, root, state, garbage_blocks, due_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (sid, root) DO UPDATE SET state = excluded.state, garbage_blocks = excluded.garbage_blocks, due_at = excluded.due_at`),
      del: db.prepare('DELETE FROM garbage_deletions WHERE sid = ? AND root = ?'),
      next: db.prepare('SELECT MIN(due_at) FROM garbage_deletions WHERE due_at IS NOT NULL').pluck(),
      due: db.prepare('SELECT sid, root FROM garbage_deletions WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, sid, root').raw(),
    };
    statements.set(engine, s);
  }
  return s;
}

let nextDueCache = new WeakMap<Engine, number | null>();

function getRow(engine: Engine, sid: string, root: number): GarbageRow | undefined {
  const r = st(engine).get.get(sid, root) as [GarbageState, number, number | null] | undefined;
  return r && { sid, root, state: r[0], garbageBlocks: r[1], dueAt: r[2] };
}
function saveRow(engine: Engine, row: GarbageRow): void {
  st(engine).upsert.run(row.sid, row.root, row.state, row.garbageBlocks, row.dueAt);
  nextDueCache.delete(engine);
  engine.clock.poke();
}

/** The root of the snapshot tree `ldevId` is in: up through snapshot pairs (a clone S-VOL roots its own tree). */
function rootOf(engine: Engine, sid: string, ldevId: number): number {
  const store = pairService(engine).store;
  let v = ldevId;
  for (let up = store.bySvol(sid, v), n = 0; up && up.kind !== 'clone' && n < 1000; up = store.bySvol(sid, v), n++) v = up.pvolLdevId;
  return v;
}

/**
 * Snapshot data of `blocks` was released in the tree of P-VOL `pvol` (inside the caller's transaction). On models
 * with garbage-data deletion it becomes the tree's garbage; when the released pair `leaving` was the root's last,
 * the tree and its garbage are gone [I].
 */
export function garbageReleased(engine: Engine, sid: string, pvol: number, blocks: number, leaving: { pvol: number; mu: number } | null): void {
  if (!engine.arrays.get(sid)?.facts.garbageDataDelete) return;
  const root = rootOf(engine, sid, pvol);
  const left = pairService(engine).store.byPvol(sid, root).filter((p) => !leaving || p.pvolLdevId !== leaving.pvol || p.muNumber !== leaving.mu);
  const row = getRow(engine, sid, root);
  if (left.length === 0) {
    if (row) { st(engine).del.run(sid, root); nextDueCache.delete(engine); }
    return;
  }
  if (blocks <= 0) return;
  saveRow(engine, { ...(row ?? { sid, root, state: 'idle', dueAt: null, garbageBlocks: 0 }), garbageBlocks: (row?.garbageBlocks ?? 0) + blocks });
}

/** The job: start or stop the processing of the tree rooted at `ldevId`. */
function deleteGarbageData(engine: Engine, sid: string, { ldevId, operationType }: GarbageParams): string[] {
  const facts = engine.arrays.get(sid)!.facts;
  // Reached only when fidelity.garbageDeleteUnsupported is 'programProduct' (else the URL is unknown on the model).
  if (!facts.garbageDataDelete) throw new VspError('programProductNotInstalled', { product: 'garbage data deletion' });
  if (!engine.res.getLdev(sid, ldevId)) throw new VspError('ldevNotDefined');
  const store = pairService(engine).store;
  const above = store.bySvol(sid, ldevId);
  if (above && above.kind !== 'clone') throw new VspError('notTreeRoot', { ldevId });
  const pairs = store.byPvol(sid, ldevId);
  if (pairs.length === 0) throw new VspError('noSnapshotTree', { ldevId });
  // Not for TIA trees (TIA ref 2.2, a Terraform client rule; TI and TIA never share a tree).
  if (pairs.some((p) => p.isRedirectOnWrite)) throw new VspError('garbageTiaTree', { ldevId });
  const now = engine.clock.now();
  const row = getRow(engine, sid, ldevId) ?? { sid, root: ldevId, state: 'idle' as GarbageState, garbageBlocks: 0, dueAt: null };
  if (operationType === 'start') {
    // Start while running: the processing goes on as it was [I].
    if (row.state !== 'running') saveRow(engine, { ...row, state: 'running', dueAt: now + transitionDuration(engine.timing, GARBAGE_TIMER) });
  } else if (row.state === 'running') {
    saveRow(engine, { ...row, state: 'stopped', dueAt: null });
  } else if (engine.fidelity.garbageStopWhenIdle === 'refuse') {
    throw new VspError('garbageNotRunning', { ldevId });
  }
  return [`ldevs/${ldevId}`];
}

/** Processing steps that are due: 1 GiB per step until less than 1 GiB is left. */
function timerSource(engine: Engine): TimerSource {
  return {
    nextDue() {
      let v = nextDueCache.get(engine);
      if (v === undefined) { v = (st(engine).next.get() as number | null) ?? null; nextDueCache.set(engine, v); }
      return v;
    },
    fire(at) {
      const perGiB = engine.timing.transitionMs[`${GARBAGE_TIMER}.perGiB`] ?? 0;
      engine.db.transaction(() => {
        for (const [sid, root] of st(engine).due.all(at) as Array<[string, number]>) {
          let row = getRow(engine, sid, root)!;
          // A zero step time deletes every whole GiB at once; the bound only guards against a loop.
          for (let n = 0; row.dueAt !== null && row.dueAt <= at && n < 1_000_000; n++) row = garbageStep(row, at, perGiB);
          saveRow(engine, row);
        }
      })();
      nextDueCache.delete(engine);
    },
  };
}

/** Registers garbage-data deletion on an engine (after the pair module). */
export function registerGarbageModule(engine: Engine): void {
  engine.jobs.register('snapshotTree.deleteGarbageData', ({ sid, params }) => deleteGarbageData(engine, sid, params as GarbageParams));
  engine.clock.addSource(timerSource(engine));
  engine.onReload(() => { nextDueCache = new WeakMap(); });
  addLdevFields(engine, (sid, row) => {
    if (!engine.arrays.get(sid)?.facts.garbageDataDelete) return undefined;
    const g = getRow(engine, sid, row.ldevId);
    return g && garbageLdevFields(g);
  });
}
