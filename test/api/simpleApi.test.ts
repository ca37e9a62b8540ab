import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { OBJ, startApp, type TestApp } from '../helpers.js';
import { completed, lastSegment, SIMPLE, statusPath, succeeded, untilStatus } from './simpleKit.js';

/** Simple-API sessions, model gating, list filters and paging, one model under both APIs, persistence (TIA ref 6). */

const create = (t: TestApp, params: Record<string, unknown>) =>
  t.http.post(`${SIMPLE}/snapshots`).set(t.auth).send({ params: [{ poolId: 1, snapshotGroupName: 'snapshotGroup', type: 'Snapshot', ...params }] });

describe('simple sessions (TIA ref 6.1)', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('Terraform\'s login (trailing slash, Basic, empty body) answers sessionId as a string equal to the token, usable on both APIs', async () => {
    const login = await t.http.post(`${SIMPLE}/sessions/`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json').send('');
    expect(login.status).toBe(200);
    expect(typeof login.body.sessionId).toBe('string');
    expect(login.body.sessionId).toBe(login.body.token);
    const auth = { Authorization: `Session ${login.body.sessionId}` };
    expect((await t.http.get(`${SIMPLE}/snapshots`).set(auth)).body).toEqual({ data: [] });
    expect((await t.http.get(`${OBJ}/pools/1`).set(auth)).body).toMatchObject({ poolId: 1 });
    // One session table: the CM list shows it.
    expect((await t.http.get(`${OBJ}/sessions`).set(auth)).body.data).toHaveLength(2);
    expect((await t.http.post(`${SIMPLE}/sessions`).auth('maintenance', 'raid-maintenance')).status).toBe(200);
  });

  it('a CM v1 token works on /simple/v1 (Ansible logs in on /v1 only); a bad token or password is the VSP 401', async () => {
    expect((await t.http.get(`${SIMPLE}/snapshot-groups`).set(t.auth)).status).toBe(200);
    const bad = await t.http.get(`${SIMPLE}/snapshots`).set({ Authorization: 'Session nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.message).toContain('The specified token is invalid');
    expect((await t.http.get(`${SIMPLE}/snapshots`)).body.messageId).toBe('KART40005-E');
    expect((await t.http.post(`${SIMPLE}/sessions`).auth('maintenance', 'wrong')).status).toBe(401);
  });
});

describe('where the model has no simple API (VSP 5500, TIA ref 1)', () => {
  it('every /simple/v1 URL answers as an unknown URL does: 404 KART20009-E, with or without credentials', async () => {
    const t = await startApp({ fixture: 'vsp5500' });
    try {
      const unknown = await t.http.get('/ConfigurationManager/v1/objects/no-such-thing').set(t.auth);
      for (const [method, url] of [['get', 'snapshots'], ['post', 'sessions'], ['get', 'command-status/1'], ['delete', 'volumes/0']] as const) {
        for (const auth of [t.auth, {}]) {
          const r = await t.http[method](`${SIMPLE}/${url}`).set(auth);
          expect(r.status, `${method} ${url}`).toBe(404);
          expect(r.body).toMatchObject({ messageId: 'KART20009-E', message: `No resource exists at the specified URL. (URL = ${SIMPLE}/${url})` });
          expect(Object.keys(r.body).sort()).toEqual(Object.keys(unknown.body).sort());
        }
      }
    } finally { await t.close(); }
  });
});

describe('snapshot list: filters and paging, lenient query strings (TIA ref 6.3 S1)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startApp();
    // 0,0 and 1,0 in "g A,1" at 10:00; 1,1 in "other" a minute later.
    await succeeded(t, await create(t, { masterVolumeId: 0, snapshotGroupName: 'g A,1' }));
    await succeeded(t, await create(t, { masterVolumeId: 1, snapshotGroupName: 'g A,1' }));
    t.advance(60);
    await succeeded(t, await create(t, { masterVolumeId: 1, snapshotGroupName: 'other' }));
    await untilStatus(t, '1,1', 'Completed');
  });
  afterEach(async () => { await t.close(); });

  const ids = async (query: string) => {
    const r = await t.http.get(`${SIMPLE}/snapshots${query}`).set(t.auth);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return (r.body.data as Array<{ id: string }>).map((s) => s.id);
  };

  it('no filter lists every snapshot by master volume and snapshot id', async () => {
    expect(await ids('')).toEqual(['0,0', '1,0', '1,1']);
  });

  it('masterVolumeId, snapshotGroupName (exact, raw comma) and count/startId paging (raw comma)', async () => {
    expect(await ids('?masterVolumeId=1')).toEqual(['1,0', '1,1']);
    expect(await ids('?snapshotGroupName=g%20A,1')).toEqual(['0,0', '1,0']);
    expect(await ids('?snapshotGroupName=g%20A')).toEqual([]);
    expect(await ids('?count=2')).toEqual(['0,0', '1,0']);
    expect(await ids('?startId=1,0&count=1')).toEqual(['1,0']);
    expect(await ids('?startId=1,1')).toEqual(['1,1']);
  });

  it('snapshotDateFrom/To are inclusive and arrive with raw colons', async () => {
    const all = (await t.http.get(`${SIMPLE}/snapshots`).set(t.auth)).body.data as Array<{ id: string; snapshotDate: string }>;
    const late = all.find((s) => s.id === '1,1')!.snapshotDate;
    expect(await ids(`?snapshotDateFrom=${late}`)).toEqual(['1,1']);
    expect(await ids(`?snapshotDateTo=${late}&masterVolumeId=1`)).toEqual(['1,0', '1,1']);
    expect(await ids('?snapshotDateFrom=2026-01-05T10:00:00Z&snapshotDateTo=2026-01-05T10:00:59Z')).toEqual(['0,0', '1,0']);
    const bad = await t.http.get(`${SIMPLE}/snapshots?snapshotDateFrom=2026-13-05T10:00:00Z`).set(t.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.messageId).toBe('KART40039-E');
  });
});

describe('one model under both APIs', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('a pair made with CM POST snapshots is a simple snapshot, and a simple snapshot is a CM pair', async () => {
    const job = await t.http.post(`${OBJ}/snapshots`).set(t.auth).set('x-vsp-emulator-instant', '1')
      .send({ snapshotGroupName: 'cm', snapshotPoolId: 1, pvolLdevId: 2, canCascade: true, autoSplit: true, isDataReductionForceCopy: true });
    expect(job.body.state).toBe('Succeeded');
    const seen = await untilStatus(t, '2,0', 'Completed');
    expect(seen).toMatchObject({ masterVolumeId: 2, snapshotId: 0, snapshotGroupName: 'cm', type: 'Snapshot', poolId: 1 });
    expect((await t.http.get(`${SIMPLE}/snapshot-groups/cm`).set(t.auth)).body).toMatchObject({ totalCount: 1 });

    await succeeded(t, await create(t, { masterVolumeId: 2, snapshotGroupName: 'simple' }));
    const pair = await t.http.get(`${OBJ}/snapshots/2,1`).set(t.auth);
    expect(pair.body).toMatchObject({ pvolLdevId: 2, muNumber: 1, snapshotGroupName: 'simple', snapshotPoolId: 1, canCascade: true });
    // Deleted through the CM API: gone for the simple API too.
    await untilStatus(t, '2,1', 'Completed');
    expect((await t.http.delete(`${OBJ}/snapshots/2,1`).set(t.auth).set('x-vsp-emulator-instant', '1')).body.state).toBe('Succeeded');
    expect((await t.http.get(`${SIMPLE}/snapshots/2,1`).set(t.auth)).status).toBe(404);
  });

  it('a command is a job on the virtual clock with the CM operation\'s time: create 1 s, restore 0.5 s (realistic profile)', async () => {
    const status = statusPath(await create(t, { masterVolumeId: 0 }));
    t.advance(0.9);
    expect((await t.http.get(status).set(t.auth)).body.progress).toBe('processing');
    t.advance(0.1);
    expect((await t.http.get(status).set(t.auth)).body.progress).toBe('completed');
    await untilStatus(t, '0,0', 'Completed');
    const restore = statusPath(await t.http.post(`${SIMPLE}/snapshots/0,0/actions/restore/invoke`).set(t.auth));
    t.advance(0.5);
    expect((await t.http.get(restore).set(t.auth)).body).toMatchObject({ progress: 'completed', status: 'normal' });
  });

  it('with fidelity simpleCommandStatusReader "session" only the submitting session reads its status', async () => {
    const u = await startApp({ fixture: { ...readFixture('default'), fidelity: { simpleCommandStatusReader: 'session' } } });
    try {
      const status = statusPath(await create(u, { masterVolumeId: 0 }));
      const other = await u.http.post(`${SIMPLE}/sessions`).auth('maintenance', 'raid-maintenance');
      const theirs = await u.http.get(status).set({ Authorization: `Session ${other.body.token}` });
      expect(theirs.status).toBe(404);
      expect((await u.http.get(status).set(u.auth)).status).toBe(200);
    } finally { await u.close(); }
  });
});

describe('command statuses persist (file database)', () => {
  it('a completed command status survives a restart, and a pending one completes after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsp-simple-'));
    const db = join(dir, 'state.db');
    try {
      const a = await startApp({ db });
      let status: string;
      let pending: string;
      try {
        status = statusPath(await create(a, { masterVolumeId: 0 }));
        expect((await completed(a, status)).status).toBe('normal');
      } finally { await a.close(); }
      const b = await startApp({ db, startTime: Date.UTC(2026, 0, 5, 10, 1, 0) });
      try {
        const again = await b.http.get(status).set(b.auth);
        expect(again.body).toMatchObject({ id: Number(lastSegment(status)), progress: 'completed', status: 'normal', affectedResources: [`${SIMPLE}/snapshots/0,0`] });
        // The next command gets a new id; it is still unexecuted when this emulator stops.
        pending = statusPath(await create(b, { masterVolumeId: 1 }));
        expect(Number(lastSegment(pending))).toBeGreaterThan(Number(lastSegment(status)));
        expect((await b.http.get(pending).set(b.auth)).body.progress).toBe('unexecuted');
      } finally { await b.close(); }
      // The next start runs it when its time has come, and its status says how it ended.
      const c = await startApp({ db, startTime: Date.UTC(2026, 0, 5, 10, 2, 0) });
      try {
        expect((await c.http.get(pending).set(c.auth)).body).toMatchObject({ progress: 'completed', status: 'normal', affectedResources: [`${SIMPLE}/snapshots/1,0`] });
      } finally { await c.close(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('command statuses are part of the model the control plane saves, resets and exports', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp(); });
  afterEach(async () => { await t.close(); });

  it('a checkpoint restore forgets a later command, a reset forgets all, the state export holds simple_commands', async () => {
    const kept = statusPath(await create(t, { masterVolumeId: 0 }));
    await completed(t, kept);
    expect((await t.http.post('/emulator/v1/checkpoints/before')).status).toBe(201);
    const later = statusPath(await create(t, { masterVolumeId: 1 }));
    await completed(t, later);
    const state = await t.http.get('/emulator/v1/state');
    expect(state.status).toBe(200);
    expect(JSON.stringify(state.body)).toContain('"simple_commands"');
    expect((await t.http.post('/emulator/v1/checkpoints/before/restore')).status).toBe(200);
    expect((await t.http.get(later).set(t.auth)).status).toBe(404);
    expect((await t.http.get(kept).set(t.auth)).body).toMatchObject({ progress: 'completed', status: 'normal' });
    expect((await t.http.post('/emulator/v1/reset').send({})).status).toBe(200);
    const login = await t.http.post(`${SIMPLE}/sessions`).auth('maintenance', 'raid-maintenance');
    expect((await t.http.get(kept).set({ Authorization: `Session ${login.body.token}` })).status).toBe(404);
  });
});
