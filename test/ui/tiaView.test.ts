import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiView } from '../../src/ui/wire.js';
import { startUiServer, type UiServer } from './support.js';

/** The JSON the web view draws a VSP One B28 from (TIA ref 3-4): retention ends, vClones, the LDEVs' vClone facts. */

let server: UiServer | null = null;
afterEach(async () => { await server?.close(); server = null; });

const view = async (s: UiServer): Promise<UiView> => (await request(s.app.server).get('/emulator/ui/api/view').expect(200)).body;
const tia = (pvol: number, svol: number, extra: Record<string, unknown> = {}) => ({
  snapshotGroupName: 'g', snapshotPoolId: 0, pvolLdevId: pvol, svolLdevId: svol, isDataReductionForceCopy: true, canCascade: true, ...extra,
});

describe('the view of a VSP One B28', () => {
  it('gives the retention end of a retained pair beside the pairs, which stay the REST objects, until it expires', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    expect((await server.rest('POST', 'snapshots', tia(0, 1, { autoSplit: true, retentionPeriod: 2 }))).status).toBe(202);
    await server.advance(30);
    const v = await view(server);
    const pair = v.pairs.find((p) => p.snapshotId === '0,0')!;
    expect(pair).toMatchObject({ status: 'PSUS', isRedirectOnWrite: true, retentionPeriod: 2 });
    expect(pair.concordanceRate).toBeUndefined();
    expect(pair.retentionEnd).toBeUndefined();
    const end = Date.parse(v.retentionEnds['0,0']!);
    expect(end - v.clock.epochMs).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(end - v.clock.epochMs).toBeLessThanOrEqual(2 * 3_600_000);
    await server.advance(2 * 3600);
    expect((await view(server)).retentionEnds).toEqual({});
  });

  it('lists every vClone with its parent, and the LDEVs say which is a vClone and which a vClone parent', async () => {
    server = await startUiServer({ fixture: 'vsp-one-b28' });
    expect((await server.rest('POST', 'snapshots', tia(0, 1))).status).toBe(202);
    await server.advance(30);
    expect((await view(server)).vclones).toEqual([]);
    expect((await server.rest('POST', 'snapshots/0,0/actions/virtual-clone/invoke', { parameters: { operationType: 'create' } })).status).toBe(202);
    await server.advance(30);
    const v = await view(server);
    expect(v.pairs).toEqual([]);
    expect(v.vclones).toEqual([{ ldevId: 1, parentLdevId: 0, label: 'vol-app-02' }]);
    expect(v.ldevs.find((l) => l.ldevId === 1)).toMatchObject({ parentLdevId: 0, isVirtualCloneParent: false, attributes: expect.arrayContaining(['VC']) });
    expect(v.ldevs.find((l) => l.ldevId === 0)).toMatchObject({ parentLdevId: null, isVirtualCloneParent: true });
  });
});
