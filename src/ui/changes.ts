import type { Engine } from '../engine/context.js';
import type { UiTransition } from './wire.js';

/**
 * The web view's change feed: tells open pages that the model may have changed, so they re-fetch the view.
 *
 * Everything the page shows lives in SQLite or moves with the virtual clock, so one cheap signature covers it:
 * SQLite's `total_changes()` (every row this connection wrote: jobs, pair transitions, pool usage, reset and
 * restore), the number of emulated-array and control-plane responses (the journal), the reload count, the clock's
 * mode and speed (and its time when manual), and, while a pair moves data on a running clock, a 2 Hz tick for the
 * progress bars. It is polled every 100 ms of wall time, only while a page is subscribed; a page therefore sees a
 * change within ~100 ms and at most ten events a second, however busy the array is.
 *
 * Pair transitions are recorded exactly, including the intermediate ones between two polls (COPY → PAIR → PSUS
 * within one clock step), by TEMP triggers on the pairs table that stamp each change with the virtual time. They
 * live on this connection only (never in a checkpoint, an export or the file) and exist only while a page is open,
 * because triggers disable SQLite's bulk-copy optimisation that makes restoring 100,000 pairs take milliseconds.
 * A vanished pair's row also keeps its S-VOL and that S-VOL's vClone parent at that moment (TIA ref 4.1), so that a
 * pair that vanished because its S-VOL became a vClone of its P-VOL is told as that, not as a delete.
 */

export interface ChangeFeed {
  /** Sequence number of the last change announced. */
  readonly seq: number;
  /** Number of reset/restore reloads so far (a page does not animate across one). */
  readonly epoch: number;
  /** Calls `listener(seq)` on every change until the returned function is called. */
  subscribe(listener: (seq: number) => void): () => void;
  /** Counts a response (the journal moved). */
  bump(): void;
  /** The view builder reports whether pairs of an array are moving data (their progress changes with time). */
  setMoving(sid: string, moving: boolean): void;
  /** Pair transitions of an array after `since` (oldest first, at most `limit`, the newest kept). */
  transitions(sid: string, since: number, limit: number): UiTransition[];
  /** Stops polling and drops the triggers (app close). */
  close(): void;
}

const POLL_MS = 100;
const TICK_MS = 500;
const KEEP_EVENTS = 2000;
const EVENTS = 'temp.vsp_ui_pair_events';
const TRIGGERS = ['vsp_ui_pair_ins', 'vsp_ui_pair_upd', 'vsp_ui_pair_del'];

interface EventRow {
  seq: number; at: number; pvol: number; mu: number; kind: string | null; from_status: string | null; to_status: string | null;
  svol: number | null; svol_parent: number | null;
}

/**
 * Rows → transitions. virtual-clone create/convert deletes the pair, then makes its S-VOL a vClone of the P-VOL, in one
 * transaction (TIA ref 4.2): a pair gone whose S-VOL was no vClone of its P-VOL then and is one now became that vClone.
 * (A paired-back pair deleted leaves a vClone that already was one: a plain delete.)
 */
function toTransition(r: EventRow, parentNow: (svol: number) => number | null): UiTransition {
  const t: UiTransition = {
    seq: r.seq, time: new Date(r.at).toISOString(), snapshotId: `${r.pvol},${r.mu}`, pvolLdevId: r.pvol, muNumber: r.mu,
    isClone: r.kind === 'clone', from: r.from_status, to: r.to_status, svolLdevId: r.svol,
  };
  if (r.to_status === null && r.svol !== null && r.svol_parent !== r.pvol && parentNow(r.svol) === r.pvol) t.becameVclone = r.svol;
  return t;
}

/**
 * The vClone engine removes a pair through the pair machine's delete (SMPP, then gone) inside one job: no client can
 * read that SMPP. A "→ SMPP" followed at the same virtual instant by the same pair's "SMPP → gone" that made a vClone
 * is told as one transition from the status clients saw ("PAIR → gone, turned into a vClone").
 */
function foldVcloneRemovals(list: UiTransition[]): UiTransition[] {
  const out: UiTransition[] = [];
  for (const t of list) {
    const prev = out[out.length - 1];
    if (t.becameVclone !== undefined && prev && prev.snapshotId === t.snapshotId && prev.to === 'SMPP' && t.from === 'SMPP' && prev.time === t.time) {
      out[out.length - 1] = { ...t, from: prev.from };
    } else out.push(t);
  }
  return out;
}

export function createChangeFeed(engine: Engine): ChangeFeed {
  const { db, clock } = engine;
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  const listeners = new Set<(seq: number) => void>();
  const moving = new Set<string>();
  let seq = 0;
  let epoch = 0;
  let responses = 0;
  let last = '';
  let timer: NodeJS.Timeout | null = null;
  let recording = false;
  let closed = false;

  db.function('vsp_ui_now', { deterministic: false }, () => clock.now());
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS vsp_ui_pair_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
    sid TEXT NOT NULL, pvol INTEGER NOT NULL, mu INTEGER NOT NULL, kind TEXT, from_status TEXT, to_status TEXT, svol INTEGER, svol_parent INTEGER)`);
  const listEvents = db.prepare(`SELECT seq, at, pvol, mu, kind, from_status, to_status, svol, svol_parent FROM ${EVENTS}
    WHERE sid = ? AND seq > ? ORDER BY seq DESC LIMIT ?`);
  const countEvents = db.prepare(`SELECT COUNT(*) FROM ${EVENTS}`).pluck();
  const pruneEvents = db.prepare(`DELETE FROM ${EVENTS} WHERE seq <= (SELECT MAX(seq) FROM ${EVENTS}) - ?`);
  const clearEvents = db.prepare(`DELETE FROM ${EVENTS}`);

  const hasPairs = () => db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'pairs'").get() !== undefined;
  const hasParents = () => (db.prepare("SELECT name FROM pragma_table_info('ldevs')").pluck().all() as string[]).includes('parent_ldev_id');

  function startRecording(): void {
    if (recording || !hasPairs()) return;
    const parent = (row: 'new' | 'old') => (hasParents() ? `(SELECT parent_ldev_id FROM main.ldevs WHERE sid = ${row}.sid AND ldev_id = ${row}.svol)` : 'NULL');
    const insert = (row: 'new' | 'old', from: string, to: string) =>
      `INSERT INTO ${EVENTS} (at, sid, pvol, mu, kind, from_status, to_status, svol, svol_parent)
        VALUES (vsp_ui_now(), ${row}.sid, ${row}.pvol, ${row}.mu, ${row}.kind, ${from}, ${to}, ${row}.svol, ${to === 'NULL' ? parent(row) : 'NULL'});`;
    try {
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS vsp_ui_pair_ins AFTER INSERT ON main.pairs BEGIN ${insert('new', 'NULL', 'new.status')} END;
        CREATE TEMP TRIGGER IF NOT EXISTS vsp_ui_pair_upd AFTER UPDATE OF status ON main.pairs WHEN old.status IS NOT new.status
          BEGIN ${insert('new', 'old.status', 'new.status')} END;
        CREATE TEMP TRIGGER IF NOT EXISTS vsp_ui_pair_del AFTER DELETE ON main.pairs BEGIN ${insert('old', 'old.status', 'NULL')} END;`);
      recording = true;
    } catch (e) {
      engine.log.warn({ err: e }, 'web view: pair transitions will not be recorded');
    }
  }

  function stopRecording(): void {
    if (!recording) return;
    for (const t of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS temp.${t}`);
    clearEvents.run();
    recording = false;
  }

  const signature = (): string => {
    const c = clock.state();
    const tick = c.mode === 'real' && moving.size > 0 ? Math.floor(Date.now() / TICK_MS) : '';
    return `${totalChanges.get() as number}|${responses}|${epoch}|${c.mode}|${c.speed}|${c.mode === 'manual' ? c.now : ''}|${tick}`;
  };

  function poll(): void {
    if ((countEvents.get() as number) > KEEP_EVENTS * 2) pruneEvents.run(KEEP_EVENTS);
    const s = signature();
    if (s === last) return;
    last = s;
    seq++;
    for (const l of [...listeners]) l(seq);
  }

  engine.onReload(() => {
    epoch++;
    // A reset or restore rewrote every pair: those are not transitions anybody watched.
    if (recording) clearEvents.run();
  });

  return {
    get seq() { return seq; },
    get epoch() { return epoch; },
    subscribe(listener) {
      if (closed) return () => {};
      listeners.add(listener);
      if (!timer) {
        startRecording();
        last = signature();
        timer = setInterval(poll, POLL_MS);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
          stopRecording();
        }
      };
    },
    bump() { responses++; },
    setMoving(sid, isMoving) {
      if (isMoving) moving.add(sid);
      else moving.delete(sid);
    },
    transitions(sid, since, limit) {
      if (!recording) return [];
      const rows = listEvents.all(sid, since, limit) as EventRow[];
      const parents = hasParents() ? db.prepare('SELECT parent_ldev_id FROM main.ldevs WHERE sid = ? AND ldev_id = ?').pluck() : null;
      return foldVcloneRemovals(rows.reverse().map((r) => toTransition(r, (svol) => (parents?.get(sid, svol) as number | null | undefined) ?? null)));
    },
    close() {
      closed = true;
      listeners.clear();
      if (timer) clearInterval(timer);
      timer = null;
      try { stopRecording(); } catch { /* the database may already be closed */ }
    },
  };
}
