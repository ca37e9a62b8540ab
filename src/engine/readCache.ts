import type { Engine } from './context.js';

/**
 * A cache of values computed from the database, valid while the database is unchanged. SQLite's
 * `total_changes()` counts every row this connection has inserted, updated or deleted (jobs, pair transitions,
 * session touches, fixture reloads…), so reading it (a few tens of nanoseconds) tells whether anything may have
 * changed since a value was computed; if so the whole cache is dropped. Values must depend on database state only
 * (not on the clock), and callers must not mutate what they get.
 */
export interface ReadCache {
  get<T>(key: string, compute: () => T): T;
  clear(): void;
}

const caches = new WeakMap<Engine, ReadCache>();
const MAX_ENTRIES = 50_000;

export function readCache(engine: Engine): ReadCache {
  let c = caches.get(engine);
  if (c) return c;
  const changes = engine.db.prepare('SELECT total_changes()').pluck();
  const map = new Map<string, unknown>();
  let version = -1;
  c = {
    get<T>(key: string, compute: () => T): T {
      const v = changes.get() as number;
      if (v !== version) { map.clear(); version = v; }
      if (map.has(key)) return map.get(key) as T;
      const value = compute();
      if (map.size >= MAX_ENTRIES) map.clear();
      // The computation may itself have written (it should not): only keep values computed on an unchanged database.
      if ((changes.get() as number) === version) map.set(key, value);
      return value;
    },
    clear() { map.clear(); version = -1; },
  };
  engine.onReload(() => c!.clear());
  caches.set(engine, c);
  return c;
}
