import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeAfterEach, fileChromium, openUi, pairShows, startUiServer, UI_WAIT, type UiServer } from './support.js';

/**
 * The web view in a real browser (Debian's chromium): what an instructor sees and clicks. Each test starts its own
 * emulator (manual clock) and browser context; one chromium serves the whole file.
 */

let server: UiServer | null = null;
let page: Page | null = null;

/** The file's chromium, launched by the first test; without chromium every test fails with how to install it. */
const chromium = fileChromium();
closeAfterEach(() => ({ page, server }), () => { page = null; server = null; });

describe('web view in chromium', () => {
  it('shows pairs created through the API as they appear, and a click on Split turns the pair PSUS', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    page = await openUi(await chromium(), server);
    await pairShows(page, '0,0', 'PAIR');

    // A client creates a second snapshot through the REST API: the page shows it copying, then paired.
    const created = await server.rest('POST', 'snapshots', { snapshotGroupName: 'lesson', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 11 });
    expect(created.status).toBe(202);
    await server.advance(1.5); // the create job completes: COPY
    await pairShows(page, '0,1', 'COPY');
    await server.advance(3); // COPY → PAIR
    await pairShows(page, '0,1', 'PAIR');

    // The instructor selects it and clicks Split: a real REST request, answered with a job.
    await page.locator('[data-pair="0,1"] .pill').click();
    await page.locator('[data-selected-pair="0,1"]').waitFor({ timeout: UI_WAIT });
    await page.locator('[data-action="split"]').click();
    await page.locator('[data-op] .badge', { hasText: 'HTTP 202' }).waitFor({ timeout: UI_WAIT });
    await server.advance(1);
    await pairShows(page, '0,1', 'PSUS');
    // The change is visible as it happens: highlighted, and listed with its virtual time.
    await page.locator('[data-pair="0,1"] .flash').waitFor({ state: 'attached', timeout: UI_WAIT });
    const transitions = page.locator('[data-transition="0,1"]');
    await transitions.filter({ hasText: 'PSUS' }).first().waitFor({ timeout: UI_WAIT });
    // Said in words, newest first, as the array did it.
    expect((await transitions.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'LDEV 0 MU 1: PAIR → PSUS, split: snapshot data stored at 10:00:05',
      'LDEV 0 MU 1: COPY → PAIR, copy done: paired at 10:00:03',
      'LDEV 0 MU 1: new → COPY, pair created, copying at 10:00:01',
    ]);
    // The view follows the action: the pair that changed last is ringed.
    await page.locator('[data-pair="0,1"][data-followed]').waitFor({ timeout: UI_WAIT });
    // The job is Succeeded in the operations log, and the journal shows the request the page sent.
    await page.locator('[data-op-state="Succeeded"]', { hasText: 'split 0,1' }).waitFor({ timeout: UI_WAIT });
    await page.locator('[data-panel="journal"] li', { hasText: 'snapshots/0,1/actions/split/invoke' }).waitFor({ timeout: UI_WAIT });
    const journal = await server.emu('GET', 'journal?method=POST&path=/ConfigurationManager/v1/objects/storages/*/snapshots/0,1/actions/split/invoke');
    expect(journal.data).toHaveLength(1);
    expect(journal.data[0]).toMatchObject({ status: 202, requestBody: { parameters: {} } });
  });

  it('shows a refused operation with the array\'s error object', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    page = await openUi(await chromium(), server);
    await page.locator('[data-pair="0,0"] .pill').click();
    await page.locator('[data-action="clone"]').click(); // a snapshot-attribute pair cannot be cloned: 412
    const op = page.locator('[data-op-state="refused"]', { hasText: 'clone 0,0' });
    await op.waitFor({ timeout: UI_WAIT });
    expect(await op.locator('.badge').first().innerText()).toBe('HTTP 412');
    const error = JSON.parse(await op.locator('.error-object pre').innerText());
    expect(error).toMatchObject({ errorSource: expect.stringContaining('/snapshots/0,0/actions/clone/invoke'), messageId: expect.stringMatching(/^KART\d+-E$/) });
  });

  it('fills a clone\'s progress bar as virtual time passes, then the pair vanishes', async () => {
    server = await startUiServer({ fixture: 'training-cascade-clone' });
    page = await openUi(await chromium(), server);
    await pairShows(page, '30,0', 'PAIR'); // the third layer is drawn
    await pairShows(page, '0,2', 'PAIR');

    await page.locator('[data-pair="0,2"] .pill').click();
    await page.locator('[data-field="copy-speed"]').selectOption('medium');
    await page.locator('[data-action="clone"]').click();
    await page.locator('[data-op] .badge', { hasText: 'HTTP 202' }).waitFor({ timeout: UI_WAIT });
    await server.advance(0.5); // the clone job: PSUP, copying 10 GiB at 2 s/GiB
    await pairShows(page, '0,2', 'PSUP');
    expect(await page.locator('[data-pair="0,2"]').getAttribute('data-progress')).toBe('0');

    await server.advance(10);
    await page.locator('[data-pair="0,2"][data-progress="50"]').waitFor({ timeout: UI_WAIT });
    const bar = page.locator('[data-pair="0,2"] .bar');
    const track = page.locator('[data-pair="0,2"] .track');
    const ratio = Number(await bar.getAttribute('width')) / Number(await track.getAttribute('width'));
    expect(ratio).toBeCloseTo(0.5, 2);
    // The picture the README shows: a cascade tree with a clone half copied and another clone running.
    mkdirSync('test-results', { recursive: true });
    await page.locator('[data-pair="1,0"] .pill').click();
    await page.screenshot({ path: 'test-results/ui.png', fullPage: true, animations: 'disabled' });

    await server.advance(10); // the copy ends (PSUP → SMPP), then the pair is deleted
    await pairShows(page, '0,2', 'SMPP');
    await server.advance(2);
    await page.locator('[data-pair="0,2"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    await page.locator('[data-transition="0,2"]', { hasText: 'gone' }).waitFor({ timeout: UI_WAIT });
    // Its S-VOL is an independent volume now: no role in any tree.
    expect(await page.locator('[data-ldev-row="20"]').innerText()).not.toContain('S-VOL');
  });

  it('loads a training scenario from the page', async () => {
    server = await startUiServer();
    page = await openUi(await chromium(), server);
    expect(await page.locator('[data-pair]').count()).toBe(0);
    await page.locator('[data-field="scenario"]').selectOption('training-cascade-clone');
    await page.locator('[data-action="scenario-load"]').click();
    await page.locator('[data-fixture="training-cascade-clone"]').waitFor({ timeout: UI_WAIT });
    await pairShows(page, '30,0', 'PAIR');
    expect(await page.locator('[data-tree]').count()).toBe(2);
    expect(await page.locator('[data-tree="0"] header').innerText()).toContain('5 pairs · 3 layers');
    await pairShows(page, '1,0', 'PSUP');

    await page.locator('[data-field="scenario"]').selectOption('training-pool-full');
    await page.locator('[data-action="scenario-load"]').click();
    await page.locator('[data-pool="1"][data-used-rate="65"]').waitFor({ timeout: UI_WAIT });
    await pairShows(page, '0,1', 'PSUS');

    // The lesson of that scenario: push the pool over its warning threshold from its gauge.
    await page.locator('[data-pool="1"] [data-action="fill-pool"]').click();
    await page.locator('[data-field="pool-rate"]').evaluate((el: HTMLInputElement) => {
      el.value = '76';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator('[data-action="pool-apply"]').click();
    await page.locator('[data-pool="1"][data-used-rate="76"]').waitFor({ timeout: UI_WAIT });
    await pairShows(page, '0,1', 'PFUS');
    await pairShows(page, '2,0', 'PFUL');
    await page.locator('[data-transition="2,0"]', { hasText: 'PFUL' }).waitFor({ timeout: UI_WAIT });
    expect((await server.emu('GET', 'faults')).data).toEqual([]); // applied, not left armed
  });

  it('starts, shows and stops a host write workload (host I/O)', async () => {
    server = await startUiServer({ fixture: 'training-pool-full' });
    page = await openUi(await chromium(), server);
    await page.locator('[data-ldev-row="0"]').click();
    await page.locator('[data-action="workload-here"]').click();
    await page.locator('[data-field="workload-rate"]').fill('128');
    await page.locator('[data-field="workload-seconds"]').fill('30');
    await page.locator('[data-action="workload-start"]').click();
    const row = page.locator('[data-workload]');
    await row.locator('[data-workload-state="running"]').waitFor({ timeout: UI_WAIT });
    const [started] = (await server.emu('GET', 'io/workloads')).data;
    expect(started).toMatchObject({ ldevId: 0, MiBps: 128, random: true, durationSeconds: 30, state: 'running', writes: 0 });

    await server.advance(10);
    await row.locator('[data-workload-state="running"]', { hasText: /\b[1-9]\d*\/\d+ writes/ }).waitFor({ timeout: UI_WAIT });
    expect((await server.emu('GET', `io/workloads/${started.id}`)).writes).toBeGreaterThan(0);
    await row.locator('[data-action="workload-stop"]').click();
    await row.waitFor({ state: 'detached', timeout: UI_WAIT });
  });

  it('switches between arrays', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    page = await openUi(await chromium(), server);
    await server.emu('POST', 'arrays', { fixture: 'training-cascade-clone', serialNumber: 222222 });
    const picker = page.locator('[data-field="array"]');
    await picker.waitFor({ timeout: UI_WAIT });
    await picker.selectOption('936000222222');
    await pairShows(page, '30,0', 'PAIR');
    expect(page.url()).toContain('storageDeviceId=936000222222');
    expect(await page.locator('[data-pair="0,0"]').getAttribute('data-status')).toBe('PSUS');
  });

  it('pauses, runs, speeds up and steps the clock; saves and restores a checkpoint', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    page = await openUi(await chromium(), server);
    const clock = page.locator('.clock');
    expect(await clock.getAttribute('data-clock-mode')).toBe('manual');
    const before = Number(await page.locator('.clock-time').getAttribute('data-clock-ms'));
    await page.locator('[data-action="clock-step-60"]').click();
    await page.locator(`.clock-time[data-clock-ms="${before + 60_000}"]`).waitFor({ timeout: UI_WAIT });

    await page.locator('[data-action="clock-faster"]').click();
    await page.locator('.clock[data-clock-speed="2"]').waitFor({ timeout: UI_WAIT });
    await page.locator('[data-action="clock-run"]').click();
    await page.locator('.clock[data-clock-mode="real"]').waitFor({ timeout: UI_WAIT });
    await page.locator('[data-action="clock-slower"]').click();
    await page.locator('.clock[data-clock-speed="1"]').waitFor({ timeout: UI_WAIT });
    await page.locator('[data-action="clock-pause"]').click();
    await page.locator('.clock[data-clock-mode="manual"]').waitFor({ timeout: UI_WAIT });
    expect(await server.emu('GET', 'clock')).toMatchObject({ mode: 'manual', speed: 1 });

    await page.locator('.checkpoints input').fill('before-split');
    await page.locator('[data-action="checkpoint-save"]').click();
    await page.locator('[data-checkpoint="before-split"]').waitFor({ timeout: UI_WAIT });
    await server.rest('POST', 'snapshots/0,0/actions/split/invoke', { parameters: {} });
    await server.advance(1);
    await pairShows(page, '0,0', 'PSUS');
    await page.locator('[data-checkpoint="before-split"] [data-action="checkpoint-restore"]').click();
    await pairShows(page, '0,0', 'PAIR');
  });

  it('asks for the control token when the control plane has one', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot', controlToken: 's3cret-token' });
    const context = await (await chromium()).newContext();
    page = await context.newPage();
    await page.goto(`${server.base}/emulator/ui/`);
    await page.locator('input[name="token"]').fill('wrong');
    await page.locator('button[type="submit"]').click();
    await page.locator('[role="alert"]', { hasText: 'not the control token' }).waitFor({ timeout: UI_WAIT });
    await page.locator('input[name="token"]').fill('s3cret-token');
    await page.locator('button[type="submit"]').click();
    await page.locator('[data-live="live"]').waitFor({ timeout: UI_WAIT });
    await pairShows(page, '0,0', 'PAIR');
    // Control calls from the page work through its proxy, with the token kept on the server side.
    await page.locator('[data-action="clock-step-10"]').click();
    await page.locator(`.clock-time[data-clock-ms="${Date.UTC(2026, 0, 5, 10, 0, 10)}"]`).waitFor({ timeout: UI_WAIT });
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'vsp_emulator_ui', httpOnly: true, sameSite: 'Strict', path: '/emulator/ui' });
    expect(cookies[0]!.value).not.toContain('s3cret');
  });
});
