import type { Db } from './db.js';
import type { ErrorBody } from '../domain/errors.js';

export interface JobRow {
  jobId: number; sid: string; userId: string; op: string; params: unknown;
  requestUrl: string; requestMethod: string; requestBody: string; selfPrefix: string;
  createdAt: number; startAt: number; dueAt: number; completedAt: number | null;
  state: 'Succeeded' | 'Failed' | null; affected: string[]; error: ErrorBody | null;
}

type Raw = Record<string, unknown>;
const toJob = (r: Raw): JobRow => ({
  jobId: r.job_id as number, sid: r.sid as string, userId: r.user_id as string, op: r.op as string,
  params: JSON.parse(r.params as string), requestUrl: r.request_url as string, requestMethod: r.request_method as string,
  requestBody: r.request_body as string, selfPrefix: r.self_prefix as string, createdAt: r.created_at as number,
  startAt: r.start_at as number, dueAt: r.due_at as number, completedAt: r.completed_at as number | null,
  state: r.state as JobRow['state'], affected: JSON.parse(r.affected as string), error: r.error ? JSON.parse(r.error as string) : null,
});

/** Job records: the queue of commands waiting for their due time, and the history clients read. */
export function createJobStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO jobs (job_id, sid, user_id, op, params, request_url, request_method, request_body, self_prefix,
      created_at, start_at, due_at, error) VALUES (@jobId, @sid, @userId, @op, @params, @requestUrl, @requestMethod, @requestBody, @selfPrefix,
      @createdAt, @startAt, @dueAt, @error)`),
    get: db.prepare('SELECT * FROM jobs WHERE job_id = ?'),
    nextDue: db.prepare('SELECT MIN(due_at) FROM jobs WHERE completed_at IS NULL').pluck(),
    due: db.prepare('SELECT * FROM jobs WHERE completed_at IS NULL AND due_at <= ? ORDER BY due_at, job_id LIMIT 64'),
    complete: db.prepare('UPDATE jobs SET completed_at = ?, state = ?, affected = ?, error = ? WHERE job_id = ?'),
    prune: db.prepare(`DELETE FROM jobs WHERE sid = ? AND completed_at IS NOT NULL AND job_id <=
      (SELECT job_id FROM jobs WHERE sid = ? ORDER BY job_id DESC LIMIT 1 OFFSET ?)`),
    pending: db.prepare('SELECT * FROM jobs WHERE completed_at IS NULL AND sid = ? ORDER BY job_id'),
  };
  return {
    /** An `error` on a job not yet completed is a planned failure (control-plane `job` fault). */
    insert: (j: JobRow) => s.insert.run({ ...j, params: JSON.stringify(j.params ?? null), error: j.error ? JSON.stringify(j.error) : null }),
    get: (jobId: number): JobRow | undefined => { const r = s.get.get(jobId) as Raw | undefined; return r && toJob(r); },
    nextDue: (): number | null => (s.nextDue.get() as number | null) ?? null,
    dueUpTo: (at: number): JobRow[] => (s.due.all(at) as Raw[]).map(toJob),
    complete: (jobId: number, at: number, state: 'Succeeded' | 'Failed', affected: string[], error: ErrorBody | null) =>
      s.complete.run(at, state, JSON.stringify(affected), error ? JSON.stringify(error) : null, jobId),
    /** Keeps the newest `keep` records of an array (the array drops the oldest createdTime first). */
    prune: (sid: string, keep: number) => s.prune.run(sid, sid, keep),
    pending: (sid: string): JobRow[] => (s.pending.all(sid) as Raw[]).map(toJob),
  };
}
export type JobStore = ReturnType<typeof createJobStore>;
