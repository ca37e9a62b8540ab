import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite database; `:memory:` keeps nothing. */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path === ':memory:') {
    db.pragma('journal_mode = MEMORY');
  } else {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = OFF');
  const existing = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").get();
  if (existing) {
    const row = db.prepare("SELECT value FROM meta WHERE key='schema_version'").get() as { value: string } | undefined;
    if (row && Number(row.value) !== SCHEMA_VERSION) {
      db.close();
      throw new Error(`database ${path} has schema version ${row.value}, this emulator needs ${SCHEMA_VERSION}; ` +
        'start with a new --db file (or :memory:)');
    }
  }
  db.exec(SCHEMA);
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  return db;
}

/** Small typed key/value store for counters and clock state. */
export function createMeta(db: Db) {
  const get = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    get(key: string): string | undefined { return get.get(key) as string | undefined; },
    set(key: string, value: string): void { set.run(key, value); },
    /** Next value of a monotonically increasing counter (job ids, session ids). */
    next(key: string): number {
      const v = Number(get.get(key) ?? '0') + 1;
      set.run(key, String(v));
      return v;
    },
  };
}
export type Meta = ReturnType<typeof createMeta>;
