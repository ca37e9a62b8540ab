import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { VERSION } from '../../src/version.js';

const FILE = new URL('../../openapi/control-plane.json', import.meta.url);
const ROOT = new URL('../../', import.meta.url).pathname;
const served = async (app: App) => (await app.app.inject({ method: 'GET', url: '/emulator/v1/openapi.json', headers: { authorization: 'Bearer s3cret' } })).body;

type Op = { operationId: string; security: unknown; responses: Record<string, unknown>; tags: string[]; summary: string };
type Doc = { openapi: string; info: { version: string; license: { name: string } }; servers: unknown; paths: Record<string, Record<string, Op>> };

describe('control-plane OpenAPI document', () => {
  let built: App;
  let withToken: App;
  beforeAll(async () => {
    built = await buildApp({ db: ':memory:', clock: 'manual', startTime: 0, seed: 1 });
    withToken = await buildApp({ db: ':memory:', clock: 'manual', startTime: 0, seed: 1, controlToken: 's3cret' });
  });
  afterAll(async () => { await built.close(); await withToken.close(); });

  it('the committed openapi/control-plane.json is what the control plane serves (run `npm run openapi:control` after changing its routes)', async () => {
    let committed = '';
    try { committed = readFileSync(FILE, 'utf8'); } catch { /* reported below */ }
    const generated = await served(built);
    const hint = 'openapi/control-plane.json is out of date with the control-plane routes: run `npm run openapi:control` and commit the result';
    expect(committed !== '', `${hint} (the file is missing)`).toBe(true);
    const a = JSON.parse(committed) as Doc;
    const b = JSON.parse(generated) as Doc;
    expect(Object.keys(a.paths), hint).toEqual(Object.keys(b.paths));
    expect(committed, hint).toBe(generated);
  });

  it('is deterministic: another start time and seed give the same bytes', async () => {
    const other = await buildApp({ db: ':memory:', clock: 'manual', startTime: 12345, seed: 7 });
    try {
      expect(await served(other)).toBe(await served(built));
    } finally { await other.close(); }
  });

  it('OpenAPI 3.1 with the package version, license, server, stable operationIds, tags and a 4xx for every operation', async () => {
    const doc = JSON.parse(await served(built)) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(VERSION);
    expect(doc.info.license.name).toBe('Apache-2.0');
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:23450' })]);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['getHealth', 'resetModel', 'saveCheckpoint', 'addFault', 'getJournal', 'writeLdev', 'startWorkload']));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.tags.length && op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path} declares a 4xx`).toBe(true);
      }
    }
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/emulator/v1/'))).toEqual([]);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/emulator/ui') || p.startsWith('/docs'))).toEqual([]);
  });

  it('bearer: optional in the committed document, required with --control-token; never on health', async () => {
    const plain = JSON.parse(await served(built)) as Doc;
    const token = JSON.parse(await served(withToken)) as Doc;
    for (const [doc, security] of [[plain, [{}, { bearer: [] }]], [token, [{ bearer: [] }]]] as const) {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (path === '/emulator/v1/health') {
            expect(op.security, 'health').toEqual([]);
            expect(op.responses['401'], 'health').toBeUndefined();
          } else {
            expect(op.security, `${method} ${path}`).toEqual(security);
            expect(op.responses['401'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/Unauthorized' });
          }
        }
      }
    }
  });

  it('@redocly/cli lints both forms of the document (committed, and with a control token) with no error and no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'control-openapi-'));
    const tokenDoc = join(dir, 'control-plane-token.json');
    writeFileSync(tokenDoc, await served(withToken));
    let out = '';
    try {
      const r = await promisify(execFile)(join(ROOT, 'node_modules/.bin/redocly'), ['lint', '--config', 'redocly.yaml', 'openapi/control-plane.json', tokenDoc], { cwd: ROOT });
      out = r.stdout + r.stderr;
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      out = `${x.stdout ?? ''}${x.stderr ?? ''}`;
      expect.fail(`redocly lint failed:\n${out}`);
    }
    expect(out).toMatch(/Woohoo! Your API descriptions are valid/);
    expect(out).not.toMatch(/You have \d+ warnings?|Validation failed/);
  }, 60_000);
});
