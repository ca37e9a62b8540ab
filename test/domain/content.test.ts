import { describe, expect, it } from 'vitest';
import { chunkSpan, chunkValue, Fingerprint, geometry, mix53, parseBytes, parsePattern, primitivePattern, writeData } from '../../src/domain/content.js';

const g = geometry(1024, 42);
const MiB = 2 ** 20;

describe('content domain rules', () => {
  it('geometry: whole KiB chunks that divide the DP page', () => {
    expect(g).toEqual({ chunkBytes: MiB, chunkBlocks: 2048, pageBytes: 42 * MiB, pageBlocks: 86016, chunksPerPage: 42 });
    expect(geometry(64, 42).chunksPerPage).toBe(672);
    expect(() => geometry(4096, 42)).toThrow('contentChunkKiB (4096) must divide the DP page (42 MiB)');
    expect(() => geometry(0.5, 42)).toThrow('contentChunkKiB must be a whole number of KiB >= 1, got 0.5');
  });

  it('sizes: bytes or a number with a binary unit, whole bytes only', () => {
    expect([parseBytes(4096), parseBytes('4096'), parseBytes('4K'), parseBytes('1.5G'), parseBytes('2TiB'), parseBytes('512B'), parseBytes(' 1 M ')])
      .toEqual([4096, 4096, 4096, 1.5 * 2 ** 30, 2 * 2 ** 40, 512, MiB]);
    expect([parseBytes(-1), parseBytes(1.5), parseBytes('1.5'), parseBytes('0.1K'), parseBytes('1Q'), parseBytes(''), parseBytes(null)])
      .toEqual([null, null, null, null, null, null, null]);
  });

  it('patterns: text or 0x hex, reduced to their shortest period', () => {
    expect(Buffer.from(parsePattern('AB')!).toString()).toBe('AB');
    expect(Buffer.from(parsePattern('0xdeadBEEF')!).toString('hex')).toBe('deadbeef');
    expect([parsePattern(''), parsePattern('0x'), parsePattern('0xabc'), parsePattern('0xzz'), parsePattern('x'.repeat(4097))]).toEqual([null, null, null, null, null]);
    expect(Buffer.from(primitivePattern(parsePattern('abcabcabc')!)).toString()).toBe('abc');
    expect(Buffer.from(primitivePattern(parsePattern('abcab')!)).toString()).toBe('abcab');
    expect(writeData({ kind: 'pattern', bytes: parsePattern('0x0000')! }, 0).zero).toBe(true);
  });

  it('chunk values come from the data: equal data equal values, zeros 0, partial writes fold into the old value', () => {
    const ab = writeData({ kind: 'pattern', bytes: parsePattern('AB')! }, 0);
    const abab = writeData({ kind: 'pattern', bytes: parsePattern('ABAB')! }, 2 * MiB);
    expect(chunkValue(ab, g, 3, 0, MiB, 0)).toBe(chunkValue(abab, g, 3, 0, MiB, 77));
    const ba = writeData({ kind: 'pattern', bytes: parsePattern('AB')! }, 1);
    expect(chunkValue(ba, g, 3, 0, MiB, 0)).not.toBe(chunkValue(ab, g, 3, 0, MiB, 0));
    const zero = writeData({ kind: 'pattern', bytes: parsePattern('0x00')! }, 0);
    expect([chunkValue(zero, g, 0, 0, MiB, 5), chunkValue(zero, g, 0, 0, 512, 0)]).toEqual([0, 0]);
    expect(chunkValue(zero, g, 0, 0, 512, 5)).not.toBe(5);
    const s1 = writeData({ kind: 'seed', seed: 1 }, 0);
    const s1later = writeData({ kind: 'seed', seed: 1 }, 10 * MiB);
    expect(chunkValue(s1, g, 2, 0, MiB, 0)).toBe(chunkValue(s1later, g, 12, 0, MiB, 0));
    expect(chunkValue(s1, g, 2, 0, MiB, 0)).not.toBe(chunkValue(s1, g, 3, 0, MiB, 0));
    const v = chunkValue(s1, g, 0, 0, 4096, 9);
    expect(v).not.toBe(chunkValue(s1, g, 0, 0, 4096, 10));
    expect(Number.isSafeInteger(v) && v > 0).toBe(true);
  });

  it('mix53 spreads: a million inputs, no collisions, all safe integers above 0', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) seen.add(mix53(7, i));
    expect(seen.size).toBe(1_000_000);
    expect([...seen].every((x) => Number.isSafeInteger(x) && x > 0)).toBe(true);
  });

  it('a byte range touches whole chunks; the first and last may be partial', () => {
    const s = chunkSpan(g, MiB + 4096, MiB);
    expect([s.first, s.last, s.startIn(1), s.endIn(1), s.startIn(2), s.endIn(2)]).toEqual([1, 2, 4096, MiB, 0, 4096]);
  });

  it('fingerprints: the size and the non-zero chunks in order, zeros skipped', () => {
    const f = (size: number, chunks: Array<[number, number]>) => {
      const x = new Fingerprint(MiB, size);
      for (const [c, v] of chunks) x.add(c, v);
      return x.digest();
    };
    expect(f(4 * MiB, [[1, 5]])).toBe(f(4 * MiB, [[0, 0], [1, 5], [3, 0]]));
    expect(f(4 * MiB, [[1, 5]])).not.toBe(f(4 * MiB, [[2, 5]]));
    expect(f(4 * MiB, [])).not.toBe(f(5 * MiB, []));
    const big = new Fingerprint(MiB, 2 ** 40);
    for (let c = 0; c < 10_000; c++) big.add(c, c + 1);
    expect([big.written, big.digest()]).toEqual([10_000, expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });
});
