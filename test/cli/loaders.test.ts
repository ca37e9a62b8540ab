import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, resolveTiming } from '../../src/engine/context.js';
import { openDb } from '../../src/store/db.js';
import { FIXTURES_DIR, readFixture, validateFixture, type Fixture } from '../../src/store/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vsp-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const failure = (f: () => unknown) => {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('did not fail');
};

describe('fixture files', () => {
  it('every shipped fixture passes the key check', () => {
    const names = readdirSync(FIXTURES_DIR).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)));
    expect(names.length).toBeGreaterThan(5);
    for (const f of names) expect(() => readFixture(join(FIXTURES_DIR, f)), f).not.toThrow();
  });

  it('an unknown key is refused with the file, the path and the key, at any level', () => {
    const typo = file('typo.yaml', 'name: t\narrays:\n  - model: VSP E990\n    serialNumber: 1\n    ldevz: []\n');
    expect(failure(() => readFixture(typo))).toBe(`${typo}: unknown key "ldevz" at arrays[0].ldevz (known: storageDeviceId, model, serialNumber, ` +
      'svpIp, ctl1Ip, ctl2Ip, dkcMicroVersion, modelFacts, users, pools, ldevs, ports, luns, pairs)');
    const deep = file('deep.json', JSON.stringify({ arrays: [{ model: 'VSP E990', serialNumber: 1, pools: [{ poolId: 0, poolName: 'p', poolType: 'HDP', capacity: '1T', treshold: 5 }] }] }));
    expect(failure(() => readFixture(deep))).toMatch(new RegExp(`^${deep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: unknown key "treshold" at arrays\\[0\\]\\.pools\\[0\\]\\.treshold \\(known: `));
    const top = file('top.yaml', 'arrays: [{ model: VSP E990, serialNumber: 1 }]\npairz: []\n');
    expect(failure(() => readFixture(top))).toMatch(/top\.yaml: unknown key "pairz" at pairz \(known: name, description, /);
    // A map key that would reach a prototype is refused too.
    const proto = JSON.parse('{"arrays":[{"model":"VSP E990","serialNumber":1}],"errors":{"__proto__":{"status":500}}}') as Fixture;
    expect(failure(() => validateFixture(proto, 'x'))).toBe('x: key "__proto__" is not allowed at errors.__proto__');
  });

  it('YAML and JSON syntax errors name the file, line and column, and quote nothing of it', () => {
    const yaml = file('bad.yaml', 'name: x\narrays:\n  - model: [VSP E990 top-secret-line\n    serialNumber: 1\n');
    const ymsg = failure(() => readFixture(yaml));
    expect(ymsg).toMatch(new RegExp(`^${yaml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid YAML at line \\d+, column \\d+ \\([A-Z_]+\\)$`));
    const json = file('bad.json', '{\n  "arrays": [\n    {"model": "top-secret" "serialNumber": 1}\n  ]\n}\n');
    expect(failure(() => readFixture(json))).toBe(`${json}: not valid JSON at line 3, column 28`);
    expect(failure(() => readFixture(join(dir, 'absent.yaml')))).toBe(`fixture "${join(dir, 'absent.yaml')}" not found (looked in ${FIXTURES_DIR} and as a path)`);
  });
});

describe('timing files', () => {
  it('unknown keys, operation and transition names are refused with the file and the path; numbers must be ≥ 0', () => {
    expect(failure(() => resolveTiming(file('t1.json', '{"jobMS": {}}')))).toBe(`${join(dir, 't1.json')}: unknown key "jobMS" at jobMS ` +
      '(known: name, jobQueuedMs, jobMs, transitionMs, cloneSecondsPerGiB)');
    expect(failure(() => resolveTiming(file('t2.json', '{"jobMs": {"ldev.craete": 5}}')))).toMatch(/t2\.json: unknown key "ldev\.craete" at jobMs\.ldev\.craete \(known: default, /);
    expect(failure(() => resolveTiming(file('t3.json', '{"transitionMs": {"pair.create": -1}}')))).toBe(`${join(dir, 't3.json')}: transitionMs.pair.create must be a number of milliseconds ≥ 0`);
    expect(failure(() => resolveTiming(file('t4.json', '{"cloneSecondsPerGiB": {"fastest": 1}}')))).toMatch(/unknown key "fastest" at cloneSecondsPerGiB\.fastest \(known: slower, medium, faster\)/);
    expect(failure(() => resolveTiming(file('t5.json', '{"jobMs": {')))).toBe(`${join(dir, 't5.json')}: not valid JSON at line 1, column 12`);
    const ok = resolveTiming(file('t6.json', '{"name": "fast", "jobMs": {"ldev.create": 5}, "transitionMs": {"pair.restore.perGiB": 1}}'));
    expect(ok).toMatchObject({ name: 'fast', jobMs: { 'ldev.create': 5, 'ldev.delete': 1500 }, transitionMs: { 'pair.restore.perGiB': 1 } });
    expect(resolveTiming('instant').name).toBe('instant');
    expect(failure(() => resolveTiming('constructor'))).toMatch(/^constructor: cannot be read/);
  });

  it('a fixture\'s timing section is checked the same way', () => {
    const fx = { arrays: [{ model: 'VSP E990', serialNumber: 1 }], timing: { jobQueuedMS: 1 } } as unknown as Fixture;
    expect(failure(() => validateFixture(fx, 'f.yaml'))).toMatch(/^f\.yaml: unknown key "jobQueuedMS" at timing\.jobQueuedMS/);
  });
});

describe('database files', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;

  it('a new database, its -wal and -shm are created 0600 (whatever the umask lets through)', () => {
    const path = join(dir, 'data', 'new.sqlite');
    const db = openDb(path);
    db.prepare("INSERT INTO meta (key, value) VALUES ('probe', '1')").run();
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    expect(mode(join(dir, 'data'))).toBe(0o700);
    db.close();
    // A file that already exists keeps the mode its owner gave it.
    chmodSync(path, 0o640);
    openDb(path).close();
    expect(mode(path)).toBe(0o640);
  });

  it('a database that cannot be opened is named in the error', () => {
    const plain = file('plain.txt', 'not a database at all, just some text long enough to be read as a header');
    expect(failure(() => openDb(join(plain, 'x.sqlite')))).toMatch(new RegExp(`^database ${join(plain, 'x.sqlite').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot be opened \\(E[A-Z]+\\)$`));
    expect(failure(() => openDb(dir))).toBe(`database ${dir}: cannot be opened (EISDIR)`);
    expect(failure(() => openDb(plain))).toBe(`database ${plain}: file is not a database`);
    expect(failure(() => createEngine({ db: dir }))).toBe(`database ${dir}: cannot be opened (EISDIR)`);
  });
});
