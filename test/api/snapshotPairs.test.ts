import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  act, CINDER_WAIT, createPair, del, expectError, expectJobFailed, expectSucceeded, fixtureWith, getPair, held, INSTANT, ldev, lun, OBJ,
  row, scoped, SID, snapBody, startApp, startWith, statusOf, type TestApp,
} from './snapshotKit.js';

/** Pair-level reads and actions: the object's fields, the query rules, each action and its refusals, side effects. */

describe('pair reads', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (const id of [10, 11, 12]) ldev(t, id);
    expectSucceeded(await createPair(t, snapBody(1, 10, { muNumber: 7, autoSplit: true })));
    expectSucceeded(await createPair(t, snapBody(1, 11, { snapshotGroupName: 'g2' })));
    expectSucceeded(await createPair(t, snapBody(1, undefined, { muNumber: 3 })));
    // COPY (2 s), then the autoSplit hold of pair 1,7 (12 s).
    t.advance(14);
  });
  afterEach(async () => { await t.close(); });

  const list = async (q: string) => t.http.get(`${OBJ}/snapshots?${q}`).set(t.auth);

  it('the four valid filter combinations; ordered by MU; primaryOrSecondary follows the query key', async () => {
    const byP = (await list('pvolLdevId=1')).body.data;
    expect(byP.map((p: { snapshotId: string }) => p.snapshotId)).toEqual(['1,0', '1,3', '1,7']);
    expect(byP.every((p: { primaryOrSecondary: string }) => p.primaryOrSecondary === 'P-VOL')).toBe(true);
    expect((await list('pvolLdevId=1&snapshotGroupName=g2')).body.data.map((p: { muNumber: number }) => p.muNumber)).toEqual([0]);
    expect((await list('pvolLdevId=1&muNumber=7')).body.data[0]).toMatchObject({ status: 'PSUS', svolLdevId: 10 });
    const byS = (await list('svolLdevId=10')).body.data;
    expect(byS).toHaveLength(1);
    expect(byS[0]).toMatchObject({ primaryOrSecondary: 'S-VOL', pvolLdevId: 1, muNumber: 7, svolProcessingStatus: 'N' });
    expect(byS[0]).not.toHaveProperty('pvolProcessingStatus');
    expect((await list('pvolLdevId=1&muNumber=9')).body).toEqual({ data: [] });
    expect((await list('svolLdevId=2')).body).toEqual({ data: [] });
    expect((await list('pvolLdevId=1&detailInfoType=retention')).body.data).toHaveLength(3);
  });

  it('other combinations are errors: none (KART40044-E), and any other mix (400 KART40046-E)', async () => {
    expectError(await list(''), 400, 'KART40044-E');
    for (const q of ['svolLdevId=10&pvolLdevId=1', 'muNumber=7', 'snapshotGroupName=g1', 'muNumber=7&detailInfoType=retention', 'svolLdevId=10&muNumber=7']) {
      expectError(await list(q), 400, 'KART40046-E');
    }
  });

  it('the pair object field for field; splitTime once split, svolLdevId omitted without S-VOL', async () => {
    expect((await getPair(t, 1, 7)).body).toEqual({
      snapshotGroupName: 'g1', primaryOrSecondary: 'P-VOL', status: 'PSUS', pvolLdevId: 1, muNumber: 7, svolLdevId: 10, snapshotPoolId: 1,
      concordanceRate: 100, isConsistencyGroup: false, isWrittenInSvol: false, isClone: false, canCascade: true, isRedirectOnWrite: false,
      splitTime: '2026-01-05T10:00:14', snapshotId: '1,7', pvolProcessingStatus: 'N', snapshotDataReadOnly: false,
    });
    const floating = (await getPair(t, 1, 3)).body;
    expect(floating).not.toHaveProperty('svolLdevId');
    expect(floating).not.toHaveProperty('splitTime');
  });

  it('ids with %2C, storage-scoped URL, 404 with "Specified object does not exist", 400 for a malformed id', async () => {
    expect((await t.http.get(`${scoped('snapshots/1%2C7')}`).set(t.auth)).body.snapshotId).toBe('1,7');
    const missing = await getPair(t, 1, 8);
    expectError(missing, 404, 'KART30013-E');
    expect(missing.body.message).toContain('Specified object does not exist');
    expectError(await t.http.get(`${OBJ}/snapshots/1`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/snapshots/1,1024`).set(t.auth), 400, 'KART40039-E');
  });

  it('pool snapshotCount counts the pairs whose data lives in the pool', async () => {
    expect((await t.http.get(`${OBJ}/pools/1`).set(t.auth)).body.snapshotCount).toBe(3);
    expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.snapshotCount).toBe(0);
  });
});

describe('pair actions', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (const id of [10, 11, 12, 13]) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });

  it('embedded URLs with POST actions and job polling (Terraform / Ansible style)', async () => {
    const post = (path: string, body?: object) => {
      const r = t.http.post(`${OBJ}/${path}`).set(t.auth).set('Content-Type', 'application/json');
      return body ? r.send(body) : r;
    };
    const poll = async (jobId: number) => {
      for (let i = 0; i < 10; i++) {
        const j = (await t.http.get(`${OBJ}/jobs/${jobId}`).set(t.auth)).body;
        if (j.status === 'Completed') return j;
        t.advance(1);
      }
      throw new Error('job never completed');
    };
    const created = await post('snapshots', { ...snapBody(1, 10), retentionPeriod: null });
    expect(created.status).toBe(202);
    expect(created.body.self).toBe(`${OBJ}/jobs/${created.body.jobId}`);
    const job = await poll(created.body.jobId);
    expect(job).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/snapshots/1,0`] });
    expect(String(job.affectedResources[0]).split(',')[1]).toBe('0');
    expect(await statusOf(t, 1, 0)).toBe('COPY');
    t.advance(2);
    expect(await statusOf(t, 1, 0)).toBe('PAIR');
    expect((await poll((await post('snapshots/1,0/actions/split/invoke', { parameters: {} })).body.jobId)).state).toBe('Succeeded');
    expect(await statusOf(t, 1, 0)).toBe('PSUS');
    expect((await poll((await post('snapshots/1,0/actions/resync/invoke', { parameters: { autoSplit: true } })).body.jobId)).state).toBe('Succeeded');
    expect(await statusOf(t, 1, 0)).toBe('COPY');
    t.advance(2);
    expect(await statusOf(t, 1, 0)).toBe('PAIR');
    t.advance(12);
    expect(await statusOf(t, 1, 0)).toBe('PSUS');
    expect((await poll((await post('snapshots/1,0/actions/restore/invoke')).body.jobId)).state).toBe('Succeeded');
    expect(await statusOf(t, 1, 0)).toBe('RCPY');
    t.advance(4);
    expect(await statusOf(t, 1, 0)).toBe('PAIR');
    expect((await poll((await t.http.delete(`${OBJ}/snapshots/1,0`).set(t.auth)).body.jobId)).affectedResources).toEqual([`${OBJ}/snapshots/1,0`]);
    t.advance(2);
    expect((await getPair(t, 1, 0)).status).toBe(404);
  });

  it('action bodies: bare {} on restore is refused (E590H), unknown parameters KART40038-E, retentionPeriod KART20016-E', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    t.advance(2);
    expectError(await act(t, 1, 0, 'restore', {}), 400, 'KART40046-E');
    expectError(await act(t, 1, 0, 'split', { parameters: { operationType: 'x' } }), 400, 'KART40038-E');
    expectError(await act(t, 1, 0, 'split', { operationType: 'x' }), 400, 'KART40038-E');
    expectError(await act(t, 1, 0, 'split', { parameters: { retentionPeriod: 5 } }), 400, 'KART20016-E');
    expectError(await act(t, 1, 0, 'split', { parameters: { isClone: true } }), 400, 'KART40038-E');
    expectError(await act(t, 1, 0, 'assign-volume', { parameters: {} }), 400, 'KART20008-E');
    expectError(await act(t, 1, 0, 'clone', { parameters: { copySpeed: 'warp' } }), 400, 'KART40039-E');
    expectSucceeded(await act(t, 1, 0, 'split', {}));
    const put = await t.http.put(`${OBJ}/snapshots/1,0/actions/restore/invoke`).set(t.auth).set(INSTANT).send({ parameters: {} });
    expectSucceeded(put);
    expect(await statusOf(t, 1, 0)).toBe('RCPY');
  });

  it('actions on a pair that does not exist answer 404 before any job', async () => {
    for (const a of ['split', 'resync', 'restore', 'clone', 'unassign-volume']) expectError(await act(t, 1, 9, a), 404, 'KART30013-E');
    expectError(await del(t, 1, 9), 404, 'KART30013-E');
    expect(Number(t.engine.meta.get('job_id') ?? 0)).toBe(0);
  });

  it('assign-volume gives a pair without S-VOL one; unassign-volume releases it; HTI and snapshotPoolId follow', async () => {
    expectSucceeded(await createPair(t, snapBody(1, undefined, { autoSplit: true })));
    t.advance(14);
    expectSucceeded(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 10 } }));
    expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'PSUS', svolLdevId: 10 });
    expect((await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body).toMatchObject({ attributes: ['CVS', 'HDP', 'HTI'], snapshotPoolId: 1 });
    expectJobFailed(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 11 } }), '2E32', '0005');
    expectSucceeded(await act(t, 1, 0, 'unassign-volume'));
    expect((await getPair(t, 1, 0)).body).not.toHaveProperty('svolLdevId');
    const s = (await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body;
    expect(s.attributes).toEqual(['CVS', 'HDP']);
    expect(s).not.toHaveProperty('snapshotPoolId');
    expectJobFailed(await act(t, 1, 0, 'unassign-volume'), '2E32', '0006');
    ldev(t, 20, { gib: 20 });
    expectJobFailed(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 20 } }), '2E31', '0007');
    expectJobFailed(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 500 } }), '2E20', '0000');
  });

  it('assign-volume on a non-cascade pair needs LU paths on the S-VOL (E590H); PAIR status refuses assign', async () => {
    lun(t, 1);
    expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 1 }));
    t.advance(2);
    expectJobFailed(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 10 } }), '2E32', '0002');
    expectSucceeded(await act(t, 1, 0, 'split'));
    expectJobFailed(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 10 } }), '2E31', '0003');
    lun(t, 10);
    expectSucceeded(await act(t, 1, 0, 'assign-volume', { parameters: { svolLdevId: 10 } }));
  });

  it('CTG-mode pairs refuse pair-level split (412), resync and restore (job): operate on the group', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'cg', isConsistencyGroup: true, autoSplit: true })));
    t.advance(2);
    const split = await act(t, 1, 0, 'split');
    expectError(split, 412, 'KART30094-E');
    expect(split.body.message).toContain('operate on the snapshot group');
    expectJobFailed(await act(t, 1, 0, 'resync', { parameters: {} }), '2E32', '0001');
    expectJobFailed(await act(t, 1, 0, 'restore', { parameters: {} }), '2E32', '0001');
    expectSucceeded(await del(t, 1, 0));
  });

  it('a snapshot pair with pairs cascaded from its S-VOL is not deleted; its S-VOL is not released', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(10, 11)));
    expectJobFailed(await del(t, 1, 0), '2E32', '0008');
    expectJobFailed(await act(t, 1, 0, 'unassign-volume'), '2E32', '0007');
    t.advance(2);
    expectSucceeded(await del(t, 10, 0));
    expect(await statusOf(t, 10, 0)).toBe('SMPP');
    expectSucceeded(await del(t, 1, 0));
  });

  it('a job queued for a pair that is deleted first fails with the [L] message and EX_ENOOBJ', async () => {
    lun(t, 1);
    expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 1, autoSplit: true }));
    t.advance(2);
    const d = await t.http.delete(`${OBJ}/snapshots/1,0`).set(t.auth);
    t.advance(0.6);
    const restore = await t.http.post(`${OBJ}/snapshots/1,0/actions/restore/invoke`).set(t.auth).send({ parameters: {} });
    expect(restore.status).toBe(202);
    t.advance(1);
    expect((await t.http.get(`${OBJ}/jobs/${d.body.jobId}`).set(t.auth)).body.state).toBe('Succeeded');
    const j = (await t.http.get(`${OBJ}/jobs/${restore.body.jobId}`).set(t.auth)).body;
    expect(j).toMatchObject({ status: 'Completed', state: 'Failed' });
    expect(j.error).toMatchObject({
      messageId: 'KART30000-E', errorCode: { SSB1: '2E31', SSB2: '0001', errorCode: 'EX_ENOOBJ' },
      message: 'An error occurred in the storage system. (message = The specified snapshot P-VOL does not have LU paths, or the specified snapshot pair does not exist.)',
    });
  });

  it('a held request whose Response-Max-Wait passes first answers with the job still running', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    const r = await held(t, t.http.delete(`${OBJ}/snapshots/1,0`).set(t.auth).set({ ...CINDER_WAIT, 'Response-Max-Wait': '0' }), 0);
    expect(r.status).toBe(202);
    expect(r.body.status).not.toBe('Completed');
  });

  it('deleting a clone pair during its copy deletes it before the copy ends: SMPP, then gone, no copy completion', async () => {
    expectSucceeded(await createPair(t, { snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, clonesAutomation: true }));
    t.advance(2);
    t.advance(5);
    expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'PSUP', progressRate: 25 });
    expectSucceeded(await del(t, 1, 0));
    expect((await getPair(t, 1, 0)).body.status).toBe('SMPP');
    expect(row(t, 1, 0)!.phase).toBe('delete');
    t.advance(2);
    expect((await getPair(t, 1, 0)).status).toBe(404);
    expect((await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body.attributes).not.toContain('HTI');
  });

  it('set-retention and virtual-clone do not exist on this model (404 KART20009-E)', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    expectError(await act(t, 1, 0, 'set-retention', { parameters: { retentionPeriod: 5 } }), 404, 'KART20009-E');
    expectError(await act(t, 1, 0, 'virtual-clone', { parameters: { operationType: 'create' } }), 404, 'KART20009-E');
  });
});

describe('LDEV and pool side effects', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (const id of [10, 11]) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });
  const ldevOf = async (id: number) => (await t.http.get(`${OBJ}/ldevs/${id}`).set(t.auth)).body;

  it('HTI on P-VOL and S-VOL while paired (SMPP included), gone with the last pair; snapshotPoolId only on the S-VOL', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    expectSucceeded(await createPair(t, snapBody(1, 11)));
    expect((await ldevOf(1)).attributes).toContain('HTI');
    expect(await ldevOf(1)).not.toHaveProperty('snapshotPoolId');
    expect((await ldevOf(11)).snapshotPoolId).toBe(1);
    t.advance(2);
    expectSucceeded(await del(t, 1, 0));
    expect((await ldevOf(10)).attributes).toContain('HTI');
    t.advance(2);
    expect((await ldevOf(10)).attributes).not.toContain('HTI');
    expect((await ldevOf(1)).attributes).toContain('HTI');
    expectSucceeded(await del(t, 1, 1));
    t.advance(2);
    expect((await ldevOf(1)).attributes).not.toContain('HTI');
  });

  it('a paired LDEV cannot be deleted (P-VOL or S-VOL)', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    for (const id of [1, 10]) expectJobFailed(await t.http.delete(`${OBJ}/ldevs/${id}`).set(t.auth).set(INSTANT), '2E10', '9707');
  });

  it('expand: refused while pairs are not split; with PSUS pairs only with enhancedExpansion', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    t.advance(2);
    const expand = (enhanced: boolean) => t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).set(INSTANT)
      .send({ parameters: { additionalByteFormatCapacity: '1G', ...(enhanced ? { enhancedExpansion: true } : {}) } });
    expectJobFailed(await expand(true), 'B96B', 'AF2E');
    expectSucceeded(await act(t, 1, 0, 'split'));
    expectJobFailed(await expand(false), 'B96B', 'AF2E');
    expectSucceeded(await expand(true));
  });

  it('the last LU path of a volume of a non-cascade pair is kept (B958/020A); cascade pairs do not need one', async () => {
    ldev(t, 30, { pool: null });
    lun(t, 30);
    expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 30, autoSplit: true }));
    const unmap = await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth).set(INSTANT);
    expectJobFailed(unmap, 'B958', '020A');
    expect(t.engine.pairHooks.ldevBusyReason(SID, 30, 'unmap')).toBe('lastPathOfSnapshotPvol');
    lun(t, 1);
    expectSucceeded(await createPair(t, snapBody(1, 10)));
    expect(t.engine.pairHooks.ldevBusyReason(SID, 1, 'unmap')).toBeNull();
  });
});

describe('models, fixtures and restarts', () => {
  it('GET snapshot-replications on a VSP 5000 (range of P-VOLs), 404 KART20009-E elsewhere', async () => {
    const t = await startApp({ fixture: 'vsp5500' });
    try {
      const sid = '900000123456';
      const login = { ...t.auth };
      const mk = (pvol: number, svol: number, extra = {}) => t.http.post(`${OBJ}/storages/${sid}/snapshots`).set(login).set(INSTANT)
        .send({ snapshotGroupName: 'r', snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: svol, canCascade: true, ...extra });
      expectSucceeded(await mk(256, 257, { snapshotGroupName: 'cg', isConsistencyGroup: true, autoSplit: true }));
      t.advance(14);
      const all = (await t.http.get(`${OBJ}/storages/${sid}/snapshot-replications`).set(login)).body.data;
      expect(all).toEqual([{
        snapshotReplicationId: '256,0', snapshotGroupName: 'cg', pvolLdevId: 256, muNumber: 0, snapshotPoolId: 1, svolLdevId: 257,
        consistencyGroupId: 128, status: 'PSUS', concordanceRate: 100, isRedirectOnWrite: false, isClone: false, canCascade: true,
        splitTime: '2026-01-05T10:00:14',
      }]);
      expect((await t.http.get(`${OBJ}/storages/${sid}/snapshot-replications?startPvolLdevId=257&endPvolLdevId=300`).set(login)).body).toEqual({ data: [] });
    } finally { await t.close(); }
    const e = await startApp();
    try {
      expectError(await e.http.get(`${OBJ}/snapshot-replications`).set(e.auth), 404, 'KART20009-E');
    } finally { await e.close(); }
  });

  it('a fixture creates pairs in given statuses; timed ones run from load time', async () => {
    const t = await startWith(fixtureWith({
      ldevs: [{ ldevId: 10 }, { ldevId: 11 }, { ldevId: 12 }],
      pairs: [
        { pvolLdevId: 1, svolLdevId: 10, snapshotGroupName: 'fx', snapshotPoolId: 1, status: 'PSUS', canCascade: true, splitTime: '2025-12-31T23:00:00' },
        { pvolLdevId: 1, svolLdevId: 11, snapshotGroupName: 'fx', snapshotPoolId: 1, status: 'COPY', canCascade: true },
        { pvolLdevId: 10, svolLdevId: 12, snapshotGroupName: 'cg', snapshotPoolId: 1, status: 'PAIR', canCascade: true, isConsistencyGroup: true },
      ],
    }));
    try {
      expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'PSUS', splitTime: '2025-12-31T23:00:00' });
      expect((await getPair(t, 1, 1)).body.status).toBe('COPY');
      expect((await getPair(t, 10, 0)).body).toMatchObject({ status: 'PAIR', isConsistencyGroup: true });
      t.advance(2);
      expect((await getPair(t, 1, 1)).body.status).toBe('PAIR');
      expect((await t.http.get(`${OBJ}/ldevs/10`).set(t.auth)).body.attributes).toContain('HTI');
    } finally { await t.close(); }
    await expect(startWith(fixtureWith({ pairs: [{ pvolLdevId: 77, snapshotGroupName: 'x', snapshotPoolId: 1 }] }))).rejects.toThrow(/P-VOL 77/);
  });

  it('deadlines live in SQLite: a restart resumes COPY, then the autoSplit hold in PAIR, where they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsp-pairs-'));
    const db = join(dir, 'state.db');
    try {
      const a = await startApp({ db });
      ldev(a, 10);
      expectSucceeded(await createPair(a, snapBody(1, 10, { autoSplit: true })));
      a.advance(1);
      await a.close();
      const b = await startApp({ db, startTime: Date.UTC(2026, 0, 5, 10, 0, 1) });
      try {
        expect(await statusOf(b, 1, 0)).toBe('COPY');
        b.advance(1);
        expect(await statusOf(b, 1, 0)).toBe('PAIR');
        b.advance(5);
      } finally { await b.close(); }
      const c = await startApp({ db, startTime: Date.UTC(2026, 0, 5, 10, 0, 7) });
      try {
        expect(await statusOf(c, 1, 0)).toBe('PAIR');
        c.advance(6.9);
        expect(await statusOf(c, 1, 0)).toBe('PAIR');
        c.advance(0.1);
        expect((await getPair(c, 1, 0)).body).toMatchObject({ status: 'PSUS', splitTime: '2026-01-05T10:00:14' });
      } finally { await c.close(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
