import { afterEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { readFixture, type Fixture } from '../../src/store/fixture.js';
import { CINDER_WAIT, OBJ, SCOPED, startApp, type TestApp } from '../helpers.js';
import { expectError, expectFailedJob, expectSucceeded, held } from './support.js';


const lun0 = {
  lunId: 'CL1-A,1,0', portId: 'CL1-A', hostGroupNumber: 1, hostMode: 'LINUX/IRIX', lun: 0, ldevId: 0, isCommandDevice: false,
};
const noReserve = { openSystem: false, persistent: false, pgrKey: false, mainframe: false, acaReserve: false };

describe('LU paths: reading', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('lists the LU paths of a host group with host reserve details unless basic information is asked for', async () => {
    t = await startApp();
    const full = await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1`).set(t.auth);
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ data: [{ ...lun0, luHostReserve: noReserve }] });
    // Python's requests sends Cinder's isBasicLunInformation=False as "False".
    const cinder = await t.http.get(`${SCOPED}/luns`).query({ portId: 'CL1-A', hostGroupNumber: 1, isBasicLunInformation: 'False' }).set(t.auth);
    expect(cinder.body).toEqual(full.body);
    const basic = await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1&isBasicLunInformation=true`).set(t.auth);
    expect(basic.body).toEqual({ data: [lun0] });
  });

  it('adds ALUA state with lunOption=ALUA and reads several host groups with hostGroupNumberList', async () => {
    t = await startApp();
    const alua = await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1&lunOption=ALUA&isBasicLunInformation=true`).set(t.auth);
    expect(alua.body.data).toEqual([{ ...lun0, isAluaEnabled: false, asymmetricAccessState: 'Active/Optimized' }]);
    const list = await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumberList=0,1&isBasicLunInformation=true`).set(t.auth);
    expect(list.body.data).toEqual([lun0]);
  });

  it('answers an empty list for a host group without LU paths, or one that does not exist', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/luns?portId=CL2-A&hostGroupNumber=0`).set(t.auth)).body).toEqual({ data: [] });
    expect((await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=9`).set(t.auth)).body).toEqual({ data: [] });
  });

  it('requires portId and hostGroupNumber (400 KART40044-E) and valid values', async () => {
    t = await startApp();
    expectError(await t.http.get(`${OBJ}/luns?hostGroupNumber=1`).set(t.auth), 400, 'KART40044-E');
    expectError(await t.http.get(`${OBJ}/luns?portId=CL1-A`).set(t.auth), 400, 'KART40044-E');
    expectError(await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=x`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1&isBasicLunInformation=maybe`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1&lunOption=FAST`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/luns?portId=CL9-Z&hostGroupNumber=0`).set(t.auth), 404, 'KART30013-E');
  });

  it('gets one LU path by id (literal comma or %2C) and answers 404 or 400 otherwise', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/luns/CL1-A,1,0`).set(t.auth)).body).toEqual({ ...lun0, luHostReserve: noReserve });
    expect((await t.http.get(`${SCOPED}/luns/CL1-A%2C1%2C0?isBasicLunInformation=true`).set(t.auth)).body).toEqual(lun0);
    const missing = await t.http.get(`${OBJ}/luns/CL1-A,1,5`).set(t.auth);
    expectError(missing, 404, 'KART30013-E');
    expect(missing.body.message).toContain('Specified object does not exist');
    expectError(await t.http.get(`${OBJ}/luns/CL1-A,1`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/luns/CL1-A,1,2048`).set(t.auth), 400, 'KART40039-E');
  });

  it('answers 405 for a method the LU path does not support', async () => {
    t = await startApp();
    const res = await t.http.patch(`${OBJ}/luns/CL1-A,1,0`).set(t.auth).send({ lun: 3 });
    expect(res.status).toBe(405);
  });
});

describe('LU paths: creating and deleting', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('maps an LDEV at the lowest free LUN; the job completes on the virtual clock and GET ldevs shows the port', async () => {
    t = await startApp();
    const res = await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1 });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('Initializing');
    t.advance(1);
    const job = await t.http.get(`${OBJ}/jobs/${res.body.jobId}`).set(t.auth);
    expect(job.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [`${OBJ}/luns/CL1-A,1,1`] });
    const ldev = await t.http.get(`${OBJ}/ldevs/1`).set(t.auth);
    expect(ldev.body).toMatchObject({ numOfPorts: 1, ports: [{ portId: 'CL1-A', hostGroupNumber: 1, hostGroupName: 'linux-host-01', lun: 1 }] });
  });

  it('maps on up to six ports at once with one LUN free in every host group', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL2-A', hostGroupNumber: 0, ldevId: 2 }), `${OBJ}/luns/CL2-A,0,0`);
    const res = await t.http.post(`${SCOPED}/luns`).set(t.auth).send({ portIds: ['CL1-A', 'CL2-A', 'CL3-A'], hostGroupNumber: '0', ldevId: '3' });
    expectSucceeded(res, `${SCOPED}/luns/CL1-A,0,1`, `${SCOPED}/luns/CL2-A,0,1`, `${SCOPED}/luns/CL3-A,0,1`);
    expect((await t.http.get(`${OBJ}/ldevs/3`).set(t.auth)).body.ports).toEqual([
      { portId: 'CL1-A', hostGroupNumber: 0, hostGroupName: '1A-G00', lun: 1 },
      { portId: 'CL2-A', hostGroupNumber: 0, hostGroupName: '2A-G00', lun: 1 },
      { portId: 'CL3-A', hostGroupNumber: 0, hostGroupName: '3A-G00', lun: 1 },
    ]);
  });

  it('maps at an explicit LUN; JSON null lun means auto', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1, lun: 12 }), `${OBJ}/luns/CL1-A,1,12`);
    expectSucceeded(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 2, lun: null, portIds: null }), `${OBJ}/luns/CL1-A,1,1`);
  });

  it('validates the body synchronously', async () => {
    t = await startApp({ timing: 'instant' });
    const post = (body: unknown) => t.http.post(`${OBJ}/luns`).set(t.auth).send(body as object);
    expectError(await post({ portId: 'CL1-A', portIds: ['CL2-A'], hostGroupNumber: 1, ldevId: 1 }), 400, 'KART40046-E');
    expectError(await post({ hostGroupNumber: 1, ldevId: 1 }), 400, 'KART20008-E');
    expectError(await post({ portId: 'CL1-A', ldevId: 1 }), 400, 'KART20008-E');
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 1 }), 400, 'KART20008-E');
    expectError(await post({ portIds: ['CL1-A', 'CL2-A', 'CL3-A', 'CL4-A', 'CL5-A', 'CL6-A', 'CL7-A'], hostGroupNumber: 0, ldevId: 1 }), 400, 'KART40039-E');
    expectError(await post({ portIds: ['CL1-A', 'CL1-A'], hostGroupNumber: 0, ldevId: 1 }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1, lun: 2048 }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 70000 }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1, hostGroupName: 'x' }), 400, 'KART40038-E');
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 7, ldevId: 1 }), 404, 'KART30013-E');
    expectError(await post({ portIds: ['CL1-A', 'CL9-Z'], hostGroupNumber: 0, ldevId: 1 }), 404, 'KART30013-E');
  });

  it('fails with B958/015A when the LDEV already has a path in the group and B958/0947 when the LUN is taken', async () => {
    t = await startApp({ timing: 'instant' });
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 0 }), 'B958', '015A');
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 0, lun: 4 }), 'B958', '015A');
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1, lun: 0 }), 'B958', '0947');
  });

  it('fails with 2E20/0000 for an LDEV that is not defined', async () => {
    t = await startApp({ timing: 'instant' });
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 500 }), '2E20', '0000');
  });

  it('fails when no LUN is free in the host group', async () => {
    const fx: Fixture = { ...structuredClone(readFixture('default')), fidelity: { maxLun: 0 } };
    t = await startApp({ timing: 'instant', fixture: fx });
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 1 }), 'B958', '0201');
  });

  it('applies nothing when one port of a multi-port request fails', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL2-A', hostGroupNumber: 0, ldevId: 3, lun: 7 }));
    expectFailedJob(await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portIds: ['CL1-A', 'CL2-A'], hostGroupNumber: 0, ldevId: 3 }), 'B958', '015A');
    expect((await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=0`).set(t.auth)).body.data).toEqual([]);
  });

  it('deletes an LU path; a second delete is 404 KART30013-E with the EX_ENOOBJ return code Cinder ignores', async () => {
    t = await startApp({ timing: 'instant' });
    expectError(await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth).send({ lun: 0 }), 400, 'KART40038-E');
    expectSucceeded(await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth), `${OBJ}/luns/CL1-A,1,0`);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).body.ports).toBeUndefined();
    const again = await t.http.delete(`${SCOPED}/luns/CL1-A%2C1%2C0`).set(t.auth);
    expectError(again, 404, 'KART30013-E');
    expect(again.body.errorCode).toEqual({ errorCode: 'EX_ENOOBJ' });
  });

  it('fails the later of two deletes of one path inside its job (KART30013-E, EX_ENOOBJ)', async () => {
    t = await startApp();
    const first = await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth);
    const second = await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth);
    expect([first.status, second.status]).toEqual([202, 202]);
    t.advance(2);
    const a = await t.http.get(`${OBJ}/jobs/${first.body.jobId}`).set(t.auth);
    const b = await t.http.get(`${OBJ}/jobs/${second.body.jobId}`).set(t.auth);
    expect(a.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    expect(b.body).toMatchObject({ status: 'Completed', state: 'Failed' });
    expect(b.body.error).toMatchObject({ messageId: 'KART30013-E', errorCode: { errorCode: 'EX_ENOOBJ' } });
  });

  it('refuses to remove a path the pair module protects (last path of a snapshot P-VOL, B958/020A)', async () => {
    t = await startApp({ timing: 'instant' });
    t.engine.pairHooks = { ...t.engine.pairHooks, ldevBusyReason: (_sid, _ldev, op) => (op === 'unmap' ? 'lastPathOfSnapshotPvol' : null) };
    expectFailedJob(await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth), 'B958', '020A');
    expect((await t.http.get(`${OBJ}/luns/CL1-A,1,0`).set(t.auth)).status).toBe(200);
  });

  it('keeps an LDEV with LU paths from being deleted until the path is gone', async () => {
    t = await startApp({ timing: 'instant' });
    expect((await t.http.delete(`${OBJ}/ldevs/0`).set(t.auth)).body.state).toBe('Failed');
    expectSucceeded(await t.http.delete(`${OBJ}/luns/CL1-A,1,0`).set(t.auth));
    expectSucceeded(await t.http.delete(`${OBJ}/ldevs/0`).set(t.auth));
  });
});

/** The query Cinder's requests library builds from its params dict. */
const q = (params: Record<string, string | number | boolean>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)])).toString();

/** The last path segment of affectedResources[0], as Cinder's _add_object returns it. */
const resourceId = (res: Response) => String(res.body.affectedResources[0]).split('/').pop()!;

describe('Cinder attach / detach replay', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  /** A mutation as Cinder sends it: held until Completed, success only as 202 Completed/Succeeded. */
  const send = async (req: ReturnType<TestApp['http']['post']>) => {
    const res = await held(t, req.set(t.auth).set(CINDER_WAIT), 5);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('Completed');
    return res;
  };
  const get = async (path: string) => {
    const res = await t.http.get(`${SCOPED}/${path}`).set(t.auth).set('Content-Type', 'application/json');
    expect(res.status).toBe(200);
    return res.body;
  };

  it('FC: creates HBSD-<wwpn>, registers the WWNs, maps, reuses the group, then unmaps and deletes the empty group', async () => {
    t = await startApp();
    const wwpns = ['100000109b000002', '100000109b000001'];
    const target = `HBSD-${[...wwpns].sort()[0]}`;
    // connect_storage: target ports must carry TAR; FC with LUN security; the port WWN is the zoning target.
    const ports = (await get(`ports?${q({ portAttributes: 'TAR' })}`)).data as Array<Record<string, unknown>>;
    const port = ports.find((p) => p.portId === 'CL1-A')!;
    expect(port).toMatchObject({ portType: 'FIBRE', lunSecuritySetting: true, wwn: '50060e8012345600' });

    // find_targets_from_storage: by name (HBSD-<wwpn>, HBSD-<ip>), then every other group's WWNs.
    expect((await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupName: target })}`)).data).toEqual([]);
    expect((await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupName: 'HBSD-127.0.0.1' })}`)).data).toEqual([]);
    for (const hg of (await get(`host-groups?${q({ portId: 'CL1-A' })}`)).data) {
      const wwns = (await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupNumber: hg.hostGroupNumber })}`)).data;
      expect(wwns.filter((w: { hostWwn: string }) => wwpns.includes(w.hostWwn))).toEqual([]);
    }

    // create_target: host group, set_target_mode (PUT, host mode option 91), add_hba_wwn per WWPN.
    const created = await send(t.http.post(`${SCOPED}/host-groups`).send({ portId: 'CL1-A', hostGroupName: target }));
    expect(created.body.state).toBe('Succeeded');
    const gid = Number(resourceId(created).split(',').pop());
    expect(gid).toBe(2);
    expect((await send(t.http.put(`${SCOPED}/host-groups/CL1-A,${gid}`).send({ hostMode: 'LINUX/IRIX', hostModeOptions: [91] }))).body.state).toBe('Succeeded');
    for (const w of wwpns) {
      expect((await send(t.http.post(`${SCOPED}/host-wwns`).send({ hostWwn: w, portId: 'CL1-A', hostGroupNumber: gid }))).body.state).toBe('Succeeded');
    }

    // map_ldev: POST luns without a LUN; the LUN is the last comma part of the affected resource.
    const mapped = await send(t.http.post(`${SCOPED}/luns`).send({ portId: 'CL1-A', hostGroupNumber: gid, ldevId: 1 }));
    expect(mapped.body.state).toBe('Succeeded');
    expect(Number(resourceId(mapped).split(',').pop())).toBe(0);
    expect((await get('ldevs/1')).ports).toEqual([{ portId: 'CL1-A', hostGroupNumber: gid, hostGroupName: target, lun: 0 }]);
    expect((await get(`host-groups/CL1-A,${gid}`))).toMatchObject({ hostGroupName: target, hostMode: 'LINUX/IRIX', hostModeOptions: [91] });

    // A second volume: the group is found by name, its number read from the WWN objects.
    const found = (await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupName: target })}`)).data;
    expect(found.map((w: { hostWwn: string; hostGroupNumber: number }) => [w.hostWwn, w.hostGroupNumber])).toEqual([[wwpns[1], gid], [wwpns[0], gid]]);
    const second = await send(t.http.post(`${SCOPED}/luns`).send({ portId: 'CL1-A', hostGroupNumber: gid, ldevId: 2 }));
    expect(Number(resourceId(second).split(',').pop())).toBe(1);

    // Attaching an already-mapped volume: the failed job carries B958/015A, which Cinder ignores and then looks the LUN up.
    const again = await send(t.http.post(`${SCOPED}/luns`).send({ portId: 'CL1-A', hostGroupNumber: gid, ldevId: 1 }));
    expect(again.body.state).toBe('Failed');
    expect(again.body.error.errorCode).toMatchObject({ SSB1: 'B958', SSB2: '015A' });
    const luns = (await get(`luns?${q({ portId: 'CL1-A', hostGroupNumber: gid, isBasicLunInformation: false })}`)).data;
    expect(luns.find((l: { ldevId: number }) => l.ldevId === 1).lun).toBe(0);

    // detach_ldev for each volume: unmap the paths in HBSD- groups, then delete the group once it is empty.
    for (const ldev of [1, 2]) {
      const gidNow = (await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupName: target })}`)).data[0].hostGroupNumber;
      const paths = ((await get(`ldevs/${ldev}`)).ports as Array<{ portId: string; hostGroupNumber: number; hostGroupName: string; lun: number }>)
        .filter((p) => p.portId === 'CL1-A' && p.hostGroupNumber === gidNow && p.hostGroupName.startsWith('HBSD-'));
      expect(paths).toHaveLength(1);
      const unmapped = await send(t.http.delete(`${SCOPED}/luns/${paths[0]!.portId},${paths[0]!.hostGroupNumber},${paths[0]!.lun}`));
      expect(unmapped.body.state).toBe('Succeeded');
      const left = (await get(`luns?${q({ portId: 'CL1-A', hostGroupNumber: gidNow, isBasicLunInformation: false })}`)).data;
      if (left.length === 0) expect((await send(t.http.delete(`${SCOPED}/host-groups/CL1-A,${gidNow}`))).body.state).toBe('Succeeded');
    }
    expect((await get('ldevs/1')).ports).toBeUndefined();
    expect((await get('ldevs/2')).ports).toBeUndefined();
    expect((await t.http.get(`${SCOPED}/host-groups/CL1-A,${gid}`).set(t.auth)).status).toBe(404);
    expect((await get(`host-wwns?${q({ portId: 'CL1-A', hostGroupName: target })}`)).data).toEqual([]);
  });

  it('iSCSI: creates an HBSD-<ip> target per port with the host IQN, maps on both, reads target IQN and portal, then cleans up', async () => {
    t = await startApp();
    const initiator = 'iqn.1994-05.com.redhat:compute-01';
    const target = 'HBSD-127.0.0.1';
    // connect_storage: ISCSI + TAR ports; the portal comes from GET ports/{id}.
    const ports = (await get(`ports?${q({ portType: 'ISCSI', portAttributes: 'TAR' })}`)).data as Array<{ portId: string; lunSecuritySetting: boolean }>;
    expect(ports.map((p) => [p.portId, p.lunSecuritySetting])).toEqual([['CL3-A', true], ['CL4-A', true]]);
    const portals: Record<string, string> = {};
    for (const p of ports) {
      const info = await get(`ports/${p.portId}`);
      portals[p.portId] = `${info.ipv4Address}:${info.tcpPort}`;
    }
    expect(portals).toEqual({ 'CL3-A': '192.0.2.31:3260', 'CL4-A': '192.0.2.41:3260' });

    const gids: Record<string, number> = {};
    for (const portId of ['CL3-A', 'CL4-A']) {
      // find_targets_from_storage: by name, then the IQNs of every other target.
      expect((await get(`host-iscsis?${q({ portId, hostGroupName: target })}`)).data).toEqual([]);
      for (const hg of (await get(`host-groups?${q({ portId })}`)).data) {
        expect((await get(`host-iscsis?${q({ portId, hostGroupNumber: hg.hostGroupNumber })}`)).data).toEqual([]);
      }
      // create_target: the target IQN is the host IQN + ".hbsd-target" on every port.
      const created = await send(t.http.post(`${SCOPED}/host-groups`).send({ portId, hostGroupName: target, iscsiName: `${initiator}.hbsd-target` }));
      expect(created.body.state).toBe('Succeeded');
      gids[portId] = Number(resourceId(created).split(',').pop());
      expect((await send(t.http.put(`${SCOPED}/host-groups/${portId},${gids[portId]}`).send({ hostMode: 'LINUX/IRIX', hostModeOptions: [83, 91] }))).body.state).toBe('Succeeded');
      expect((await send(t.http.post(`${SCOPED}/host-iscsis`).send({ iscsiName: initiator, portId, hostGroupNumber: gids[portId] }))).body.state).toBe('Succeeded');
    }
    expect(gids).toEqual({ 'CL3-A': 1, 'CL4-A': 1 });

    // map_ldev: the first target gets an auto LUN, the others the same LUN explicitly.
    const first = await send(t.http.post(`${SCOPED}/luns`).send({ portId: 'CL3-A', hostGroupNumber: 1, ldevId: 1 }));
    const lun = Number(resourceId(first).split(',').pop());
    expect(lun).toBe(0);
    expect((await send(t.http.post(`${SCOPED}/luns`).send({ portId: 'CL4-A', hostGroupNumber: 1, ldevId: 1, lun }))).body.state).toBe('Succeeded');

    // get_properties_iscsi: the target IQN from the host group, found again by name through host-iscsis.
    const byName = (await get(`host-iscsis?${q({ portId: 'CL3-A', hostGroupName: target })}`)).data;
    expect(byName).toEqual([{ hostIscsiId: `CL3-A,1,${initiator}`, portId: 'CL3-A', hostGroupNumber: 1, hostGroupName: target, iscsiName: initiator, iscsiNickname: '-' }]);
    expect((await get('host-groups/CL3-A,1')).iscsiName).toBe(`${initiator}.hbsd-target`);
    expect((await get('ldevs/1')).ports).toEqual([
      { portId: 'CL3-A', hostGroupNumber: 1, hostGroupName: target, lun: 0 },
      { portId: 'CL4-A', hostGroupNumber: 1, hostGroupName: target, lun: 0 },
    ]);

    // detach: unmap in reverse port order, then delete the emptied targets.
    for (const p of [...(await get('ldevs/1')).ports].reverse()) {
      expect((await send(t.http.delete(`${SCOPED}/luns/${p.portId},${p.hostGroupNumber},${p.lun}`))).body.state).toBe('Succeeded');
      expect((await get(`luns?${q({ portId: p.portId, hostGroupNumber: p.hostGroupNumber, isBasicLunInformation: false })}`)).data).toEqual([]);
      expect((await send(t.http.delete(`${SCOPED}/host-groups/${p.portId},${p.hostGroupNumber}`))).body.state).toBe('Succeeded');
    }
    expect((await get('ldevs/1')).ports).toBeUndefined();
    expect((await get(`host-groups?${q({ portId: 'CL3-A' })}`)).data.map((h: { hostGroupNumber: number }) => h.hostGroupNumber)).toEqual([0]);
  });
});
