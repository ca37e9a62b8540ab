import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashRun } from '../../src/bench/crashKit.js';

/**
 * Crash test (issue 10 item 9c), small enough for CI: the built server (dist/main.js, which `npm test` builds first;
 * VSP_DIST_MAIN points at another build) on a database file, clients sending pair and LDEV mutations without waiting,
 * `kill -9` three times at random moments, a restart on the same file each time. After every restart: every job
 * answered 202 is still recorded, every job and timed pair transition completes, the stored invariants hold and
 * `PRAGMA integrity_check` is ok. The 100-kill run: `node dist/bench/crash.js`.
 */
const MAIN = process.env.VSP_DIST_MAIN ?? resolve('dist/main.js');
const KILLS = Number(process.env.CRASH_KILLS ?? 3);

describe('crash: kill -9 during jobs, restart on the same file', () => {
  it(`${KILLS} kills under load lose no acknowledged job and leave a consistent, intact database`, async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: npm test builds it (or run npm run build)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'vsp-crash-test-'));
    try {
      const r = await crashRun({ main: MAIN, dir, kills: KILLS, timeScale: 20, clients: 4, killAfterMs: [300, 800], seed: Number(process.env.CRASH_SEED ?? 3) });
      expect(r.problems).toEqual([]);
      expect(r.kills).toBe(KILLS);
      // Not vacuous: jobs were acknowledged and requests were in flight when the server died.
      expect(r.acked).toBeGreaterThan(KILLS * 5);
      expect(r.jobsAtEnd).toBeGreaterThan(0);
      expect(r.pendingAtKill).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
