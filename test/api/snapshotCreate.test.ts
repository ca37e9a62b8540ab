import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pairService } from '../../src/engine/pairs/index.js';
import type { PairRow } from '../../src/store/pairs.js';
import {
  createPair, expectError, expectJobFailed, expectSucceeded, fixtureWith, getPair, ldev, lun, OBJ, SID, snapBody, startApp, startWith,
  statusOf, type TestApp,
} from './snapshotKit.js';

/** POST snapshots: every create attribute and rule of ref 5.6, the limits of ref 9, and each refusal. */

function insertPair(t: TestApp, p: Partial<PairRow> & { pvolLdevId: number; muNumber: number }): void {
  pairService(t.engine).store.insert({
    sid: SID, svolLdevId: null, snapshotGroupName: 'bulk', snapshotPoolId: 1, status: 'PSUS', kind: 'snapshot', canCascade: true,
    isConsistencyGroup: false, autoSplit: false, cloneAfterCopy: false, phase: null, copySpeed: 'medium', isDataReductionForceCopy: true,
    splitTime: 0, isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null, createdAt: 0,
    isRedirectOnWrite: false, retentionUntil: null, ...p,
  });
}
function insertGroup(t: TestApp, name: string, isCtg = false, ctgId: number | null = null): void {
  pairService(t.engine).store.insertGroup({ sid: SID, name, isCtg, ctgId, createdAt: 0 });
}

describe('create a pair', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    for (const id of [10, 11, 12, 13, 14, 15]) ldev(t, id);
  });
  afterEach(async () => { await t.close(); });

  it('creates the group with the pair; the pair is GET-able in COPY when the job completes, then PAIR', async () => {
    const r = await t.http.post(`${OBJ}/snapshots`).set(t.auth).send(snapBody(1, 10));
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('Initializing');
    t.advance(1);
    const job = await t.http.get(`${OBJ}/jobs/${r.body.jobId}`).set(t.auth);
    expect(job.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [`${OBJ}/snapshots/1,0`] });
    expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'COPY', progressRate: 0, svolLdevId: 10, snapshotGroupName: 'g1' });
    t.advance(1);
    expect((await getPair(t, 1, 0)).body.progressRate).toBe(50);
    t.advance(1);
    const pair = (await getPair(t, 1, 0)).body;
    expect(pair.status).toBe('PAIR');
    expect(pair).not.toHaveProperty('progressRate');
    expect(pair).not.toHaveProperty('splitTime');
    expect((await t.http.get(`${OBJ}/snapshot-groups/g1`).set(t.auth)).body).toMatchObject({ snapshotGroupName: 'g1', snapshotGroupId: 'g1' });
  });

  it('autoSplit: COPY, then PAIR for the pair.autoSplitHold (12 s), then PSUS with splitTime at the split', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    expect((await getPair(t, 1, 0)).body.status).toBe('COPY');
    t.advance(2);
    const held = (await getPair(t, 1, 0)).body;
    expect(held.status).toBe('PAIR');
    expect(held).not.toHaveProperty('splitTime');
    t.advance(11.9);
    expect((await getPair(t, 1, 0)).body.status).toBe('PAIR');
    t.advance(0.1);
    expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'PSUS', splitTime: '2026-01-05T10:00:14' });
  });

  it('accepts Terraform\'s body with "retentionPeriod": null and every optional attribute as null', async () => {
    const r = await createPair(t, {
      snapshotGroupName: 'tf', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, muNumber: null, isConsistencyGroup: null,
      autoSplit: true, canCascade: true, isClone: null, clonesAutomation: null, copySpeed: null, isDataReductionForceCopy: true,
      retentionPeriod: null,
    });
    expectSucceeded(r);
  });

  it('MU: the lowest free one when omitted, the given one otherwise; a pair without S-VOL omits svolLdevId', async () => {
    expectSucceeded(await createPair(t, snapBody(1, undefined, { muNumber: 5 })));
    expectSucceeded(await createPair(t, snapBody(1, undefined)));
    expectSucceeded(await createPair(t, snapBody(1, undefined)));
    const list = (await t.http.get(`${OBJ}/snapshots?pvolLdevId=1`).set(t.auth)).body.data;
    expect(list.map((p: { muNumber: number }) => p.muNumber)).toEqual([0, 1, 5]);
    expect(list[0]).not.toHaveProperty('svolLdevId');
  });

  it('repeating the create of a pair in COPY is accepted and changes nothing (YN); another S-VOL on that MU, or any create on a PAIR pair, is refused', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { muNumber: 3 })));
    const again = await createPair(t, snapBody(1, 10, { muNumber: 3 }));
    expectSucceeded(again);
    expect(again.body.affectedResources).toEqual([`${OBJ}/snapshots/1,3`]);
    expectJobFailed(await createPair(t, snapBody(1, 11, { muNumber: 3 })), '2E31', '0004');
    expect((await getPair(t, 1, 3)).body.svolLdevId).toBe(10);
    t.advance(2);
    expectJobFailed(await createPair(t, snapBody(1, 10, { muNumber: 3 })), '2E31', '0004');
  });

  it('isClone + autoSplit without CTG: accepted and the copy starts at creation (E590H)', async () => {
    expectSucceeded(await createPair(t, { snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, autoSplit: true }));
    t.advance(2);
    expect((await getPair(t, 1, 0)).body).toMatchObject({ status: 'PSUP', isClone: true, canCascade: true, progressRate: 0 });
  });

  describe('request-level refusals (400)', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['unknown attribute', { ...snapBody(1, 10), operationType: 'x' }, 'KART40038-E'],
      ['missing snapshotPoolId', { snapshotGroupName: 'g', pvolLdevId: 1 }, 'KART20008-E'],
      ['isClone without svolLdevId', { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 1, isClone: true }, 'KART40046-E'],
      ['isClone + autoSplit + isConsistencyGroup', { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, autoSplit: true, isConsistencyGroup: true }, 'KART20016-E'],
      ['isClone with canCascade false', { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, canCascade: false }, 'KART20016-E'],
      ['clonesAutomation without isClone', { ...snapBody(1, 10), clonesAutomation: true }, 'KART20016-E'],
      ['copySpeed without clonesAutomation', { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, copySpeed: 'medium' }, 'KART20016-E'],
      ['copySpeed not a speed', { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, clonesAutomation: true, copySpeed: 'warp' }, 'KART40039-E'],
      ['retentionPeriod on a model without data retention', { ...snapBody(1, 10), autoSplit: true, retentionPeriod: 24 }, 'KART20016-E'],
      ['muNumber 1024', { ...snapBody(1, 10), muNumber: 1024 }, 'KART40039-E'],
      ['group name of 33 characters', { ...snapBody(1, 10), snapshotGroupName: 'x'.repeat(33) }, 'KART40039-E'],
      ['P-VOL id beyond the LDEV range', { ...snapBody(70000, 10) }, 'KART40039-E'],
    ];
    for (const [name, body, messageId] of cases) {
      it(name, async () => {
        expectError(await t.http.post(`${OBJ}/snapshots`).set(t.auth).send(body), 400, messageId);
        expect(pairService(t.engine).store.all(SID)).toEqual([]);
      });
    }
  });

  describe('storage-side refusals (Failed job, KART30000-E + SSB)', () => {
    it('invalid snapshot pool: missing, or a pool type that cannot hold snapshots (2E30/600E, Cinder INVALID_SNAPSHOT_POOL)', async () => {
      expectJobFailed(await createPair(t, { ...snapBody(1, 10), snapshotPoolId: 9 }), '2E30', '600E');
      t.engine.db.prepare(`INSERT INTO pools (sid, pool_id, name, type, total_blocks, warning, depletion, vvol_rate, num_pool_vols, first_ldev_id)
        VALUES (?, 5, 'HDT', 'HDT', 1000000, 70, 80, -1, 1, 0)`).run(SID);
      const r = await createPair(t, { ...snapBody(1, 10), snapshotPoolId: 5 });
      expectJobFailed(r, '2E30', '600E');
      expect(r.body.error.message).toContain('is a multi-tier pool');
    });
    it('the pool over its warning threshold refuses new pairs', async () => {
      const pool = t.engine.res.getPool(SID, 1)!;
      t.engine.db.prepare('UPDATE pools SET extra_used_blocks = ? WHERE sid = ? AND pool_id = 1').run(Math.ceil(pool.totalBlocks * 0.81), SID);
      expectJobFailed(await createPair(t, snapBody(1, 10)), '2E30', '6010');
    });
    it('undefined P-VOL or S-VOL (2E20/0000), same volume, S-VOL in use, size mismatch', async () => {
      expectJobFailed(await createPair(t, snapBody(500, 10)), '2E20', '0000');
      expectJobFailed(await createPair(t, snapBody(1, 500)), '2E20', '0000');
      expectJobFailed(await createPair(t, snapBody(1, 1)), '2E31', '000E');
      expectSucceeded(await createPair(t, snapBody(1, 10)));
      expectJobFailed(await createPair(t, snapBody(11, 10)), '2E31', '0005');
      ldev(t, 20, { gib: 20 });
      expectJobFailed(await createPair(t, snapBody(1, 20)), '2E31', '0007');
    });
    it('volume types: a V-VOL S-VOL only for non-cascade snapshot pairs, which need LU paths (E590H); no mixing with cascade pairs', async () => {
      ldev(t, 30, { pool: null });
      expectJobFailed(await createPair(t, snapBody(1, 30)), '2E31', '0006');
      expectJobFailed(await createPair(t, { snapshotGroupName: 'v', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 30 }), '2E31', '0002');
      lun(t, 1);
      const noSvolPath = await createPair(t, { snapshotGroupName: 'v', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 30 });
      expectJobFailed(noSvolPath, '2E31', '0003');
      expect(noSvolPath.body.error.message).toBe('An error occurred in the storage system. (message = The specified snapshot S-VOL does not have LU paths, or the specified snapshot pair does not exist.)');
      lun(t, 30);
      expectSucceeded(await createPair(t, { snapshotGroupName: 'v', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 30 }));
      expectJobFailed(await createPair(t, snapBody(1, 10)), '2E31', '0008');
      expectJobFailed(await createPair(t, snapBody(30, 11)), '2E31', '000D');
    });
    it('a V-VOL S-VOL cannot join a P-VOL that has cascade pairs', async () => {
      expectSucceeded(await createPair(t, snapBody(1, 10)));
      ldev(t, 30, { pool: null });
      lun(t, 1);
      lun(t, 30);
      expectJobFailed(await createPair(t, { snapshotGroupName: 'v', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 30 }), '2E31', '0008');
    });
    it('the S-VOL of a non-cascade pair cannot be a P-VOL', async () => {
      lun(t, 1);
      lun(t, 10);
      expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10 }));
      expectJobFailed(await createPair(t, snapBody(10, 11)), '2E31', '0009');
    });
    it('capacity saving on the P-VOL needs isDataReductionForceCopy', async () => {
      ldev(t, 40, { drMode: 'compression_deduplication' });
      expectJobFailed(await createPair(t, { ...snapBody(40, 10), isDataReductionForceCopy: false }), '2E31', '000A');
      expectSucceeded(await createPair(t, snapBody(40, 10)));
    });
    it('CTG: two pairs of one P-VOL, or of two layers of one tree, cannot share a CTG group; the mode must match', async () => {
      expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'cg', isConsistencyGroup: true, autoSplit: true })));
      expectJobFailed(await createPair(t, snapBody(1, 11, { snapshotGroupName: 'cg', isConsistencyGroup: true })), '2E31', '000B');
      t.advance(2);
      expectJobFailed(await createPair(t, snapBody(10, 12, { snapshotGroupName: 'cg' })), '2E31', '000B');
      expectJobFailed(await createPair(t, snapBody(14, 13, { snapshotGroupName: 'cg', isConsistencyGroup: false })), '2E31', '000C');
      expectSucceeded(await createPair(t, snapBody(14, 13, { snapshotGroupName: 'cg' })));
      expect((await getPair(t, 14, 0)).body.isConsistencyGroup).toBe(true);
    });
  });

  describe('limits', () => {
    it('1,024 pairs per P-VOL: the 1,025th is refused; MU 0-1023 all taken', async () => {
      pairService(t.engine).store.insertGroup({ sid: SID, name: 'bulk', isCtg: false, ctgId: null, createdAt: 0 });
      t.engine.db.transaction(() => { for (let mu = 0; mu < 1024; mu++) insertPair(t, { pvolLdevId: 1, muNumber: mu }); })();
      const r = await createPair(t, snapBody(1, undefined));
      expectJobFailed(r, '2E13', '9902');
      expect(r.body.error.message).toContain('(1024)');
      expect((await t.http.get(`${OBJ}/snapshots?pvolLdevId=1`).set(t.auth)).body.data).toHaveLength(1024);
    });
    it('the lowest free MU fills a hole left among 1,023 pairs', async () => {
      insertGroup(t, 'bulk');
      t.engine.db.transaction(() => { for (let mu = 0; mu < 1024; mu++) if (mu !== 700) insertPair(t, { pvolLdevId: 1, muNumber: mu }); })();
      const r = await createPair(t, snapBody(1, undefined));
      expectSucceeded(r);
      expect(r.body.affectedResources).toEqual([`${OBJ}/snapshots/1,700`]);
    });
    it('64 cascade layers: a pair on the S-VOL of layer 64 is refused, on layer 63 accepted', async () => {
      t.engine.db.transaction(() => {
        for (let i = 0; i <= 65; i++) ldev(t, 1000 + i);
        insertGroup(t, 'bulk');
        for (let layer = 1; layer <= 64; layer++) insertPair(t, { pvolLdevId: 999 + layer, muNumber: 0, svolLdevId: 1000 + layer });
      })();
      expectJobFailed(await createPair(t, snapBody(1064, 1065)), '2E13', '9903');
      expectSucceeded(await createPair(t, snapBody(1063, 1065)));
    });
    it('8,192 pairs per snapshot group; 8,192 per CTG group (2E13/9900)', async () => {
      t.engine.db.transaction(() => {
        insertGroup(t, 'bulk');
        insertGroup(t, 'ctg', true, 128);
        for (let i = 0; i < 8192; i++) insertPair(t, { pvolLdevId: 2000 + (i >> 10), muNumber: i & 1023 });
        for (let i = 0; i < 8192; i++) insertPair(t, { pvolLdevId: 3000 + i, muNumber: 0, snapshotGroupName: 'ctg', isConsistencyGroup: true });
      })();
      expectJobFailed(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'bulk' })), '2E13', '9901');
      expectJobFailed(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'ctg' })), '2E13', '9900');
    });
    it('2,048 snapshot groups; 2,048 consistency groups (2E10/2302)', async () => {
      t.engine.db.transaction(() => { for (let i = 0; i < 2048; i++) insertGroup(t, `g${i}`, true, i); })();
      expectJobFailed(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'new-ctg', isConsistencyGroup: true })), '2E10', '2302');
      expectJobFailed(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'new' })), '2E10', '2303');
      expectSucceeded(await createPair(t, snapBody(1, 10, { snapshotGroupName: 'g7' })));
    });
    it('a fixture can lower the limits (fidelity.pairLimits)', async () => {
      const small = await startWith(fixtureWith({ ldevs: [{ ldevId: 10 }, { ldevId: 11 }], fidelity: { pairLimits: { pairsPerPvol: 1 } } }));
      try {
        expectSucceeded(await createPair(small, snapBody(1, 10)));
        expectJobFailed(await createPair(small, snapBody(1, 11)), '2E13', '9902');
      } finally { await small.close(); }
    });
  });

  it('cascade: a pair on the S-VOL of a PSUS cascade pair is layer 2; the upper pair\'s status decides', async () => {
    expectSucceeded(await createPair(t, snapBody(1, 10, { autoSplit: true })));
    expectJobFailed(await createPair(t, snapBody(10, 11)), '2E32', '0003');
    t.advance(2);
    expectSucceeded(await createPair(t, snapBody(10, 11)));
    expect(await statusOf(t, 10, 0)).toBe('COPY');
  });
});
