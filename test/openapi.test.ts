import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { openApiText } from '../src/http/routes/openapi.js';
import { VERSION } from '../src/version.js';
import request from 'supertest';

const FILE = new URL('../openapi/vsp-rest-api.json', import.meta.url);

describe('OpenAPI document', () => {
  let built: App;
  beforeAll(async () => { built = await buildApp({ db: ':memory:', clock: 'manual', startTime: 0, seed: 1 }); });
  afterAll(async () => { await built.close(); });

  it('the committed openapi/vsp-rest-api.json matches the routes (run `npm run openapi` after changing routes)', () => {
    const generated = openApiText(built.app);
    // `WRITE_OPENAPI=1 npx vitest run test/openapi.test.ts` rewrites the file without building dist/.
    if (process.env.WRITE_OPENAPI === '1') writeFileSync(FILE, generated);
    let committed = '';
    try { committed = readFileSync(FILE, 'utf8'); } catch { /* reported below */ }
    const hint = 'openapi/vsp-rest-api.json is out of date with the routes: run `npm run openapi` (or WRITE_OPENAPI=1 npx vitest run test/openapi.test.ts) and commit the result';
    expect(committed !== '', `${hint} (the file is missing)`).toBe(true);
    const a = JSON.parse(committed) as { paths: Record<string, unknown> };
    const b = JSON.parse(generated) as { paths: Record<string, unknown> };
    // Path lists first: the most readable diff when a route was added or removed.
    expect(Object.keys(a.paths), hint).toEqual(Object.keys(b.paths));
    expect(committed, hint).toBe(generated);
  });

  it('is OpenAPI 3 with the package version, and every route has tags and a summary', () => {
    const doc = JSON.parse(openApiText(built.app)) as {
      openapi: string; info: { version: string }; paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe(VERSION);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        expect(op.tags?.length, `${method.toUpperCase()} ${path} has tags`).toBeGreaterThan(0);
        expect(op.summary, `${method.toUpperCase()} ${path} has a summary`).toBeTruthy();
      }
    }
  });

  it('the document is deterministic', async () => {
    const other = await buildApp({ db: ':memory:', clock: 'manual', startTime: 12345, seed: 7 });
    try {
      expect(openApiText(other.app)).toBe(openApiText(built.app));
    } finally { await other.close(); }
  });

  it('the emulator serves it at GET /openapi.json without credentials', async () => {
    const res = await request(built.app.server).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).toBe(openApiText(built.app));
    expect(res.body.paths['/ConfigurationManager/v1/objects/ldevs/{ldevId}']).toBeDefined();
    expect(res.body.paths['/openapi.json']).toBeUndefined();
  });
});
