import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';
import { ADDED_COLUMNS, SCHEMA, SCHEMA_VERSION } from './schema.js';

/**
 * Loaded-fixture images. Loading a big fixture (65,280 LDEVs and 100,000 pairs) into SQLite costs most of a second of
 * CPU; the database it produces is a 25 MiB image that SQLite deserializes in a few ms. After a big fixture is loaded
 * into a new `:memory:` database, its image is kept (in the process, and in a folder when one is given) and a later
 * start from the same fixture opens the image instead of loading again.
 *
 * The key covers everything the loaded rows depend on: the fixture's text (or, for an object, its JSON), the origin
 * name it records, the schema (its text, not only SCHEMA_VERSION: tables are added without a bump), the emulator's
 * version and the code of the loader (the store and domain modules, read once per process): a change to any gives
 * another key, and the old image is never used. The image is taken before the pair module stamps the load time, so
 * pairs still get the virtual time of the start that uses it.
 *
 * A file holds `MAGIC`, the key, a SHA-256, the fixture's head (fixtureHead.ts) and the image. It is written 0600 in
 * a 0700 folder by rename (never seen half-written), and read only when it is a regular file of ours that no one else
 * may write, whose key and checksum match and whose bytes are an SQLite database; anything else is ignored (and
 * replaced).
 */

/** Fixtures with fewer LDEVs and pairs load faster than an image is hashed, written and read back. */
export const IMAGE_MIN_ROWS = 20_000;
const MAGIC = Buffer.from('VSPIMG02');
/** Magic, key, SHA-256 of what follows, length of the head; then the head (JSON, see fixtureHead.ts) and the image. */
const HEADER = MAGIC.length + 32 + 32 + 4;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Images kept in a folder (the newest by use); each is about 25 MiB for the largest model. */
const KEEP_FILES = 4;
/** Images kept in the process. */
const KEEP_MEMORY = 4;
const FILE = /^fixture-image-[0-9a-f]{64}\.bin$/;

const sha256 = (...parts: Array<string | Buffer>) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

let codeDigest: string | null = null;
/** The loader's code: every module of the store and domain folders (src/ or dist/, whichever runs). */
function loaderCode(): string {
  if (codeDigest !== null) return codeDigest;
  const here = dirname(fileURLToPath(import.meta.url));
  const h = createHash('sha256');
  for (const dir of [here, join(here, '..', 'domain')]) {
    let names: string[] = [];
    try { names = readdirSync(dir).filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).sort(); } catch { /* none */ }
    for (const n of names) h.update(n).update(readFileSync(join(dir, n)));
  }
  return (codeDigest = h.digest('hex'));
}

/** The rows of a fixture section worth an image: its LDEVs and pairs. */
export function fixtureRows(fx: { arrays?: unknown; tables?: unknown }): number {
  let n = 0;
  for (const a of Array.isArray(fx.arrays) ? fx.arrays as Array<{ ldevs?: unknown; pairs?: unknown }> : []) {
    n += (Array.isArray(a.ldevs) ? a.ldevs.length : 0) + (Array.isArray(a.pairs) ? a.pairs.length : 0);
  }
  const t = fx.tables as Record<string, unknown> | undefined;
  if (t && typeof t === 'object') for (const k of ['ldevs', 'pairs']) n += Array.isArray(t[k]) ? (t[k] as unknown[]).length : 0;
  return n;
}

/**
 * The image key of a fixture whose content digests to `content` (fixtureDigest: a file's bytes and the name a document
 * without one gets, or an object's JSON; either way everything its origin name depends on).
 */
export function imageKey(content: string): string {
  return sha256(MAGIC, '\0', VERSION, '\0', String(SCHEMA_VERSION), '\0', SCHEMA, '\0', JSON.stringify(ADDED_COLUMNS), '\0',
    loaderCode(), '\0', content).toString('hex');
}

/** A loaded image and the head of the fixture it was loaded from. */
export interface KeptImage { image: Buffer; head: string }

const memory = new Map<string, KeptImage>();
/** Starts that opened a kept image (`reused`) and loads that kept one (`kept`), for tests and diagnostics. */
export const imageUses = { reused: 0, kept: 0 };

const fileOf = (dir: string, key: string) => join(dir, `fixture-image-${key}.bin`);

/** The image for `key`: from the process, else from `dir` when given and valid. */
export function findImage(key: string, dir?: string): KeptImage | null {
  const kept = memory.get(key);
  if (kept) {
    memory.delete(key); // most recent last
    memory.set(key, kept);
    return kept;
  }
  if (!dir) return null;
  const image = readImageFile(fileOf(dir, key), key);
  if (image) remember(key, image);
  return image;
}

/** Keeps the image of a load just made (in the process, and in `dir` when given: failures to write are ignored). */
export function keepImage(key: string, image: KeptImage, dir?: string): void {
  imageUses.kept++;
  remember(key, image);
  if (dir) void writeImageFile(dir, key, image);
}

function remember(key: string, image: KeptImage): void {
  memory.delete(key);
  memory.set(key, image);
  while (memory.size > KEEP_MEMORY) memory.delete(memory.keys().next().value as string);
}

/** Forgets the images kept in the process (tests). */
export function forgetImages(): void {
  memory.clear();
}

/** A valid image file for `key`, or null: missing, not ours, writable by others, truncated, another key, corrupt. */
export function readImageFile(path: string, key: string): KeptImage | null {
  let fd: number;
  try { fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW); } catch { return null; }
  let data: Buffer;
  try {
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (st.mode & 0o022) !== 0 || (uid !== undefined && st.uid !== uid) || st.size < HEADER + 512) return null;
    data = readFileSync(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  if (data.subarray(MAGIC.length, MAGIC.length + 32).toString('hex') !== key) return null;
  const headLength = data.readUInt32BE(HEADER - 4);
  if (HEADER + headLength >= data.length) return null;
  const image = data.subarray(HEADER + headLength);
  if (!image.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return null;
  if (!sha256(data.subarray(HEADER)).equals(data.subarray(MAGIC.length + 32, HEADER - 4))) return null;
  return { image, head: data.subarray(HEADER, HEADER + headLength).toString('utf8') };
}

/**
 * Writes the file off the start's path: the 25 MiB go out through the thread pool while the start goes on (a
 * synchronous write cost the first start ~0.1 s). The header is made here, synchronously; the image is not changed
 * after (it is the serialize() copy).
 */
function writeImageFile(dir: string, key: string, { image, head }: KeptImage): Promise<void> {
  const path = fileOf(dir, key);
  const tmp = `${path}.${process.pid}.${++writeSeq}.tmp`;
  const headBytes = Buffer.from(head, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headBytes.length);
  const header = Buffer.concat([MAGIC, Buffer.from(key, 'hex'), sha256(headBytes, image), length, headBytes]);
  const write = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await open(tmp, 'wx', 0o600);
    try {
      // Header and image written apart: no third 25 MiB copy of the image.
      await file.write(header);
      for (let at = 0; at < image.length;) at += (await file.write(image, at)).bytesWritten;
    } finally {
      await file.close();
    }
    await rename(tmp, path);
    prune(dir);
  };
  // A cache: a folder we cannot write only costs the next start its load.
  const done = write().catch(() => rm(tmp, { force: true }).catch(() => undefined));
  pending.add(done);
  void done.finally(() => pending.delete(done));
  return done;
}

let writeSeq = 0;
const pending = new Set<Promise<unknown>>();
/** Resolves once every image file this process started writing is written (or given up). */
export async function imagesWritten(): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}

/** Keeps the newest KEEP_FILES images of the folder, and clears abandoned partial writes. */
function prune(dir: string): void {
  const names = readdirSync(dir);
  // What a process that stopped mid-write left (the write goes on after its start): gone after ten minutes.
  for (const n of names.filter((f) => /^fixture-image-[0-9a-f]{64}\.bin\.\d+\.\d+\.tmp$/.test(f))) {
    try { if (Date.now() - statSync(join(dir, n)).mtimeMs > 600_000) rmSync(join(dir, n), { force: true }); } catch { /* gone */ }
  }
  const files = names.filter((n) => FILE.test(n)).map((n) => {
    try { return { n, t: statSync(join(dir, n)).mtimeMs }; } catch { return { n, t: 0 }; }
  });
  files.sort((a, b) => b.t - a.t);
  for (const f of files.slice(KEEP_FILES)) rmSync(join(dir, f.n), { force: true });
}
