import { parseDataFile, type Fixture, type FixtureSource } from './fixture.js';

/**
 * A big fixture's head: everything but the LDEV and pair lists of its arrays, which are 99% of a 15 MiB file. A start
 * that opens a loaded image (store/image.ts) needs no rows from the fixture, so it takes the head kept with the image
 * and leaves the lists to be parsed from the file's bytes (kept in memory: the same bytes the image was keyed by) the
 * first time something reads them (a reset, an array on demand). The image exists only because these bytes passed
 * validateFixture and loaded under the same code, so they are not checked again.
 */
const LISTS = ['ldevs', 'pairs'] as const;

/** The head of a parsed fixture, as JSON: the fixture without its arrays' lists, and which lists each array had. */
export function fixtureHead(fx: Fixture): string {
  const lists: string[][] = [];
  const arrays = fx.arrays.map((a) => {
    const rest: Record<string, unknown> = { ...a };
    lists.push(LISTS.filter((k) => Object.hasOwn(a, k)));
    for (const k of LISTS) delete rest[k];
    return rest;
  });
  return JSON.stringify({ fx: { ...fx, arrays }, lists });
}

/** The fixture of `head` whose arrays read their lists from `bytes` (the file `src`) when first asked for. */
export function fixtureFromHead(head: string, bytes: Buffer, src: FixtureSource): Fixture {
  const { fx, lists } = JSON.parse(head) as { fx: Fixture; lists: string[][] };
  let full: Fixture | null = null;
  const parsed = () => (full ??= parseDataFile(src.path, src.shown, undefined, bytes) as Fixture);
  fx.arrays.forEach((a, i) => {
    for (const k of lists[i] ?? []) {
      const settle = (value: unknown) => Object.defineProperty(a, k, { value, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(a, k, {
        enumerable: true, configurable: true,
        get: () => { const v = parsed().arrays[i]![k]; settle(v); return v; },
        set: (v: unknown) => { settle(v); },
      });
    }
  });
  return fx;
}
