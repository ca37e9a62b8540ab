import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { VERSION } from '../../src/version.js';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, SID, startControl } from './support.js';

const INSTANT = { 'x-vsp-emulator-instant': 'true' };

describe('GET /emulator/v1/state', () => {
  let t: TestApp;
  let dir: string | null = null;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => {
    await t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  /** LDEV 10, a pair 0,0 in COPY, a job: a model with something in every interesting table. */
  async function populate(): Promise<void> {
    await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({ ldevId: 10, byteFormatCapacity: '10G', poolId: 0, label: 'svol' });
    await t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT)
      .send({ snapshotGroupName: 'g1', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true });
  }

  it('exports every table as rows, with the arrays, timing and versions', async () => {
    const res = await t.http.get(`${EMU}/state`);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      format: 'vsp-emulator-state', formatVersion: 1, name: 'default-export', emulatorVersion: VERSION, schemaVersion: expect.any(Number),
      exportedTime: '2026-01-05T10:00:00.000Z', arrays: [{ storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456 }],
      timing: { name: 'realistic' },
    });
    expect(Object.keys(s.tables)).toEqual(expect.arrayContaining(['meta', 'arrays', 'users', 'sessions', 'pools', 'ldevs', 'luns', 'jobs', 'pairs', 'snapshot_groups']));
    expect(s.tables.ldevs.map((r: { ldev_id: number; label: string }) => [r.ldev_id, r.label])).toEqual([
      [0, 'vol-app-01'], [1, 'vol-app-02'], [2, 'vol-db-01'], [3, 'vol-archive'],
    ]);
    expect(s.tables.meta.map((r: { key: string }) => r.key)).not.toContain('schema_version');
    expect(s.tables.sessions).toHaveLength(1);
  });

  it('filters by array and table, and names unknown tables', async () => {
    const other = (await t.http.post(`${EMU}/arrays`).send({})).body.storageDeviceId as string;
    const one = await t.http.get(`${EMU}/state?storageDeviceId=${other}&tables=ldevs,pools,meta`);
    expect(Object.keys(one.body.tables)).toEqual(['pools', 'ldevs']);
    expect(one.body.arrays).toEqual([{ storageDeviceId: other, model: 'VSP E990', serialNumber: 123457 }]);
    expect(one.body.tables.ldevs.every((r: { sid: string }) => r.sid === other)).toBe(true);
    const bad = await t.http.get(`${EMU}/state?tables=ldevs,nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('badRequest');
    expect((await t.http.get(`${EMU}/state?storageDeviceId=936000999999`)).status).toBe(404);
  });

  it('round trip: an export loaded back as the fixture gives the same model and pairs; sessions need a new login', async () => {
    await populate();
    const before = (await t.http.get(`${EMU}/state`)).body;
    expect(before.tables.pairs).toHaveLength(1);

    await t.http.post(`${EMU}/reset`);
    expect((await t.http.get(`${EMU}/state`)).body.tables.pairs).toEqual([]);

    const res = await t.http.post(`${EMU}/reset`).send({ fixture: before, keep: [] });
    expect(res.body).toMatchObject({ storageDeviceIds: [SID], fixture: 'default-export' });
    const after = (await t.http.get(`${EMU}/state`)).body;
    // The export showed no token, so the session could not come back: the client logs in again (with the password
    // the fixture gives maintenance), as after a session expiry.
    expect(after.tables.sessions).toEqual([]);
    expect({ ...after.tables, sessions: before.tables.sessions }).toEqual(before.tables);
    expect((await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).status).toBe(401);
    const pair = await t.http.get(`${OBJ}/snapshots/0,0`).auth('maintenance', 'raid-maintenance');
    expect(pair.body).toMatchObject({ pvolLdevId: 0, muNumber: 0, svolLdevId: 10, snapshotGroupName: 'g1', status: 'COPY' });
  });

  it('round trip with secrets: sessions come back and the client keeps its token', async () => {
    await populate();
    const before = t.control!.model.exportState({ secrets: true });
    expect(before.tables.sessions).toEqual([expect.objectContaining({ token: t.token })]);
    await t.http.post(`${EMU}/reset`);
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: before })).status).toBe(200);
    expect(t.control!.model.exportState({ secrets: true }).tables).toEqual(before.tables);
    const pair = await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth);
    expect(pair.body).toMatchObject({ pvolLdevId: 0, muNumber: 0, status: 'COPY' });
  });

  it('an export written to a file is a fixture: readFixture and --fixture load it', async () => {
    await populate();
    const exported = (await t.http.get(`${EMU}/state`)).body;
    dir = mkdtempSync(join(tmpdir(), 'vsp-state-'));
    const file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(exported));
    const fx = readFixture(file);
    expect(fx.name).toBe('default-export');

    const second = await startControl({ fixture: file });
    try {
      const loaded = (await second.http.get(`${EMU}/state`)).body;
      // Everything but the session the second app's helper logged in with (and the counters it moved).
      for (const table of Object.keys(exported.tables).filter((n) => n !== 'sessions' && n !== 'meta')) {
        expect(loaded.tables[table], table).toEqual(exported.tables[table]);
      }
      expect((await second.http.get(`${OBJ}/ldevs/10`).set(second.auth)).body.label).toBe('svol');
    } finally {
      await second.close();
    }
  });
});
