import type Database from 'better-sqlite3';
import { PAIR_STATUSES } from '../domain/pairTypes.js';

/**
 * The consistency rules of a stored model, read straight from SQLite so they hold for an in-process app and for a
 * database file a killed server left behind: test/hardening/race.test.ts, crash.test.ts and dist/bench/crash.js.
 * Returns one line per violation.
 */

type Row = Record<string, unknown>;

const TRANSIENT = new Set(['COPY', 'RCPY', 'SMPP']);

export function invariantViolations(db: Database.Database, opts: { settled?: boolean } = {}): string[] {
  const out: string[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') out.push(`integrity_check: ${String(integrity)}`);
  const fk = db.pragma('foreign_key_check') as Row[];
  if (fk.length) out.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 3))}`);

  const pairs = db.prepare('SELECT * FROM pairs').all() as Row[];
  const groups = db.prepare('SELECT * FROM snapshot_groups').all() as Row[];
  const ldevs = new Set((db.prepare('SELECT sid, ldev_id FROM ldevs').all() as Row[]).map((l) => `${l.sid}/${l.ldev_id}`));
  const groupKeys = new Set(groups.map((g) => `${g.sid}/${g.name}`));
  const svols = new Map<string, string>();
  const id = (p: Row) => `${p.sid}/${p.pvol},${p.mu}`;
  for (const p of pairs) {
    if (!(PAIR_STATUSES as readonly string[]).includes(String(p.status))) out.push(`pair ${id(p)}: status ${p.status}`);
    if (p.kind !== 'snapshot' && p.kind !== 'clone') out.push(`pair ${id(p)}: kind ${p.kind}`);
    if (!groupKeys.has(`${p.sid}/${p.group_name}`)) out.push(`pair ${id(p)}: its group ${p.group_name} does not exist`);
    if (!ldevs.has(`${p.sid}/${p.pvol}`)) out.push(`pair ${id(p)}: its P-VOL is not an LDEV`);
    if (p.svol !== null) {
      if (!ldevs.has(`${p.sid}/${p.svol}`)) out.push(`pair ${id(p)}: its S-VOL ${p.svol} is not an LDEV`);
      if (p.svol === p.pvol) out.push(`pair ${id(p)}: S-VOL = P-VOL`);
      const other = svols.get(`${p.sid}/${p.svol}`);
      if (other) out.push(`S-VOL ${p.svol} is in two pairs: ${other} and ${id(p)}`);
      svols.set(`${p.sid}/${p.svol}`, id(p));
    }
    if (p.phase !== null && p.due_at === null && p.queued_at === null) out.push(`pair ${id(p)}: in phase ${p.phase} with no deadline and not queued`);
    if (p.phase === null && p.due_at !== null) out.push(`pair ${id(p)}: a deadline without a phase`);
    if (opts.settled && (p.phase !== null || TRANSIENT.has(String(p.status)))) out.push(`pair ${id(p)}: still ${p.status} (${p.phase}) after every deadline passed`);
  }
  const pairGroups = new Set(pairs.map((p) => `${p.sid}/${p.group_name}`));
  for (const g of groups) {
    if (!pairGroups.has(`${g.sid}/${g.name}`)) out.push(`group ${g.sid}/${g.name} has no pair (orphan)`);
    if (g.is_ctg === 1 && g.ctg_id === null) out.push(`group ${g.sid}/${g.name}: CTG mode without a CTG id`);
  }
  const jobs = db.prepare('SELECT job_id, op, state, completed_at, due_at, affected, error FROM jobs').all() as Row[];
  for (const j of jobs) {
    if ((j.completed_at === null) !== (j.state === null)) out.push(`job ${j.job_id}: completed_at ${j.completed_at} with state ${j.state}`);
    if (j.state === 'Failed' && !j.error) out.push(`job ${j.job_id}: Failed without an error`);
    if (j.state === 'Succeeded' && j.error) out.push(`job ${j.job_id}: Succeeded with an error`);
    if (opts.settled && j.completed_at === null) out.push(`job ${j.job_id} (${j.op}) never completed`);
  }
  return out;
}

/** The `snapshots/{pvol},{mu}` paths that Succeeded creates name and no later Succeeded job could have removed. */
export function createdPairsMissing(db: Database.Database): string[] {
  const jobs = db.prepare("SELECT job_id, op, affected, params FROM jobs WHERE state = 'Succeeded' ORDER BY job_id").all() as Row[];
  const lastRemoval = new Map<string, number>();
  for (const j of jobs) {
    if (j.op === 'snapshot.delete' || j.op === 'snapshot.clone') {
      const p = JSON.parse(String(j.params)) as { pvol: number; mu: number };
      lastRemoval.set(`${p.pvol},${p.mu}`, Number(j.job_id));
    } else if (j.op === 'snapshotGroup.delete' || j.op === 'snapshotTree.delete' || j.op === 'snapshotGroup.clone') {
      lastRemoval.set('*', Number(j.job_id));
    }
  }
  const out: string[] = [];
  for (const j of jobs.filter((x) => x.op === 'snapshot.create')) {
    for (const url of JSON.parse(String(j.affected)) as string[]) {
      const m = /snapshots\/(\d+),(\d+)$/.exec(url);
      if (!m) { out.push(`job ${j.job_id}: affected ${url} is not a pair`); continue; }
      const key = `${m[1]},${m[2]}`;
      const removedAfter = Math.max(lastRemoval.get(key) ?? 0, lastRemoval.get('*') ?? 0) > Number(j.job_id);
      const row = db.prepare('SELECT 1 FROM pairs WHERE pvol = ? AND mu = ?').get(Number(m[1]), Number(m[2]));
      if (!row && !removedAfter) out.push(`job ${j.job_id} Succeeded creating ${key}, which does not exist`);
    }
  }
  return out;
}
