import { afterEach, describe, expect, it } from 'vitest';
import { OBJ, SCOPED, SID, startApp, type TestApp } from './support.js';

const ids = (body: { data: Array<{ ldevId: number }> }) => body.data.map((l) => l.ldevId);
const GIB_BLOCKS = 2 * 1024 * 1024;

describe('LDEVs', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  describe('reading', () => {
    it('GET ldevs/{id} shows a defined DP volume with every field clients read', async () => {
      t = await startApp();
      const res = await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ldevId: 0, clprId: 0, emulationType: 'OPEN-V-CVS', byteFormatCapacity: '10.00 G', blockCapacity: 10 * GIB_BLOCKS,
        numOfPorts: 1, ports: [{ portId: 'CL1-A', hostGroupNumber: 1, hostGroupName: 'linux-host-01', lun: 0 }],
        attributes: ['CVS', 'HDP'], label: 'vol-app-01', status: 'NML', mpBladeId: 0, ssid: '0004',
        poolId: 0, numOfUsedBlock: 0, isFullAllocationEnabled: false, isRelocationEnabled: true, resourceGroupId: 0,
        dataReductionStatus: 'DISABLED', dataReductionMode: 'disabled', isAluaEnabled: false,
        naaId: '60060e800001e2405040000000000000',
      });
      const unmapped = await t.http.get(`${SCOPED}/ldevs/2`).set(t.auth);
      expect(unmapped.body).toMatchObject({ numOfPorts: 0, byteFormatCapacity: '100.00 G', numOfUsedBlock: 40 * GIB_BLOCKS, label: 'vol-db-01' });
      expect(unmapped.body.ports).toBeUndefined();
      expect((await t.http.get(`${OBJ}/ldevs/3`).set(t.auth)).body.byteFormatCapacity).toBe('1.00 T');
    });

    it('GET ldevs/{id} for a free slot is 200 with emulationType NOT DEFINED', async () => {
      t = await startApp();
      for (const id of ['4', '1000', '65279']) {
        const res = await t.http.get(`${SCOPED}/ldevs/${id}`).set(t.auth);
        expect(res.status).toBe(200);
        expect(res.body.ldevId).toBe(Number(id));
        expect(res.body.emulationType).toBe('NOT DEFINED');
        expect(res.body.attributes).toBeUndefined();
      }
      expect((await t.http.get(`${OBJ}/ldevs/1000`).set(t.auth)).body.ssid).toBe('0007');
    });

    it('GET ldevs is a window of headLdevId..+count slots that includes free slots', async () => {
      t = await startApp();
      const res = await t.http.get(`${OBJ}/ldevs?headLdevId=2&count=4`).set(t.auth);
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([2, 3, 4, 5]);
      expect(res.body.data.map((l: { emulationType: string }) => l.emulationType)).toEqual(['OPEN-V-CVS', 'OPEN-V-CVS', 'NOT DEFINED', 'NOT DEFINED']);
      const dflt = await t.http.get(`${SCOPED}/ldevs`).set(t.auth);
      expect(ids(dflt.body)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      const tail = await t.http.get(`${OBJ}/ldevs?headLdevId=65278&count=10`).set(t.auth);
      expect(ids(tail.body)).toEqual([65278, 65279]);
      expect((await t.http.get(`${OBJ}/ldevs?headLdevId=70000`).set(t.auth)).body).toEqual({ data: [] });
    });

    it('ldevOption=defined / undefined / dpVolume / luMapped / luUnmapped filter the window', async () => {
      t = await startApp({ timing: 'instant' });
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 6, poolId: -1, byteFormatCapacity: '10G' });
      const q = async (query: string) => ids((await t.http.get(`${OBJ}/ldevs?${query}`).set(t.auth)).body);
      expect(await q('ldevOption=defined')).toEqual([0, 1, 2, 3, 6]);
      expect(await q('ldevOption=defined&count=2')).toEqual([0, 1]);
      expect(await q('ldevOption=defined&headLdevId=2&count=2')).toEqual([2, 3]);
      expect(await q('ldevOption=undefined&count=4')).toEqual([4, 5, 7, 8]);
      expect(await q('ldevOption=undefined&headLdevId=1020&count=8')).toEqual([1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027]);
      expect(await q('ldevOption=dpVolume')).toEqual([0, 1, 2, 3]);
      expect(await q('ldevOption=luMapped')).toEqual([0]);
      expect(await q('ldevOption=luUnmapped')).toEqual([1, 2, 3, 6]);
      expect(await q('ldevOption=externalVolume')).toEqual([]);
      const undef = (await t.http.get(`${OBJ}/ldevs?ldevOption=undefined&count=1`).set(t.auth)).body.data[0];
      expect(undef).toEqual({ ldevId: 4, emulationType: 'NOT DEFINED', ssid: '0004', resourceGroupId: 0 });
    });

    it('poolId filters defined volumes of a pool, alone or with ldevOption', async () => {
      t = await startApp();
      const q = async (query: string) => ids((await t.http.get(`${SCOPED}/ldevs?${query}`).set(t.auth)).body);
      expect(await q('poolId=0')).toEqual([0, 1, 2, 3]);
      expect(await q('poolId=0&ldevOption=luUnmapped')).toEqual([1, 2, 3]);
      expect(await q('poolId=0&count=1&headLdevId=1')).toEqual([1]);
      expect(await q('poolId=1')).toEqual([]);
      expect(await q('poolId=9')).toEqual([]);
    });

    it('query values arrive as strings and are read as numbers; a non-number is 400', async () => {
      t = await startApp();
      expect(ids((await t.http.get(`${OBJ}/ldevs?headLdevId=01&count=02`).set(t.auth)).body)).toEqual([1, 2]);
      expect((await t.http.get(`${OBJ}/ldevs?count=x`).set(t.auth)).status).toBe(400);
    });
  });

  describe('creating', () => {
    it('POST ldevs with an explicit ldevId creates a DP volume with its label', async () => {
      t = await startApp({ timing: 'instant' });
      const res = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 300, poolId: 0, byteFormatCapacity: '1.5G', label: 'vol-new' });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/300`] });
      const l = (await t.http.get(`${OBJ}/ldevs/300`).set(t.auth)).body;
      expect(l).toMatchObject({
        ldevId: 300, emulationType: 'OPEN-V-CVS', byteFormatCapacity: '1.50 G', blockCapacity: 3 * 1024 * 1024, attributes: ['CVS', 'HDP'],
        label: 'vol-new', status: 'NML', poolId: 0, numOfPorts: 0, ssid: '0005', dataReductionMode: 'disabled', dataReductionStatus: 'DISABLED',
      });
    });

    it('isParallelExecutionEnabled picks the lowest free id, within startLdevId/endLdevId when given', async () => {
      t = await startApp({ timing: 'instant' });
      const free = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0, byteFormatCapacity: '1G', isParallelExecutionEnabled: true });
      expect(free.body.affectedResources).toEqual([`${OBJ}/ldevs/4`]);
      for (const expected of [10, 11]) {
        const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0, byteFormatCapacity: '1G', isParallelExecutionEnabled: true, startLdevId: 10, endLdevId: 11 });
        expect(r.body.affectedResources).toEqual([`${OBJ}/ldevs/${expected}`]);
      }
      const full = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ poolId: 0, byteFormatCapacity: '1G', isParallelExecutionEnabled: true, startLdevId: 10, endLdevId: 11 });
      expect(full.body.state).toBe('Failed');
      expect(full.body.error.errorCode).toEqual({ SSB1: '2E11', SSB2: '2209' });
    });

    it('blockCapacity gives the size in 512-byte blocks', async () => {
      t = await startApp({ timing: 'instant' });
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 301, poolId: 0, blockCapacity: GIB_BLOCKS });
      expect((await t.http.get(`${OBJ}/ldevs/301`).set(t.auth)).body).toMatchObject({ blockCapacity: GIB_BLOCKS, byteFormatCapacity: '1.00 G' });
    });

    it('capacity strings: request units T/G/M, answer two decimals and the largest unit', async () => {
      t = await startApp({ timing: 'instant' });
      const cases: Array<[string, string]> = [['47M', '47.00 M'], ['1024M', '1.00 G'], ['10G', '10.00 G'], ['1536G', '1.50 T'], ['2T', '2.00 T'], ['100g', '100.00 G']];
      let id = 400;
      for (const [asked, shown] of cases) {
        const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: id, poolId: 0, byteFormatCapacity: asked });
        expect(r.body.state, asked).toBe('Succeeded');
        expect((await t.http.get(`${OBJ}/ldevs/${id}`).set(t.auth)).body.byteFormatCapacity, asked).toBe(shown);
        id++;
      }
    });

    it('poolId -1 creates a Thin Image V-VOL: attributes ["CVS","VVOL"] and no pool fields', async () => {
      t = await startApp({ timing: 'instant' });
      const r = await t.http.post(`${SCOPED}/ldevs`).set(t.auth).send({ ldevId: 302, poolId: -1, byteFormatCapacity: '10G' });
      expect(r.body.state).toBe('Succeeded');
      const l = (await t.http.get(`${OBJ}/ldevs/302`).set(t.auth)).body;
      expect(l.attributes).toEqual(['CVS', 'VVOL']);
      expect(l.emulationType).toBe('OPEN-V-CVS');
      expect(l.byteFormatCapacity).toBe('10.00 G');
      expect(l.poolId).toBeUndefined();
      expect(l.numOfUsedBlock).toBeUndefined();
      expect(l.snapshotPoolId).toBeUndefined();
    });

    it('dataReductionMode and DRS are stored and shown', async () => {
      t = await startApp({ timing: 'instant' });
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 303, poolId: 0, byteFormatCapacity: '10G', dataReductionMode: 'compression_deduplication', isDataReductionSharedVolumeEnabled: true });
      const l = (await t.http.get(`${OBJ}/ldevs/303`).set(t.auth)).body;
      expect(l).toMatchObject({ dataReductionMode: 'compression_deduplication', dataReductionStatus: 'ENABLED', attributes: ['CVS', 'HDP', 'DRS'] });
    });

    it('JSON null for optional fields means "not specified"', async () => {
      t = await startApp({ timing: 'instant' });
      const r = await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({
        ldevId: 304, poolId: 0, byteFormatCapacity: '1G', blockCapacity: null, label: null, dataReductionMode: null,
        isParallelExecutionEnabled: null, startLdevId: null, endLdevId: null, isFullAllocationEnabled: null,
      });
      expect(r.status).toBe(202);
      expect(r.body.state).toBe('Succeeded');
      expect((await t.http.get(`${OBJ}/ldevs/304`).set(t.auth)).body).toMatchObject({ label: '', dataReductionMode: 'disabled', isFullAllocationEnabled: false });
    });
  });

  describe('changing', () => {
    it('PATCH and PUT ldevs/{id} change the label in both URL forms', async () => {
      t = await startApp({ timing: 'instant' });
      const patch = await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({ label: 'patched' });
      expect(patch.status).toBe(202);
      expect(patch.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/1`] });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.label).toBe('patched');
      const put = await t.http.put(`${SCOPED}/ldevs/1`).set(t.auth).send({ label: '0123456789abcdef0123456789abcdef' });
      expect(put.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${SCOPED}/ldevs/1`] });
      expect(put.body.request.requestMethod).toBe('PUT');
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.label).toBe('0123456789abcdef0123456789abcdef');
      await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({ label: '' });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.label).toBe('');
    });

    it('PATCH changes data reduction and full allocation', async () => {
      t = await startApp({ timing: 'instant' });
      await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({ dataReductionMode: 'compression' });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body).toMatchObject({ dataReductionMode: 'compression', dataReductionStatus: 'ENABLED' });
      const before = (await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.availableVolumeCapacity;
      await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({ isFullAllocationEnabled: true });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body).toMatchObject({ isFullAllocationEnabled: true, numOfUsedBlock: 10 * GIB_BLOCKS });
      expect((await t.http.get(`${OBJ}/pools/0`).set(t.auth)).body.availableVolumeCapacity).toBe(before - 10 * 1024);
    });

    it('changing an undefined LDEV is a Failed job (LDEV not installed, 2E20/0000)', async () => {
      t = await startApp({ timing: 'instant' });
      const r = await t.http.patch(`${OBJ}/ldevs/500`).set(t.auth).send({ label: 'x' });
      expect(r.body.state).toBe('Failed');
      expect(r.body.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E20', SSB2: '0000' } });
    });

    it('expand: POST and PUT on actions/expand/invoke grow the volume', async () => {
      t = await startApp({ timing: 'instant' });
      const post = await t.http.post(`${OBJ}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '2G' } });
      expect(post.status).toBe(202);
      expect(post.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/1`] });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body).toMatchObject({ byteFormatCapacity: '12.00 G', blockCapacity: 12 * GIB_BLOCKS });
      const put = await t.http.put(`${SCOPED}/ldevs/1/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalBlockCapacity: GIB_BLOCKS, enhancedExpansion: true } });
      expect(put.body.state).toBe('Succeeded');
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.blockCapacity).toBe(13 * GIB_BLOCKS);
    });

    it('expanding an undefined LDEV or a V-VOL is a Failed job', async () => {
      t = await startApp({ timing: 'instant' });
      const undef = await t.http.post(`${OBJ}/ldevs/500/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } });
      expect(undef.body.state).toBe('Failed');
      expect(undef.body.error.errorCode).toEqual({ SSB1: '2E20', SSB2: '0000' });
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 310, poolId: -1, byteFormatCapacity: '1G' });
      const vvol = await t.http.post(`${OBJ}/ldevs/310/actions/expand/invoke`).set(t.auth).send({ parameters: { additionalByteFormatCapacity: '1G' } });
      expect(vvol.body.state).toBe('Failed');
      expect(vvol.body.error.messageId).toBe('KART30000-E');
    });
  });

  describe('deleting', () => {
    it('DELETE ldevs/{id} frees the slot (with no body, a JSON null body, or the force flag)', async () => {
      t = await startApp({ timing: 'instant' });
      const plain = await t.http.delete(`${OBJ}/ldevs/1`).set(t.auth);
      expect(plain.status).toBe(202);
      expect(plain.body).toMatchObject({ state: 'Succeeded', affectedResources: [`${OBJ}/ldevs/1`] });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
      const nul = await t.http.delete(`${SCOPED}/ldevs/2`).set(t.auth).set('Content-Type', 'application/json').send('null');
      expect(nul.body.state).toBe('Succeeded');
      const force = await t.http.delete(`${OBJ}/ldevs/3`).set(t.auth).send({ isDataReductionDeleteForceExecute: true });
      expect(force.body.state).toBe('Succeeded');
      expect(ids((await t.http.get(`${OBJ}/ldevs?ldevOption=defined`).set(t.auth)).body)).toEqual([0]);
    });

    it('deleting an undefined LDEV is a Failed job', async () => {
      t = await startApp({ timing: 'instant' });
      const r = await t.http.delete(`${OBJ}/ldevs/600`).set(t.auth);
      expect(r.body.state).toBe('Failed');
      expect(r.body.error.errorCode).toEqual({ SSB1: '2E20', SSB2: '0000' });
    });

    it('deleting an LDEV that has LU paths is refused until the paths are gone', async () => {
      t = await startApp({ timing: 'instant' });
      await t.http.post(`${OBJ}/ldevs`).set(t.auth).send({ ldevId: 320, poolId: 0, byteFormatCapacity: '1G' });
      t.engine.res.insertLun({ sid: SID, portId: 'CL2-A', hgNumber: 0, lun: 3, ldevId: 320 });
      const l = (await t.http.get(`${OBJ}/ldevs/320`).set(t.auth)).body;
      expect(l.numOfPorts).toBe(1);
      expect(l.ports).toEqual([{ portId: 'CL2-A', hostGroupNumber: 0, hostGroupName: '2A-G00', lun: 3 }]);
      const refused = await t.http.delete(`${OBJ}/ldevs/320`).set(t.auth);
      expect(refused.status).toBe(202);
      expect(refused.body).toMatchObject({ status: 'Completed', state: 'Failed', affectedResources: [] });
      expect(refused.body.error).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E10', SSB2: '9706' } });
      expect((await t.http.get(`${OBJ}/ldevs/320`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
      t.engine.res.deleteLun(SID, 'CL2-A', 0, 3);
      expect((await t.http.delete(`${OBJ}/ldevs/320`).set(t.auth)).body.state).toBe('Succeeded');
    });

    it('a read right after any change shows it (LU paths added and removed behind the API)', async () => {
      t = await startApp();
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.numOfPorts).toBe(0);
      t.engine.res.insertLun({ sid: SID, portId: 'CL1-A', hgNumber: 1, lun: 7, ldevId: 1 });
      const mapped = (await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body;
      expect(mapped.numOfPorts).toBe(1);
      expect(mapped.ports).toEqual([{ portId: 'CL1-A', hostGroupNumber: 1, hostGroupName: 'linux-host-01', lun: 7 }]);
      t.engine.res.deleteLun(SID, 'CL1-A', 1, 7);
      expect((await t.http.get(`${SCOPED}/ldevs/1`).set(t.auth)).body.numOfPorts).toBe(0);
      const label = await t.http.patch(`${OBJ}/ldevs/1`).set(t.auth).send({ label: 'seen-at-once' });
      t.advance(0.5);
      expect((await t.http.get(`${OBJ}/jobs/${label.body.jobId}`).set(t.auth)).body.status).toBe('Completed');
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).body.label).toBe('seen-at-once');
    });

    it('the fixture LU path of LDEV 0 blocks its deletion', async () => {
      t = await startApp({ timing: 'instant' });
      const r = await t.http.delete(`${SCOPED}/ldevs/0`).set(t.auth);
      expect(r.body.state).toBe('Failed');
      expect(r.body.error.errorCode.SSB1).toBe('2E10');
    });
  });
});
