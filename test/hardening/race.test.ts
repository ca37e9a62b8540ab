import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { pairService } from '../../src/engine/pairs/index.js';
import type { JobRow } from '../../src/store/jobs.js';
import { INSTANT, ldev, OBJ, SID, snapBody, startApp, type TestApp } from '../api/snapshotKit.js';
import { createdPairsMissing, invariantViolations } from '../../src/bench/invariants.js';

/**
 * Races (issue 10 item 9): many clients at once on one pair, one MU, one S-VOL and the session table. Whatever order
 * the jobs run in, the end state is consistent (invariants.ts), every Succeeded job's resource existed when its job
 * completed, and every refusal is one of the array's answers.
 */

const PVOL = 1;
const ACTIONS = ['split', 'resync', 'restore', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

/** A deterministic shuffle of the actions (a small LCG: the same interleavings every run). */
function mix(n: number, seed: number): Action[] {
  let x = seed;
  return Array.from({ length: n }, () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return ACTIONS[(x >>> 16) % ACTIONS.length]!; });
}

function send(t: TestApp, a: Action, instant: boolean) {
  const url = a === 'delete' ? `${OBJ}/snapshots/${PVOL},0` : `${OBJ}/snapshots/${PVOL},0/actions/${a}/invoke`;
  const req = a === 'delete' ? t.http.delete(url) : t.http.post(url);
  req.set(t.auth);
  if (instant) req.set(INSTANT);
  return a === 'resync' || a === 'restore' ? req.send({ parameters: { autoSplit: false } }) : req;
}

/** Every answer is a 202 job or one of the synchronous refusals the array gives to these operations. */
function expectArrayAnswer(r: Response): void {
  const ok = r.status === 202 || (r.status === 412 && ['KART30094-E', 'KART30095-E'].includes(r.body.messageId))
    || (r.status === 404 && r.body.messageId === 'KART30013-E');
  expect(ok, `${r.status} ${JSON.stringify(r.body)}`).toBe(true);
}

/** At each completion: a Succeeded job that is not a delete names pairs that exist right then. */
function watchJobs(t: TestApp): { problems: string[]; done: JobRow[] } {
  const problems: string[] = [];
  const done: JobRow[] = [];
  const store = pairService(t.engine).store;
  t.engine.jobs.onCompleted((job) => {
    done.push(job);
    if (job.state === 'Failed') {
      const e = job.error as { messageId?: string; errorCode?: { SSB1?: string } } | null;
      if (!e?.messageId || !/^KART\d{5}-E$/.test(e.messageId) || e.messageId === 'KART00001-E') problems.push(`job ${job.jobId} (${job.op}) failed with ${JSON.stringify(e)}`);
      return;
    }
    if (job.op.endsWith('.delete')) return;
    for (const url of job.affected) {
      const m = /snapshots\/(\d+),(\d+)$/.exec(url);
      if (m && !store.get(SID, Number(m[1]), Number(m[2]))) problems.push(`job ${job.jobId} (${job.op}) Succeeded on ${m[1]},${m[2]}, which does not exist`);
    }
  });
  return { problems, done };
}

/** Moves the clock past every deadline; the sessions expire on the way, so later reads use Basic credentials. */
async function settle(t: TestApp): Promise<void> {
  for (let i = 0; i < 20; i++) t.advance(60);
}
const BASIC = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };

describe('races', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (let id = 10; id <= 80; id++) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });

  const modes = [['jobs that run at one virtual instant', false, 0], ['jobs run inside each request', true, 0], ['batches of 10, 3 s apart', false, 3]] as const;
  for (const [label, instant, gap] of modes) {
    it(`60 concurrent split/resync/restore/delete on one pair (${label}): the pair ends in a valid status or gone, nothing orphaned`, async () => {
      const watch = watchJobs(t);
      const created = await t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(snapBody(PVOL, 10));
      expect(created.body.state).toBe('Succeeded');
      t.advance(5);
      const actions = mix(60, instant ? 7 : gap ? 5 : 11);
      // Without the instant header every job waits for the clock: all run in turn at the next advance.
      const answers: Response[] = [];
      for (let i = 0; i < actions.length; i += gap ? 10 : actions.length) {
        answers.push(...await Promise.all(actions.slice(i, i + (gap ? 10 : actions.length)).map((a) => send(t, a, instant).then((r) => r))));
        if (gap) t.advance(gap);
      }
      answers.forEach(expectArrayAnswer);
      await settle(t);
      expect(watch.problems).toEqual([]);
      expect(invariantViolations(t.engine.db, { settled: true })).toEqual([]);
      expect(createdPairsMissing(t.engine.db)).toEqual([]);
      const pairs = pairService(t.engine).store.byPvol(SID, PVOL);
      expect(pairs.length).toBeLessThanOrEqual(1);
      if (pairs.length) expect(['PAIR', 'PSUS']).toContain(pairs[0]!.status);
      // The S-VOL carries HTI exactly while it is in a pair; a group exists exactly while it has a pair.
      const svol = (await t.http.get(`${OBJ}/ldevs/10`).set(BASIC)).body as { attributes?: string[] };
      expect((svol.attributes ?? []).includes('HTI')).toBe(pairs.length === 1);
      const groups = (await t.http.get(`${OBJ}/snapshot-groups`).set(BASIC)).body.data as unknown[];
      expect(groups).toHaveLength(pairs.length);
      expect(watch.done.length).toBe(answers.filter((r) => r.status === 202).length + 1);
      // Not vacuous: some actions went through and some were refused.
      const by = (state: string) => watch.done.filter((j) => j.op !== 'snapshot.create' && j.state === state).length;
      expect(by('Succeeded')).toBeGreaterThan(0);
      expect(by('Failed') + answers.filter((r) => r.status !== 202).length).toBeGreaterThan(0);
    });
  }

  it('creates racing for one MU, for auto-assigned MUs and for one S-VOL: one winner each, distinct MUs, every refusal with its SSB', async () => {
    const watch = watchJobs(t);
    const bodies = [
      ...Array.from({ length: 20 }, (_, i) => snapBody(PVOL, 10 + i, { muNumber: 7, snapshotGroupName: `mu${i}` })),
      ...Array.from({ length: 20 }, (_, i) => snapBody(PVOL, 30 + i)),
      ...Array.from({ length: 10 }, (_, i) => snapBody(80, 60, { snapshotGroupName: `sv${i}` })),
    ];
    const answers = await Promise.all(bodies.map((b) => t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(b).then((r) => r)));
    const state = (i: number) => answers[i]!.body.state as string;
    const ssb = (i: number) => `${answers[i]!.body.error?.errorCode?.SSB1}/${answers[i]!.body.error?.errorCode?.SSB2}`;
    expect(answers.every((r) => r.status === 202)).toBe(true);
    const muWinners = bodies.slice(0, 20).map((_, i) => i).filter((i) => state(i) === 'Succeeded');
    expect(muWinners).toHaveLength(1);
    for (let i = 0; i < 20; i++) if (i !== muWinners[0]) expect(ssb(i)).toBe('2E31/0004');
    for (let i = 20; i < 40; i++) expect(state(i)).toBe('Succeeded');
    const svolWinners = bodies.slice(40).map((_, i) => 40 + i).filter((i) => state(i) === 'Succeeded');
    expect(svolWinners).toHaveLength(1);
    for (let i = 40; i < 50; i++) if (i !== svolWinners[0]) expect(answers[i]!.body.error.messageId).toBe('KART30000-E');
    const mus = pairService(t.engine).store.byPvol(SID, PVOL).map((p) => p.muNumber);
    expect(new Set(mus).size).toBe(21);
    expect(mus).toContain(7);
    expect(watch.problems).toEqual([]);
    await settle(t);
    expect(invariantViolations(t.engine.db, { settled: true })).toEqual([]);
    expect(createdPairsMissing(t.engine.db)).toEqual([]);
    const groups = ((await t.http.get(`${OBJ}/snapshot-groups`).set(BASIC)).body.data as Array<{ snapshotGroupName: string }>).map((g) => g.snapshotGroupName);
    expect(groups.sort()).toEqual(['g1', `mu${muWinners[0]}`, `sv${svolWinners[0]! - 40}`].sort());
  });

  it('70 concurrent logins: 64 sessions in all, the rest 503 KART40062-E; a freed slot is usable again', async () => {
    // startApp holds one session already.
    const basic = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;
    const answers = await Promise.all(Array.from({ length: 70 }, () => t.http.post(`${OBJ}/sessions`).set('Authorization', basic).then((r) => r)));
    const ok = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(63);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ messageId: 'KART40062-E', solutionType: 'RETRY' });
    }
    expect(new Set(ok.map((r) => r.body.token)).size).toBe(63);
    expect(new Set(ok.map((r) => r.body.sessionId)).size).toBe(63);
    expect(t.engine.sessions.count(SID)).toBe(64);
    const one = ok[0]!.body as { token: string; sessionId: number };
    expect((await t.http.delete(`${OBJ}/sessions/${one.sessionId}`).set('Authorization', `Session ${one.token}`)).status).toBe(200);
    expect((await t.http.post(`${OBJ}/sessions`).set('Authorization', basic)).status).toBe(200);
    expect((await t.http.post(`${OBJ}/sessions`).set('Authorization', basic)).status).toBe(503);
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(200);
  });
});
