import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeAfterEach, fileChromium, openUi, pageErrors, pairShows, ROOMS, SHOTS, smallText, startUiServer, UI_WAIT, type UiServer } from './support.js';

/**
 * The web view of a VSP One B28 (TIA ref 2-4): Thin Image Advanced pairs marked in words, the retention countdown and
 * its lock following the virtual clock, vClones hanging from their parent, all readable and unclipped in a room.
 */

const chromium = fileChromium();
mkdirSync(SHOTS, { recursive: true });
const HOUR = 3600;

let server: UiServer | null = null;
let page: Page | null = null;
closeAfterEach(() => ({ page, server }), () => { page = null; server = null; });

/** A REST call that logs in first: sessions expire on the virtual clock, and these tests move it by days. */
async function rest(s: UiServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const login = await fetch(`${s.base}/ConfigurationManager/v1/objects/sessions`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
  });
  const token = ((await login.json()) as { token: string }).token;
  const res = await fetch(`${s.base}/ConfigurationManager/v1/objects/${path}`, {
    method, headers: { authorization: `Session ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The Cinder/Terraform body of a TIA pair: DRS volumes of HDP pool 0, the P-VOL's own pool (TIA ref 2.2). */
const tiaBody = (pvol: number, svol: number, extra: Record<string, unknown> = {}) => ({
  snapshotGroupName: 'tia-g', snapshotPoolId: 0, pvolLdevId: pvol, svolLdevId: svol, isConsistencyGroup: false,
  isDataReductionForceCopy: true, canCascade: true, ...extra,
});

async function accepted(s: UiServer, method: string, path: string, body?: unknown): Promise<void> {
  const r = await rest(s, method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  await s.advance(30); // the job, then COPY → PAIR (and the autoSplit hold)
}

async function drsLdev(s: UiServer, ldevId: number): Promise<void> {
  await accepted(s, 'POST', 'ldevs', {
    ldevId, poolId: 0, byteFormatCapacity: '10G', isDataReductionSharedVolumeEnabled: true, dataReductionMode: 'compression_deduplication',
  });
}

const text = async (p: Page, selector: string) => ((await p.locator(selector).first().textContent()) ?? "").replace(/\s+/g, ' ').trim();

describe('Thin Image Advanced in the web view (VSP One B28)', () => {
  it('marks a TIA pair in words on its node and in its details, without a concordance rate, and the legend says what TIA is', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    page = await openUi(await chromium(), server);
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 1));
    await pairShows(page, '0,0', 'PAIR');
    expect(await page.locator('[data-pair="0,0"]').getAttribute('data-tia')).toBe('true');
    expect(await text(page, '[data-pair="0,0"] .pair-sub')).toBe('TIA · tia-g');
    await page.locator('[data-pair="0,0"] .pill').click();
    expect(await text(page, '[data-selected-pair="0,0"] [data-pair-kind]')).toBe('TIA · redirect-on-write snapshot');
    expect(await text(page, '[data-selected-pair="0,0"]')).not.toMatch(/concordance/i);
    expect(await text(page, '[data-legend-mark="tia"]')).toContain('Thin Image Advanced: a redirect-on-write snapshot');
    expect(await text(page, '[data-legend-mark="retention"]')).toContain('retention');
    expect(await text(page, '[data-legend-mark="vclone"]')).toContain('virtual clone');
  });

  it('counts retention down on the node and in the details as the virtual clock moves, locked with a padlock, gone at expiry', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    page = await openUi(await chromium(), server);
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 1, { autoSplit: true, retentionPeriod: 24 }));
    await pairShows(page, '0,0', 'PSUS');
    const node = page.locator('[data-pair="0,0"]');
    const end = (await rest(server, 'GET', 'snapshots/0,0')).body;
    expect(end.retentionPeriod).toBe(24);
    await node.locator('[data-retention="24"]').waitFor({ timeout: UI_WAIT });
    expect(await text(page, '[data-pair="0,0"] .retention-note')).toBe('locked · 24 h left');
    // The create job ran at T0 + 1 s or so: 24 hours later is the next day, in virtual time.
    expect(await text(page, '[data-pair="0,0"] [data-retention-until]')).toMatch(/^until 2026-01-06 10:0\d$/);
    expect(await node.locator('path.lock').count()).toBe(1);
    await node.locator('.pill').click();
    await page.locator('[data-selected-pair="0,0"] [data-retention="24"]').waitFor({ timeout: UI_WAIT });
    expect(await text(page, '[data-selected-pair="0,0"] .retention')).toMatch(/^locked by retention: 24 h left, until 2026-01-06 10:0\d \(virtual time\)/);

    await server.advance(HOUR + 60);
    await node.locator('[data-retention="23"]').waitFor({ timeout: UI_WAIT });
    await page.locator('[data-selected-pair="0,0"] [data-retention="23"]').waitFor({ timeout: UI_WAIT });
    expect((await rest(server, 'GET', 'snapshots/0,0')).body.retentionPeriod).toBe(23);
    await server.advance(10 * HOUR);
    await node.locator('[data-retention="13"]').waitFor({ timeout: UI_WAIT });

    await server.advance(13 * HOUR);
    expect((await rest(server, 'GET', 'snapshots/0,0')).body.retentionPeriod).toBe(0);
    await node.locator('.retention-note').waitFor({ state: 'detached', timeout: UI_WAIT });
    expect(await node.locator('[data-retention-until], path.lock').count()).toBe(0);
    await page.locator('[data-selected-pair="0,0"] .retention').waitFor({ state: 'detached', timeout: UI_WAIT });
    expect(await node.getAttribute('data-status')).toBe('PSUS');
  });

  it('draws a vClone under its parent with a dotted link after virtual-clone create, narrates it, and shows a paired-back vClone on its pair', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    page = await openUi(await chromium(), server);
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 1));
    await pairShows(page, '0,0', 'PAIR');
    await accepted(server, 'POST', 'snapshots/0,0/actions/virtual-clone/invoke', { parameters: { operationType: 'create' } });

    const vclone = page.locator('[data-tree="0"] [data-vclone="1"][data-vclone-of="0"]');
    await vclone.waitFor({ timeout: UI_WAIT });
    await page.locator('[data-pair="0,0"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    expect(await text(page, '[data-vclone="1"] .vclone-sub')).toBe('vClone of 0');
    expect(await page.locator('[data-tree="0"] [data-ldev="0"][data-vclone-parent]').count()).toBe(1);
    expect(await text(page, '[data-tree="0"] [data-ldev="0"] .vol-sub')).toBe('vClone parent');
    expect(await page.locator('[data-tree="0"] path.link.vclone').count()).toBe(1);
    expect(await page.locator('[data-tree="0"] path.link.vclone').evaluate((e) => getComputedStyle(e).strokeDasharray)).not.toBe('none');
    expect(await text(page, '[data-tree="0"] > header')).toContain('1 vClone');
    // Narrated as one event: the pair went, and why.
    const said = page.locator('[data-transition="0,0"][data-became-vclone="1"]');
    await said.waitFor({ timeout: UI_WAIT });
    // virtual-clone create removes the pair within its job: told from the status clients saw, PAIR, with no SMPP.
    expect((await said.innerText()).replace(/\s+/g, ' ')).toMatch(/LDEV 0 MU 0: PAIR → gone, turned into a vClone: the pair is gone and LDEV 1 is now a vClone of LDEV 0 at \d\d:\d\d:\d\d/);
    // The volume's details say it too.
    await vclone.click();
    expect(await text(page, '[data-selected-ldev="1"] [data-vclone-facts]')).toContain('vClone of LDEV 0');

    // Terraform's pair-back: a TIA pair from the parent to its vClone; the vClone is drawn as that pair's S-VOL, marked.
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 1, { snapshotGroupName: 'tf-back' }));
    const back = (await rest(server, 'GET', 'snapshots?pvolLdevId=0')).body.data[0];
    expect(back).toMatchObject({ isVirtualCloneVolume: true, isVirtualCloneParentVolume: true });
    await pairShows(page, back.snapshotId, 'PAIR');
    expect(await text(page, `[data-pair="${back.snapshotId}"] [data-paired-back]`)).toBe('paired back · vClone of 0');
    await page.locator('[data-vclone="1"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    expect(await text(page, '[data-tree="0"] > header')).toContain('1 vClone');

    // Deleting the vClone's pair leaves it a vClone; deleting the vClone itself is narrated on its own line.
    await accepted(server, 'DELETE', `snapshots/${back.snapshotId}`);
    await vclone.waitFor({ timeout: UI_WAIT });
    // LDEV 1 was a vClone before that pair went: a plain delete, not "turned into a vClone".
    await page.locator(`[data-transition="${back.snapshotId}"]:not([data-became-vclone])`, { hasText: 'pair deleted' }).waitFor({ timeout: UI_WAIT });
    expect(await page.locator('[data-became-vclone]').count()).toBe(1);
    await accepted(server, 'DELETE', 'ldevs/1');
    await page.locator('[data-transition="vclone:1"][data-vclone-change="gone"]', { hasText: 'LDEV 1 is no longer a vClone of LDEV 0' }).waitFor({ timeout: UI_WAIT });
    await page.locator('[data-tree="0"]').waitFor({ state: 'detached', timeout: UI_WAIT });
  });
});


describe('a TIA lesson in a room', () => {
  it('keeps TIA pairs, a retained pair, a vClone and a paired-back vClone whole and legible at every room size, text at least 14 px', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    for (const id of [10, 11, 12, 13]) await drsLdev(server, id);
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 1, { autoSplit: true, retentionPeriod: 48 }));
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 10));
    await accepted(server, 'POST', 'snapshots', tiaBody(0, 13));
    const mu13 = (await rest(server, 'GET', 'snapshots?svolLdevId=13')).body.data[0].muNumber as number;
    await accepted(server, 'POST', `snapshots/0,${mu13}/actions/virtual-clone/invoke`, { parameters: { operationType: 'create' } });
    await accepted(server, 'POST', 'snapshots', tiaBody(2, 3));
    await accepted(server, 'POST', 'snapshots', tiaBody(11, 12));
    await accepted(server, 'POST', 'snapshots/11,0/actions/virtual-clone/invoke', { parameters: { operationType: 'create' } });
    await accepted(server, 'POST', 'snapshots', tiaBody(11, 12, { snapshotGroupName: 'tf-back' }));
    const browser = await chromium();
    const pages = new Map<number, Page>();
    try {
      for (const zoom of [1, 1.25, 1.5]) pages.set(zoom, await openUi(browser, server, '/emulator/ui/', { width: 1024, height: 768, zoom }));
      for (const room of ROOMS) {
        const p = pages.get(room.zoom)!;
        await p.setViewportSize({ width: room.width, height: room.height });
        await p.locator('[data-pair="0,0"] [data-retention="48"]').waitFor({ timeout: UI_WAIT });
        await p.locator('[data-vclone="13"][data-vclone-of="0"]').waitFor({ timeout: UI_WAIT });
        await p.locator('[data-paired-back]').waitFor({ timeout: UI_WAIT });
        await p.locator('[data-pair="0,0"] .pill').click();
        await p.locator('[data-selected-pair="0,0"]').waitFor({ timeout: UI_WAIT });
        await p.evaluate(() => scrollTo(0, 0));
        await p.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
        const m = await p.evaluate(() => {
          const box = (el: Element) => el.getBoundingClientRect();
          return {
            vw: document.documentElement.clientWidth, vh: innerHeight, scrollWidth: document.documentElement.scrollWidth,
            trees: [...document.querySelectorAll('[data-tree]')].map((card) => {
              const c = box(card);
              const inside = [...card.querySelectorAll('[data-pair], [data-ldev], text')].every((n) => {
                const r = box(n);
                return r.left >= c.left - 1 && r.right <= c.right + 1 && r.top >= c.top - 1 && r.bottom <= c.bottom + 1;
              });
              // Notes and labels stay inside their node: no text runs past the node's right edge.
              const textInNodes = [...card.querySelectorAll('[data-pair], [data-vclone]')].every((n) => {
                const r = box(n.querySelector('rect')!);
                return [...n.querySelectorAll('text')].every((t) => box(t).right <= r.right + 1);
              });
              return { id: card.getAttribute('data-tree'), bottom: c.bottom, right: c.right, inside, textInNodes, scale: Number(card.getAttribute('data-scale')) };
            }),
            split: box(document.querySelector('[data-selected-pair] [data-action="split"]')!).bottom,
          };
        });
        await p.screenshot({ path: `${SHOTS}/tia-${room.name}.png`, animations: 'disabled' });
        expect(m.scrollWidth, room.name).toBeLessThanOrEqual(m.vw);
        expect(m.trees.map((t) => t.id).sort()).toEqual(['0', '11', '2']);
        for (const t of m.trees) {
          expect(t.inside, `${room.name}: tree ${t.id} whole`).toBe(true);
          expect(t.textInNodes, `${room.name}: tree ${t.id}'s words inside their nodes`).toBe(true);
          expect(t.right, `${room.name}: tree ${t.id}`).toBeLessThanOrEqual(m.vw);
          expect(t.bottom, `${room.name}: tree ${t.id} in the first screen`).toBeLessThanOrEqual(m.vh);
          expect(t.scale, `${room.name}: tree ${t.id} legible`).toBeGreaterThanOrEqual(0.75);
        }
        expect(m.split, `${room.name}: the selected pair's actions in the first screen`).toBeLessThanOrEqual(m.vh);
      }
      const p = pages.get(1)!;
      await p.setViewportSize({ width: 1024, height: 768 });
      expect(await smallText(p)).toEqual([]);
      for (const page of pages.values()) expect(pageErrors(page)).toEqual([]);
    } finally {
      for (const page of pages.values()) await page.context().close();
    }
  }, 120_000);
});
