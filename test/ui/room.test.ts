import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { act, fileChromium, openUi, pageErrors, pairShows, ROOMS, SHOTS, smallText, startUiServer, UI_WAIT, type UiServer } from './support.js';

/**
 * The web view in a classroom: every room size shows the trees and the selected pair in the first screen, no tree is
 * clipped, text is large enough, statuses are told apart without colour, the phone works as a remote control, and
 * the page says so when the emulator is gone. Screenshots of each room land in test-results/ui/ (gitignored).
 */

/** The file's chromium, launched by the first test; without chromium every test fails with how to install it. */
const chromium = fileChromium();
mkdirSync(SHOTS, { recursive: true });

const LESSONS: Array<[fixture: string, pair: string]> = [
  ['training-first-snapshot', '0,0'], ['training-cascade-clone', '30,0'], ['training-pool-full', '0,1'],
  // the retained pair: its retention line (lock, words, the clock jump) sits above the actions
  ['training-tia-vclone', '0,1'],
];


/** What must be in the first screen, measured in the page: every tree card, whole, and the selected pair's actions. */
async function firstScreen(page: Page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const vh = innerHeight;
    const box = (el: Element) => { const r = el.getBoundingClientRect(); return { top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width }; };
    const trees = [...document.querySelectorAll('[data-tree]')].map((card) => {
      const svg = card.querySelector('svg')!;
      const nodes = [...card.querySelectorAll('[data-pair], [data-ldev]')].map(box);
      return {
        id: card.getAttribute('data-tree'), card: box(card), svg: box(svg),
        // a node outside its card is a clipped tree
        nodesInside: nodes.every((n) => n.left >= box(card).left - 1 && n.right <= box(card).right + 1 && n.top >= box(card).top - 1 && n.bottom <= box(card).bottom + 1),
        // a node's words (status, notes such as the retention countdown) stay inside its outline
        wordsInNodes: [...card.querySelectorAll('[data-pair], [data-vclone]')].every((n) => {
          const outline = box(n.querySelector('rect')!);
          return [...n.querySelectorAll('text')].every((t) => box(t).right <= outline.right + 1);
        }),
        scale: Number(card.getAttribute('data-scale')),
      };
    });
    const sel = document.querySelector('[data-selected-pair] h3');
    const split = document.querySelector('[data-selected-pair] [data-action="split"]');
    return { vw, vh, scrollWidth: document.documentElement.scrollWidth, trees, selected: sel && box(sel), split: split && box(split) };
  });
}

function expectOnScreen(room: string, m: Awaited<ReturnType<typeof firstScreen>>) {
  expect(m.scrollWidth, `${room}: nothing scrolls sideways`).toBeLessThanOrEqual(m.vw);
  expect(m.trees.length).toBeGreaterThan(0);
  for (const t of m.trees) {
    expect(t.card.top, `${room}: tree ${t.id} starts in the first screen`).toBeGreaterThanOrEqual(0);
    expect(t.card.bottom, `${room}: tree ${t.id} ends in the first screen`).toBeLessThanOrEqual(m.vh);
    expect(t.card.right, `${room}: tree ${t.id} is not cut on the right`).toBeLessThanOrEqual(m.vw);
    expect(t.svg.width, `${room}: tree ${t.id}'s drawing fits its card`).toBeLessThanOrEqual(t.card.width);
    expect(t.nodesInside, `${room}: every node of tree ${t.id} is inside its card`).toBe(true);
    expect(t.wordsInNodes, `${room}: the words of tree ${t.id}'s nodes stay inside them`).toBe(true);
  }
  expect(m.selected, `${room}: a pair is selected`).not.toBeNull();
  expect(m.selected!.bottom, `${room}: the selected pair is in the first screen`).toBeLessThanOrEqual(m.vh);
  expect(m.split!.bottom, `${room}: its actions are in the first screen`).toBeLessThanOrEqual(m.vh);
}

describe('the web view in a room', () => {
  it('shows every lesson\'s trees and the selected pair in the first screen at projector sizes and zooms, never clipped', async () => {
    const server = await startUiServer({ fixture: LESSONS[0]![0] });
    const browser = await chromium();
    const pages = new Map<number, Page>();
    try {
      for (const zoom of [1, 1.25, 1.5]) pages.set(zoom, await openUi(browser, server, '/emulator/ui/', { width: 1024, height: 768, zoom }));
      for (const [fixture, pair] of LESSONS) {
        await server.emu('POST', 'reset', { fixture });
        for (const room of ROOMS) {
          const page = pages.get(room.zoom)!;
          await page.setViewportSize({ width: room.width, height: room.height });
          await page.locator(`[data-fixture="${fixture}"]`).waitFor({ timeout: UI_WAIT });
          await page.locator(`[data-pair="${pair}"] .pill`).click();
          await page.locator(`[data-selected-pair="${pair}"]`).waitFor({ timeout: UI_WAIT });
          await page.evaluate(() => scrollTo(0, 0));
          await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
          const m = await firstScreen(page);
          // Pictures of every room for the deepest lesson, of every lesson for the smallest room (PNGs cost time).
          if (fixture === 'training-cascade-clone' || room.name === '1024x768') {
            await page.screenshot({ path: `${SHOTS}/${fixture}-${room.name}.png`, animations: 'disabled' });
          }
          expectOnScreen(`${fixture} at ${room.name}`, m);
          // Each lesson's selected pair (a retained one's lock and words included) reads at the back of the room.
          if (room.name === '1024x768') expect(await smallText(page), `${fixture} at ${room.name}`).toEqual([]);
          // Legible: the trees are not shrunk below 75 % (their 15 px titles stay above 11 px).
          expect(Math.min(...m.trees.map((t) => t.scale)), `${fixture} at ${room.name}`).toBeGreaterThanOrEqual(0.75);
        }
      }
      for (const page of pages.values()) expect(pageErrors(page)).toEqual([]);
    } finally {
      for (const page of pages.values()) await page.context().close();
      await server.close();
    }
  }, 120_000);
  it('fits a tree of any width and depth (8 MUs, a 9-layer cascade) by drawing it smaller, never clipped', async () => {
    const server = await startUiServer({ fixture: 'default' });
    const browser = await chromium();
    const page = await openUi(browser, server, '/emulator/ui/', { width: 1024, height: 768 });
    try {
      // A wide tree (8 MUs on LDEV 0) and a deep one (LDEV 1 → 2 → … 7 cascaded): the test builds them through the API.
      for (let id = 100; id < 116; id++) await server.rest('POST', 'ldevs', { ldevId: id, poolId: 0, byteFormatCapacity: '1G' });
      await server.advance(60);
      await server.rest('POST', 'ldevs', { ldevId: 99, poolId: 0, byteFormatCapacity: '1G' });
      await server.advance(60);
      for (let i = 0; i < 8; i++) {
        await server.rest('POST', 'snapshots', { snapshotGroupName: 'wide', snapshotPoolId: 1, pvolLdevId: 99, svolLdevId: 100 + i, canCascade: true });
      }
      await server.advance(60);
      for (let i = 8; i < 15; i++) {
        await server.rest('POST', 'snapshots', { snapshotGroupName: 'deep', snapshotPoolId: 1, pvolLdevId: 100 + i - (i === 8 ? 8 : 1), svolLdevId: 100 + i, canCascade: true });
        await server.advance(10);
      }
      await pairShows(page, '113,0', 'PAIR');
      await pairShows(page, '99,7', 'PAIR');
      await page.locator('[data-pair="99,0"] .pill').click();
      const m = await firstScreen(page);
      await page.screenshot({ path: `${SHOTS}/wide-and-deep-1024x768.png`, animations: 'disabled' });
      expect(m.scrollWidth).toBeLessThanOrEqual(m.vw);
      for (const t of m.trees) {
        expect(t.card.right, `tree ${t.id}`).toBeLessThanOrEqual(m.vw);
        expect(t.svg.width, `tree ${t.id}`).toBeLessThanOrEqual(t.card.width);
        expect(t.nodesInside, `tree ${t.id}`).toBe(true);
      }
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await page.context().close();
      await server.close();
    }
  }, 60_000);

  it('reads at the back of the room: body text of at least 14 px at 1024 px, a legend in words, and presenter mode on P', async () => {
    const server = await startUiServer({ fixture: 'training-pool-full' });
    const page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1024, height: 768 });
    try {
      await page.locator('[data-pair="0,0"] .pill').click();
      expect(await smallText(page)).toEqual([]);
      // Every status's meaning is on the page, in words, with its own shape.
      const legend = await page.locator('[data-legend-status]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-legend-status'), e.textContent]));
      expect(legend.map(([s]) => s)).toEqual(['PAIR', 'PSUS', 'COPY', 'RCPY', 'PFUL', 'PFUS', 'PSUE', 'PSUP', 'SMPP', 'CPYP', 'clone']);
      expect(legend.find(([s]) => s === 'PFUS')![1]).toContain('split, pool over its warning threshold');
      expect(legend.find(([s]) => s === 'PSUE')![1]).toContain('pool full');

      // Presenter mode: one key; operator panels go, type grows, the trees and the pool stay.
      expect(await page.locator('[data-panel="create"]').isVisible()).toBe(true);
      const before = await page.locator('.legend').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
      await page.keyboard.press('p');
      await page.locator('.app[data-presenter="1"]').waitFor({ timeout: UI_WAIT });
      for (const panel of ['create', 'operations', 'jobs', 'journal', 'ldevs', 'scenarios', 'checkpoints', 'host-io']) {
        expect(await page.locator(`[data-panel="${panel}"]`).isVisible(), panel).toBe(false);
      }
      for (const panel of ['trees', 'pools', 'legend', 'transitions']) expect(await page.locator(`[data-panel="${panel}"]`).isVisible(), panel).toBe(true);
      expect(await page.locator('.legend').evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThan(before);
      expect(page.url()).toContain('presenter=1');
      await page.screenshot({ path: `${SHOTS}/presenter-1024x768.png`, animations: 'disabled' });
      await page.locator('[data-action="presenter"]').click();
      await page.locator('.app[data-presenter="0"]').waitFor({ timeout: UI_WAIT });
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await page.context().close();
      await server.close();
    }
  });

  it('tells every status apart without colour: distinct shapes, and colours still distinct under simulated deuteranopia and protanopia', async () => {
    const server = await startUiServer({ fixture: 'training-pool-full' });
    const page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    try {
      // Every status has its own shape, in the legend and on the nodes.
      const shapes = await page.locator('[data-legend-status][data-shape]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shape')));
      expect(shapes).toHaveLength(10);
      expect(new Set(shapes).size).toBe(10);
      await server.emu('POST', 'faults', { effect: { type: 'pool', poolId: 1, usedRate: 75 } });
      await pairShows(page, '2,0', 'PFUL');
      expect(await page.locator('[data-pair="2,0"]').getAttribute('data-shape')).toBe('diamond');
      expect(await page.locator('[data-pair="0,0"]').getAttribute('data-shape')).toBe('triangle-up');

      // The legend's colours as seen with each deficiency (Machado et al. 2009, severity 1): the statuses a pool
      // lesson turns through stay apart, and shape tells the rest.
      const colours = await page.locator('[data-legend-status] strong').evaluateAll((els) =>
        Object.fromEntries(els.map((e) => [e.textContent, getComputedStyle(e).color.match(/\d+/g)!.slice(0, 3).map(Number)])));
      const SIM = {
        deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
        protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
      };
      for (const [name, m] of Object.entries(SIM)) {
        const seen = (c: number[]) => m.map((row) => row.reduce((s, k, i) => s + k * c[i]!, 0));
        const dist = (a: string, b: string) => Math.hypot(...seen(colours[a]!).map((v, i) => v - seen(colours[b]!)[i]!));
        for (const [a, b] of [['PAIR', 'PSUS'], ['PAIR', 'PFUL'], ['PSUS', 'PFUS'], ['PFUL', 'PFUS'], ['PFUS', 'PSUE'], ['PFUL', 'PSUE'], ['PSUS', 'PSUE']] as const) {
          expect(dist(a, b), `${a} vs ${b} under ${name}`).toBeGreaterThan(35);
        }
        // A screenshot of the page as a viewer with that deficiency sees it.
        await page.evaluate(([id, matrix]) => {
          document.getElementById('cvd')?.remove();
          const values = (matrix as number[][]).map((r) => `${r.join(' ')} 0 0`).join(' ') + ' 0 0 0 1 0';
          document.body.insertAdjacentHTML('beforeend', `<svg id="cvd" width="0" height="0" style="position:absolute"><filter id="${id}"><feColorMatrix type="matrix" values="${values}"/></filter></svg>`);
          document.documentElement.style.filter = `url(#${id})`;
        }, [name, m] as const);
        await page.screenshot({ path: `${SHOTS}/${name}-1280x720.png`, animations: 'disabled' });
      }
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await page.context().close();
      await server.close();
    }
  });

  it('works as a remote control on a phone: a compact header, the trees whole, the actions in a sheet next to the tapped pair', async () => {
    const server = await startUiServer({ fixture: 'training-cascade-clone' });
    const page = await openUi(await chromium(), server, '/emulator/ui/', { width: 390, height: 844, zoom: 2 });
    try {
      const header = await page.locator('header.top').boundingBox();
      expect(header!.height).toBeLessThanOrEqual(844 * 0.12);
      await page.locator('[data-pair="30,0"] .pill').tap().catch(() => page.locator('[data-pair="30,0"] .pill').click());
      await page.locator('[data-sheet="open"] [data-selected-pair="30,0"]').waitFor({ timeout: UI_WAIT });
      await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
      const m = await page.evaluate(() => {
        const r = (s: string) => document.querySelector(s)!.getBoundingClientRect();
        return { node: r('[data-pair="30,0"]'), sheet: r('[data-sheet="open"]'), header: r('header.top'), split: r('[data-sheet="open"] [data-action="split"]'),
          scrollWidth: document.documentElement.scrollWidth, vw: document.documentElement.clientWidth, vh: innerHeight,
          cards: [...document.querySelectorAll('[data-tree]')].map((c) => c.getBoundingClientRect().right) };
      });
      await page.screenshot({ path: `${SHOTS}/phone-390x844.png`, animations: 'disabled' });
      // The tapped pair stays in sight between the header and the sheet; its actions are on screen.
      expect(m.node.top).toBeGreaterThanOrEqual(m.header.bottom - 1);
      expect(m.node.bottom).toBeLessThanOrEqual(m.sheet.top + 1);
      expect(m.split.bottom).toBeLessThanOrEqual(m.vh);
      expect(m.scrollWidth).toBeLessThanOrEqual(m.vw);
      for (const right of m.cards) expect(right).toBeLessThanOrEqual(m.vw);
      await act(page, '[data-action="split"]');
      await server.advance(1);
      await pairShows(page, '30,0', 'PSUS');
      await page.locator('[data-action="close-selection"]').click();
      await page.locator('[data-sheet="closed"]').waitFor({ state: 'attached', timeout: UI_WAIT });
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await page.context().close();
      await server.close();
    }
  });

  it('says when the emulator is unreachable, shows the clock stopped, and recovers by itself when it returns', async () => {
    let server: UiServer = await startUiServer({ fixture: 'training-first-snapshot' });
    const port = (server.app.server.address() as AddressInfo).port;
    const page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    try {
      await page.locator('[data-action="clock-run"]').click();
      await page.locator('[data-clock-state="real"]').waitFor({ timeout: UI_WAIT });
      await server.close();
      await page.locator('[data-banner="offline"]').waitFor({ timeout: UI_WAIT });
      await page.locator('[data-clock-state="stopped"]').waitFor({ timeout: UI_WAIT });
      expect(await page.locator('[data-banner="offline"]').innerText()).toContain('not answering');
      expect(await page.locator('.clock-mode').innerText()).toContain('stopped');
      // The time shown does not run on while nothing runs it.
      const shown = await page.locator('.clock-time').innerText();
      await page.waitForTimeout(1200);
      expect(await page.locator('.clock-time').innerText()).toBe(shown);
      await page.screenshot({ path: `${SHOTS}/offline-1280x720.png`, animations: 'disabled' });

      server = await startUiServer({ fixture: 'training-first-snapshot' }, port);
      await page.locator('[data-live="live"]').waitFor({ timeout: 8000 });
      await page.locator('[data-banner="offline"]').waitFor({ state: 'detached', timeout: UI_WAIT });
      await page.locator('[data-clock-state="manual"]').waitFor({ timeout: UI_WAIT });
      await pairShows(page, '0,0', 'PAIR');
      await page.locator('[data-action="clock-step-10"]').click();
      await page.locator(`.clock-time[data-clock-ms="${Date.UTC(2026, 0, 5, 10, 0, 10)}"]`).waitFor({ timeout: UI_WAIT });
    } finally {
      await page.context().close();
      await server.close();
    }
  });
});
