import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import {
  createPair, del, expectError, expectJobFailed, expectSucceeded, INSTANT, OBJ, snapBody, startApp, startWith, statusOf, type TestApp,
} from './snapshotKit.js';

/** Garbage-data deletion of a snapshot tree (TIA ref 5): VSP 5000 only, progress on the root LDEV, virtual clock. */

const V1 = '/ConfigurationManager/v1';
const SID5 = '900000123456';
let t: TestApp;
afterEach(async () => { await t?.close(); });

const garbage = (ldevId: unknown, operationType: unknown, form: 'embedded' | 'scoped' = 'embedded', method: 'post' | 'put' = 'post') =>
  t.http[method](form === 'embedded' ? `${V1}/services/snapshot-tree/actions/delete-garbage-data/invoke`
    : `${V1}/${SID5}/services/snapshot-tree/actions/delete-garbage-data/invoke`)
    .set(t.auth).set(INSTANT).send({ parameters: { ldevId, operationType } });
const root = async () => (await t.http.get(`${OBJ}/ldevs/256`).set(t.auth)).body as Record<string, unknown>;
const progress = async () => {
  const l = await root();
  return [l.snapshotGarbageDataDeletionStatus, l.snapshotGarbageDataCapacity];
};
const write = (ldevId: number, length: string, seed: number) =>
  t.http.post('/emulator/v1/io/write').send({ ldevId, offset: 0, length, seed }).then((r) => expect(r.status, JSON.stringify(r.body)).toBe(200));

/**
 * On the vsp5500 fixture: root 256 with pair 256,0 (S-VOL 257) split over 2.5 GiB of data that is then overwritten
 * (2,560 chunks of snapshot data), and pair 256,1 (PAIR) that keeps the tree. Deleting 256,0 leaves its snapshot
 * data as the tree's garbage.
 */
async function treeWithGarbage(): Promise<void> {
  t = await startApp({ fixture: 'vsp5500' });
  await write(256, '2560M', 1);
  expectSucceeded(await createPair(t, snapBody(256, 257, { autoSplit: true })));
  expectSucceeded(await createPair(t, snapBody(256, undefined)));
  t.advance(14);
  expect(await statusOf(t, 256, 0)).toBe('PSUS');
  await write(256, '2560M', 2);
  expect(await progress()).toEqual([undefined, undefined]);
  expectSucceeded(await del(t, 256, 0));
  t.advance(2);
  expect(await statusOf(t, 256, 0)).toBeUndefined();
}

describe('delete-garbage-data on a VSP 5000 (vsp5500)', () => {
  it('snapshot data released in a live tree is its garbage; start runs 1 GiB per step and stops itself under 1 GiB', async () => {
    await treeWithGarbage();
    expect(await progress()).toEqual([undefined, 2560]);
    // Released capacity is free in the pool at once: the garbage is a figure of the tree only.
    expect((await t.http.get(`${OBJ}/pools/1`).set(t.auth)).body.snapshotUsedCapacity).toBe(0);
    const r = await garbage(256, 'start');
    expectSucceeded(r, `${OBJ}/ldevs/256`);
    expect(await progress()).toEqual(['running', 2560]);
    t.advance(4.9);
    expect(await progress()).toEqual(['running', 2560]);
    t.advance(0.1);
    expect(await progress()).toEqual(['running', 1536]);
    t.advance(2);
    expect(await progress()).toEqual(['running', 512]);
    t.advance(2);
    expect(await progress()).toEqual(['completed', 512]);
    t.advance(60);
    expect(await progress()).toEqual(['completed', 512]);
  });

  it('stop on a running tree stops it where it is; start resumes; stop when nothing runs is accepted and changes nothing', async () => {
    await treeWithGarbage();
    expectSucceeded(await garbage(256, 'stop'), `${OBJ}/ldevs/256`);
    expect(await progress()).toEqual([undefined, 2560]);
    expectSucceeded(await garbage(256, 'start'));
    t.advance(5);
    expect(await progress()).toEqual(['running', 1536]);
    expectSucceeded(await garbage(256, 'stop', 'scoped', 'put'), `${OBJ}/storages/${SID5}/ldevs/256`);
    expect(await progress()).toEqual(['stopped', 1536]);
    t.advance(30);
    expect(await progress()).toEqual(['stopped', 1536]);
    expectSucceeded(await garbage(256, 'start'));
    // A start while running leaves the running processing as it is.
    t.advance(3);
    expectSucceeded(await garbage(256, 'start'));
    t.advance(2);
    expect(await progress()).toEqual(['running', 512]);
  });

  it('a tree without garbage: start runs through the start-up and completes with 0 MiB', async () => {
    t = await startApp({ fixture: 'vsp5500' });
    expectSucceeded(await createPair(t, snapBody(256, 257, { autoSplit: true })));
    expectSucceeded(await garbage(256, 'start'));
    expect(await progress()).toEqual(['running', 0]);
    t.advance(5);
    expect(await progress()).toEqual(['completed', 0]);
  });

  it('the tree and its garbage go with the root\'s last pair', async () => {
    await treeWithGarbage();
    expectSucceeded(await garbage(256, 'start'));
    expectSucceeded(await del(t, 256, 1));
    t.advance(10);
    expect(await progress()).toEqual([undefined, undefined]);
  });

  it('refusals: not a root (2E32/0009), no pairs (2E32/000A), undefined LDEV (2E20/0000), body rules (400)', async () => {
    t = await startApp({ fixture: 'vsp5500' });
    expectSucceeded(await createPair(t, snapBody(256, 257, { autoSplit: true })));
    expectJobFailed(await garbage(257, 'start'), '2E32', '0009');
    expectJobFailed(await garbage(258, 'start'), '2E32', '000A');
    expectJobFailed(await garbage(300, 'start'), '2E20', '0000');
    for (const bad of ['pause', 'START', 1, null]) expect((await garbage(256, bad)).status, String(bad)).toBe(400);
    expect((await garbage('x', 'start')).status).toBe(400);
    expect((await t.http.post(`${V1}/services/snapshot-tree/actions/delete-garbage-data/invoke`).set(t.auth).send({ parameters: { ldevId: 256 } })).status).toBe(400);
    expect(await progress()).toEqual([undefined, undefined]);
  });
});

describe('delete-garbage-data elsewhere', () => {
  it('is an unknown URL on a VSP E990 (404 KART20009-E), whatever the body', async () => {
    t = await startApp();
    expectError(await garbage(0, 'start'), 404, 'KART20009-E');
    expectError(await garbage(0, 'nonsense'), 404, 'KART20009-E');
  });

  it('fidelity garbageDeleteUnsupported=programProduct: a Failed job 2E21/9010 instead', async () => {
    const fx = structuredClone(readFixture('default'));
    fx.fidelity = { ...(fx.fidelity ?? {}), garbageDeleteUnsupported: 'programProduct' };
    t = await startWith(fx);
    expectJobFailed(await garbage(0, 'start'), '2E21', '9010');
  });

  it('fidelity garbageStopWhenIdle=refuse: stop with nothing running fails 2E36/0002', async () => {
    const fx = structuredClone(readFixture('vsp5500'));
    fx.fidelity = { ...(fx.fidelity ?? {}), garbageStopWhenIdle: 'refuse' };
    t = await startWith(fx);
    expectSucceeded(await createPair(t, snapBody(256, 257, { autoSplit: true })));
    expectJobFailed(await garbage(256, 'stop'), '2E36', '0002');
  });
});
