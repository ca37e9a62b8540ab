import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { pairService } from '../../src/engine/pairs/index.js';
import { CINDER_WAIT, createPair, expectJobFailed, expectSucceeded, getPair, INSTANT, ldev, OBJ, SID, snapBody, startApp, type TestApp } from '../api/snapshotKit.js';
import { until } from '../api/support.js';

/**
 * Issue 10 item 7: a create naming a used MU is an accepted no-op (the matrix's YN on a COPY pair) only when it
 * repeats the create of the pair that is there; any other S-VOL, group or attribute fails as the array does:
 * a Failed job with KART30000-E and the catalog's `muInUse` SSB (2E31/0004). The verdict is taken when the job runs,
 * inside its transaction, so creates that race on one MU end consistently whatever their order.
 */

const MU = 3;
const PVOL = 1;
const SVOLS = Array.from({ length: 50 }, (_, i) => 100 + i);

/** The job of a 202 as it completed. */
interface Job { state: string; affectedResources: string[]; error?: { messageId: string; errorCode?: { SSB1: string; SSB2: string } } }

async function groupNames(t: TestApp): Promise<string[]> {
  const r = await t.http.get(`${OBJ}/snapshot-groups`).set(t.auth);
  expect(r.status).toBe(200);
  return (r.body.data as Array<{ snapshotGroupName: string }>).map((g) => g.snapshotGroupName).sort();
}

/** Every resource a Succeeded job names exists (GET answers 200). */
async function expectAffectedExist(t: TestApp, jobs: Job[]): Promise<void> {
  for (const j of jobs.filter((x) => x.state === 'Succeeded')) {
    for (const url of j.affectedResources) expect((await t.http.get(url).set(t.auth)).status, url).toBe(200);
  }
}

function expectMuInUse(job: Job): void {
  expect(job).toMatchObject({ state: 'Failed', affectedResources: [] });
  expect(job.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E31', SSB2: '0004' } });
}

describe('MU reuse (issue 10 item 7)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (const id of SVOLS) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });

  it('a second create on the MU of a COPY pair with another S-VOL and group fails with 2E31/0004; its group never exists', async () => {
    expectSucceeded(await createPair(t, snapBody(PVOL, 100, { muNumber: MU, snapshotGroupName: 'first' })), `${OBJ}/snapshots/${PVOL},${MU}`);
    expect((await getPair(t, PVOL, MU)).body.status).toBe('COPY');
    const second = await createPair(t, snapBody(PVOL, 101, { muNumber: MU, snapshotGroupName: 'second' }));
    expectJobFailed(second, '2E31', '0004');
    expect(second.body.error.message).toContain(`pair = ${PVOL},${MU}, status = COPY`);
    expect((await getPair(t, PVOL, MU)).body).toMatchObject({ svolLdevId: 100, snapshotGroupName: 'first', status: 'COPY' });
    expect(await groupNames(t)).toEqual(['first']);
    // The refused S-VOL stays free: a pair on another MU may use it.
    expectSucceeded(await createPair(t, snapBody(PVOL, 101, { muNumber: MU + 1, snapshotGroupName: 'first' })));
  });

  it('another group, or another attribute, with the same S-VOL is refused too; the exact repeat is the accepted no-op', async () => {
    const body = snapBody(PVOL, 100, { muNumber: MU, autoSplit: true });
    expectSucceeded(await createPair(t, body));
    expectJobFailed(await createPair(t, { ...body, snapshotGroupName: 'other' }), '2E31', '0004');
    expectJobFailed(await createPair(t, { ...body, autoSplit: false }), '2E31', '0004');
    expectJobFailed(await createPair(t, { ...body, isConsistencyGroup: true }), '2E31', '0004');
    expectJobFailed(await createPair(t, { ...body, canCascade: false, svolLdevId: undefined }), '2E31', '0004');
    const repeat = await createPair(t, body);
    expectSucceeded(repeat, `${OBJ}/snapshots/${PVOL},${MU}`);
    expect(await groupNames(t)).toEqual(['g1']);
    expect(pairService(t.engine).store.byPvol(SID, PVOL)).toHaveLength(1);
  });

  it('50 creates racing on one MU with different S-VOLs and groups, run in one clock tick: one Succeeded, 49 Failed with 2E31/0004', async () => {
    // Realistic timing, manual clock: every job waits for the same virtual instant, then they all run in turn.
    const pending = SVOLS.map((svol) => t.http.post(`${OBJ}/snapshots`).set(t.auth).set(CINDER_WAIT)
      .send(snapBody(PVOL, svol, { muNumber: MU, snapshotGroupName: `race${svol}` })).then((r) => r));
    await until(() => Number(t.engine.meta.get('job_id') ?? '0') >= SVOLS.length, 'all 50 jobs recorded');
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    t.advance(5);
    const answers: Response[] = await Promise.all(pending);
    const jobs = answers.map((r) => { expect(r.status).toBe(202); return r.body as Job; });
    const won = jobs.filter((j) => j.state === 'Succeeded');
    expect(won).toHaveLength(1);
    for (const j of jobs.filter((x) => x.state !== 'Succeeded')) expectMuInUse(j);
    const pairs = pairService(t.engine).store.byPvol(SID, PVOL);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ muNumber: MU });
    expect(await groupNames(t)).toEqual([pairs[0]!.snapshotGroupName]);
    const winner = answers[jobs.indexOf(won[0]!)]!;
    expect(JSON.parse(winner.body.request.requestBody).svolLdevId).toBe(pairs[0]!.svolLdevId);
    await expectAffectedExist(t, jobs);
  });

  it('racing exact repeats and other S-VOLs: exactly the creates that repeat the winner succeed, every other one fails', async () => {
    // Half the clients send one body, the other half each their own S-VOL; whichever job runs first decides.
    const bodies = SVOLS.map((svol, i) => snapBody(PVOL, i % 2 === 0 ? 100 : svol, { muNumber: MU }));
    const answers = await Promise.all(bodies.map((b) => t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT).send(b).then((r) => r)));
    const jobs = answers.map((r) => { expect(r.status).toBe(202); return r.body as Job; });
    const pairs = pairService(t.engine).store.byPvol(SID, PVOL);
    expect(pairs).toHaveLength(1);
    const winnerSvol = pairs[0]!.svolLdevId;
    jobs.forEach((j, i) => {
      if (bodies[i]!.svolLdevId === winnerSvol) expect(j, JSON.stringify(j)).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/snapshots/${PVOL},${MU}`] });
      else expectMuInUse(j);
    });
    expect(await groupNames(t)).toEqual(['g1']);
    await expectAffectedExist(t, jobs);
  });

  it('once the pair has left COPY even the exact repeat is refused (create is N on PAIR)', async () => {
    const body = snapBody(PVOL, 100, { muNumber: MU });
    expectSucceeded(await createPair(t, body));
    t.advance(5);
    expect((await getPair(t, PVOL, MU)).body.status).toBe('PAIR');
    const r = await createPair(t, body);
    expectJobFailed(r, '2E31', '0004');
    expect(r.body.error.message).toContain('status = PAIR');
  });
});
