import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CINDER_WAIT, held, scoped, startApp, type TestApp } from './snapshotKit.js';

/**
 * The OpenStack Cinder Hitachi driver's call sequences (ref 10; hbsd_rest.py / hbsd_common.py): storage-scoped
 * URLs, `Response-Job-Status: Completed;` + `Response-Max-Wait: 1800` on every mutation, and polling of
 * `GET snapshots?svolLdevId=` for the status classes Cinder's _STATUS_TABLE maps.
 */

const PSUS_CLASS = new Set(['PSUS', 'PFUS', 'SSUS', 'PSUP', 'SSUP']);

describe('Cinder sequences', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  const get = (path: string) => t.http.get(scoped(path)).set(t.auth).set('Content-Type', 'application/json');
  const mutate = (method: 'post' | 'put' | 'delete', path: string, body?: object) => {
    const req = t.http[method](scoped(path)).set(t.auth).set(CINDER_WAIT);
    return body === undefined ? req : req.send(body);
  };

  /** hbsd_rest._wait_copy_pair_status: S-VOL query, else P-VOL query, polled every `interval` virtual seconds. */
  async function waitPairStatus(svol: number, accept: (status: string | null) => boolean, interval = 3, maxPolls = 50): Promise<string | null> {
    for (let i = 0; i < maxPolls; i++) {
      const s = await get(`snapshots?svolLdevId=${svol}`);
      expect(s.status).toBe(200);
      const status = s.body.data.length ? (s.body.data[0].status as string) : null;
      if (accept(status)) return status;
      t.advance(interval);
    }
    throw new Error(`S-VOL ${svol} never reached the awaited status`);
  }

  /** hbsd_rest._create_ldev_on_storage: POST ldevs, the new id is the last segment of affectedResources[0]. */
  async function createLdev(gib: number): Promise<number> {
    const r = await held(t, mutate('post', 'ldevs', { byteFormatCapacity: `${gib}G`, poolId: 0, isParallelExecutionEnabled: true }), 2);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    return Number(String(r.body.affectedResources[0]).split('/').pop());
  }

  async function createSnapshot(pvol: number): Promise<{ svol: number; mu: number }> {
    expect((await get(`ldevs/${pvol}`)).body.status).toBe('NML');
    const svol = await createLdev(10);
    const r = await held(t, mutate('post', 'snapshots', {
      snapshotGroupName: `HBSD-snap${svol % 8}`, snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: svol,
      autoSplit: true, canCascade: true, isDataReductionForceCopy: true,
    }), 1);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    const mu = Number(String(r.body.affectedResources[0]).split(',').pop());
    // The pair is visible as soon as the job completes, still copying.
    expect((await get(`snapshots?svolLdevId=${svol}`)).body.data[0]).toMatchObject({ status: 'COPY', primaryOrSecondary: 'S-VOL', pvolLdevId: pvol, muNumber: mu });
    expect(await waitPairStatus(svol, (s) => s !== null && PSUS_CLASS.has(s))).toBe('PSUS');
    const label = await held(t, mutate('put', `ldevs/${svol}`, { label: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }), 1);
    expect(label.body.state).toBe('Succeeded');
    return { svol, mu };
  }

  it('create_snapshot: POST ldevs, POST snapshots (autoSplit, canCascade), poll by S-VOL until PSUS, label', async () => {
    const { svol, mu } = await createSnapshot(0);
    expect(svol).toBe(4);
    expect(mu).toBe(0);
    const s = (await get(`ldevs/${svol}`)).body;
    expect(s.attributes).toEqual(['CVS', 'HDP', 'HTI']);
    expect(s.snapshotPoolId).toBe(1);
    const p = (await get('ldevs/0')).body;
    expect(p.attributes).toContain('HTI');
    expect(p).not.toHaveProperty('snapshotPoolId');
    const pair = (await get(`snapshots?svolLdevId=${svol}`)).body.data[0];
    expect(pair).toMatchObject({ snapshotGroupName: 'HBSD-snap4', status: 'PSUS', snapshotId: '0,0', canCascade: true, isClone: false });
    expect(pair.splitTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('delete_snapshot: unassign-volume, DELETE snapshots/P,mu, wait until HTI leaves the S-VOL, DELETE ldevs/S', async () => {
    const { svol, mu } = await createSnapshot(0);
    expect((await get(`ldevs/${svol}`)).body.attributes).toContain('HTI');
    expect((await get(`snapshots?pvolLdevId=${svol}`)).body).toEqual({ data: [] });
    const byS = (await get(`snapshots?svolLdevId=${svol}`)).body.data[0];
    expect(byS).toMatchObject({ status: 'PSUS', muNumber: mu });
    const un = await held(t, mutate('put', `snapshots/0,${mu}/actions/unassign-volume/invoke`), 1);
    expect(un.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    const del = await held(t, mutate('delete', `snapshots/0,${mu}`), 1);
    expect(del.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [scoped(`snapshots/0,${mu}`)] });
    // The S-VOL left the pair with unassign, so the pair (nothing cascaded any more) goes at once: Cinder's
    // _get_copy_pair_info on the P-VOL never meets an SMPP pair without svolLdevId.
    expect((await get(`ldevs/${svol}`)).body.attributes).not.toContain('HTI');
    expect((await get(`snapshots/0,${mu}`)).status).toBe(404);
    expect((await get('snapshots?pvolLdevId=0')).body).toEqual({ data: [] });
    expect((await get('ldevs/0')).body.attributes).not.toContain('HTI');
    const gone = await held(t, mutate('delete', `ldevs/${svol}`), 2);
    expect(gone.body.state).toBe('Succeeded');
    // A second delete of the pair: 404 with EX_ENOOBJ, which Cinder ignores on DELETE snapshots.
    const again = await mutate('delete', `snapshots/0,${mu}`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ messageId: 'KART30013-E', errorCode: { errorCode: 'EX_ENOOBJ' } });
  });

  it('revert_to_snapshot: restore with {"parameters": {"autoSplit": true}}, RCPY, then PSUS again', async () => {
    const { svol, mu } = await createSnapshot(0);
    expect((await get(`ldevs/${svol}`)).body.attributes).toContain('HTI');
    const pair = (await get(`snapshots?svolLdevId=${svol}`)).body.data[0];
    expect(pair).toMatchObject({ primaryOrSecondary: 'S-VOL', pvolLdevId: 0 });
    const first = pair.splitTime;
    const r = await held(t, mutate('put', `snapshots/0,${pair.muNumber}/actions/restore/invoke`, { parameters: { autoSplit: true } }), 1);
    expect(r.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [scoped(`snapshots/0,${mu}`)] });
    const during = (await get(`snapshots?svolLdevId=${svol}`)).body.data[0];
    expect(during.status).toBe('RCPY');
    expect(during.progressRate).toBeGreaterThanOrEqual(0);
    expect(await waitPairStatus(svol, (s) => s !== null && PSUS_CLASS.has(s), 10)).toBe('PSUS');
    expect((await get(`snapshots?svolLdevId=${svol}`)).body.data[0].splitTime).not.toBe(first);
  });

  it('create_cloned_volume: clone pair with clonesAutomation; PSUP is PSUS-class; the pair goes and the S-VOL is independent', async () => {
    expect((await get('ldevs/0')).body.status).toBe('NML');
    const svol = await createLdev(10);
    await get('ldevs/0');
    await get(`ldevs/${svol}`);
    const r = await held(t, mutate('post', 'snapshots', {
      snapshotGroupName: `HBSD-clone${svol % 8}`, snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: svol,
      isClone: true, clonesAutomation: true, copySpeed: 'medium', isDataReductionForceCopy: true,
    }), 1);
    expect(r.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    const status = await waitPairStatus(svol, (s) => s === null || s === 'SMPP' || PSUS_CLASS.has(s));
    expect(status).toBe('PSUP');
    const copying = (await get(`snapshots?svolLdevId=${svol}`)).body.data[0];
    expect(copying).toMatchObject({ isClone: true, canCascade: true, status: 'PSUP' });
    expect(copying.progressRate).toBeLessThan(100);
    await held(t, mutate('put', `ldevs/${svol}`, { label: 'clone' }), 1);
    // 10 GiB at medium (2 s/GiB) = 20 s of copy from the end of COPY (4 s ago), then SMPP, then the pair is gone.
    t.advance(17);
    expect((await get(`snapshots?svolLdevId=${svol}`)).body.data[0]).toMatchObject({ status: 'PSUP', progressRate: 95 });
    t.advance(1);
    expect((await get(`snapshots?svolLdevId=${svol}`)).body.data[0].status).toBe('SMPP');
    t.advance(1);
    expect((await get(`snapshots?svolLdevId=${svol}`)).body).toEqual({ data: [] });
    const s = (await get(`ldevs/${svol}`)).body;
    expect(s.attributes).not.toContain('HTI');
    expect(s).not.toHaveProperty('snapshotPoolId');
    expect((await get('ldevs/0')).body.attributes).not.toContain('HTI');
    expect((await get('snapshot-groups')).body.data).toEqual([]);
  });

  it('create_volume_from_snapshot clones the snapshot S-VOL (a cascade node); deleting the source waits for the clone', async () => {
    const snap = await createSnapshot(0);
    const vol = await createLdev(10);
    const r = await held(t, mutate('post', 'snapshots', {
      snapshotGroupName: `HBSD-clone${vol % 8}`, snapshotPoolId: 1, pvolLdevId: snap.svol, svolLdevId: vol,
      isClone: true, clonesAutomation: true, copySpeed: 'faster', isDataReductionForceCopy: true,
    }), 1);
    expect(r.body.state).toBe('Succeeded');
    expect(await waitPairStatus(vol, (s) => s === null || s === 'SMPP' || PSUS_CLASS.has(s))).toBe('PSUP');
    // delete_snapshot while the clone copies: the snapshot S-VOL is a P-VOL with a PSUP pair, so Cinder waits.
    const asP = (await get(`snapshots?pvolLdevId=${snap.svol}`)).body.data;
    expect(asP).toHaveLength(1);
    expect(asP[0]).toMatchObject({ status: 'PSUP', primaryOrSecondary: 'P-VOL', svolLdevId: vol });
    for (let i = 0; i < 10 && (await get(`ldevs/${vol}`)).body.attributes.includes('HTI'); i++) t.advance(10);
    expect((await get(`ldevs/${vol}`)).body.attributes).not.toContain('HTI');
    expect((await get(`snapshots?pvolLdevId=${snap.svol}`)).body.data).toEqual([]);
    const byS = (await get(`snapshots?svolLdevId=${snap.svol}`)).body.data[0];
    expect(byS.status).toBe('PSUS');
    await held(t, mutate('put', `snapshots/0,${byS.muNumber}/actions/unassign-volume/invoke`), 1);
    expect((await held(t, mutate('delete', `snapshots/0,${byS.muNumber}`), 1)).body.state).toBe('Succeeded');
  });

  it('consistency-group snapshot: CTG pairs to PAIR one by one, group split, every S-VOL PSUS at the same instant', async () => {
    const name = 'HBSDC000000260105100000000'.slice(0, 29);
    const members = [0, 1];
    const svols: number[] = [];
    for (const _ of members) {
      const s = await createLdev(10);
      await held(t, mutate('put', `ldevs/${s}`, { label: `snap${s}` }), 1);
      svols.push(s);
    }
    for (const [i, pvol] of members.entries()) {
      const r = await held(t, mutate('post', 'snapshots', {
        snapshotGroupName: name, snapshotPoolId: 1, pvolLdevId: pvol, svolLdevId: svols[i],
        isConsistencyGroup: true, canCascade: true, isDataReductionForceCopy: true,
      }), 1);
      expect(r.body.state).toBe('Succeeded');
      expect(await waitPairStatus(svols[i]!, (s) => s === 'PAIR')).toBe('PAIR');
    }
    const split = await held(t, t.http.put(scoped(`snapshot-groups/${name}/actions/split/invoke`)).set(t.auth).set(CINDER_WAIT), 1);
    expect(split.status).toBe(202);
    expect(split.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [scoped(`snapshot-groups/${name}`)] });
    const after = [];
    for (const s of svols) {
      expect(await waitPairStatus(s, (st) => st === 'PSUS')).toBe('PSUS');
      after.push((await get(`snapshots?svolLdevId=${s}`)).body.data[0]);
    }
    expect(after.every((p) => p.isConsistencyGroup === true && p.snapshotGroupName === name)).toBe(true);
    expect(after[0].splitTime).toBe(after[1].splitTime);
  });

  it('a P-VOL with pairs is not deleted: the job fails with the pair SSB', async () => {
    await createSnapshot(1);
    const r = await held(t, mutate('delete', 'ldevs/1'), 2);
    expect(r.body.state).toBe('Failed');
    expect(r.body.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E10', SSB2: '9707' } });
  });
});
