import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/context.js';
import { readCache } from '../../src/engine/readCache.js';

describe('read cache spaces (unit)', () => {
  const engines: Array<ReturnType<typeof createEngine>> = [];
  afterEach(() => { for (const e of engines.splice(0)) e.close(); });
  const engine = () => { const e = createEngine({ timing: 'instant' }); engines.push(e); return e; };
  const write = (e: ReturnType<typeof createEngine>) => e.meta.set('read-cache-test', String(Math.random()));

  it('a space answers from the cache while the database is unchanged, and computes again after any write', () => {
    const e = engine();
    const space = readCache(e).space<number, string>('t');
    let computed = 0;
    const read = () => space.get(7, () => `v${++computed}`);
    expect([read(), read()]).toEqual(['v1', 'v1']);
    write(e);
    expect([read(), read()]).toEqual(['v2', 'v2']);
  });

  it('keeps an undefined answer (an unknown session token) like any other until a write', () => {
    const e = engine();
    const space = readCache(e).space<string, string | undefined>('t');
    let computed = 0;
    const read = () => space.get('nope', () => { computed++; return undefined; });
    read(); read();
    expect(computed).toBe(1);
    write(e);
    read();
    expect(computed).toBe(2);
  });

  it('spaces and string keys are separate maps dropped together; the same name gives the same space', () => {
    const e = engine();
    const c = readCache(e);
    expect(c.space('a')).toBe(c.space('a'));
    c.space<number, string>('a').get(1, () => 'a1');
    c.space<number, string>('b').get(1, () => 'b1');
    c.get('1', () => 'plain');
    expect(c.space<number, string>('a').get(1, () => 'again')).toBe('a1');
    expect(c.space<number, string>('b').get(1, () => 'again')).toBe('b1');
    expect(c.get('1', () => 'again')).toBe('plain');
    c.clear();
    expect(c.space<number, string>('a').get(1, () => 'fresh')).toBe('fresh');
    expect(c.get('1', () => 'fresh')).toBe('fresh');
  });

  it('never keeps a value whose computation wrote to the database', () => {
    const e = engine();
    const space = readCache(e).space<number, number>('t');
    let computed = 0;
    space.get(1, () => { write(e); return ++computed; });
    space.get(1, () => ++computed);
    expect(computed).toBe(2);
  });
});
