import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, expect } from 'vitest';
import { buildApp, type App, type AppOptions } from '../../src/app.js';

/**
 * Browser tests of the web view: Debian's chromium (never a downloaded browser) driven by playwright-core, against
 * an emulator listening on 127.0.0.1 on a free port with a manual clock. Tests move virtual time through the control
 * plane and wait for the DOM with bounded waits; nothing sleeps on wall time.
 */

export const CHROMIUM = process.env.VSP_EMULATOR_CHROMIUM ?? '/usr/bin/chromium';
export const SID = '936000123456';
export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
/**
 * How long a test waits for the page to show a change (SSE within ~100 ms, then a fetch and a render: well under a
 * second on a quiet machine). Generous because the whole suite runs chromium beside other test files on 2 cores, where
 * a render has been seen to take over 5 s; a passing wait returns as soon as the page shows the change.
 */
export const UI_WAIT = 12_000;

/**
 * Chromium in headless mode. Playwright gives every launch a fresh temporary profile (its own `--user-data-dir`,
 * deleted on close), so no state leaks between runs.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Debian's chromium at ${CHROMIUM} and it is missing. Install it with ` +
      '`apt-get update && apt-get install -y --no-install-recommends chromium` (as root; .ci/run does this), ' +
      'or point VSP_EMULATOR_CHROMIUM at a Chromium binary.');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** The test file's chromium: launched by the first test that asks, closed once the file is done. */
export function fileChromium(): () => Promise<Browser> {
  let launched: Promise<Browser> | null = null;
  afterAll(async () => { await launched?.then((b) => b.close(), () => {}); });
  return () => (launched ??= launchChromium());
}

export interface UiServer extends App {
  base: string;
  /** A control-plane call (path relative to /emulator/v1/); the body of the answer, failing on a non-2xx status. */
  emu<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** A REST call on the array as a logged-in client (path relative to its objects); status and body. */
  rest<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Advances the virtual clock through the control plane. */
  advance(seconds: number): Promise<void>;
}

/** An emulator on 127.0.0.1:<free port> (or `port`: one that went away and comes back) with a manual clock at T0 and seed 1. */
export async function startUiServer(opts: AppOptions = {}, port = 0): Promise<UiServer> {
  const built = await buildApp({ db: ':memory:', clock: 'manual', startTime: T0, seed: 1, ...opts });
  await built.app.listen({ host: '127.0.0.1', port });
  const base = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  const bearer: Record<string, string> = opts.controlToken ? { authorization: `Bearer ${opts.controlToken}` } : {};
  let session: string | null = null;

  const emu = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/emulator/v1/${path}`, {
      method, headers: { ...bearer, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /emulator/v1/${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const rest = async (method: string, path: string, body?: unknown) => {
    if (!session) {
      const login = await fetch(`${base}/ConfigurationManager/v1/objects/sessions`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
      });
      session = ((await login.json()) as { token: string }).token;
    }
    const res = await fetch(`${base}/ConfigurationManager/v1/objects/${path}`, {
      method, headers: { authorization: `Session ${session}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    ...built, base, emu, rest,
    advance: async (seconds: number) => { await emu('POST', 'clock/advance', { seconds }); },
    async close() {
      session = null;
      await built.close();
    },
  };
}

/** Opens the web view of the server in a fresh browser context (its own cookies) and waits for the first view. */
export async function openUi(browser: Browser, server: UiServer, path = '/emulator/ui/',
  options: { width?: number; height?: number; zoom?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1600, height: options.height ?? 1000 }, deviceScaleFactor: options.zoom ?? 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(`${server.base}${path}`);
  await page.locator('.app[data-seq]').waitFor({ timeout: UI_WAIT });
  await page.locator('[data-live="live"]').waitFor({ timeout: UI_WAIT });
  return page;
}

/** Uncaught errors the page threw so far. */
export const pageErrors = (page: Page): string[] => (page as Page & { errors?: string[] }).errors ?? [];

/** A pair node of the tree in a given status (waits until the page shows it). */
export async function pairShows(page: Page, id: string, status: string): Promise<void> {
  await page.locator(`[data-pair="${id}"][data-status="${status}"]`).waitFor({ timeout: UI_WAIT });
}

/** Where the browser tests save their screenshots (gitignored). */
export const SHOTS = 'test-results/ui';

/** Changes the value of a range or number input the way a user does (Preact listens to `input`). */
export async function setValue(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).evaluate((el: HTMLInputElement, v: string) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Rooms: CSS viewport and zoom (a 1366×768 screen at 125 % is a 1093×614 CSS viewport at device scale 1.25). */
export const ROOMS = [
  { name: '1024x768', width: 1024, height: 768, zoom: 1 },
  { name: '1280x720', width: 1280, height: 720, zoom: 1 },
  { name: '1366x768', width: 1366, height: 768, zoom: 1 },
  { name: '1920x1080', width: 1920, height: 1080, zoom: 1 },
  { name: '1366x768@125', width: 1093, height: 614, zoom: 1.25 },
  { name: '1920x1080@150', width: 1280, height: 720, zoom: 1.5 },
];

/** Page text (outside the drawings, which scale) set below 14 px, as `TAG.class "words" size`. */
export function smallText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('svg, pre, option, select') || !(el instanceof HTMLElement) || el.offsetParent === null) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (own && size < 14) out.push(`${el.tagName}.${el.className} "${el.textContent!.trim().slice(0, 30)}" ${size}px`);
    }
    return out;
  });
}

/**
 * After each test: the page's errors fail it (`pageErrors`); its browser context and its emulator close either way. `get`
 * reads the test file's current page and server, `clear` forgets them (files keep them in their own variables, so
 * TypeScript narrows them inside each test).
 */
export function closeAfterEach(get: () => { page: Page | null; server: { close(): Promise<unknown> } | null }, clear: () => void): void {
  afterEach(async () => {
    const { page, server } = get();
    clear();
    try {
      if (page) expect(pageErrors(page)).toEqual([]);
    } finally {
      await page?.context().close();
      await server?.close();
    }
  });
}

/**
 * Clicks an action and waits until the REST request it sends is answered: a click returns before its request goes.
 * Not the page's own log-in: once the virtual clock has jumped (a day, in the TIA lesson) its session has expired,
 * so the request is answered 401, the page logs in again and resends it, and only that answer counts.
 */
export async function act(p: Page, selector: string) {
  await Promise.all([
    p.waitForResponse((r) => r.url().includes('/ConfigurationManager/') && r.request().method() !== 'GET'
      && !/\/sessions$/.test(new URL(r.url()).pathname) && r.status() !== 401, { timeout: UI_WAIT }),
    p.locator(selector).click(),
  ]);
}
