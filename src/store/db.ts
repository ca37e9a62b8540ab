import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ADDED_COLUMNS, SCHEMA, SCHEMA_VERSION } from './schema.js';

/** The database handle. An interface (not an alias) so that declarations emitted for the package can name it. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Db extends Database.Database {}

/** Database files hold passwords and session tokens: owner-only, as are the -wal and -shm files SQLite makes beside them. */
export const DB_FILE_MODE = 0o600;

/**
 * Opens (creating if needed) the SQLite database; `:memory:` keeps nothing. A new file is created 0600 before SQLite
 * opens it (SQLite gives its -wal and -shm files the database file's mode). Every failure names the file.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') prepareFile(path);
  let db: Db | undefined;
  try {
    db = new Database(path);
    return prepareDb(db, path);
  } catch (e) {
    try { db?.close(); } catch { /* already failing */ }
    throw new Error(`database ${path}: ${(e as Error).message}`);
  }
}

/**
 * A `:memory:` database made from an image `serialize()` took of one (SQLite copies the bytes: the image can serve
 * again), set up as openDb sets up a new one. Throws when the image is not a database this emulator can use.
 */
export function openDbImage(image: Buffer): Db {
  let db: Db | undefined;
  try {
    db = new Database(image);
    return prepareDb(db, ':memory:');
  } catch (e) {
    try { db?.close(); } catch { /* already failing */ }
    throw new Error(`database image: ${(e as Error).message}`);
  }
}

/** Pragmas, the schema check, and the tables, indexes and columns a database of this version has. */
function prepareDb(db: Db, path: string): Db {
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
      throw new Error(`it has schema version ${row.value}, this emulator needs ${SCHEMA_VERSION}; start with a new --db file (or :memory:)`);
    }
  }
  db.exec(SCHEMA);
  addMissingColumns(db);
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  return db;
}

/** Adds the columns of ADDED_COLUMNS that a table lacks (new databases and files made by older versions alike). */
function addMissingColumns(db: Db): void {
  for (const [table, column, decl] of ADDED_COLUMNS) {
    const has = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
    if (!has) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${decl}`);
  }
}

/**
 * The folder (0700 when made here) and the file (0600 when made here), before SQLite opens it. An existing file
 * keeps its mode: it is not ours to change (it may not even be a database).
 */
function prepareFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', DB_FILE_MODE));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`database ${path}: cannot be opened (${err.code ?? err.message})`);
  }
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

/**
 * Runs `fill` (a bulk insert, inside the caller's transaction) with the secondary indexes of `tables` dropped, then
 * makes them again from their own SQL: SQLite builds an index from sorted data several times faster than it keeps
 * one up to date row by row (100,000 pairs carry five). Every index comes back exactly as it was declared, and a
 * UNIQUE one still refuses duplicates (the CREATE fails, the caller's transaction rolls back).
 */
export function withIndexesDeferred<T>(db: Db, tables: string[], fill: () => T): T {
  const marks = tables.map(() => '?').join(', ');
  const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${marks})`)
    .all(...tables) as Array<{ name: string; sql: string }>;
  for (const i of indexes) db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
  const out = fill();
  for (const i of indexes) db.exec(i.sql);
  return out;
}
