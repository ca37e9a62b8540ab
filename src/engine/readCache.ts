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
  /**
   * A named map inside the cache, with the same validity, keyed by the caller's own key (a number, or a string the
   * request already holds): the hot reads build no key string per request (a concatenated key is flattened and
   * hashed on every lookup). Hold the space; it stays valid across drops of the cache.
   */
  space<K, V>(name: string): ReadSpace<K, V>;
  clear(): void;
}

export interface ReadSpace<K, V> { get(key: K, compute: () => V): V }

const caches = new WeakMap<Engine, ReadCache>();
const MAX_ENTRIES = 50_000;

export function readCache(engine: Engine): ReadCache {
  let c = caches.get(engine);
  if (c) return c;
  const changes = engine.db.prepare('SELECT total_changes()').pluck();
  const map = new Map<string, unknown>();
  const spaces = new Map<string, { map: Map<unknown, unknown>; space: ReadSpace<unknown, unknown> }>();
  let version = -1;
  /** Entries of every map together (the bound). */
  let size = 0;
  const dropAll = () => {
    map.clear();
    for (const s of spaces.values()) s.map.clear();
    size = 0;
  };
  /** Whether the database is as it was when the cached values were computed (drops them if not). */
  const current = () => {
    const v = changes.get() as number;
    if (v !== version) { dropAll(); version = v; }
  };
  function lookup<K, T>(m: Map<K, unknown>, key: K, compute: () => T): T {
    current();
    const hit = m.get(key);
    if (hit !== undefined || m.has(key)) return hit as T;
    const value = compute();
    if (size >= MAX_ENTRIES) dropAll();
    // The computation may itself have written (it should not): only keep values computed on an unchanged database.
    if ((changes.get() as number) === version) { m.set(key, value); size++; }
    return value;
  }
  c = {
    get: <T>(key: string, compute: () => T): T => lookup(map, key, compute),
    space<K, V>(name: string): ReadSpace<K, V> {
      let s = spaces.get(name);
      if (!s) {
        const m = new Map<unknown, unknown>();
        s = { map: m, space: { get: (key, compute) => lookup(m, key, compute) } };
        spaces.set(name, s);
      }
      return s.space as ReadSpace<K, V>;
    },
    clear() { dropAll(); version = -1; },
  };
  engine.onReload(() => c!.clear());
  caches.set(engine, c);
  return c;
}
