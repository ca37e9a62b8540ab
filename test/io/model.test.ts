import { describe, expect, it } from 'vitest';
import { chunkValue, Fingerprint, geometry, writeData } from '../../src/domain/content.js';
import { createRng } from '../../src/engine/rng.js';
import {
  EMU, MiB, act, closeAfterEach, createPair, del, expectBooksBalanced, snapBody, startIo, statusOf, written, type TestApp,
} from './ioKit.js';

/**
 * The content model against a reference that copies whole volumes: a seeded random run of host writes (P-VOL and
 * S-VOLs), splits, resyncs, restores, deletes and creates on four snapshots of one P-VOL and a cascaded snapshot of
 * the first S-VOL, checking after every step that each volume a host can read fingerprints as the reference says
 * and that the pool books balance.
 */

const CHUNKS = 16;
const g = geometry(1024, 42);
type Image = Array<number>;
const zeros = (): Image => new Array<number>(CHUNKS).fill(0);

interface RefPair { pvol: number; mu: number; svol: number; split: boolean; snap: Image; svolWrites: Map<number, number> }

let t: TestApp;
closeAfterEach(() => t);

function fingerprint(img: Image): string {
  const f = new Fingerprint(g.chunkBytes, CHUNKS * g.chunkBytes);
  img.forEach((v, c) => f.add(c, v));
  return f.digest();
}

describe('content model against a copying reference', () => {
  for (const seed of [1, 2, 3]) {
    it(`random run ${seed}: every readable volume holds what a full copy would`, async () => {
      t = await startIo({ ldevs: [10, 11, 12, 13, 14, 15].map((ldevId) => ({ ldevId, capacity: '16M' })) });
      const rng = createRng(seed);
      const pick = (n: number) => Math.floor(rng.next() * n);
      const pvol: Image = zeros();
      const pairs: RefPair[] = [0, 1, 2, 3].map((mu) => ({ pvol: 10, mu, svol: 11 + mu, split: false, snap: zeros(), svolWrites: new Map() }));
      let l2: RefPair | null = null;
      let nextSeed = 1000 * seed;

      const viewOf = (p: RefPair): Image => p.snap.map((v, c) => p.svolWrites.get(c) ?? v);
      /** What LDEV `ldev` reads, and whether a host can read it. */
      const image = (ldev: number): Image | null => {
        if (ldev === 10) return pvol;
        if (ldev === 15) return !l2 ? zeros() : l2.split ? viewOf(l2) : null;
        const p = pairs.find((q) => q.svol === ldev);
        return p && p.split ? viewOf(p) : null;
      };
      const writeTo = async (ldev: number) => {
        const first = pick(CHUNKS);
        const n = 1 + pick(Math.min(4, CHUNKS - first));
        const s = nextSeed++;
        await written(t, ldev, { offset: first * MiB, length: n * MiB, seed: s });
        const d = writeData({ kind: 'seed', seed: s }, first * MiB);
        const values = Array.from({ length: n }, (_, i) => chunkValue(d, g, first + i, 0, g.chunkBytes, 0));
        if (ldev === 10) values.forEach((v, i) => { pvol[first + i] = v; });
        else {
          const p = l2 && ldev === l2.svol ? l2 : pairs.find((q) => q.svol === ldev)!;
          values.forEach((v, i) => p.svolWrites.set(first + i, v));
          // The S-VOL of the first pair is the P-VOL of the cascaded one: nothing else to do, its snapshot is a copy.
        }
      };
      const ok = async (r: Promise<{ status: number; body: { state?: string } }>) => {
        const res = await r;
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        expect(res.body.state, JSON.stringify(res.body)).toBe('Succeeded');
      };

      for (const p of pairs) await ok(createPair(t, snapBody(10, p.svol, { muNumber: p.mu })));
      for (let step = 0; step < 150; step++) {
        const r = pick(100);
        const p = pairs[pick(pairs.length)]!;
        if (r < 30) await writeTo(10);
        else if (r < 50) {
          const readable = [...pairs, ...(l2 ? [l2] : [])].filter((q) => q.split);
          if (readable.length) await writeTo(readable[pick(readable.length)]!.svol);
        } else if (r < 60) {
          if (!p.split) { await ok(act(t, 10, p.mu, 'split')); p.split = true; p.snap = [...pvol]; p.svolWrites.clear(); }
        } else if (r < 68) {
          if (p.split) { await ok(act(t, 10, p.mu, 'resync', { parameters: { autoSplit: false } })); p.split = false; p.svolWrites.clear(); }
        } else if (r < 78) {
          if (p.split) {
            const autoSplit = pick(2) === 1;
            await ok(act(t, 10, p.mu, 'restore', { parameters: { autoSplit } }));
            viewOf(p).forEach((v, c) => { pvol[c] = v; });
            p.split = autoSplit;
            p.snap = [...pvol];
            p.svolWrites.clear();
          }
        } else if (r < 84) {
          if (p.mu !== 0) {
            await ok(del(t, 10, p.mu));
            await ok(createPair(t, snapBody(10, p.svol, { muNumber: p.mu, autoSplit: true })));
            p.split = true; p.snap = [...pvol]; p.svolWrites.clear();
          }
        } else {
          // The cascaded snapshot of LDEV 11 (the first pair's S-VOL) into LDEV 15.
          const parent = pairs[0]!;
          const under = () => (parent.split ? viewOf(parent) : zeros());
          if (!l2) {
            await ok(createPair(t, snapBody(11, 15, { muNumber: 0, autoSplit: true })));
            l2 = { pvol: 11, mu: 0, svol: 15, split: true, snap: under(), svolWrites: new Map() };
          } else if (!l2.split) {
            await ok(act(t, 11, 0, 'split')); l2.split = true; l2.snap = under(); l2.svolWrites.clear();
          } else if (r < 90 || !parent.split) {
            await ok(act(t, 11, 0, 'resync', { parameters: { autoSplit: false } })); l2.split = false; l2.svolWrites.clear();
          } else if (r < 95) {
            await ok(act(t, 11, 0, 'restore', { parameters: { autoSplit: true } }));
            viewOf(l2).forEach((v, c) => { if (viewOf(parent)[c] !== v) parent.svolWrites.set(c, v); });
            l2.snap = viewOf(parent); l2.svolWrites.clear();
          } else {
            await ok(del(t, 11, 0)); l2 = null;
          }
        }

        for (const ldev of [10, 11, 12, 13, 14, 15]) {
          const want = image(ldev);
          const r2 = await t.http.get(`${EMU}/io/fingerprint`).query({ ldevId: ldev });
          if (want === null) {
            expect(r2.status, `step ${step}: LDEV ${ldev} should not be readable`).toBe(409);
          } else {
            expect(r2.status, JSON.stringify(r2.body)).toBe(200);
            expect(r2.body.fingerprint, `step ${step} (op ${r}): LDEV ${ldev}`).toBe(fingerprint(want));
          }
        }
        for (const q of pairs) expect(await statusOf(t, 10, q.mu)).toBe(q.split ? 'PSUS' : 'PAIR');
        expectBooksBalanced(t);
      }
    });
  }
});
