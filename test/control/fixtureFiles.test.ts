import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { EMU, startControl } from './support.js';

const notFound = (name: string) => ({ error: 'fixtureNotFound', message: `no fixture ${JSON.stringify(name)} in the fixtures folder` });

describe('fixtures over HTTP: names inside the fixtures folder only', () => {
  let t: TestApp;
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'vsp-fixtures-')); });
  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a path is "no such fixture" whether it exists or not, on reset and on arrays; nothing of the file is read', async () => {
    t = await startControl();
    for (const name of ['/etc/ssl/openssl.cnf', '/etc/passwd', '/no/such/file.yaml', '../fixtures/default', 'fixtures/default', '.hidden', 'default/']) {
      const reset = await t.http.post(`${EMU}/reset`).send({ fixture: name });
      expect(reset.status, name).toBe(404);
      expect(reset.body, name).toEqual(notFound(name));
      const arrays = await t.http.post(`${EMU}/arrays`).send({ fixture: name });
      expect(arrays.status, name).toBe(404);
      expect(arrays.body, name).toEqual(notFound(name));
    }
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: 'g900' })).body).toMatchObject({ fixture: 'g900' });
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: 'default.yaml' })).status).toBe(200);
    expect((await t.http.post(`${EMU}/arrays`).send({ fixture: 'vsp5500' })).status).toBe(201);
  });

  it('fixturesDir: names resolve there; parse errors name the file, line and column, never the content', async () => {
    writeFileSync(join(dir, 'mini.yaml'), 'name: mini\narrays:\n  - { model: VSP G900, serialNumber: 42 }\n');
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\narrays: [ { model: "VSP G900", password: hunter2-secret\n');
    writeFileSync(join(dir, 'broken.json'), '{"arrays": [{"model": "VSP G900", "serialNumber": 1,}], "x": "hunter2-secret"}');
    writeFileSync(join(dir, 'typo.yaml'), 'arrays:\n  - model: VSP G900\n    serialNumber: 1\n    ldevz: []\n');
    t = await startControl({ fixture: 'mini', fixturesDir: dir });
    expect(t.engine.fixture.name).toBe('mini');
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: 'default' })).body).toEqual(notFound('default'));
    const yaml = await t.http.post(`${EMU}/reset`).send({ fixture: 'broken' });
    expect(yaml.status).toBe(400);
    expect(yaml.body.error).toBe('badFixture');
    expect(yaml.body.message).toMatch(/^broken\.yaml: not valid YAML at line 3, column 1 \([A-Z_]+\)$/);
    const json = await t.http.post(`${EMU}/arrays`).send({ fixture: 'broken.json' });
    expect(json.body).toEqual({ error: 'badFixture', message: 'broken.json: not valid JSON at line 1, column 53' });
    const typo = await t.http.post(`${EMU}/reset`).send({ fixture: 'typo' });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toMatch(/^typo\.yaml: unknown key "ldevz" at arrays\[0\]\.ldevz \(known: storageDeviceId, model, /);
  });

  it('inline fixtures and array sections are checked key by key at every level: 400 naming the path and the key', async () => {
    t = await startControl();
    const base = { model: 'VSP E990', serialNumber: 7 };
    const cases: Array<[unknown, string]> = [
      [{ arrays: [base], userz: [] }, 'inline fixture: unknown key "userz" at userz'],
      [{ arrays: [{ ...base, ports: [{ portId: 'CL1-A', portType: 'FIBRE', hostGroups: [{ hostGroupNumber: 1, hostGroupName: 'h', wwnz: [] }] }] }] },
        'inline fixture: unknown key "wwnz" at arrays[0].ports[0].hostGroups[0].wwnz'],
      [{ arrays: [base], fidelity: { noSuchRow: 1 } }, 'inline fixture: unknown key "noSuchRow" at fidelity.noSuchRow'],
      [{ arrays: [base], errors: { invalidToken: { mesage: 'x' } } }, 'inline fixture: unknown key "mesage" at errors.invalidToken.mesage'],
      [{ arrays: [base], timing: { jobMs: { 'ldev.craete': 1 } } }, 'inline fixture: unknown key "ldev.craete" at timing.jobMs.ldev.craete'],
      [{ arrays: [{ ...base, ldevs: 'all' }] }, 'inline fixture: arrays[0].ldevs must be a list'],
    ];
    for (const [fixture, message] of cases) {
      const res = await t.http.post(`${EMU}/reset`).send({ fixture });
      expect(res.status, message).toBe(400);
      expect(res.body.error).toBe('badFixture');
      expect(res.body.message.startsWith(message), res.body.message).toBe(true);
    }
    const arr = await t.http.post(`${EMU}/arrays`).send({ array: { ...base, poolz: [] } });
    expect(arr.status).toBe(400);
    expect(arr.body.message).toMatch(/^array: unknown key "poolz" at array\.poolz/);
  });
});
