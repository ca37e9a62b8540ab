import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { OpenAPIClientAxios } from 'openapi-client-axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { recordServer } from './contract.js';

/**
 * A client generated at run time from openapi/vsp-rest-api.json alone (openapi-client-axios builds one method per
 * operationId, with its path, query and header parameters): it logs in, creates an S-VOL and a Thin Image pair,
 * reads the pair back and splits it, in both URL forms, against a listening emulator. Its answers are held to the
 * contract like every other test's.
 */
const DOC = JSON.parse(readFileSync(new URL('../../openapi/vsp-rest-api.json', import.meta.url), 'utf8'));
const SID = '936000123456';
const WAIT = { 'Response-Job-Status': 'Completed', 'Response-Max-Wait': 60 };

type Call = (params?: unknown, data?: unknown, config?: unknown) => Promise<{ status: number; data: any; headers: Record<string, unknown> }>;
type Client = Record<string, Call> & { defaults: { headers: { common: Record<string, string> } } };

describe('a client generated from the document', () => {
  let built: App;
  let client: Client;
  beforeAll(async () => {
    built = await buildApp({ db: ':memory:', clock: 'manual', startTime: Date.UTC(2026, 0, 5, 10), seed: 1, timing: 'instant' });
    recordServer(built.app.server);
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = built.app.server.address() as AddressInfo;
    const api = new OpenAPIClientAxios({ definition: DOC, withServer: { url: `http://127.0.0.1:${port}` }, axiosConfigDefaults: { validateStatus: () => true } });
    client = await api.init() as unknown as Client;
  });
  afterAll(async () => { await built?.close(); });

  it('has one method per operationId of the document', () => {
    const ids = Object.values(DOC.paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['createSession', 'createLdev', 'createSnapshot', 'getSnapshot', 'listSnapshots', 'splitSnapshotViaPut', 'getLdevInStorage', 'getJob']) {
      expect(typeof client[id], id).toBe('function');
    }
  });

  it('logs in, creates an S-VOL and a pair, reads the pair, splits it, and reads it through the storage-scoped form', async () => {
    const login = await client.createSession!(null, { aliveTime: 300 }, { auth: { username: 'maintenance', password: 'raid-maintenance' } });
    expect(login.status).toBe(200);
    expect(login.data).toEqual({ token: expect.any(String), sessionId: expect.any(Number) });
    client.defaults.headers.common.Authorization = `Session ${login.data.token}`;

    const svol = await client.createLdev!(WAIT, { ldevId: 10, poolId: 0, byteFormatCapacity: '10G' });
    expect([svol.status, svol.data.state]).toEqual([202, 'Succeeded']);
    expect(svol.data.affectedResources).toEqual(['/ConfigurationManager/v1/objects/ldevs/10']);

    const created = await client.createSnapshot!(WAIT, {
      snapshotGroupName: 'generated', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true,
    });
    expect([created.status, created.data.status, created.data.state]).toEqual([202, 'Completed', 'Succeeded']);
    const snapshotId = String(created.data.affectedResources[0]).split('/').pop()!;
    expect(snapshotId).toBe('0,0');
    expect(created.headers['x-vsp-job-id']).toBe(String(created.data.jobId));

    const pair = await client.getSnapshot!({ snapshotId });
    expect(pair.status).toBe(200);
    expect(pair.data).toMatchObject({ snapshotId, pvolLdevId: 0, muNumber: 0, svolLdevId: 10, snapshotGroupName: 'generated', primaryOrSecondary: 'P-VOL' });

    const split = await client.splitSnapshotViaPut!({ snapshotId, ...WAIT });
    expect(split.data.state).toBe('Succeeded');
    const listed = await client.listSnapshots!({ svolLdevId: 10 });
    expect(listed.data.data).toEqual([expect.objectContaining({ snapshotId, status: 'PSUS', primaryOrSecondary: 'S-VOL', splitTime: expect.any(String) })]);

    const scoped = await client.getSnapshotInStorage!({ storageDeviceId: SID, snapshotId });
    expect(scoped.data).toMatchObject({ snapshotId, status: 'PSUS' });
    const job = await client.getJobInStorage!({ storageDeviceId: SID, jobId: split.data.jobId });
    expect(job.data).toMatchObject({ jobId: split.data.jobId, state: 'Succeeded' });
    const ldev = await client.getLdev!({ ldevId: 10 });
    expect(ldev.data.attributes).toContain('HTI');
  });

  it('reads the error object the document declares', async () => {
    const missing = await client.getSnapshot!({ snapshotId: '0,9' });
    expect(missing.status).toBe(404);
    expect(missing.data).toMatchObject({ messageId: 'KART30013-E', errorCode: { errorCode: 'EX_ENOOBJ' } });
    delete client.defaults.headers.common.Authorization;
    const anonymous = await client.listLdevs!({ count: 1 });
    expect(anonymous.status).toBe(401);
    const version = await client.getApiVersion!();
    expect(version.data.productName).toBe('Configuration Manager REST API');
  });
});
