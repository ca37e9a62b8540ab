import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../src/http/docs.js';
import { startApp, type TestApp } from './helpers.js';

/**
 * GET /docs: both OpenAPI documents in Swagger UI, every asset served by the emulator itself (offline), a strict
 * Content-Security-Policy, hidden from both documents. The browser part needs Debian's chromium (as test/ui does) and
 * is skipped without it.
 */

const CHROMIUM = process.env.VSP_EMULATOR_CHROMIUM ?? '/usr/bin/chromium';
const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

describe('/docs', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('answers an HTML page whose every asset the emulator serves itself, under a CSP that allows nothing from elsewhere', async () => {
    t = await startApp();
    for (const url of ['/docs', '/docs/']) {
      const page = await t.http.get(url);
      expect(page.status, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
      const assets = assetsOf(page.text);
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-initializer\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
      for (const a of assets) {
        expect(a, 'no asset from another host').not.toMatch(/^(https?:)?\/\//);
        const res = await t.http.get(new URL(a, `http://127.0.0.1${url}`).pathname);
        expect(res.status, a).toBe(200);
        expect(Number(res.headers['content-length'] ?? res.body?.length ?? 1), a).toBeGreaterThan(0);
      }
    }
    expect(DOCS_CSP).not.toMatch(/https?:|\*/);
    expect(DOCS_CSP).toMatch(/script-src 'self';/);
  });

  it('offers both documents, readable without the control token, served for this origin', async () => {
    t = await startApp({ controlToken: 's3cret' });
    const init = (await t.http.get('/docs/static/swagger-initializer.js')).text;
    expect(init).toContain('"urls":[{"url":"/docs/vsp-rest-api.json"');
    expect(init).toContain('{"url":"/docs/control-plane.json"');
    expect(/const config = (.*)/.exec(init)?.[1], 'the configuration names no other host').not.toMatch(/\/\//);
    expect(init).toContain("img.src = 'data:image/svg+xml;base64,"); // the logo too is inline

    const api = await t.http.get('/docs/vsp-rest-api.json');
    expect(api.status).toBe(200);
    expect(api.body.paths['/ConfigurationManager/v1/objects/ldevs/{ldevId}']).toBeDefined();
    expect(api.body.servers).toEqual([{ url: '/', description: 'this emulator' }]);
    const control = await t.http.get('/docs/control-plane.json');
    expect(control.status).toBe(200);
    expect(control.body.servers).toEqual([{ url: '/', description: 'this emulator' }]);
    // The emulator runs with a token: the document says so, and the operations still need it.
    expect(control.body.paths['/emulator/v1/reset'].post.security).toEqual([{ bearer: [] }]);
    expect((await t.http.post('/emulator/v1/reset')).status).toBe(401);
  });

  it('is hidden from both documents, and offers only the API with --no-control-plane', async () => {
    t = await startApp();
    const token = { Authorization: 'Bearer unused' };
    for (const url of ['/openapi.json', '/emulator/v1/openapi.json']) {
      const doc = (await t.http.get(url).set(token)).body as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs')), url).toEqual([]);
    }
    await t.close();
    t = await startApp({ controlPlane: false });
    const init = (await t.http.get('/docs/static/swagger-initializer.js')).text;
    expect(init).toContain('/docs/vsp-rest-api.json');
    expect(init).not.toContain('/docs/control-plane.json');
    expect((await t.http.get('/docs/control-plane.json')).status).toBe(404);
  });

  // chromium is what npm test needs for the browser tests (.ci/run installs it): without it this fails, it is not skipped.
  it('renders the operations of both documents in headless chromium, nothing fetched elsewhere, no CSP violation', async () => {
    t = await startApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const origin = `http://127.0.0.1:${port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      const csp: string[] = [];
      page.on('request', (r) => { if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) elsewhere.push(r.url()); });
      page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text()); });
      const shown = (path: string) => page.waitForSelector(`.opblock-summary-path[data-path="${path}"]`, { timeout: 20_000 });
      await page.goto(`${origin}/docs`);
      // The API document (the first one offered) is loaded and its operations listed. (All of them: not yet, Swagger UI
      // lists only the first two of the whole document, while any part of up to ~130 operations renders in full.)
      await shown('/ConfigurationManager/configuration/version');
      await page.selectOption('#select', { label: 'vsp-emulator control plane (/emulator/v1)' });
      await shown('/emulator/v1/health');
      await shown('/emulator/v1/io/workloads/{id}');
      const control = (await t.http.get('/emulator/v1/openapi.json')).body as { paths: Record<string, object> };
      const operations = Object.values(control.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      expect(await page.locator('.opblock-summary-path').count()).toBe(operations);
      expect(elsewhere).toEqual([]);
      expect(csp).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
