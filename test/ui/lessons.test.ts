import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { act, closeAfterEach, fileChromium, openUi, pairShows, SHOTS, startUiServer, UI_WAIT, type UiServer } from './support.js';

/**
 * Each training scenario's lesson, step by step as the README tells it, done in the page as a trainer does it
 * (clicks, and the virtual clock moved on as the trainer's +10 s would). The pool-full lesson runs by host writes
 * alone: the fixtures' volumes hold real data, so overwriting it fills the snapshot pool.
 */

let server: UiServer | null = null;
let page: Page | null = null;
/** The file's chromium, launched by the first test; without chromium every test fails with how to install it. */
const chromium = fileChromium();
closeAfterEach(() => ({ page, server }), () => { page = null; server = null; });
mkdirSync(SHOTS, { recursive: true });

const said = (p: Page, id: string, words: string) => p.locator(`[data-transition="${id}"]`, { hasText: words }).first().waitFor({ timeout: UI_WAIT });
const poolShows = (p: Page, id: number, rate: number, status: string) =>
  p.locator(`[data-pool="${id}"][data-used-rate="${rate}"][data-pool-status="${status}"]`).waitFor({ timeout: UI_WAIT });

async function pick(p: Page, id: string) {
  await p.locator(`[data-pair="${id}"] .pill`).click();
  await p.locator(`[data-selected-pair="${id}"]`).waitFor({ timeout: UI_WAIT });
}

describe('training lessons in the web view', () => {
  it('training-first-snapshot: split (PSUS), resync, restore, create another snapshot, assign an S-VOL', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    await pick(page, '0,0');
    await act(page, '[data-action="split"]');
    await server.advance(1);
    await pairShows(page, '0,0', 'PSUS');
    await said(page, '0,0', 'split: snapshot data stored');

    await act(page, '[data-action="resync"]');
    await server.advance(1);
    await pairShows(page, '0,0', 'COPY');
    await said(page, '0,0', 'resync started');
    await server.advance(3);
    await pairShows(page, '0,0', 'PAIR');

    await act(page, '[data-action="split"]');
    await server.advance(1);
    await pairShows(page, '0,0', 'PSUS');
    await act(page, '[data-action="restore"]');
    await server.advance(1);
    await pairShows(page, '0,0', 'RCPY');
    await said(page, '0,0', 'restore started');
    await server.advance(5);
    await pairShows(page, '0,0', 'PAIR');
    await said(page, '0,0', 'restore done');

    // Create more: LDEV 0 as P-VOL (click the root), no S-VOL, then split it and assign one.
    await page.locator('[data-tree="0"] [data-ldev="0"]').click();
    await page.locator('[data-field="group"]').fill('lesson');
    await act(page, '[data-action="create-pair"]');
    await server.advance(1);
    await pairShows(page, '0,1', 'COPY');
    await server.advance(3);
    await pairShows(page, '0,1', 'PAIR');
    await pick(page, '0,1');
    await act(page, '[data-action="split"]');
    await server.advance(1);
    await pairShows(page, '0,1', 'PSUS');
    await page.locator('[data-field="assign-svol"]').selectOption('12');
    await act(page, '[data-action="assign"]');
    await server.advance(2);
    await page.locator('[data-pair="0,1"] [data-svol="12"]').waitFor({ timeout: UI_WAIT });
    await page.screenshot({ path: `${SHOTS}/lesson-first-snapshot.png`, animations: 'disabled' });
  }, 60_000);

  it('training-cascade-clone: read the 3-layer tree, clone MU 2 until its pair is gone, delete a cascade pair, delete the tree', async () => {
    server = await startUiServer({ fixture: 'training-cascade-clone' });
    page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    expect(await page.locator('[data-tree="0"] header').innerText()).toContain('5 pairs · 3 layers');
    await pick(page, '0,2');
    await page.locator('[data-action="clone"]').click();
    await page.locator('[data-op] .badge', { hasText: 'HTTP 202' }).waitFor({ timeout: UI_WAIT });
    await server.advance(0.5); // the clone job runs: PSUP, 10 GiB at medium speed (2 s/GiB)
    await pairShows(page, '0,2', 'PSUP');
    await said(page, '0,2', 'clone copy started');
    await server.advance(10);
    await page.locator('[data-pair="0,2"][data-progress="50"]').waitFor({ timeout: UI_WAIT });
    await server.advance(12);
    await page.locator('[data-pair="0,2"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    await said(page, '0,2', 'its S-VOL is an independent volume');

    // Delete the cascade pair of the last layer: SMPP, then gone.
    await pick(page, '30,0');
    await act(page, '[data-action="delete"]');
    await server.advance(1);
    await pairShows(page, '30,0', 'SMPP');
    await server.advance(3);
    await page.locator('[data-pair="30,0"]').waitFor({ state: 'detached', timeout: UI_WAIT });

    // The whole tree from its root.
    await page.locator('[data-tree="0"] [data-ldev="0"]').click();
    await act(page, '[data-action="tree-delete"]');
    await server.advance(10);
    await page.locator('[data-tree="0"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    await page.screenshot({ path: `${SHOTS}/lesson-cascade-clone.png`, animations: 'disabled' });
  }, 60_000);

  it('training-pool-full by host writes alone: PFUL/PFUS over 70 %, POLF at 80 %, PSUE when full, then recovery', async () => {
    server = await startUiServer({ fixture: 'training-pool-full' });
    page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    await poolShows(page, 1, 65, 'POLN');
    await page.locator('.checkpoints input').fill('lesson-start');
    await page.locator('[data-action="checkpoint-save"]').click();
    await page.locator('[data-checkpoint="lesson-start"]').waitFor({ timeout: UI_WAIT });

    // Host writes to LDEV 0, from its root node: 1 GiB/s, sequential, for 12 s.
    await page.locator('[data-tree="0"] [data-ldev="0"]').click();
    await page.locator('[data-action="workload-here"]').click();
    await page.locator('[data-field="workload-rate"]').fill('1024');
    await page.locator('[data-field="workload-seconds"]').fill('12');
    await page.locator('[data-panel="host-io"] input[type="checkbox"]').uncheck();
    await page.locator('[data-action="workload-start"]').click();
    await page.locator('[data-workload-state="running"]').waitFor({ timeout: UI_WAIT });

    await server.advance(3); // 3 GiB overwritten: their old data is kept in pool 1
    await pairShows(page, '0,0', 'PFUS');
    await pairShows(page, '0,1', 'PFUS');
    await pairShows(page, '2,0', 'PFUL');
    await said(page, '0,0', 'pool over its warning threshold');
    await server.advance(3);
    await page.locator('[data-pool="1"][data-pool-status="POLF"]').waitFor({ timeout: UI_WAIT });
    await server.advance(6);
    await poolShows(page, 1, 100, 'POLF');
    for (const id of ['0,0', '0,1', '1,0', '2,0']) await pairShows(page, id, 'PSUE');
    await said(page, '0,0', 'the pool is full');
    await page.screenshot({ path: `${SHOTS}/lesson-pool-full.png`, animations: 'disabled' });

    // Recovery: resync LDEV 0's snapshot group frees what its snapshots kept; the pool is back at 65 %.
    await pick(page, '0,0');
    await act(page, '[data-action="group-resync"]');
    await server.advance(1);
    await poolShows(page, 1, 65, 'POLN');
    await server.advance(3);
    await pairShows(page, '0,0', 'PAIR');
    await pairShows(page, '0,1', 'PAIR');
    // Or back to the start of the lesson.
    await page.locator('[data-checkpoint="lesson-start"] [data-action="checkpoint-restore"]').click();
    await pairShows(page, '0,0', 'PSUS');
    await poolShows(page, 1, 65, 'POLN');
  }, 60_000);

  it('training-tia-vclone: the retained pair refuses delete until its 24 h end, then a PAIR pair becomes a vClone of its P-VOL', async () => {
    server = await startUiServer({ fixture: 'training-tia-vclone' });
    page = await openUi(await chromium(), server, '/emulator/ui/', { width: 1280, height: 720 });
    const words = async (selector: string) => ((await page!.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
    // From the start: LDEV 1's tree is its vClone 12 alone, hanging from it by a dotted link.
    await page.locator('[data-tree="1"] [data-vclone="12"][data-vclone-of="1"]').waitFor({ timeout: UI_WAIT });
    expect(await words('[data-vclone="12"] .vclone-sub')).toBe('vClone of 1');
    expect(await words('[data-tree="1"] [data-ldev="1"] .vol-sub')).toBe('vClone parent');
    expect(await words('[data-tree="1"] > header')).toBe('LDEV 1 · app-logs · 1 vClone');
    expect(await page.locator('[data-tree="1"] path.link.vclone').count()).toBe(1);
    expect(await words('[data-tree="0"] > header')).toContain('2 pairs');
    expect(await page.locator('[data-pair="0,0"]').getAttribute('data-tia')).toBe('true');
    expect(await page.locator('[data-pair="0,1"]').getAttribute('data-tia')).toBe('true');

    // The retained pair: padlock and 24 h on its node and in its details (retention counts from the load at T0).
    await pairShows(page, '0,1', 'PSUS');
    await pick(page, '0,1');
    expect(await words('[data-pair="0,1"] .retention-note')).toBe('locked · 24 h left');
    expect(await words('[data-pair="0,1"] [data-retention-until]')).toBe('until 2026-01-06 10:00');
    expect(await page.locator('[data-pair="0,1"] path.lock').count()).toBe(1);
    expect(await words('[data-selected-pair="0,1"] .retention')).toMatch(/^locked by retention: 24 h left, until 2026-01-06 10:00 \(virtual time\)/);
    expect(await words('[data-selected-pair="0,1"] [data-pair-kind]')).toBe('TIA · redirect-on-write snapshot');

    // Delete is accepted as a job that fails: the operations log and the job feed give the array's refusal in words.
    await act(page, '[data-action="delete"]');
    await server.advance(1);
    const refusal = 'The pair cannot be resynchronized or deleted until its snapshot data retention period ends. (pair = 0,1, retentionPeriod = 24)';
    await page.locator('[data-op][data-op-state="Failed"] .error-object summary', { hasText: refusal }).waitFor({ timeout: UI_WAIT });
    expect(await words('[data-op][data-op-state="Failed"] .error-object summary')).toMatch(/^KART30000-E: /);
    expect(await words('[data-op][data-op-state="Failed"] .op-head')).toContain('HTTP 202');
    await page.locator('[data-job][data-job-state="Failed"] .job-error', { hasText: refusal }).waitFor({ timeout: UI_WAIT });
    await pairShows(page, '0,1', 'PSUS');
    await page.locator('[data-selected-pair="0,1"] [data-retention="24"]').waitFor({ timeout: UI_WAIT });
    await page.screenshot({ path: `${SHOTS}/lesson-tia-vclone-retained.png`, animations: 'disabled' });

    // The trainer moves the virtual clock past the end from the retention line: the lock goes, the pair stays PSUS.
    expect(await words('[data-action="clock-to-retention-end"]')).toBe('Skip to its end (+24 h)');
    await page.locator('[data-action="clock-to-retention-end"]').click();
    await page.locator(`.clock-time[data-clock-ms="${Date.UTC(2026, 0, 6, 10, 0, 0) + 1000}"]`).waitFor({ timeout: UI_WAIT });
    await page.locator('[data-pair="0,1"] .retention-note').waitFor({ state: 'detached', timeout: UI_WAIT });
    expect(await page.locator('[data-pair="0,1"] path.lock, [data-pair="0,1"] [data-retention-until]').count()).toBe(0);
    await page.locator('[data-selected-pair="0,1"] .retention').waitFor({ state: 'detached', timeout: UI_WAIT });
    await pairShows(page, '0,1', 'PSUS');

    // vClone create on the PAIR pair: the pair goes, LDEV 10 hangs from LDEV 0 as its vClone, and the feed says so.
    await pick(page, '0,0');
    expect(await page.locator('[data-action="vclone-convert"]').isDisabled()).toBe(true);
    await act(page, '[data-action="vclone-create"]');
    await server.advance(10);
    await page.locator('[data-pair="0,0"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    const vclone = page.locator('[data-tree="0"] [data-vclone="10"][data-vclone-of="0"]');
    await vclone.waitFor({ timeout: UI_WAIT });
    expect(await words('[data-vclone="10"] .vclone-sub')).toBe('vClone of 0');
    expect(await words('[data-tree="0"] [data-ldev="0"] .vol-sub')).toBe('vClone parent');
    expect(await page.locator('[data-tree="0"] path.link.vclone').count()).toBe(1);
    expect(await words('[data-tree="0"] > header')).toContain('1 pair · 1 layer · 1 vClone');
    await page.locator('[data-transition="0,0"][data-became-vclone="10"]',
      { hasText: 'turned into a vClone: the pair is gone and LDEV 10 is now a vClone of LDEV 0' }).waitFor({ timeout: UI_WAIT });
    await pairShows(page, '0,1', 'PSUS');
    // LDEV 12 is still LDEV 1's vClone; LDEV 10's details name its parent.
    await page.locator('[data-tree="1"] [data-vclone="12"][data-vclone-of="1"]').waitFor({ timeout: UI_WAIT });
    await vclone.click();
    expect(await words('[data-selected-ldev="10"] [data-vclone-facts]')).toContain('vClone of LDEV 0');
    await page.screenshot({ path: `${SHOTS}/lesson-tia-vclone.png`, animations: 'disabled' });
  }, 60_000);
});
