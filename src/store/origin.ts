import type { Db } from './db.js';

/**
 * Where the state in a database came from: the fixture it was loaded from (recorded by every load, so a reset to
 * another fixture or a checkpoint restore moves it too), and what it holds now. The start-up line and health say it,
 * and a `--fixture` that disagrees with it is refused instead of being silently ignored.
 */

export interface FixtureOrigin {
  /** The fixture's name (`default`, `training-first-snapshot`, the `name:` of a file, `inline`). */
  name: string;
}

export interface StateCounts { arrays: number; ldevs: number; pairs: number }

/** Records the fixture a load just put in the database (inside the caller's transaction). */
export function recordOrigin(db: Db, name: string): void {
  db.prepare('DELETE FROM fixture_origin').run();
  db.prepare('INSERT INTO fixture_origin (name) VALUES (?)').run(name);
}

/** The recorded origin; null for a database made before origins were recorded (or by hand). */
export function readOrigin(db: Db): FixtureOrigin | null {
  const name = db.prepare('SELECT name FROM fixture_origin LIMIT 1').pluck().get() as string | undefined;
  return name === undefined ? null : { name };
}

/**
 * The origin a fixture gives the state it loads: its name, except for a state export (GET /emulator/v1/state), whose
 * rows say which fixture the exported state came from (so loading an export back keeps that origin).
 */
export function originNameOf(fx: { name?: string; tables?: Record<string, Array<Record<string, unknown>>> }): string {
  const carried = fx.tables?.fixture_origin?.[0]?.name;
  return typeof carried === 'string' ? carried : fx.name ?? 'inline';
}

/** Arrays, defined LDEVs and Thin Image pairs the database holds. */
export function countState(db: Db): StateCounts {
  const n = (sql: string) => db.prepare(sql).pluck().get() as number;
  return { arrays: n('SELECT COUNT(*) FROM arrays'), ldevs: n('SELECT COUNT(*) FROM ldevs'), pairs: n('SELECT COUNT(*) FROM pairs') };
}
