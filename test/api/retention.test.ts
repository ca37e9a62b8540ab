import { describe, expect, it } from 'vitest';
import {
  act, b28With, closeAfterEach, create, del, expectError, expectFailedJob, expectSucceeded, get, groupAct, HOUR, INSTANT, later, OBJ, startApp, startB28,
  statusOf, tiaBody, type TestApp,
} from './tiaKit.js';

/** TIA snapshot data retention (TIA ref 3): where retentionPeriod travels, its countdown on the virtual clock, what it locks. */

let t: TestApp;
closeAfterEach(() => t);

const retention = async (pvol: number, mu: number) => (await get(t, pvol, mu)).body.retentionPeriod as number;

describe('retentionPeriod on create, split and resync', () => {
  it('create with autoSplit keeps the snapshot for the hours given: the single GET counts them down (rounded up) to 0', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true, retentionPeriod: 24 })));
    expect((await get(t, 0, 0)).body).toMatchObject({ status: 'PSUS', retentionPeriod: 24, isRedirectOnWrite: true });
    t.advance(1);
    expect(await retention(0, 0)).toBe(24);
    await later(t, HOUR);
    expect(await retention(0, 0)).toBe(23);
    // Lists show it with and without detailInfoType=retention.
    for (const q of [{ pvolLdevId: 0 }, { pvolLdevId: 0, detailInfoType: 'retention' }, { pvolLdevId: 0, muNumber: 0, detailInfoType: 'retention' }]) {
      const r = await t.http.get(`${OBJ}/snapshots`).query(q).set(t.auth);
      expect(r.status).toBe(200);
      expect(r.body.data[0].retentionPeriod).toBe(23);
    }
    await later(t, 23 * HOUR);
    expect(await retention(0, 0)).toBe(0);
  });

  it('Terraform\'s null is "not given"; a value needs autoSplit and 1-12288 hours', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { retentionPeriod: null })));
    expect(await retention(0, 0)).toBe(0);
    expectError(await create(t, tiaBody(2, 3, { retentionPeriod: 5 })), 400, 'KART20016-E');
    expectError(await create(t, tiaBody(2, 3, { retentionPeriod: 5, autoSplit: false })), 400, 'KART20016-E');
    expectError(await create(t, tiaBody(2, 3, { retentionPeriod: 0, autoSplit: true })), 400, 'KART40039-E');
    expectError(await create(t, tiaBody(2, 3, { retentionPeriod: 12289, autoSplit: true })), 400, 'KART40039-E');
    expectSucceeded(await create(t, tiaBody(2, 3, { retentionPeriod: 12288, autoSplit: true })));
    expect(await retention(2, 0)).toBe(12288);
  });

  it('split with {"parameters":{"retentionPeriod":N}}; resync with autoSplit and retentionPeriod once the lock is over', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    expect(await statusOf(t, 0, 0)).toBe('PAIR');
    expectSucceeded(await act(t, 0, 0, 'split', { parameters: { retentionPeriod: 5 } }));
    expect((await get(t, 0, 0)).body).toMatchObject({ status: 'PSUS', retentionPeriod: 5 });
    expectError(await act(t, 0, 0, 'resync', { parameters: { retentionPeriod: 3 } }), 400, 'KART20016-E');
    expectError(await act(t, 0, 0, 'resync', { parameters: { autoSplit: false, retentionPeriod: 3 } }), 400, 'KART20016-E');
    await later(t, 5 * HOUR);
    expectSucceeded(await act(t, 0, 0, 'resync', { parameters: { autoSplit: true, retentionPeriod: 3 } }));
    expect((await get(t, 0, 0)).body).toMatchObject({ status: 'PSUS', retentionPeriod: 3 });
    await later(t, 3 * HOUR);
    // A resync without retention drops the old period with the old snapshot.
    expectSucceeded(await act(t, 0, 0, 'resync', { parameters: { autoSplit: false } }));
    expect((await get(t, 0, 0)).body).toMatchObject({ status: 'PAIR', retentionPeriod: 0 });
  });
});

describe('what retention locks until it expires on the virtual clock', () => {
  it('delete and resync fail (Failed job 2E35/0004) while locked and succeed after expiry; restore and unassign are not locked', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true, retentionPeriod: 2 })));
    expectFailedJob(await del(t, 0, 0), '2E35', '0004');
    expectFailedJob(await act(t, 0, 0, 'resync', { parameters: { autoSplit: false } }), '2E35', '0004');
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    expectSucceeded(await act(t, 0, 0, 'restore', { parameters: { autoSplit: true } }));
    expect(await statusOf(t, 0, 0)).toBe('PSUS');
    await later(t, 2 * HOUR - 1);
    expectFailedJob(await del(t, 0, 0), '2E35', '0004');
    t.advance(1);
    expect(await retention(0, 0)).toBe(0);
    expectSucceeded(await act(t, 0, 0, 'resync', { parameters: { autoSplit: true } }));
    expectSucceeded(await del(t, 0, 0));
    expect((await get(t, 0, 0)).status).toBe(404);
  });

  it('a group with a locked pair refuses group resync and delete (2E35/0005); its unlocked pairs can be resynced and deleted one by one', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true, retentionPeriod: 10 })));
    expectSucceeded(await create(t, tiaBody(2, 3, { autoSplit: true })));
    expectFailedJob(await groupAct(t, 'tia', 'resync', { parameters: { autoSplit: false } }), '2E35', '0005');
    expectFailedJob(await t.http.delete(`${OBJ}/snapshot-groups/tia`).set(t.auth).set(INSTANT), '2E35', '0005');
    expect([await statusOf(t, 0, 0), await statusOf(t, 2, 0)]).toEqual(['PSUS', 'PSUS']);
    expectSucceeded(await act(t, 2, 0, 'resync', { parameters: { autoSplit: false } }));
    expect(await statusOf(t, 2, 0)).toBe('PAIR');
    expectSucceeded(await del(t, 2, 0));
    await later(t, 10 * HOUR);
    expectSucceeded(await t.http.delete(`${OBJ}/snapshot-groups/tia`).set(t.auth).set(INSTANT));
    expect((await t.http.get(`${OBJ}/snapshot-groups/tia`).set(t.auth)).status).toBe(404);
  });
});

describe('set-retention on pairs and groups', () => {
  it('PSUS only, TIA only, no decrease, the same value a no-op, a larger one restarts the period (POST and PUT)', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    const set = (hours: number, method: 'post' | 'put' = 'post') => act(t, 0, 0, 'set-retention', { parameters: { retentionPeriod: hours } }, method);
    expectFailedJob(await set(5), '2E35', '0002');
    expectSucceeded(await act(t, 0, 0, 'split'));
    expectSucceeded(await set(5), '/ConfigurationManager/v1/objects/snapshots/0,0');
    expect(await retention(0, 0)).toBe(5);
    await later(t, HOUR + 60);
    expect(await retention(0, 0)).toBe(4);
    const lower = await set(3);
    expectFailedJob(lower, '2E35', '0003');
    expect(lower.body.error.message).toContain('requested = 3, current = 4');
    expectSucceeded(await set(4, 'put'));
    await later(t, 3 * HOUR);
    // The equal value changed nothing: the period still ends 4 h after the first set.
    expect(await retention(0, 0)).toBe(1);
    expectSucceeded(await set(48));
    expect(await retention(0, 0)).toBe(48);
    expectError(await set(0), 400, 'KART40039-E');
    expectError(await act(t, 0, 0, 'set-retention', { parameters: {} }), 400, 'KART20008-E');
    expectError(await act(t, 9, 9, 'set-retention', { parameters: { retentionPeriod: 1 } }), 404, 'KART30013-E');
  });

  it('a TI standard pair refuses it (2E35/0001) on a model with both products', async () => {
    t = await startB28(b28With((fx) => { fx.arrays[0]!.modelFacts = { thinImageStandard: true }; }), { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(4, undefined, { snapshotGroupName: 'ti', autoSplit: true })));
    expect((await get(t, 4, 0)).body).not.toHaveProperty('retentionPeriod');
    expectFailedJob(await act(t, 4, 0, 'set-retention', { parameters: { retentionPeriod: 5 } }), '2E35', '0001');
    expectFailedJob(await act(t, 4, 0, 'resync', { parameters: { autoSplit: true, retentionPeriod: 5 } }), '2E35', '0001');
    expect(await statusOf(t, 4, 0)).toBe('PSUS');
  });

  it('group set-retention sets every member; one member not in PSUS fails the whole job with nothing applied', async () => {
    t = await startB28(undefined, { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1, { autoSplit: true })));
    expectSucceeded(await create(t, tiaBody(2, 3)));
    const set = (hours: number) => groupAct(t, 'tia', 'set-retention', { parameters: { retentionPeriod: hours } });
    expectFailedJob(await set(6), '2E35', '0002');
    expect(await retention(0, 0)).toBe(0);
    expectSucceeded(await act(t, 2, 0, 'split'));
    expectSucceeded(await set(6), '/ConfigurationManager/v1/objects/snapshot-groups/tia');
    expect([await retention(0, 0), await retention(2, 0)]).toEqual([6, 6]);
    const group = await t.http.get(`${OBJ}/snapshot-groups/tia`).query({ detailInfoType: 'retention' }).set(t.auth);
    expect(group.body.snapshots.map((p: { retentionPeriod: number }) => p.retentionPeriod)).toEqual([6, 6]);
    // Group split and resync carry it too.
    await later(t, 6 * HOUR);
    expectSucceeded(await groupAct(t, 'tia', 'resync', { parameters: { autoSplit: true, retentionPeriod: 2 } }));
    expect([await retention(0, 0), await retention(2, 0)]).toEqual([2, 2]);
  });
});

describe('models without retention', () => {
  it('E990: set-retention is an unknown URL (404 KART20009-E) whatever the body; detailInfoType=retention reads as without', async () => {
    t = await startApp();
    for (const url of [`${OBJ}/snapshots/0,0/actions/set-retention/invoke`, `${OBJ}/snapshot-groups/g/actions/set-retention/invoke`]) {
      for (const body of [{ parameters: { retentionPeriod: 5 } }, { nonsense: true }]) {
        const r = await t.http.post(url).set(t.auth).send(body);
        expectError(r, 404, 'KART20009-E');
        expect(r.body.message).toContain(url);
      }
      expectError(await t.http.put(url).set(t.auth).send({ parameters: { retentionPeriod: 5 } }), 404, 'KART20009-E');
    }
    expectError(await t.http.post(`${OBJ}/snapshots`).set(t.auth).send({
      snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, autoSplit: true, retentionPeriod: 5,
    }), 400, 'KART20016-E');
    expectSucceeded(await create(t, { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, canCascade: true, retentionPeriod: null }));
    t.advance(60);
    const plain = (await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0 }).set(t.auth)).body;
    const withRetention = await t.http.get(`${OBJ}/snapshots`).query({ pvolLdevId: 0, detailInfoType: 'retention' }).set(t.auth);
    expect(withRetention.status).toBe(200);
    expect(withRetention.body).toEqual(plain);
    expect(plain.data[0]).not.toHaveProperty('retentionPeriod');
    const one = await t.http.get(`${OBJ}/snapshot-groups/g`).query({ detailInfoType: 'retention' }).set(t.auth);
    expect(one.status).toBe(200);
    expect(one.body.snapshots).toEqual(plain.data);
    const all = await t.http.get(`${OBJ}/snapshot-groups`).query({ detailInfoType: 'retention' }).set(t.auth);
    expect(all.body).toEqual({ data: [{ snapshotGroupName: 'g', snapshotGroupId: 'g' }] });
    expectError(await act(t, 0, 0, 'split', { parameters: { retentionPeriod: 5 } }), 400, 'KART20016-E');
  });

  it('muNumber=M&detailInfoType=retention alone: 400 by default, the pairs on that MU with fidelity.muOnlyRetentionQuery = list', async () => {
    t = await startApp();
    expectError(await t.http.get(`${OBJ}/snapshots`).query({ muNumber: 0, detailInfoType: 'retention' }).set(t.auth), 400, 'KART40046-E');
    await t.close();
    t = await startB28(b28With((fx) => { fx.fidelity = { ...(fx.fidelity ?? {}), muOnlyRetentionQuery: 'list' }; }), { timing: 'instant' });
    expectSucceeded(await create(t, tiaBody(0, 1)));
    expectSucceeded(await create(t, tiaBody(2, 3, { autoSplit: true, retentionPeriod: 7 })));
    const r = await t.http.get(`${OBJ}/snapshots`).query({ muNumber: 0, detailInfoType: 'retention' }).set(t.auth);
    expect(r.status).toBe(200);
    expect(r.body.data.map((p: { snapshotId: string; retentionPeriod: number }) => [p.snapshotId, p.retentionPeriod])).toEqual([['0,0', 0], ['2,0', 7]]);
    expectError(await t.http.get(`${OBJ}/snapshots`).query({ muNumber: 0 }).set(t.auth), 400, 'KART40046-E');
  });
});

describe('set-retention without credentials', () => {
  it('E990: unknown URL 404 KART20009-E even without a session; VSP One B: 401 without one', async () => {
    t = await startApp();
    expectError(await t.http.post(`${OBJ}/snapshots/0,0/actions/set-retention/invoke`).send({ parameters: { retentionPeriod: 1 } }), 404, 'KART20009-E');
    await t.close();
    t = await startB28();
    expectError(await t.http.post(`${OBJ}/snapshots/0,0/actions/set-retention/invoke`).send({ parameters: { retentionPeriod: 1 } }), 401, 'KART40005-E');
  });
});
