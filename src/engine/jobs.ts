import { VspError, renderError, type Catalog } from '../domain/errors.js';
import { rfc3339 } from '../domain/format.js';
import { jobDuration, type TimingProfile } from '../domain/timing.js';
import type { Db, Meta } from '../store/db.js';
import type { JobRow, JobStore } from '../store/jobs.js';
import type { ErrorBody } from '../domain/errors.js';
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
  /**
   * The operation whose duration the timing profile gives this job (default `op`): a command that composes other
   * commands (the simple API's snapshot create is a CM pair create) takes the time of the one it stands for.
   */
  timingOp?: string;
  /** Opaque key of the HTTP request that submits the job (the control plane's fault and journal hooks use it). */
  origin?: object;
}

/** What a submit hook may decide: the job is accepted as usual, then completes Failed with this error. */
export interface SubmitDecision { failWith?: ErrorBody }
/** Runs before a job is recorded; may throw a VspError to refuse the request (an HTTP fault by operation). */
export type SubmitHook = (input: SubmitInput) => SubmitDecision | void;

export interface JobObject {
  jobId: number; self: string; userId: string; status: 'Initializing' | 'Running' | 'Completed';
  state: 'Queued' | 'Started' | 'Succeeded' | 'Failed'; createdTime: string; updatedTime: string; completedTime?: string;
  request: { requestUrl: string; requestMethod: string; requestBody: string };
  affectedResources: string[]; error?: unknown;
}

export interface JobEngineDeps {
  db: Db; meta: Meta; jobs: JobStore; clock: VirtualClock; catalog: () => Catalog; timing: () => TimingProfile;
  retention: (sid: string) => number;
  log: { info: (obj: object, msg: string) => void; debug: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

/** The job lifecycle: accept a command now, run it when the virtual clock reaches its due time. */
export function createJobEngine(deps: JobEngineDeps) {
  const handlers = new Map<string, CommandHandler>();
  const waiters = new Map<number, Set<(job: JobRow) => void>>();
  const completedListeners: Array<(job: JobRow) => void> = [];
  const submitHooks: SubmitHook[] = [];
  let nextDueCache: number | null | undefined;
  // Job records held per array, oldest first: read once from the table, then kept in step in memory, so retention
  // is exact (the array keeps at most N records and drops the oldest createdTime first) and costs one delete by
  // primary key per job beyond N. A record whose job is still running is never dropped.
  const held = new Map<string, { ids: number[]; head: number }>();
  const idsOf = deps.db.prepare('SELECT job_id FROM jobs WHERE sid = ? ORDER BY job_id').pluck();
  const dropIfDone = deps.db.prepare('DELETE FROM jobs WHERE job_id = ? AND completed_at IS NOT NULL');
  const heldOf = (sid: string) => {
    let h = held.get(sid);
    if (!h) { h = { ids: idsOf.all(sid) as number[], head: 0 }; held.set(sid, h); }
    return h;
  };
  const retain = (sid: string) => {
    const h = heldOf(sid);
    const keep = deps.retention(sid);
    while (h.ids.length - h.head > keep) {
      if (dropIfDone.run(h.ids[h.head]!).changes === 0 && deps.jobs.get(h.ids[h.head]!)) break; // oldest still running
      h.head++;
    }
    if (h.head > 4096 && h.head * 2 > h.ids.length) { h.ids = h.ids.slice(h.head); h.head = 0; }
  };

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
    if (job.error) {
      // An error recorded at submit time is a planned failure (control-plane `job` fault): the command never runs.
      deps.jobs.complete(job.jobId, at, 'Failed', [], job.error);
    } else {
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
    }
    if (error) {
      const { body } = renderError(deps.catalog(), error, job.requestUrl);
      deps.jobs.complete(job.jobId, at, 'Failed', [], body);
    }
    retain(job.sid);
    const done = deps.jobs.get(job.jobId)!;
    // One line per job end: what ran, on what, and how it ended (the request's own log line carries the jobId too).
    const err = done.error as { messageId?: string; errorCode?: { SSB1?: string; SSB2?: string } } | null;
    deps.log.info({
      jobId: done.jobId, op: done.op, storageDeviceId: done.sid, resource: `${done.requestMethod} ${done.requestUrl}`,
      affectedResources: done.affected, state: done.state ?? 'Failed', virtualTime: rfc3339(at),
      ...(err ? { messageId: err.messageId, ssb1: err.errorCode?.SSB1, ssb2: err.errorCode?.SSB2 } : {}),
    }, `job ${done.jobId} ${done.op} ${done.state ?? 'Failed'}`);
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
    /**
     * The handler of `op`, for a command that runs other commands inside its own job and transaction (one mutation,
     * one job, all or nothing): the simple API's snapshot create makes an LDEV and a pair with the CM handlers.
     */
    handler(op: string): CommandHandler | undefined {
      return handlers.get(op);
    },
    /** Adds a hook that sees every job before it is recorded (control-plane faults, journal). */
    onSubmit(hook: SubmitHook): void {
      submitHooks.push(hook);
    },
    /** Records the job and, when its duration is zero, runs it before returning. */
    submit(input: SubmitInput): JobRow {
      let failWith: ErrorBody | null = null;
      for (const hook of submitHooks) failWith = hook(input)?.failWith ?? failWith;
      const now = deps.clock.now();
      const timing = deps.timing();
      const total = input.instant ? 0 : jobDuration(timing, input.timingOp ?? input.op);
      const queued = Math.min(timing.jobQueuedMs, total);
      const jobId = deps.meta.next('job_id');
      const row: JobRow = {
        jobId, sid: input.sid, userId: input.userId, op: input.op, params: input.params,
        requestUrl: input.request.url, requestMethod: input.request.method, requestBody: input.request.body,
        selfPrefix: input.selfPrefix, createdAt: now, startAt: now + queued, dueAt: now + total,
        completedAt: null, state: null, affected: [], error: failWith,
      };
      deps.jobs.insert(row);
      held.get(input.sid)?.ids.push(jobId);
      deps.log.debug({
        jobId, op: input.op, storageDeviceId: input.sid, resource: `${input.request.method} ${input.request.url}`,
        virtualTime: rfc3339(now), dueTime: rfc3339(row.dueAt), ...(failWith ? { plannedFailure: failWith.messageId } : {}),
      }, `job ${jobId} ${input.op} accepted`);
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
    /** Ends every waiting request (or those whose job matches) with the job as it stands (reset, restore, shutdown). */
    releaseWaiters(filter?: (job: JobRow) => boolean): void {
      for (const [jobId, set] of waiters) {
        const job = deps.jobs.get(jobId);
        if (filter && job && !filter(job)) continue;
        waiters.delete(jobId);
        for (const w of set) if (job) w(job);
      }
    },
    onCompleted(listener: (job: JobRow) => void): void {
      completedListeners.push(listener);
    },
    invalidate(): void {
      nextDueCache = undefined;
      held.clear();
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
  if (completed && job.error) out.error = job.error;
  return out;
}
