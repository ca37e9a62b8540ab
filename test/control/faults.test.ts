import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { CINDER_WAIT, EMU, OBJ, SCOPED, SID, heldRequests, startControl, until } from './support.js';

const INSTANT = { 'x-vsp-emulator-instant': 'true' };
const POOLS = '/ConfigurationManager/v1/objects/pools';

describe('faults', () => {
  let t: TestApp;
  beforeEach(async () => { t = await startControl(); });
  afterEach(async () => { await t.close(); });

  const fault = async (rule: unknown) => {
    const res = await t.http.post(`${EMU}/faults`).send(rule as object);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; [k: string]: unknown };
  };
  const createLdev = (id: number, headers: Record<string, string> = {}, size = '1G') =>
    t.http.post(`${OBJ}/ldevs`).set(t.auth).set(headers).send({ ldevId: id, byteFormatCapacity: size, poolId: 0 });
  /** LDEV 10 and pair 0,0 (S-VOL 10) in the Thin Image pool 1, in PAIR. */
  const pairInPool1 = async () => {
    await createLdev(10, INSTANT, '10G');
    await t.http.post(`${OBJ}/snapshots`).set(t.auth).set(INSTANT)
      .send({ snapshotGroupName: 'g1', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true });
    t.advance(3);
    expect(await pairStatus()).toBe('PAIR');
  };
  const pairStatus = async () => (await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth)).body.status as string;

  describe('http', () => {
    it('503 busy with Retry-After, once, in the array\'s dialect (the issue\'s example)', async () => {
      const rule = await fault({ match: { method: 'GET', path: POOLS }, effect: { type: 'http', status: 503 }, times: 1 });
      expect(rule).toMatchObject({ id: 'f1', phase: 'request', times: 1, probability: 1, matched: 0, applied: 0, remaining: 1, active: true });
      const busy = await t.http.get(`${OBJ}/pools`).set(t.auth);
      expect(busy.status).toBe(503);
      expect(busy.headers['retry-after']).toBe('10');
      expect(busy.headers['x-vsp-emulator-fault']).toBe('f1');
      expect(busy.body).toEqual({
        errorSource: POOLS, messageId: 'KART00003-E', message: 'The REST server is busy.',
        solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', detailCode: '00003E-0',
      });
      const next = await t.http.get(`${OBJ}/pools`).set(t.auth);
      expect(next.status).toBe(200);
      expect(next.headers['x-vsp-emulator-fault']).toBe(undefined);
      expect((await t.http.get(`${EMU}/faults/f1`)).body).toMatchObject({ matched: 1, applied: 1, remaining: 0, active: false });
      expect((await t.http.get(`${EMU}/health`)).body.faults).toBe(0);
    });

    it('one rule path covers both URL forms; method and path must both match', async () => {
      await fault({ match: { method: 'GET', path: POOLS }, effect: { type: 'http', status: 503, retryAfter: 2 } });
      expect((await t.http.get(`${SCOPED}/pools/1`).set(t.auth)).status).toBe(503);
      expect((await t.http.get(`${SCOPED}/pools/1`).set(t.auth)).headers['retry-after']).toBe('2');
      expect((await t.http.get(`${OBJ}/poolsX`).set(t.auth)).status).toBe(404);
      expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).status).toBe(200);
      expect((await t.http.post(`${OBJ}/pools`).set(t.auth)).status).toBe(405);
    });

    it('any catalog row by key, or a custom error object', async () => {
      await fault({ match: { method: 'POST', path: `${OBJ}/ldevs` }, effect: { type: 'http', error: 'resourceLocked' }, times: 1 });
      const locked = await createLdev(100);
      expect(locked.status).toBe(409);
      expect(locked.body).toMatchObject({ messageId: 'KART30000-E', errorCode: { SSB1: '2E11', SSB2: '2205', errorCode: 'EX_EACCES' } });
      await fault({
        match: { path: '/ConfigurationManager/v1/objects/ldevs/*' },
        effect: { type: 'http', status: 500, messageId: 'KART00002-E', message: 'Custom failure ({detail}).', vars: { detail: 'disk on fire' } },
      });
      const custom = await t.http.get(`${OBJ}/ldevs/3`).set(t.auth);
      expect(custom.status).toBe(500);
      expect(custom.body).toEqual({
        errorSource: `${OBJ}/ldevs/3`, messageId: 'KART00002-E', message: 'Custom failure (disk on fire).',
        solution: 'Contact the emulator maintainers with the log.', solutionType: 'SEE_ERROR_DETAIL', detailCode: '00002E-0',
      });
    });

    it('401 as if the session expired: the session is gone until the client logs in again', async () => {
      await fault({ match: { path: `${OBJ}/ldevs` }, effect: { type: 'http', status: 401 }, times: 1 });
      const first = await t.http.get(`${OBJ}/ldevs/0`).set(t.auth);
      expect(first.status).toBe(401);
      expect(first.body).toMatchObject({ messageId: 'KART40006-E', message: `The specified token is invalid. (token = ${t.token})` });
      const second = await t.http.get(`${OBJ}/pools`).set(t.auth);
      expect(second.status).toBe(401);
      expect(second.headers['x-vsp-emulator-fault']).toBe(undefined);
      const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
      expect((await t.http.get(`${OBJ}/ldevs/0`).set({ Authorization: `Session ${login.body.token}` })).status).toBe(200);
    });

    it('an operation rule refuses the request that submits that job, and only that one', async () => {
      await fault({ match: { operation: 'ldev.delete' }, effect: { type: 'http', status: 503 } });
      expect((await createLdev(100, INSTANT)).status).toBe(202);
      const refused = await t.http.delete(`${OBJ}/ldevs/100`).set(t.auth);
      expect(refused.status).toBe(503);
      expect(refused.body.messageId).toBe('KART00003-E');
      expect(refused.headers['x-vsp-emulator-fault']).toBe('f1');
      t.advance(5);
      expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
      const entry = (await t.http.get(`${EMU}/journal?fault=f1`)).body.data;
      expect(entry).toHaveLength(1);
      expect(entry[0]).toMatchObject({ method: 'DELETE', operation: 'ldev.delete', status: 503, jobId: null, fault: { id: 'f1', type: 'http' } });
    });
  });

  describe('latency', () => {
    it('on the virtual clock: held until the clock passes, no wall time spent', async () => {
      await fault({ match: { method: 'GET', path: POOLS }, effect: { type: 'latency', seconds: 30 } });
      let settled = false;
      const slow = Promise.resolve(t.http.get(`${OBJ}/pools/0`).set(t.auth)).then((r) => { settled = true; return r; });
      await until(() => t.control!.holds.size === 1, 'the response to be held');
      expect((await t.http.get(`${EMU}/journal?pending=true`)).body.data.map((e: { path: string }) => e.path)).toEqual([`${OBJ}/pools/0`]);
      await t.http.post(`${EMU}/clock/advance`).send({ seconds: 29.999 });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      await t.http.post(`${EMU}/clock/advance`).send({ ms: 1 });
      const res = await slow;
      expect(res.status).toBe(200);
      expect(res.headers['x-vsp-emulator-fault']).toBe('f1');
      expect(res.body.poolId).toBe(0);
    });

    it('"advance": the request takes that much virtual time and answers at once', async () => {
      await fault({ match: { path: POOLS }, effect: { type: 'latency', ms: 5000, clock: 'advance' }, times: 1 });
      expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(200);
      expect((await t.http.get(`${EMU}/clock`)).body.time).toBe('2026-01-05T10:00:05.000Z');
    });

    it('"wall": held in wall time, and a reset answers it at once', async () => {
      await fault({ match: { path: POOLS }, effect: { type: 'latency', seconds: 600, clock: 'wall' } });
      const slow = Promise.resolve(t.http.get(`${OBJ}/pools`).set(t.auth));
      await heldRequests(t, 1);
      expect((await t.http.get(`${EMU}/health`)).body.held).toBe(1);
      await t.http.post(`${EMU}/reset`);
      expect((await slow).status).toBe(200);
      expect(t.control!.holds.size).toBe(0);
    });
  });

  describe('transport', () => {
    const failure = (p: PromiseLike<unknown>) => Promise.resolve(p).then(() => 'answered', (e: { code?: string }) => e.code);

    it('reset, empty and garbage break the connection; malformed sends a truncated body', async () => {
      for (const [kind, code] of [['reset', 'ECONNRESET'], ['empty', 'ECONNRESET'], ['garbage', 'HPE_INVALID_CONSTANT']] as const) {
        const rule = await fault({ match: { path: POOLS }, effect: { type: 'transport', kind }, times: 1 });
        expect(await failure(t.http.get(`${OBJ}/pools`).set(t.auth)), kind).toBe(code);
        const [entry] = (await t.http.get(`${EMU}/journal?fault=${rule.id}`)).body.data;
        expect(entry).toMatchObject({ status: null, pending: false, responseBody: { transport: kind }, fault: { id: rule.id, type: 'transport' } });
      }
      await fault({ match: { path: POOLS }, effect: { type: 'transport', kind: 'malformed' }, times: 1 });
      const raw = await t.http.get(`${OBJ}/pools/1`).set(t.auth).buffer(true)
        .parse((res, cb) => { let d = ''; res.on('data', (c: string) => { d += c; }); res.on('end', () => cb(null, d)); });
      expect(raw.status).toBe(200);
      expect(raw.headers['content-type']).toBe('application/json; charset=utf-8');
      const text = raw.body as string;
      expect(text.startsWith('{"poolId":1,')).toBe(true);
      expect(() => JSON.parse(text)).toThrow();
    });

    it('"after" (default): the job was accepted before the answer was lost; "before": nothing happened', async () => {
      await fault({ match: { method: 'POST', path: `${OBJ}/ldevs` }, effect: { type: 'transport', kind: 'reset' }, times: 1 });
      expect(await failure(createLdev(100, INSTANT))).toBe('ECONNRESET');
      expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('OPEN-V-CVS');
      await fault({ match: { method: 'POST', path: `${OBJ}/ldevs` }, effect: { type: 'transport', kind: 'reset', when: 'before' }, times: 1 });
      expect(await failure(createLdev(101, INSTANT))).toBe('ECONNRESET');
      expect((await t.http.get(`${OBJ}/ldevs/101`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
      expect((await t.http.get(`${EMU}/journal?path=${OBJ}/ldevs&method=POST`)).body.data.map((e: { jobId: number | null }) => e.jobId)).toEqual([1, null]);
    });
  });

  describe('job', () => {
    it('accepted, then Failed with the given SSB codes when it completes', async () => {
      await fault({ match: { operation: 'ldev.create' }, effect: { type: 'job', ssb1: '2E30', ssb2: '0007' }, times: 1 });
      const accepted = await createLdev(100);
      expect(accepted.status).toBe(202);
      expect(accepted.headers['x-vsp-emulator-fault']).toBe('f1');
      expect(accepted.body).toMatchObject({ status: 'Initializing', state: 'Queued' });
      expect(accepted.body.error).toBe(undefined);
      t.advance(2);
      const job = await t.http.get(`${OBJ}/jobs/${accepted.body.jobId}`).set(t.auth);
      expect(job.body).toMatchObject({ status: 'Completed', state: 'Failed', completedTime: '2026-01-05T10:00:02Z', affectedResources: [] });
      expect(job.body.error).toEqual({
        errorSource: `${OBJ}/ldevs`, messageId: 'KART30000-E',
        message: 'An error occurred in the storage system. (message = The command was rejected by the storage system (injected by vsp-emulator fault f1).)',
        cause: 'An error occurred during execution of a RAID Manager command.',
        solution: 'Check the status of the storage system and the specified resources, and then try again.',
        solutionType: 'SEE_ERROR_DETAIL', detailCode: '30000E-0', errorCode: { SSB1: '2E30', SSB2: '0007' },
      });
      expect((await t.http.get(`${OBJ}/ldevs/100`).set(t.auth)).body.emulationType).toBe('NOT DEFINED');
      expect((await createLdev(101, INSTANT)).body.state).toBe('Succeeded');
    });

    it('a waiting Cinder request gets the Failed job; a catalog row can be named', async () => {
      await fault({ match: { method: 'POST', path: `${OBJ}/ldevs`, ldevId: 7 }, effect: { type: 'job', error: 'poolCapacityExhausted' } });
      const waiting = Promise.resolve(t.http.post(`${OBJ}/ldevs`).set(t.auth).set(CINDER_WAIT).send({ ldevId: 7, byteFormatCapacity: '1G', poolId: 0 }));
      await heldRequests(t, 1);
      t.advance(2);
      const res = await waiting;
      expect(res.body).toMatchObject({ status: 'Completed', state: 'Failed', error: { errorCode: { SSB1: '2E30', SSB2: '0007' } } });
      expect((await createLdev(8, INSTANT)).body.state).toBe('Succeeded');
    });
  });

  describe('pair and pool', () => {
    it('pair: the selected pair drops to PSUE now, announced in the journal', async () => {
      await pairInPool1();
      const rule = await fault({ effect: { type: 'pair', pvolLdevId: 0, muNumber: 0 } });
      expect(rule).toMatchObject({ phase: 'immediate', applied: 1, result: { storageDeviceId: SID, pairs: ['0,0'] } });
      expect(await pairStatus()).toBe('PSUE');
      const events = (await t.http.get(`${EMU}/journal?kind=event`)).body.data;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'event', storageDeviceId: SID, fault: { id: rule.id, type: 'pair', detail: { pairs: ['0,0'] } } });
    });

    it('pair: riding on a request, the response already shows PSUE and names the fault', async () => {
      await pairInPool1();
      await fault({ match: { method: 'GET', path: `${OBJ}/snapshots` }, effect: { type: 'pair' }, times: 1 });
      const res = await t.http.get(`${OBJ}/snapshots/0,0`).set(t.auth);
      expect(res.body.status).toBe('PSUE');
      expect(res.headers['x-vsp-emulator-fault']).toBe('f1');
      expect((await t.http.get(`${EMU}/journal?fault=f1`)).body.data[0].fault).toEqual({ id: 'f1', type: 'pair', detail: { storageDeviceId: SID, pairs: ['0,0'] } });
    });

    it('pool: the pool fills up, and its pairs go PSUE as on the array', async () => {
      await pairInPool1();
      const rule = await fault({ effect: { type: 'pool', poolId: 1 } });
      expect(rule.result).toEqual({ storageDeviceId: SID, pairs: ['0,0'], pool: { poolId: 1, usedRate: 100, poolStatus: 'POLF' } });
      const pool = (await t.http.get(`${OBJ}/pools/1`).set(t.auth)).body;
      expect(pool).toMatchObject({ poolStatus: 'POLF', usedCapacityRate: 100, availableVolumeCapacity: 0 });
      expect(await pairStatus()).toBe('PSUE');
    });

    it('pool: scheduled on the virtual clock (afterSeconds), warning level gives PFUL', async () => {
      await pairInPool1();
      const rule = await fault({ effect: { type: 'pool', poolId: 1, usedRate: 85 }, afterSeconds: 600 });
      expect(rule).toMatchObject({ phase: 'scheduled', dueTime: '2026-01-05T10:10:03.000Z', applied: 0 });
      t.advance(599);
      expect((await t.http.get(`${OBJ}/pools/1`).set(t.auth)).status).toBe(401); // the session expired meanwhile (aliveTime 300 s)
      const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
      const auth = { Authorization: `Session ${login.body.token}` };
      expect((await t.http.get(`${OBJ}/pools/1`).set(auth)).body.usedCapacityRate).toBe(0);
      t.advance(1);
      expect((await t.http.get(`${OBJ}/pools/1`).set(auth)).body.usedCapacityRate).toBe(85);
      expect((await t.http.get(`${OBJ}/snapshots/0,0`).set(auth)).body.status).toBe('PFUL');
      expect((await t.http.get(`${EMU}/faults/${rule.id}`)).body).toMatchObject({ applied: 1 });
    });

    it('refuses targets that do not exist, and pair faults without the pair module hook', async () => {
      expect((await t.http.post(`${EMU}/faults`).send({ effect: { type: 'pool', poolId: 9 } })).body).toEqual({ error: 'badRequest', message: `array ${SID} has no pool 9` });
      expect((await t.http.post(`${EMU}/faults`).send({ effect: { type: 'pair', storageDeviceId: '936000999999' } })).status).toBe(400);
      t.engine.pairHooks = { ...t.engine.pairHooks, suspendPairs: undefined };
      const missing = await t.http.post(`${EMU}/faults`).send({ effect: { type: 'pair' } });
      expect(missing.status).toBe(501);
      expect(missing.body.error).toBe('notImplemented');
    });
  });

  describe('scope, probability, rules', () => {
    it('scopes by array, LDEV, pair id, user and header', async () => {
      const other = (await t.http.post(`${EMU}/arrays`)).body.storageDeviceId as string;
      await fault({ match: { storageDeviceId: other }, effect: { type: 'http', status: 503 } });
      await fault({ match: { ldevId: 2 }, effect: { type: 'http', status: 500 } });
      await fault({ match: { pvolLdevId: 3, muNumber: 1 }, effect: { type: 'http', status: 404 } });
      await fault({ match: { headers: { 'x-test-case': 'busy' } }, effect: { type: 'http', status: 503 } });
      await fault({ match: { userId: 'operator' }, effect: { type: 'http', status: 500 } });
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth)).status).toBe(200);
      expect((await t.http.get(`${OBJ}/ldevs/2`).set(t.auth)).status).toBe(500);
      expect((await t.http.get(`${OBJ}/storages/${other}/pools`).auth('maintenance', 'raid-maintenance')).status).toBe(503);
      // Faults meet requests the array accepts: one it refuses for missing credentials still gets its 401.
      expect((await t.http.get(`${OBJ}/storages/${other}/pools`)).status).toBe(401);
      expect((await t.http.get(`${OBJ}/snapshots/3,1`).set(t.auth)).status).toBe(404);
      expect((await t.http.get(`${OBJ}/snapshots/3,1`).set(t.auth)).headers['x-vsp-emulator-fault']).toBe('f3');
      expect((await t.http.get(`${OBJ}/ldevs/1`).set(t.auth).set('X-Test-Case', 'busy')).status).toBe(503);
      expect((await t.http.post(`${OBJ}/ldevs`).set(t.auth).set(INSTANT).send({ poolId: 0, byteFormatCapacity: '1G', ldevId: 2 })).status).toBe(500);
    });

    it('probability draws are seeded: the same rules meet the same requests in every run', async () => {
      const run = async (app: TestApp) => {
        await app.http.post(`${EMU}/faults`).send({ match: { path: POOLS }, effect: { type: 'http', status: 503 }, probability: 0.5 });
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await app.http.get(`${OBJ}/pools`).set(app.auth)).status);
        return { statuses, rule: (await app.http.get(`${EMU}/faults/f1`)).body };
      };
      const a = await run(t);
      const second = await startControl();
      try {
        const b = await run(second);
        expect(b.statuses).toEqual(a.statuses);
        expect(a.rule.seed).toBe(b.rule.seed);
        expect(a.rule.matched).toBe(16);
        expect(a.rule.applied).toBe(a.statuses.filter((s) => s === 503).length);
        expect(a.rule.applied).toBeGreaterThan(0);
        expect(a.rule.applied).toBeLessThan(16);
      } finally {
        await second.close();
      }
    });

    it('lists, reads and deletes rules; the first matching rule applies', async () => {
      await fault({ match: { path: POOLS }, effect: { type: 'http', status: 503 }, description: 'busy pools' });
      await fault({ match: { path: POOLS }, effect: { type: 'http', status: 500 } });
      expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(503);
      expect((await t.http.get(`${EMU}/faults`)).body.data.map((f: { id: string; description: string | null; applied: number }) => [f.id, f.description, f.applied]))
        .toEqual([['f1', 'busy pools', 1], ['f2', null, 0]]);
      expect((await t.http.delete(`${EMU}/faults/f1`)).status).toBe(204);
      expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(500);
      expect((await t.http.delete(`${EMU}/faults/f1`)).status).toBe(404);
      expect((await t.http.get(`${EMU}/faults/f1`)).status).toBe(404);
      expect((await t.http.delete(`${EMU}/faults`)).body).toEqual({ deleted: 1 });
      expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(200);
    });

    it('refuses invalid rules with the field named', async () => {
      const cases: Array<[unknown, string]> = [
        [{ effect: { type: 'meteor' } }, 'body/effect/type must be equal to one of the allowed values'],
        [{ effect: { type: 'http', status: 503 } }, 'a http effect needs "match" (use {} to match every request)'],
        [{ match: {}, effect: { type: 'http', status: 302 } }, 'effect.status must be an HTTP error status 400-599'],
        [{ match: {}, effect: { type: 'http', error: 'noSuchRow' } }, expect.stringContaining('effect.error: no catalog row "noSuchRow"') as unknown as string],
        [{ match: {}, effect: { type: 'http', kind: 'reset' } }, expect.stringContaining('effect.kind is not a field of a http effect') as unknown as string],
        [{ match: { colour: 'red' }, effect: { type: 'http' } }, expect.stringContaining('match.colour is not a match field') as unknown as string],
        [{ match: { path: '^/ConfigurationManager/v1/objects/ldevs/\\d+$' }, effect: { type: 'http' } },
          'match.path: regular expressions are not supported; give a path prefix or a glob (* within a segment, ** across segments)'],
        [{ match: {}, effect: { type: 'latency' } }, 'a latency effect needs "ms" or "seconds" >= 0'],
        [{ match: {}, effect: { type: 'transport', kind: 'smoke' } }, 'effect.kind must be reset, empty, malformed or garbage'],
        [{ match: {}, effect: { type: 'http' }, times: 0 }, 'body/times must be >= 1'],
        [{ match: {}, effect: { type: 'http' }, probability: 2 }, 'body/probability must be <= 1'],
        [{ match: {}, effect: { type: 'http' }, afterSeconds: 5 }, 'afterSeconds is for pair and pool effects without "match"'],
        [{ effect: { type: 'pool' } }, 'a pool effect needs "poolId"'],
      ];
      for (const [rule, message] of cases) {
        const res = await t.http.post(`${EMU}/faults`).send(rule as object);
        expect(res.status, JSON.stringify(rule)).toBe(400);
        expect(res.body, JSON.stringify(rule)).toEqual({ error: 'badRequest', message });
      }
      expect((await t.http.get(`${EMU}/faults`)).body).toEqual({ data: [] });
    });

    it('faults never apply to the control plane', async () => {
      await fault({ match: {}, effect: { type: 'http', status: 503 } });
      expect((await t.http.get(`${EMU}/clock`)).status).toBe(200);
      expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).status).toBe(503);
    });
  });
});
