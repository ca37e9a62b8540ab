import { VspError, renderError, type Catalog } from '../domain/errors.js';
import { rfc3339 } from '../domain/format.js';
import { jobDuration, type TimingProfile } from '../domain/timing.js';
import type { Db, Meta } from '../store/db.js';
import type { JobRow, JobStore } from '../store/jobs.js';
import type { TimerSource, VirtualClock } from './clock.js';

/** What a command handler is given when its job becomes due. */
export interface CommandInput<P = any> { sid: string; userId: string; params: P; jobId: number }

/**
 * A mutating operation. It runs inside one SQLite transaction when its job is due: it either applies all of its
 * changes and returns the affected resource paths (relative to the objects root, e.g. `ldevs/12`), or throws a
 * VspError and leaves nothing behind.
 */
export type CommandHandler<P = any> = (input: CommandInput<P>) => string[];

export interface SubmitInput {
  sid: string; userId: string; op: string; params: unknown;
  request: { url: string; method: string; body: string };
  /** `/ConfigurationManager/v1/objects` or `/ConfigurationManager/v1/objects/storages/{sid}`: the request's URL form. */
  selfPrefix: string;
  /** Complete at once whatever the timing profile says (control-plane header). */
  instant?: boolean;
}

export interface JobObject {
  jobId: number; self: string; userId: string; status: 'Initializing' | 'Running' | 'Completed';
  state: 'Queued' | 'Started' | 'Succeeded' | 'Failed'; createdTime: string; updatedTime: string; completedTime?: string;
  request: { requestUrl: string; requestMethod: string; requestBody: string };
  affectedResources: string[]; error?: unknown;
}

export interface JobEngineDeps {
  db: Db; meta: Meta; jobs: JobStore; clock: VirtualClock; catalog: () => Catalog; timing: () => TimingProfile;
  retention: (sid: string) => number;
  log: { error: (obj: object, msg: string) => void };
}

/** The job lifecycle: accept a command now, run it when the virtual clock reaches its due time. */
export function createJobEngine(deps: JobEngineDeps) {
  const handlers = new Map<string, CommandHandler>();
  const waiters = new Map<number, Set<(job: JobRow) => void>>();
  const completedListeners: Array<(job: JobRow) => void> = [];
  let nextDueCache: number | null | undefined;

  const source: TimerSource = {
    nextDue() {
      if (nextDueCache === undefined) nextDueCache = deps.jobs.nextDue();
      return nextDueCache;
    },
    fire(at) {
      for (const job of deps.jobs.dueUpTo(at)) run(job, at);
      nextDueCache = undefined;
    },
  };
  deps.clock.addSource(source);

  function run(job: JobRow, at: number): void {
    const handler = handlers.get(job.op);
    let affected: string[] = [];
    let error: VspError | null = null;
    try {
      deps.db.transaction(() => {
        if (!handler) throw new VspError('internal', { detail: `no handler for ${job.op}` });
        affected = handler({ sid: job.sid, userId: job.userId, params: job.params, jobId: job.jobId });
        deps.jobs.complete(job.jobId, at, 'Succeeded', affected.map((p) => `${job.selfPrefix}/${p}`), null);
      })();
    } catch (e) {
      if (e instanceof VspError) error = e;
      else {
        deps.log.error({ err: e, jobId: job.jobId, op: job.op }, 'command handler failed unexpectedly');
        error = new VspError('internal', { detail: e instanceof Error ? e.message : String(e) });
      }
    }
    if (error) {
      const { body } = renderError(deps.catalog(), error, job.requestUrl);
      deps.jobs.complete(job.jobId, at, 'Failed', [], body);
    }
    if (job.jobId % 64 === 0) deps.jobs.prune(job.sid, deps.retention(job.sid));
    const done = deps.jobs.get(job.jobId)!;
    for (const l of completedListeners) l(done);
    const ws = waiters.get(job.jobId);
    if (ws) { waiters.delete(job.jobId); for (const w of ws) w(done); }
  }

  return {
    source,
    register(op: string, handler: CommandHandler): void {
      handlers.set(op, handler);
    },
    has(op: string): boolean {
      return handlers.has(op);
    },
    /** Records the job and, when its duration is zero, runs it before returning. */
    submit(input: SubmitInput): JobRow {
      const now = deps.clock.now();
      const timing = deps.timing();
      const total = input.instant ? 0 : jobDuration(timing, input.op);
      const queued = Math.min(timing.jobQueuedMs, total);
      const jobId = deps.meta.next('job_id');
      const row: JobRow = {
        jobId, sid: input.sid, userId: input.userId, op: input.op, params: input.params,
        requestUrl: input.request.url, requestMethod: input.request.method, requestBody: input.request.body,
        selfPrefix: input.selfPrefix, createdAt: now, startAt: now + queued, dueAt: now + total,
        completedAt: null, state: null, affected: [], error: null,
      };
      deps.jobs.insert(row);
      if (total === 0) {
        run(row, now);
      } else {
        if (nextDueCache !== undefined && (nextDueCache === null || row.dueAt < nextDueCache)) nextDueCache = row.dueAt;
        deps.clock.poke();
      }
      return deps.jobs.get(jobId)!;
    },
    get(jobId: number): JobRow | undefined {
      return deps.jobs.get(jobId);
    },
    /** Resolves when the job completes, or with the job as it is when the virtual deadline passes. */
    waitFor(jobId: number, deadline: number): Promise<JobRow> {
      const current = deps.jobs.get(jobId);
      if (!current || current.completedAt !== null || deadline <= deps.clock.now()) return Promise.resolve(current!);
      return new Promise((resolve) => {
        let set = waiters.get(jobId);
        if (!set) { set = new Set(); waiters.set(jobId, set); }
        const done = (job: JobRow) => { cancel(); resolve(job); };
        set.add(done);
        const cancel = deps.clock.at(deadline, () => {
          waiters.get(jobId)?.delete(done);
          resolve(deps.jobs.get(jobId)!);
        });
      });
    },
    /** Ends every waiting request with the job as it stands (used by reset and shutdown). */
    releaseWaiters(): void {
      for (const [jobId, set] of waiters) {
        const job = deps.jobs.get(jobId);
        for (const w of set) if (job) w(job);
      }
      waiters.clear();
    },
    onCompleted(listener: (job: JobRow) => void): void {
      completedListeners.push(listener);
    },
    invalidate(): void {
      nextDueCache = undefined;
      deps.clock.poke();
    },
  };
}
export type JobEngine = ReturnType<typeof createJobEngine>;

/** The job object exactly as the array shows it, at virtual time `now`. */
export function renderJob(job: JobRow, now: number): JobObject {
  const completed = job.completedAt !== null;
  const running = !completed && now >= job.startAt;
  const out: JobObject = {
    jobId: job.jobId,
    self: `${job.selfPrefix}/jobs/${job.jobId}`,
    userId: job.userId,
    status: completed ? 'Completed' : running ? 'Running' : 'Initializing',
    state: completed ? (job.state ?? 'Failed') : running ? 'Started' : 'Queued',
    createdTime: rfc3339(job.createdAt),
    updatedTime: rfc3339(completed ? job.completedAt! : running ? job.startAt : job.createdAt),
    request: { requestUrl: job.requestUrl, requestMethod: job.requestMethod, requestBody: job.requestBody },
    affectedResources: job.affected,
  };
  if (completed) out.completedTime = rfc3339(job.completedAt!);
  if (job.error) out.error = job.error;
  return out;
}
