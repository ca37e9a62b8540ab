import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetImages, imagesWritten, imageUses } from '../../src/store/image.js';
import type { Fixture } from '../../src/store/fixture.js';
import { OBJ, startApp, type TestApp } from '../helpers.js';

/** Big enough for an image (IMAGE_MIN_ROWS LDEVs + pairs), small enough to load in a test. */
function bigFixture(statusOf = (n: number) => (n % 2 === 0 ? 'PSUS' : 'PAIR')): Fixture {
  const pvols = 200;
  return {
    name: 'image-test',
    arrays: [{
      model: 'VSP 5500', serialNumber: 424242,
      pools: [
        { poolId: 0, poolName: 'DP', poolType: 'HDP', capacity: '4000T', virtualVolumeCapacityRate: -1 },
        { poolId: 1, poolName: 'TI', poolType: 'HTI', capacity: '400T' },
      ],
      ldevs: Array.from({ length: pvols + 100 }, (_, i) => ({ ldevId: i, capacity: '10G', poolId: 0 })),
      pairs: Array.from({ length: 20_000 }, (_, n) => ({
        pvolLdevId: Math.floor(n / 100), muNumber: n % 100, snapshotGroupName: `g${Math.floor(n / 100)}`, snapshotPoolId: 1,
        status: statusOf(n), canCascade: true, ...(n < 100 ? { svolLdevId: pvols + n } : {}),
      })),
    }],
  };
}

const T1 = Date.UTC(2026, 0, 5, 10, 0, 0);
const T2 = Date.UTC(2026, 5, 1, 8, 30, 0);

describe('a big fixture loads once: later starts open the image of its load', () => {
  let dir: string;
  let file: string;
  let t: TestApp | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vsp-image-'));
    file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(bigFixture()));
    forgetImages();
  });
  afterEach(async () => { await t?.close(); t = undefined; rmSync(dir, { recursive: true, force: true }); });
  afterAll(() => forgetImages());

  const start = async (opts: { startTime?: number; fixture?: string | Fixture } = {}) => {
    const app = await startApp({ fixture: opts.fixture ?? file, imageCacheDir: join(dir, 'data'), startTime: opts.startTime ?? T1, timing: 'instant' });
    await imagesWritten(); // the file is written off the start's path
    return app;
  };
  const images = () => readdirSync(join(dir, 'data')).filter((f) => f.startsWith('fixture-image-'));
  /** Every row of every table (a state export of 20,000 pairs over HTTP takes seconds; this is the same rows). */
  const state = async (app: TestApp) => {
    const db = app.engine.db;
    const out: Record<string, unknown[]> = {};
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]) {
      out[name] = (db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
    }
    return out;
  };

  it('a restart from the same file shows the same model, its pairs stamped with the new start time', async () => {
    t = await start();
    const loaded = await state(t);
    await t.close();
    t = undefined;
    expect(images()).toHaveLength(1);
    expect(statSync(join(dir, 'data', images()[0]!)).mode & 0o777).toBe(0o600);
    forgetImages(); // as a new process: only the file is left
    const before = { ...imageUses };
    t = await start();
    expect(imageUses.reused).toBe(before.reused + 1);
    expect(imageUses.kept).toBe(before.kept);
    expect(await state(t)).toEqual(loaded);
    // The start took the fixture's head with the image; a reset reads the LDEV and pair lists from the file's bytes.
    const changed = await t.http.delete(`${OBJ}/snapshots/3,4`).set(t.auth).set('Response-Job-Status', 'Completed');
    expect(changed.status).toBe(202);
    expect((await t.http.get(`${OBJ}/snapshots/3,4`).set(t.auth)).status).toBe(404);
    expect((await t.http.post('/emulator/v1/reset')).status).toBe(200);
    const tables = await state(t);
    expect(tables.pairs).toEqual(loaded.pairs);
    expect(tables.ldevs).toEqual(loaded.ldevs);
    expect(tables.snapshot_groups).toEqual(loaded.snapshot_groups);
    await t.close();
    t = undefined;

    t = await start({ startTime: T2 }); // from the image kept in the process this time
    expect(imageUses.reused).toBe(before.reused + 2);
    const pair = await t.http.get(`${OBJ}/snapshots/3,4`).set(t.auth);
    expect(pair.status).toBe(200);
    expect(pair.body).toMatchObject({ status: 'PSUS', pvolLdevId: 3, muNumber: 4, splitTime: '2026-06-01T08:30:00' });
    const withSvol = await t.http.get(`${OBJ}/snapshots/0,7`).set(t.auth);
    expect(withSvol.body).toMatchObject({ status: 'PAIR', svolLdevId: 207 });
  });

  it('a changed fixture is loaded, not answered from the image of the old one', async () => {
    t = await start();
    await t.close();
    t = undefined;
    writeFileSync(file, JSON.stringify(bigFixture((n) => (n === 304 ? 'PSUS' : 'PAIR'))));
    const before = { ...imageUses };
    t = await start();
    expect(imageUses.reused).toBe(before.reused);
    expect((await t.http.get(`${OBJ}/snapshots/3,4`).set(t.auth)).body.status).toBe('PSUS');
    expect((await t.http.get(`${OBJ}/snapshots/3,5`).set(t.auth)).body.status).toBe('PAIR');
    expect((await t.http.get(`${OBJ}/snapshots/3,6`).set(t.auth)).body.status).toBe('PAIR');
  });

  it('an image file that is corrupt, writable by others or a symlink is ignored and the fixture loaded', async () => {
    t = await start();
    await t.close();
    t = undefined;
    const path = join(dir, 'data', images()[0]!);
    const good = readFileSync(path);
    const spoil: Array<[string, () => void]> = [
      ['a flipped byte', () => { const bad = Buffer.from(good); bad[bad.length - 4000]! ^= 0xff; writeFileSync(path, bad); }],
      ['truncated', () => writeFileSync(path, good.subarray(0, good.length - 4096))],
      ['group-writable', () => { writeFileSync(path, good); chmodSync(path, 0o664); }],
      ['a symlink to a good copy', () => { const copy = join(dir, 'copy.bin'); writeFileSync(copy, good, { mode: 0o600 }); rmSync(path); symlinkSync(copy, path); }],
    ];
    for (const [what, act] of spoil) {
      act();
      forgetImages();
      const before = { ...imageUses };
      t = await start();
      expect({ what, reused: imageUses.reused - before.reused, kept: imageUses.kept - before.kept }).toEqual({ what, reused: 0, kept: 1 });
      expect((await t.http.get(`${OBJ}/snapshots/199,99`).set(t.auth)).body.status).toBe('PAIR');
      await t.close();
      t = undefined;
      // The load wrote a good image again: a plain 0600 file the next start uses.
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path).equals(good)).toBe(true);
    }
  });

  it('a fixture given as an object is keyed by its content: changing the object loads again', async () => {
    const fx = bigFixture();
    t = await startApp({ fixture: fx });
    await t.close();
    t = undefined;
    let before = { ...imageUses };
    t = await startApp({ fixture: fx });
    expect(imageUses.reused).toBe(before.reused + 1);
    await t.close();
    t = undefined;
    (fx.arrays[0]!.pairs as Array<{ status: string }>)[0]!.status = 'PAIR';
    before = { ...imageUses };
    t = await startApp({ fixture: fx });
    expect(imageUses.reused).toBe(before.reused);
    expect((await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).body.status).toBe('PAIR');
  });
});
