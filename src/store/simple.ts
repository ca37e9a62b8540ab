import type { ErrorBody } from '../domain/errors.js';
import type { OperationDetail } from '../domain/simple.js';
import type { Db } from './db.js';

/** A command of the simple API (TIA ref 6.2): the job that runs it and, once completed, its outcome. */
export interface SimpleCommandRow {
  sid: string; id: number; jobId: number | null;
  /** Who may read it: `session:<token>` or `basic:<userId>` (fidelity.simpleCommandStatusReader). */
  owner: string;
  /** The URL the command acts on: `errorResource` when it fails. */
  resource: string;
  details: OperationDetail[];
  createdAt: number; completedAt: number | null;
  status: 'normal' | 'error' | null;
  affected: string[] | null; error: ErrorBody | null;
}

type Raw = Record<string, unknown>;
const toRow = (r: Raw): SimpleCommandRow => ({
  sid: r.sid as string, id: r.id as number, jobId: r.job_id as number | null, owner: r.owner as string,
  resource: r.resource as string, details: JSON.parse(r.details as string), createdAt: r.created_at as number,
  completedAt: r.completed_at as number | null, status: r.status as SimpleCommandRow['status'],
  affected: r.affected ? JSON.parse(r.affected as string) : null, error: r.error ? JSON.parse(r.error as string) : null,
});

/** Repository of simple-API command statuses; every table access of the feature goes through here. */
export function createSimpleCommandStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO simple_commands (sid, id, job_id, owner, resource, details, created_at)
      VALUES (@sid, @id, @jobId, @owner, @resource, @details, @createdAt)`),
    get: db.prepare('SELECT * FROM simple_commands WHERE id = ?'),
    byJob: db.prepare('SELECT * FROM simple_commands WHERE job_id = ?'),
    setJob: db.prepare('UPDATE simple_commands SET job_id = ? WHERE id = ?'),
    setDetails: db.prepare('UPDATE simple_commands SET details = ? WHERE id = ?'),
    complete: db.prepare('UPDATE simple_commands SET completed_at = ?, status = ?, affected = ?, error = ?, details = COALESCE(?, details) WHERE id = ?'),
    delete: db.prepare('DELETE FROM simple_commands WHERE id = ?'),
    prune: db.prepare(`DELETE FROM simple_commands WHERE sid = ? AND completed_at IS NOT NULL AND id <=
      (SELECT id FROM simple_commands WHERE sid = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
  };
  return {
    insert: (r: SimpleCommandRow) => s.insert.run({ sid: r.sid, id: r.id, jobId: r.jobId, owner: r.owner, resource: r.resource,
      details: JSON.stringify(r.details), createdAt: r.createdAt }),
    get: (id: number): SimpleCommandRow | undefined => { const r = s.get.get(id) as Raw | undefined; return r && toRow(r); },
    byJob: (jobId: number): SimpleCommandRow | undefined => { const r = s.byJob.get(jobId) as Raw | undefined; return r && toRow(r); },
    setJob: (id: number, jobId: number) => s.setJob.run(jobId, id),
    /** What the command did, written by its handler inside the job's transaction (rolled back with it on failure). */
    setDetails: (id: number, details: OperationDetail[]) => s.setDetails.run(JSON.stringify(details), id),
    complete: (id: number, at: number, status: 'normal' | 'error', affected: string[], error: ErrorBody | null, details?: OperationDetail[]) =>
      s.complete.run(at, status, JSON.stringify(affected), error ? JSON.stringify(error) : null, details ? JSON.stringify(details) : null, id),
    delete: (id: number) => s.delete.run(id).changes > 0,
    /** Keeps the newest `keep` statuses of an array; one still running is never dropped. */
    prune: (sid: string, keep: number) => s.prune.run(sid, sid, keep),
  };
}
export type SimpleCommandStore = ReturnType<typeof createSimpleCommandStore>;
