import { createHash } from 'node:crypto';
import { BLOCK } from './format.js';

/**
 * Volume content, as the host I/O model sees it (pure rules, no SQL). An LDEV is a sparse row of fixed-size
 * chunks; each chunk holds a content value: a 53-bit number derived from the data written there, 0 for zeros.
 * Values are derived from the data itself (what was written, at which distance from the write's start), not from
 * when or where it was written, so equal data gives equal values however it got there (a host write, a restore,
 * a clone copy): fingerprints compare content.
 */

/** Chunk and DP page sizes in force for an array. */
export interface Geometry {
  chunkBytes: number;
  chunkBlocks: number;
  pageBytes: number;
  pageBlocks: number;
  chunksPerPage: number;
}

/** The chunk and DP page geometry; the chunk is whole 512-byte blocks and divides the page. */
export function geometry(chunkKiB: number, pageMiB: number): Geometry {
  if (!Number.isInteger(chunkKiB) || chunkKiB < 1) throw new Error(`contentChunkKiB must be a whole number of KiB >= 1, got ${chunkKiB}`);
  if (!Number.isInteger(pageMiB) || pageMiB < 1) throw new Error(`dpPageMiB must be a whole number of MiB >= 1, got ${pageMiB}`);
  const chunkBytes = chunkKiB * 1024;
  const pageBytes = pageMiB * 1024 * 1024;
  if (pageBytes % chunkBytes !== 0) throw new Error(`contentChunkKiB (${chunkKiB}) must divide the DP page (${pageMiB} MiB)`);
  return { chunkBytes, chunkBlocks: chunkBytes / BLOCK, pageBytes, pageBlocks: pageBytes / BLOCK, chunksPerPage: pageBytes / chunkBytes };
}

/** What a write puts on the volume: a repeated byte pattern or pseudo-random bytes from a seed. */
export type DataSpec =
  | { kind: 'pattern'; bytes: Uint8Array }
  | { kind: 'seed'; seed: number };

/** The data of one write, ready to give chunk values: its spec, a hash of it, and where the write starts. */
export interface WriteData {
  spec: DataSpec;
  /** Hash of the data's definition (pattern bytes after reduction to their shortest period, or the seed). */
  base: number;
  /** The data is all zeros. */
  zero: boolean;
  /** Byte address of the write's first byte: data repeats (pattern) or runs (seed) from there. */
  origin: number;
}

export const MAX_PATTERN_BYTES = 4096;

/** A pattern as given: `0x` + hex digits is bytes, anything else is its UTF-8 text. Null when unusable. */
export function parsePattern(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  let bytes: Uint8Array;
  if (/^0x/i.test(text)) {
    const hex = text.slice(2);
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) return null;
    bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  } else {
    bytes = Uint8Array.from(Buffer.from(text, 'utf8'));
  }
  return bytes.length === 0 || bytes.length > MAX_PATTERN_BYTES ? null : bytes;
}

/** The shortest period of a byte pattern ("abab" → "ab"), so equal byte streams get one definition. */
export function primitivePattern(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  // Knuth-Morris-Pratt failure function: the shortest period is n - fail[n-1] when it divides n.
  const fail = new Int32Array(n);
  for (let i = 1, k = 0; i < n; i++) {
    while (k > 0 && bytes[i] !== bytes[k]) k = fail[k - 1]!;
    if (bytes[i] === bytes[k]) k++;
    fail[i] = k;
  }
  const period = n - fail[n - 1]!;
  return n % period === 0 ? bytes.slice(0, period) : bytes;
}

/** 53-bit value of the first bytes of a SHA-256 over `text`. */
function hash53(text: string): number {
  const d = createHash('sha256').update(text).digest();
  return (d.readUInt32BE(0) & 0x1fffff) * 4294967296 + d.readUInt32BE(4);
}

/**
 * A fast 53-bit mix of non-negative integers below 2^53 (cyrb53's mixing over the 32-bit halves). Not for secrets;
 * the content model only needs different data to give different values with overwhelming likelihood.
 */
export function mix53(a: number, b: number, c = 0, d = 0, e = 0): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const v of [a, b, c, d, e]) {
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h1 = Math.imul(h1 ^ lo, 2654435761); h2 = Math.imul(h2 ^ lo, 1597334677);
    h1 = Math.imul(h1 ^ hi, 2654435761); h2 = Math.imul(h2 ^ hi, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const v = 4294967296 * (0x1fffff & h2) + (h1 >>> 0);
  return v === 0 ? 1 : v; // 0 is reserved for zeros
}

/** Write data from a spec, starting at byte address `origin` of the volume. */
export function writeData(spec: DataSpec, origin: number): WriteData {
  if (spec.kind === 'seed') return { spec, base: hash53(`seed:${spec.seed}`), zero: false, origin };
  const bytes = primitivePattern(spec.bytes);
  const zero = bytes.length === 1 && bytes[0] === 0;
  return { spec: { kind: 'pattern', bytes }, base: hash53(`pattern:${Buffer.from(bytes).toString('hex')}`), zero, origin };
}

/** Where in its data definition the byte at address `x` falls: bytes since the write's start, or the pattern offset. */
function phaseAt(d: WriteData, x: number): number {
  const since = x - d.origin;
  return d.spec.kind === 'pattern' ? since % d.spec.bytes.length : since;
}

/**
 * The value of chunk `chunk` after the write covered its bytes [relStart, relEnd) (chunk-relative). A whole-chunk
 * write depends only on the data; a partial one folds the data into the chunk's previous value `old` (so two
 * chunks that received the same partial writes in the same order compare equal) [I: per-chunk model].
 */
export function chunkValue(d: WriteData, g: Geometry, chunk: number, relStart: number, relEnd: number, old: number): number {
  const start = chunk * g.chunkBytes + relStart;
  if (relStart === 0 && relEnd === g.chunkBytes) return d.zero ? 0 : mix53(d.base, phaseAt(d, start));
  if (d.zero && old === 0) return 0;
  return mix53(old, relStart, relEnd, d.base, phaseAt(d, start));
}

/** Chunks `first..last` (inclusive) a byte range touches, with the chunk-relative part of the first and last. */
export function chunkSpan(g: Geometry, offset: number, length: number) {
  const first = Math.floor(offset / g.chunkBytes);
  const last = Math.floor((offset + length - 1) / g.chunkBytes);
  return {
    first, last,
    startIn: (c: number) => (c === first ? offset - first * g.chunkBytes : 0),
    endIn: (c: number) => (c === last ? offset + length - last * g.chunkBytes : g.chunkBytes),
  };
}

/**
 * A byte count as the control plane takes it: a whole number of bytes, or a number with a binary unit ("4K", "1M",
 * "1.5G", "2TiB"). Null when it is neither or not a whole number of bytes.
 */
export function parseBytes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(v);
  if (!m) return null;
  const unit = m[2] ? 1024 ** ('KMGT'.indexOf(m[2].toUpperCase()) + 1) : 1;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The streaming fingerprint of a chunk range: SHA-256 over the range size and each non-zero (relative chunk, value). */
export class Fingerprint {
  private readonly h = createHash('sha256');
  private readonly buf = Buffer.alloc(16 * 4096);
  private used = 0;
  private count = 0;

  /** A fingerprint of `bytes` bytes of content cut in chunks of `chunkBytes`. */
  constructor(chunkBytes: number, bytes: number) {
    this.h.update(`vsp-emulator content v1 chunk=${chunkBytes} bytes=${bytes}\n`);
  }

  /** Adds a chunk (relative to the range start, in increasing order); zeros are skipped, as unwritten space. */
  add(relChunk: number, value: number): void {
    if (value === 0) return;
    const b = this.buf;
    let o = this.used;
    b.writeUInt32BE(Math.floor(relChunk / 4294967296), o); b.writeUInt32BE(relChunk >>> 0, o + 4);
    b.writeUInt32BE(Math.floor(value / 4294967296), o + 8); b.writeUInt32BE(value >>> 0, o + 12);
    o += 16;
    this.count++;
    if (o === b.length) { this.h.update(b); o = 0; }
    this.used = o;
  }

  /** Non-zero chunks added so far. */
  get written(): number { return this.count; }

  digest(): string {
    if (this.used) this.h.update(this.buf.subarray(0, this.used));
    return this.h.digest('hex');
  }
}
