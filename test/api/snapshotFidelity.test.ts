import { describe, expect, it } from 'vitest';
import {
  act, createPair, del, expectError, expectJobFailed, expectSucceeded, fixtureWith, OBJ, snapBody, startApp, startWith, statusOf,
} from './snapshotKit.js';

/** The behaviours the evidence leaves open are data: a fixture's `fidelity:` rows change them. */

describe('fidelity rows of the pair module', () => {
  it('pairRefusalForm: a refusal can be made synchronous (412 KART30096-E) or moved into the job', async () => {
    const t = await startWith(fixtureWith({ ldevs: [{ ldevId: 10 }], fidelity: { pairRefusalForm: { delete: 'sync412', split: 'job' } } }));
    try {
      expectSucceeded(await createPair(t, snapBody(1, 10)));
      const d = await del(t, 1, 0);
      expectError(d, 412, 'KART30096-E');
      expect(d.body.message).toContain('operation = delete, pair = 1,0, status = COPY');
      expectJobFailed(await act(t, 1, 0, 'split'), '2E32', '0002');
    } finally { await t.close(); }
  });

  it('pairAcceptance: a cell of the matrix can be patched (delete a snapshot pair in COPY)', async () => {
    const t = await startWith(fixtureWith({ ldevs: [{ ldevId: 10 }], fidelity: { pairAcceptance: { 'snapshot.COPY.delete': 'Y' } } }));
    try {
      expectSucceeded(await createPair(t, snapBody(1, 10)));
      expectSucceeded(await del(t, 1, 0));
      expect(await statusOf(t, 1, 0)).toBe('SMPP');
    } finally { await t.close(); }
  });

  it('nonCascadeNeedsLuPaths false: non-cascade pairs without LU paths are created', async () => {
    const t = await startWith(fixtureWith({ ldevs: [{ ldevId: 10 }], fidelity: { nonCascadeNeedsLuPaths: false } }));
    try {
      expectSucceeded(await createPair(t, { snapshotGroupName: 'nc', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10 }));
    } finally { await t.close(); }
  });

  it('cloneAutoSplit reject: isClone + autoSplit is refused even without CTG (the doc rule)', async () => {
    const t = await startWith(fixtureWith({ ldevs: [{ ldevId: 10 }], fidelity: { cloneAutoSplit: 'reject' } }));
    try {
      expectError(await t.http.post(`${OBJ}/snapshots`).set(t.auth)
        .send({ snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 1, svolLdevId: 10, isClone: true, autoSplit: true }), 400, 'KART20016-E');
    } finally { await t.close(); }
  });

  it('a group operation whose group is gone when the job runs fails (2E31/000F)', async () => {
    const t = await startApp();
    try {
      const r1 = await t.http.post(`${OBJ}/snapshots`).set(t.auth).send({ snapshotGroupName: 'gone', snapshotPoolId: 1, pvolLdevId: 0 });
      t.advance(3);
      expect((await t.http.get(`${OBJ}/jobs/${r1.body.jobId}`).set(t.auth)).body.state).toBe('Succeeded');
      const d = await t.http.delete(`${OBJ}/snapshot-groups/gone`).set(t.auth);
      t.advance(0.6);
      const split = await t.http.post(`${OBJ}/snapshot-groups/gone/actions/split/invoke`).set(t.auth);
      t.advance(3);
      expect((await t.http.get(`${OBJ}/jobs/${d.body.jobId}`).set(t.auth)).body.state).toBe('Succeeded');
      const job = (await t.http.get(`${OBJ}/jobs/${split.body.jobId}`).set(t.auth)).body;
      expect(job.state).toBe('Failed');
      expect(job.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E31', SSB2: '000F' } });
    } finally { await t.close(); }
  });
});
