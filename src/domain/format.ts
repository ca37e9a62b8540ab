/** Wire formats of the array: times, capacities and ids. Pure functions. */

/** RFC 3339 UTC without fractions, as job times are written: `2026-01-05T10:00:02Z`. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Pair `splitTime`: local-free `YYYY-MM-DDThh:mm:ss` without a zone, as the doc example shows. */
export function splitTimeString(ms: number): string {
  return rfc3339(ms).slice(0, 19);
}

export const BLOCK = 512;
const UNITS: Array<[string, number]> = [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]];

/**
 * Parses the request form of `byteFormatCapacity` ("128G", "1.5T", "47M", base 1024) into 512-byte blocks,
 * rounding up to a whole block. Returns null when the string is not a capacity.
 */
export function parseByteFormat(value: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([TGMK])B?\s*$/i.exec(value);
  if (!m) return null;
  const unit = UNITS.find(([u]) => u === m[2]!.toUpperCase())![1];
  const bytes = Number(m[1]) * unit;
  if (!Number.isFinite(bytes) || bytes <= 0) return null;
  return Math.ceil(bytes / BLOCK);
}

/** The response form of `byteFormatCapacity`: two decimals and the largest unit that keeps the value >= 1 ("1.00 G"). */
export function formatByteFormat(blocks: number): string {
  const bytes = blocks * BLOCK;
  for (const [u, size] of UNITS) {
    if (bytes >= size) return `${(Math.floor((bytes / size) * 100) / 100).toFixed(2)} ${u}`;
  }
  return `${(bytes / 1024).toFixed(2)} K`;
}

export const MIB_BLOCKS = 2048;
export function blocksToMiB(blocks: number): number {
  return Math.floor(blocks / MIB_BLOCKS);
}
export function gibToBlocks(gib: number): number {
  return Math.round(gib * 2 * 1024 * 1024);
}
