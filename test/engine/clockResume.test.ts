import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';

describe('virtual time after a restart on the same database', () => {
  const dirs: string[] = [];
  const apps: App[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dbFile = () => { const d = mkdtempSync(join(tmpdir(), 'vsp-clock-')); dirs.push(d); return join(d, 'e.sqlite'); };

  it('real mode never resumes before the newest job, even after a kill (no clean shutdown wrote the clock)', async () => {
    const db = dbFile();
    const day = 86_400_000;
    const first = await buildApp({ db, clock: 'manual', startTime: Date.now() + 30 * day, timing: 'instant' });
    apps.push(first);
    const login = await first.app.inject({ method: 'POST', url: '/ConfigurationManager/v1/objects/sessions', headers: { authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` } });
    const token = login.json().token as string;
    const created = await first.app.inject({
      method: 'POST', url: '/ConfigurationManager/v1/objects/ldevs', headers: { authorization: `Session ${token}`, 'content-type': 'application/json' },
      payload: { ldevId: 60, poolId: 0, byteFormatCapacity: '1G' },
    });
    expect(created.statusCode).toBe(202);
    const jobCreated = Date.parse(created.json().createdTime as string);
    expect(jobCreated).toBeGreaterThan(Date.now() + 29 * day);
    // A second process on the same file, the first never closed: as after kill -9.
    const second = await buildApp({ db, clock: 'real', timing: 'instant' });
    apps.push(second);
    expect(second.engine.clock.now()).toBeGreaterThanOrEqual(jobCreated);
    expect(second.engine.clock.now()).toBeLessThan(jobCreated + day);
  });

  it('real mode on a database whose time is behind the wall resumes at wall time', async () => {
    const db = dbFile();
    const past = Date.UTC(2020, 0, 1);
    const first = await buildApp({ db, clock: 'manual', startTime: past });
    await first.close();
    const second = await buildApp({ db, clock: 'real' });
    apps.push(second);
    expect(Math.abs(second.engine.clock.now() - Date.now())).toBeLessThan(5_000);
    const third = await buildApp({ db: dbFile(), clock: 'manual', startTime: past });
    apps.push(third);
    expect(third.engine.clock.now()).toBe(past);
  });
});
