import { get, type IncomingMessage } from 'node:http';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { listTables } from '../../src/store/snapshot.js';
import { listScenarios } from '../../src/ui/scenarios.js';
import type { UiView } from '../../src/ui/wire.js';
import { SID, startUiServer, T0, type UiServer } from './support.js';

/** The web view's server side over HTTP (no browser): files, the view, the change stream, the token, the scenarios. */

const UI = '/emulator/ui';
let server: UiServer | null = null;
afterEach(async () => { await server?.close(); server = null; });

const view = async (s: UiServer, query = ''): Promise<UiView> => (await request(s.app.server).get(`${UI}/api/view${query}`).expect(200)).body;

/** Opens the event stream and collects `change` events; `close()` ends it. */
function events(s: UiServer, headers: Record<string, string> = {}) {
  const seen: Array<{ seq: number; epoch: number }> = [];
  let res: IncomingMessage | null = null;
  const waiters: Array<() => void> = [];
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(`${s.base}${UI}/api/events`, { headers }, (r) => {
      res = r;
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: change$/m.test(block) && data) seen.push(JSON.parse(data[1]!));
          for (const w of waiters.splice(0)) w();
        }
      });
      resolve(r);
    });
    req.on('error', reject);
  });
  return {
    seen, opened,
    /** Waits (bounded) until `n` change events have arrived. */
    async atLeast(n: number) {
      const deadline = Date.now() + 3000;
      while (seen.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${seen.length} change events, wanted ${n}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 50); });
      }
    },
    close() { res?.destroy(); },
  };
}

describe('the page and its files', () => {
  it('serves the page with a CSP that allows only its own files and import map, its code and the vendored libraries', async () => {
    server = await startUiServer();
    const http = request(server.app.server);
    await http.get(UI).expect(308).expect('location', `${UI}/`);
    const page = await http.get(`${UI}/`).expect(200).expect('content-type', /text\/html/);
    expect(page.text).toContain('<script type="module" src="./app/main.js">');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page.headers['x-vsp-emulator']).toBeDefined();
    for (const [path, type] of [['app/main.js', /javascript/], ['style.css', /css/], ['vendor/preact/preact.mjs', /javascript/],
      ['vendor/preact/hooks.mjs', /javascript/], ['vendor/preact/jsxRuntime.mjs', /javascript/], ['vendor/d3-hierarchy/d3-hierarchy.min.mjs', /javascript/]] as const) {
      const r = await http.get(`${UI}/${path}`).expect(200).expect('content-type', type);
      await http.get(`${UI}/${path}`).set('if-none-match', r.headers.etag!).expect(304);
    }
    // Every module the page imports is served (no CDN: the page works offline).
    const imports = JSON.parse(/<script type="importmap">(.*?)<\/script>/s.exec(page.text)![1]!).imports as Record<string, string>;
    for (const url of Object.values(imports)) await http.get(`${UI}/${url.replace(/^\.\//, '')}`).expect(200);
    await http.get(`${UI}/../package.json`).expect(404);
    await http.get(`${UI}/nothing.js`).expect(404);
  });

  it('is absent with the control plane', async () => {
    const app = await buildApp({ db: ':memory:', clock: 'manual', controlPlane: false });
    try {
      await request(app.app.server).get(`${UI}/`).expect(404);
      await request(app.app.server).get(`${UI}/api/view`).expect(404);
    } finally { await app.close(); }
  });
});

describe('the view', () => {
  it('renders pools, pairs and LDEVs exactly as the REST API does, with jobs, journal and the login to use', async () => {
    server = await startUiServer({ fixture: 'training-cascade-clone' });
    await server.advance(5);
    const v = await view(server);
    expect(v).toMatchObject({
      storageDeviceId: SID, arrays: [{ storageDeviceId: SID, model: 'VSP E990', serialNumber: 123456 }],
      clock: { mode: 'manual', speed: 1, time: '2026-01-05T10:00:05.000Z', epochMs: T0 + 5000 },
      fixture: { name: 'training-cascade-clone' }, timing: 'realistic', pairCount: 6, ldevCount: 10, activeFaults: 0,
      login: { userId: 'maintenance', password: 'raid-maintenance' },
    });
    for (const p of v.pairs) {
      const { phase, dueTime, queued, ...wire } = p;
      expect(wire).toEqual((await server.rest('GET', `snapshots/${p.snapshotId}`)).body);
      expect(typeof queued).toBe('boolean');
      if (p.status === 'PSUP') expect({ phase, dueTime, progressRate: p.progressRate }).toEqual({ phase: 'cloneCopy', dueTime: '2026-01-05T10:00:20.000Z', progressRate: 25 });
    }
    for (const pool of v.pools) expect(pool).toEqual((await server.rest('GET', `pools/${pool.poolId}`)).body);
    expect(v.ldevs.find((l) => l.ldevId === 10)).toMatchObject({ label: 'daily-mon', byteFormatCapacity: '10.00 G', roles: ['P-VOL', 'S-VOL'], attributes: expect.arrayContaining(['HTI']) });
    expect(v.ldevs.find((l) => l.ldevId === 50)!.roles).toEqual([]);
    expect(v.groups.map((g) => [g.snapshotGroupName, g.pairCount])).toEqual([['clone-db', 1], ['clone-test', 1], ['daily', 2], ['layer2', 1], ['layer3', 1]]);

    const split = await server.rest('POST', 'snapshots/0,1/actions/split/invoke', { parameters: {} });
    const after = await view(server);
    expect(after.jobs[0]).toMatchObject({ jobId: split.body.jobId, operation: 'snapshot.split', status: 'Initializing', requestMethod: 'POST' });
    expect(after.journal[0]).toMatchObject({ method: 'POST', path: `/ConfigurationManager/v1/objects/snapshots/0,1/actions/split/invoke`, status: 202, jobId: split.body.jobId, operation: 'snapshot.split' });
    await server.advance(1);
    expect((await view(server)).jobs[0]).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [expect.stringContaining('snapshots/0,1')] });
  });

  it('falls back to the first array when the one asked for is gone', async () => {
    server = await startUiServer();
    await server.emu('POST', 'arrays', { serialNumber: 222222 });
    const second = await view(server, '?storageDeviceId=936000222222');
    expect(second.storageDeviceId).toBe('936000222222');
    expect(second.arrays.map((a) => a.storageDeviceId)).toEqual([SID, '936000222222']);
    await server.emu('DELETE', 'arrays/936000222222');
    expect((await view(server, '?storageDeviceId=936000222222')).storageDeviceId).toBe(SID);
  });
});

describe('live updates', () => {
  it('announces model changes, clock moves and reloads on the event stream, and records every pair transition in virtual time', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    const es = events(server);
    const res = await es.opened;
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await es.atLeast(1); // the current sequence, at once

    // A create with autoSplit runs its job (COPY), ends its copy (PAIR) and is split after the autoSplit hold (PSUS)
    // within one clock step: no poll could see COPY or PAIR, the record has them.
    await server.rest('POST', 'snapshots', { snapshotGroupName: 'auto', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 11, autoSplit: true });
    await es.atLeast(2);
    await server.advance(60);
    await es.atLeast(3);
    const v = await view(server);
    expect(v.transitions.filter((t) => t.snapshotId === '0,1').map((t) => [t.time, t.from, t.to])).toEqual([
      ['2026-01-05T10:00:01.000Z', null, 'COPY'], ['2026-01-05T10:00:03.000Z', 'COPY', 'PAIR'], ['2026-01-05T10:00:15.000Z', 'PAIR', 'PSUS'],
    ]);
    expect((await view(server, `?since=${v.transitions.at(-1)!.seq}`)).transitions).toEqual([]);

    // A manual clock move alone is a change (the page shows the time); the page's own reads are not.
    const n = es.seen.length;
    await server.emu('POST', 'clock/advance', { seconds: 1 });
    await es.atLeast(n + 1);
    for (let i = 0; i < 3; i++) await view(server);
    await request(server.app.server).get(`${UI}/api/control/clock`).set('x-vsp-emulator-ui', '1').expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(es.seen.length).toBe(n + 1);

    // A restore is a new epoch: the page does not animate across it, and its bulk rewrite is not "transitions".
    await server.emu('POST', 'checkpoints/cp', {});
    await server.emu('POST', 'checkpoints/cp/restore', {});
    // The save is a change too, and its event may come after the restore's call returned: wait for the new epoch.
    for (let k = n + 2; es.seen.at(-1)!.epoch === v.epoch; k++) await es.atLeast(k);
    const restored = await view(server);
    expect(restored.epoch).toBe(es.seen.at(-1)!.epoch);
    expect(restored.epoch).toBeGreaterThan(v.epoch);
    expect(restored.transitions).toEqual([]);
    es.close();
  });

  it('records transitions only while a page listens, outside the model (no checkpoint or export sees them)', async () => {
    server = await startUiServer({ fixture: 'training-first-snapshot' });
    const triggers = () => server!.engine.db.prepare("SELECT name FROM temp.sqlite_master WHERE type = 'trigger'").pluck().all();
    expect(triggers()).toEqual([]);
    const es = events(server);
    await es.opened;
    await es.atLeast(1);
    expect(triggers()).toHaveLength(3);
    // Reset, checkpoints and the state export all work on listTables(): the temp table is not among them.
    expect(listTables(server.engine.db).map((t) => t.name).filter((n) => n.includes('vsp_ui'))).toEqual([]);
    const checkpoint = await server.emu('POST', 'checkpoints/cp', {});
    expect(Object.keys(checkpoint.rows).filter((n) => n.includes('vsp_ui'))).toEqual([]);
    expect(checkpoint.rows.pairs).toBe(1);
    es.close();
    for (let i = 0; i < 100 && triggers().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(triggers()).toEqual([]);
  });
});

describe('the control token', () => {
  const TOKEN = 'class-2026';

  it('shows a login form, trades ?token= or the form for an HttpOnly cookie, and takes Bearer too', async () => {
    server = await startUiServer({ controlToken: TOKEN });
    const http = request(server.app.server);
    const login = await http.get(`${UI}/`).expect(401).expect('content-type', /text\/html/);
    expect(login.text).toContain('name="token"');
    await http.get(`${UI}/api/view`).expect(401).expect('www-authenticate', /Bearer/);
    await http.get(`${UI}/app/main.js`).expect(401);
    await http.get(`${UI}/?token=nope`).expect(401);

    const ok = await http.get(`${UI}/?token=${TOKEN}&storageDeviceId=${SID}`).expect(303);
    expect(ok.headers.location).toBe(`${UI}/?storageDeviceId=${SID}`);
    const cookie = ok.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^vsp_emulator_ui=[\w-]+; Path=\/emulator\/ui; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const jar = cookie.split(';')[0]!;
    await http.get(`${UI}/`).set('cookie', jar).expect(200);
    await http.get(`${UI}/api/view`).set('cookie', jar).expect(200);
    await http.get(`${UI}/api/view`).set('authorization', `Bearer ${TOKEN}`).expect(200);

    const form = await http.post(`${UI}/login`).type('form').send({ token: TOKEN }).expect(303);
    expect(form.headers['set-cookie']![0]!.split(';')[0]).toBe(jar);
    await http.post(`${UI}/login`).type('form').send({ token: 'nope' }).expect(401);
    const out = await http.post(`${UI}/logout`).expect(303);
    expect(out.headers['set-cookie']![0]).toMatch(/^vsp_emulator_ui=; Max-Age=0/);
  });

  it('proxies the page\'s control calls with the token, and refuses cookie changes without the page\'s header', async () => {
    server = await startUiServer({ controlToken: TOKEN });
    const http = request(server.app.server);
    const jar = (await http.get(`${UI}/?token=${TOKEN}`)).headers['set-cookie']![0]!.split(';')[0]!;
    await http.get('/emulator/v1/clock').expect(401); // the control plane itself still wants the Bearer token
    expect((await http.get(`${UI}/api/control/clock`).set('cookie', jar).expect(200)).body).toMatchObject({ mode: 'manual', epochMs: T0 });
    await http.post(`${UI}/api/control/clock/advance`).set('cookie', jar).send({ seconds: 5 }).expect(403);
    const moved = await http.post(`${UI}/api/control/clock/advance`).set('cookie', jar).set('x-vsp-emulator-ui', '1').send({ seconds: 5 }).expect(200);
    expect(moved.body.epochMs).toBe(T0 + 5000);
    await http.post(`${UI}/api/control/checkpoints/a`).set('authorization', `Bearer ${TOKEN}`).send({}).expect(201);
    expect((await http.get(`${UI}/api/control/nothing-here`).set('cookie', jar).expect(404)).body.error).toBe('notFound');
    await http.get(`${UI}/api/control/..%2F..%2FConfigurationManager%2Fconfiguration%2Fversion`).set('cookie', jar).expect(400);
  });
});

describe('training scenarios', () => {
  it('ships a first snapshot, a cascade and clone tree, and a pool running full, listed first', () => {
    const list = listScenarios();
    expect(list.slice(0, 3).map((s) => s.name)).toEqual(['training-cascade-clone', 'training-first-snapshot', 'training-pool-full']);
    for (const s of list.slice(0, 3)) expect(s).toMatchObject({ training: true, description: expect.any(String) });
    expect(list.some((s) => s.name === 'default' && !s.training)).toBe(true);
  });

  it('each loads with the pairs its lesson starts from', async () => {
    server = await startUiServer();
    const statuses = async () => Object.fromEntries((await view(server!)).pairs.map((p) => [p.snapshotId, p.status]));

    await server.emu('POST', 'reset', { fixture: 'training-first-snapshot' });
    expect(await statuses()).toEqual({ '0,0': 'PAIR' });

    await server.emu('POST', 'reset', { fixture: 'training-cascade-clone' });
    expect(await statuses()).toEqual({ '0,0': 'PSUS', '0,1': 'PAIR', '0,2': 'PAIR', '1,0': 'PSUP', '10,0': 'PSUS', '30,0': 'PAIR' });
    await server.advance(30); // the running clone finishes and its pair goes away
    expect(await statuses()).toEqual({ '0,0': 'PSUS', '0,1': 'PAIR', '0,2': 'PAIR', '10,0': 'PSUS', '30,0': 'PAIR' });

    await server.emu('POST', 'reset', { fixture: 'training-pool-full' });
    const v = await view(server);
    expect(v.pools.find((p) => p.poolId === 1)).toMatchObject({ usedCapacityRate: 65, warningThreshold: 70, depletionThreshold: 80, poolStatus: 'POLN' });
    expect(await statuses()).toEqual({ '0,0': 'PSUS', '0,1': 'PSUS', '1,0': 'PSUS', '2,0': 'PAIR' });
    // What the lesson shows: over the warning threshold PAIR → PFUL and PSUS → PFUS; full, every pair PSUE.
    await server.emu('POST', 'faults', { effect: { type: 'pool', poolId: 1, usedRate: 75 } });
    expect(await statuses()).toEqual({ '0,0': 'PFUS', '0,1': 'PFUS', '1,0': 'PFUS', '2,0': 'PFUL' });
    const refused = await server.rest('POST', 'snapshots', { snapshotGroupName: 'x', snapshotPoolId: 1, pvolLdevId: 2, svolLdevId: 14 });
    await server.advance(2);
    expect((await server.rest('GET', `jobs/${refused.body.jobId}`)).body).toMatchObject({ state: 'Failed' });
    await server.emu('POST', 'faults', { effect: { type: 'pool', poolId: 1, usedRate: 100 } });
    expect(new Set(Object.values(await statuses()))).toEqual(new Set(['PSUE']));
    expect((await view(server)).pools.find((p) => p.poolId === 1)!.poolStatus).toBe('POLF');
  });

  it('hold real data: used capacity is written content, split pairs hold it, and writes alone fill the pool', async () => {
    server = await startUiServer({ fixture: 'training-pool-full' });
    const fp = async (ldevId: number, length = '15G') => (await server!.emu('GET', `io/fingerprint?ldevId=${ldevId}&length=${length}`)) as { fingerprint: string; nonZeroChunks: number };
    // LDEV 0's 15 GiB are what a host writing seed 0 from offset 0 leaves, and its split S-VOLs read the same.
    const pvol = await fp(0);
    expect(pvol.nonZeroChunks).toBe(15 * 1024);
    expect((await fp(10)).fingerprint).toBe(pvol.fingerprint);
    expect((await fp(11)).fingerprint).toBe(pvol.fingerprint);
    // A volume without usedCapacity reads as zeros; the pools are as declared (the fixture's content is not snapshot data).
    expect((await fp(14)).nonZeroChunks).toBe(0);
    await server.emu('POST', 'io/write', { ldevId: 14, offset: 0, length: '15G', seed: 0 });
    expect((await fp(14)).fingerprint).toBe(pvol.fingerprint);
    const tiPool = async () => (await view(server!)).pools.find((p) => p.poolId === 1)!;
    expect(await tiPool()).toMatchObject({ usedCapacityRate: 65, snapshotUsedCapacity: 0 });

    // Overwriting 2 GiB of LDEV 0 keeps the old data for its snapshots: pool 1 goes past its warning threshold.
    await server.emu('POST', 'io/write', { ldevId: 0, offset: 0, length: '2G', seed: 99 });
    expect(await tiPool()).toMatchObject({ usedCapacityRate: 71, snapshotUsedCapacity: 2048, poolStatus: 'POLN' });
    const statuses = async () => Object.fromEntries((await view(server!)).pairs.map((p) => [p.snapshotId, p.status]));
    expect(await statuses()).toEqual({ '0,0': 'PFUS', '0,1': 'PFUS', '1,0': 'PFUS', '2,0': 'PFUL' });
    expect((await fp(10)).fingerprint).toBe(pvol.fingerprint); // the snapshot still reads what LDEV 0 held at its split
    // Writing the same 2 GiB again costs nothing more; writing where nothing was written costs nothing either.
    await server.emu('POST', 'io/write', { ldevId: 0, offset: 0, length: '2G', seed: 100 });
    await server.emu('POST', 'io/write', { ldevId: 0, offset: '16G', length: '4G', seed: 100 });
    expect((await tiPool()).snapshotUsedCapacity).toBe(2048);
    // The rest of the written 15 GiB fills it: every pair PSUE, the pool POLF.
    await server.emu('POST', 'io/write', { ldevId: 0, offset: '2G', length: '13G', seed: 99 });
    expect(await tiPool()).toMatchObject({ usedCapacityRate: 100, poolStatus: 'POLF' });
    expect(new Set(Object.values(await statuses()))).toEqual(new Set(['PSUE']));
  });
});
