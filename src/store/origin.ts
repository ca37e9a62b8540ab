import type { Db } from './db.js';

/**
 * Where the state in a database came from: the fixture it was loaded from (recorded by every load, so a reset to
 * another fixture or a checkpoint restore moves it too), and what it holds now. The start-up line and health say it,
 * and a `--fixture` that disagrees with it is refused instead of being silently ignored.
 */

/** The meta key holding the origin (JSON). */
export const ORIGIN_KEY = 'fixture_origin';

export interface FixtureOrigin {
  /** The fixture's name (`default`, `training-first-snapshot`, the `name:` of a file, `inline`). */
  name: string;
}

export interface StateCounts { arrays: number; ldevs: number; pairs: number }

/** Records the fixture a load just put in the database (inside the caller's transaction). */
export function recordOrigin(db: Db, name: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(ORIGIN_KEY, JSON.stringify({ name } satisfies FixtureOrigin));
}

/** The recorded origin; null for a database made before origins were recorded (or by hand). */
export function readOrigin(db: Db): FixtureOrigin | null {
  const raw = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(ORIGIN_KEY) as string | undefined;
  if (raw === undefined) return null;
  try {
    const o = JSON.parse(raw) as Partial<FixtureOrigin>;
    return typeof o.name === 'string' ? { name: o.name } : null;
  } catch {
    return null;
  }
}

/** Arrays, defined LDEVs and Thin Image pairs the database holds. */
export function countState(db: Db): StateCounts {
  const n = (sql: string) => db.prepare(sql).pluck().get() as number;
  return { arrays: n('SELECT COUNT(*) FROM arrays'), ldevs: n('SELECT COUNT(*) FROM ldevs'), pairs: n('SELECT COUNT(*) FROM pairs') };
}
