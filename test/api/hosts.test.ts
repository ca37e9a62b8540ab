import { afterEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { readFixture, type Fixture } from '../../src/store/fixture.js';
import { OBJ, SCOPED, startApp, type TestApp } from '../helpers.js';
import { expectError, expectFailedJob, expectSucceeded } from './support.js';

/** The default fixture with some rows of the fidelity table (or the port list) changed. */
function fixtureWith(fidelity: Record<string, unknown>, edit?: (fx: Fixture) => void): Fixture {
  const fx = structuredClone(readFixture('default'));
  fx.fidelity = { ...(fx.fidelity ?? {}), ...fidelity };
  edit?.(fx);
  return fx;
}


describe('ports', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('lists FC and iSCSI ports with the fields Cinder, Terraform and Ansible read', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/ports`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { portId: string }) => p.portId)).toEqual(['CL1-A', 'CL2-A', 'CL3-A', 'CL4-A']);
    expect(res.body.data[0]).toEqual({
      portId: 'CL1-A', portType: 'FIBRE', portAttributes: ['TAR', 'MCU', 'RCU', 'ELUN'], portSpeed: 'AUT', loopId: 'EF',
      fabricMode: true, portConnection: 'PtoP', lunSecuritySetting: true, wwn: '50060e8012345600',
    });
    expect(res.body.data[2]).toMatchObject({
      portId: 'CL3-A', portType: 'ISCSI', portAttributes: ['TAR', 'MCU', 'RCU', 'ELUN'], lunSecuritySetting: true,
      ipv4Address: '192.0.2.31', ipv4Subnetmask: '255.255.255.0', tcpPort: '3260',
    });
    expect(res.body.data[2].wwn).toBeUndefined();
  });

  it('filters by portType and portAttributes as Cinder sends them (storage-scoped)', async () => {
    t = await startApp();
    const iscsi = await t.http.get(`${SCOPED}/ports`).query({ portType: 'ISCSI', portAttributes: 'TAR' }).set(t.auth);
    expect(iscsi.status).toBe(200);
    expect(iscsi.body.data.map((p: { portId: string }) => p.portId)).toEqual(['CL3-A', 'CL4-A']);
    const tar = await t.http.get(`${SCOPED}/ports?portAttributes=TAR`).set(t.auth);
    expect(tar.body.data).toHaveLength(4);
    const fc = await t.http.get(`${OBJ}/ports?portType=FIBRE&portId=CL2-A`).set(t.auth);
    expect(fc.body.data.map((p: { portId: string }) => p.portId)).toEqual(['CL2-A']);
    const none = await t.http.get(`${OBJ}/ports?portType=FICON`).set(t.auth);
    expect(none.body).toEqual({ data: [] });
  });

  it('refuses an unknown portType or portAttributes value with 400 KART40039-E', async () => {
    t = await startApp();
    expectError(await t.http.get(`${OBJ}/ports?portType=BOGUS`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/ports?portAttributes=XYZ`).set(t.auth), 400, 'KART40039-E');
  });

  it('gets one port: the iSCSI portal Cinder builds from ipv4Address and tcpPort', async () => {
    t = await startApp();
    const res = await t.http.get(`${SCOPED}/ports/CL3-A`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ portId: 'CL3-A', portType: 'ISCSI', ipv4Address: '192.0.2.31', tcpPort: '3260', lunSecuritySetting: true });
    const fc = await t.http.get(`${OBJ}/ports/CL1-A`).set(t.auth);
    expect(fc.body).toMatchObject({ portId: 'CL1-A', wwn: '50060e8012345600', fabricMode: true, portConnection: 'PtoP' });
  });

  it('answers 404 KART30013-E for an unknown port', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/ports/CL9-Z`).set(t.auth);
    expectError(res, 404, 'KART30013-E');
    expect(res.body.message).toContain('Specified object does not exist');
  });

  it('shows registered hosts as logins and the port mode on request', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/ports/CL1-A?detailInfoType=logins,portMode`).set(t.auth);
    expect(res.body.portMode).toBe('FCP-SCSI');
    expect(res.body.logins).toEqual([{ loginWwn: '2100000e1e000001', wwnNickName: '-', hostGroupId: 'CL1-A,1', isLoggedIn: true }]);
    const list = await t.http.get(`${OBJ}/ports?detailInfoType=logins`).set(t.auth);
    expect(list.body.data[1].logins).toEqual([]);
  });
});

describe('host groups', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('lists the host groups of a port, host group 0 included', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/host-groups?portId=CL1-A`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { hostGroupId: 'CL1-A,0', portId: 'CL1-A', hostGroupNumber: 0, hostGroupName: '1A-G00', hostMode: 'LINUX/IRIX' },
      { hostGroupId: 'CL1-A,1', portId: 'CL1-A', hostGroupNumber: 1, hostGroupName: 'linux-host-01', hostMode: 'LINUX/IRIX' },
    ]);
  });

  it('lists every host group of the array without portId, iSCSI targets with their target IQN', async () => {
    t = await startApp();
    const res = await t.http.get(`${SCOPED}/host-groups`).set(t.auth);
    expect(res.body.data.map((h: { hostGroupId: string }) => h.hostGroupId)).toEqual(['CL1-A,0', 'CL1-A,1', 'CL2-A,0', 'CL3-A,0', 'CL4-A,0']);
    expect(res.body.data[3]).toEqual({
      hostGroupId: 'CL3-A,0', portId: 'CL3-A', hostGroupNumber: 0, hostGroupName: '3A-G00', hostMode: 'LINUX/IRIX',
      iscsiName: 'iqn.1994-04.jp.co.hitachi:rsd.h8m.t.123456.3a000', authenticationMode: 'NONE',
    });
  });

  it('lists free host group numbers with isUndefined=true (Ansible picks one for a new group)', async () => {
    t = await startApp();
    const res = await t.http.get(`${OBJ}/host-groups?portId=CL1-A&isUndefined=true&detailInfoType=resourceGroup`).set(t.auth);
    expect(res.body.data).toHaveLength(253);
    expect(res.body.data[0]).toEqual({ hostGroupId: 'CL1-A,2', portId: 'CL1-A', hostGroupNumber: 2, isDefined: false, resourceGroupId: 0 });
  });

  it('gets a host group with a literal or %2C comma in either URL form', async () => {
    t = await startApp();
    const a = await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth);
    const b = await t.http.get(`${SCOPED}/host-groups/CL1-A%2C1?detailInfoType=resourceGroup`).set(t.auth);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ hostGroupId: 'CL1-A,1', hostGroupName: 'linux-host-01', hostMode: 'LINUX/IRIX' });
    expect(b.body).toEqual({ ...a.body, resourceGroupId: 0 });
  });

  it('answers 404 KART30013-E for an unknown host group or port and 400 for a malformed id', async () => {
    t = await startApp();
    expectError(await t.http.get(`${OBJ}/host-groups/CL1-A,99`).set(t.auth), 404, 'KART30013-E');
    expectError(await t.http.get(`${OBJ}/host-groups/CL9-Z,0`).set(t.auth), 404, 'KART30013-E');
    expectError(await t.http.get(`${OBJ}/host-groups?portId=CL9-Z`).set(t.auth), 404, 'KART30013-E');
    expectError(await t.http.get(`${OBJ}/host-groups/CL1-A`).set(t.auth), 400, 'KART40039-E');
    expectError(await t.http.get(`${OBJ}/host-groups/CL1-A,255`).set(t.auth), 400, 'KART40039-E');
  });

  it('creates a host group at the lowest free number, with the job completing on the virtual clock', async () => {
    t = await startApp();
    const res = await t.http.post(`${OBJ}/host-groups`).set(t.auth).send({ portId: 'CL1-A', hostGroupName: 'HBSD-100000109b000001' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('Initializing');
    t.advance(1);
    const job = await t.http.get(`${OBJ}/jobs/${res.body.jobId}`).set(t.auth);
    expect(job.body).toMatchObject({ status: 'Completed', state: 'Succeeded', affectedResources: [`${OBJ}/host-groups/CL1-A,2`] });
    const hg = await t.http.get(`${OBJ}/host-groups/CL1-A,2`).set(t.auth);
    expect(hg.body).toEqual({
      hostGroupId: 'CL1-A,2', portId: 'CL1-A', hostGroupNumber: 2, hostGroupName: 'HBSD-100000109b000001', hostMode: 'LINUX/IRIX',
    });
  });

  it('creates with an explicit number, host mode and options; JSON null means not given', async () => {
    t = await startApp({ timing: 'instant' });
    const res = await t.http.post(`${SCOPED}/host-groups`).set(t.auth)
      .send({ portId: 'CL2-A', hostGroupNumber: '10', hostGroupName: 'esx-01', hostMode: 'VMWARE_EX', hostModeOptions: [63, 54], iscsiName: null });
    expectSucceeded(res, `${SCOPED}/host-groups/CL2-A,10`);
    const hg = await t.http.get(`${OBJ}/host-groups/CL2-A,10`).set(t.auth);
    expect(hg.body).toMatchObject({ hostGroupNumber: 10, hostMode: 'VMWARE_EX', hostModeOptions: [54, 63] });
  });

  it('creates an iSCSI target with the target IQN the client gives, or a generated one', async () => {
    t = await startApp({ timing: 'instant' });
    const given = await t.http.post(`${OBJ}/host-groups`).set(t.auth)
      .send({ portId: 'CL3-A', hostGroupName: 'HBSD-127.0.0.1', iscsiName: 'iqn.1994-05.com.redhat:host1.hbsd-target' });
    expectSucceeded(given, `${OBJ}/host-groups/CL3-A,1`);
    expect((await t.http.get(`${OBJ}/host-groups/CL3-A,1`).set(t.auth)).body.iscsiName).toBe('iqn.1994-05.com.redhat:host1.hbsd-target');
    const generated = await t.http.post(`${OBJ}/host-groups`).set(t.auth).send({ portId: 'CL3-A', hostGroupName: 'other' });
    expectSucceeded(generated, `${OBJ}/host-groups/CL3-A,2`);
    expect((await t.http.get(`${OBJ}/host-groups/CL3-A,2`).set(t.auth)).body.iscsiName).toBe('iqn.1994-04.jp.co.hitachi:rsd.h8m.t.123456.3a002');
  });

  it('validates the create body synchronously', async () => {
    t = await startApp({ timing: 'instant' });
    const post = (body: unknown) => t.http.post(`${OBJ}/host-groups`).set(t.auth).send(body as object);
    expectError(await post({ portId: 'CL1-A' }), 400, 'KART20008-E');
    expectError(await post({ hostGroupName: 'x' }), 400, 'KART20008-E');
    expectError(await post({ portId: 'CL1-A', hostGroupName: 'x', wwn: 'x' }), 400, 'KART40038-E');
    expectError(await post({ portId: 'CL1-A', hostGroupName: 'x', hostMode: 'BEOS' }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupName: 'x', hostGroupNumber: 255 }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupName: 'x', hostModeOptions: [-1, 2] }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL1-A', hostGroupName: 'x'.repeat(65) }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL3-A', hostGroupName: 'x'.repeat(33) }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL3-A', hostGroupName: 'x', iscsiName: 'not-an-iqn' }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL9-Z', hostGroupName: 'x' }), 404, 'KART30013-E');
  });

  it('fails the job when the name or number is taken, or an iSCSI name is given for an FC port', async () => {
    t = await startApp({ timing: 'instant' });
    const post = (body: unknown) => t.http.post(`${OBJ}/host-groups`).set(t.auth).send(body as object);
    expectFailedJob(await post({ portId: 'CL1-A', hostGroupName: 'linux-host-01' }), 'B957', '4186');
    expectFailedJob(await post({ portId: 'CL1-A', hostGroupName: 'new', hostGroupNumber: 1 }), 'B956', '3173');
    expectFailedJob(await post({ portId: 'CL1-A', hostGroupName: 'new', hostGroupNumber: 0 }), 'B956', '3173');
    expectFailedJob(await post({ portId: 'CL1-A', hostGroupName: 'new', iscsiName: 'iqn.2000-01.com.example:t' }), 'B957', '4100');
    expectSucceeded(await post({ portId: 'CL3-A', hostGroupName: 't1', iscsiName: 'iqn.2000-01.com.example:t' }));
    expectFailedJob(await post({ portId: 'CL3-A', hostGroupName: 't2', iscsiName: 'iqn.2000-01.com.example:t' }), 'B957', '418B');
    // The same target IQN on another port is fine (Cinder creates one target per port named after the host IQN).
    expectSucceeded(await post({ portId: 'CL4-A', hostGroupName: 't1', iscsiName: 'iqn.2000-01.com.example:t' }));
    expect((await t.http.get(`${OBJ}/host-groups?portId=CL1-A`).set(t.auth)).body.data).toHaveLength(2);
  });

  it('fails with the text Cinder looks for when the port has no free host group number', async () => {
    t = await startApp({ timing: 'instant', fixture: fixtureWith({ maxHostGroupNumber: 2 }) });
    expectSucceeded(await t.http.post(`${OBJ}/host-groups`).set(t.auth).send({ portId: 'CL1-A', hostGroupName: 'a' }), `${OBJ}/host-groups/CL1-A,2`);
    const res = await t.http.post(`${OBJ}/host-groups`).set(t.auth).send({ portId: 'CL1-A', hostGroupName: 'b' });
    expectFailedJob(res, 'B957', '4187');
    expect(res.body.error.message).toContain('could not find empty Host group ID for adding.');
  });

  it('refuses host groups on a port whose LUN security is off', async () => {
    const fx = fixtureWith({}, (f) => { (f.arrays[0]!.ports![1] as { lunSecuritySetting?: boolean }).lunSecuritySetting = false; });
    t = await startApp({ timing: 'instant', fixture: fx });
    expect((await t.http.get(`${OBJ}/ports/CL2-A`).set(t.auth)).body.lunSecuritySetting).toBe(false);
    expectFailedJob(await t.http.post(`${OBJ}/host-groups`).set(t.auth).send({ portId: 'CL2-A', hostGroupName: 'a' }), 'B957', '4102');
  });

  it('changes host mode and options with PATCH or PUT; [-1] clears the options', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.patch(`${OBJ}/host-groups/CL1-A,1`).set(t.auth).send({ hostMode: 'VMWARE_EX', hostModeOptions: [54, 63] }),
      `${OBJ}/host-groups/CL1-A,1`);
    expect((await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth)).body).toMatchObject({ hostMode: 'VMWARE_EX', hostModeOptions: [54, 63] });
    expectSucceeded(await t.http.put(`${SCOPED}/host-groups/CL1-A%2C1`).set(t.auth).send({ hostMode: 'LINUX/IRIX', hostModeOptions: [-1] }),
      `${SCOPED}/host-groups/CL1-A,1`);
    const hg = await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth);
    expect(hg.body.hostMode).toBe('LINUX/IRIX');
    expect(hg.body.hostModeOptions).toBeUndefined();
    expectSucceeded(await t.http.patch(`${OBJ}/host-groups/CL1-A,1`).set(t.auth).send({ hostGroupName: 'renamed' }));
    expect((await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth)).body.hostGroupName).toBe('renamed');
  });

  it('validates a change synchronously and fails the job for a taken name or an FC authentication mode', async () => {
    t = await startApp({ timing: 'instant' });
    const patch = (id: string, body: unknown) => t.http.patch(`${OBJ}/host-groups/${id}`).set(t.auth).send(body as object);
    expectError(await patch('CL1-A,1', {}), 400, 'KART20008-E');
    expectError(await patch('CL1-A,1', { hostModeOptions: [91] }), 400, 'KART40046-E');
    expectError(await patch('CL1-A,1', { hostMode: 'LINUX/IRIX', iscsiName: 'iqn.2000-01.a:b' }), 400, 'KART40038-E');
    expectError(await patch('CL1-A,7', { hostMode: 'LINUX/IRIX' }), 404, 'KART30013-E');
    expectFailedJob(await patch('CL1-A,0', { hostGroupName: 'linux-host-01' }), 'B957', '4186');
    expectFailedJob(await patch('CL1-A,1', { authenticationMode: 'CHAP' }), 'B957', '4100');
    expectSucceeded(await patch('CL3-A,0', { authenticationMode: 'CHAP' }));
    expect((await t.http.get(`${OBJ}/host-groups/CL3-A,0`).set(t.auth)).body.authenticationMode).toBe('CHAP');
  });

  it('deletes a host group together with its WWNs and LU paths', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth), `${OBJ}/host-groups/CL1-A,1`);
    expectError(await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth), 404, 'KART30013-E');
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).body.ports).toBeUndefined();
    // The WWN is free for another group of the port again.
    expectSucceeded(await t.http.post(`${OBJ}/host-wwns`).set(t.auth).send({ hostWwn: '2100000e1e000001', portId: 'CL1-A', hostGroupNumber: 0 }));
    expectError(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth), 404, 'KART30013-E');
  });

  it('refuses attributes in a DELETE body with 400 KART40038-E; an empty object is no body', async () => {
    t = await startApp({ timing: 'instant' });
    expectError(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth).send({ force: true }), 400, 'KART40038-E');
    expectSucceeded(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth).send({}));
  });

  it('resets host group 0 instead of deleting it', async () => {
    t = await startApp({ timing: 'instant' });
    await t.http.patch(`${OBJ}/host-groups/CL2-A,0`).set(t.auth).send({ hostGroupName: 'custom', hostMode: 'WIN', hostModeOptions: [2] });
    await t.http.post(`${OBJ}/host-wwns`).set(t.auth).send({ hostWwn: '2100000e1e0000aa', portId: 'CL2-A', hostGroupNumber: 0 });
    await t.http.post(`${OBJ}/luns`).set(t.auth).send({ portId: 'CL2-A', hostGroupNumber: 0, ldevId: 1 });
    expectSucceeded(await t.http.delete(`${SCOPED}/host-groups/CL2-A,0`).set(t.auth), `${SCOPED}/host-groups/CL2-A,0`);
    expect((await t.http.get(`${OBJ}/host-groups/CL2-A,0`).set(t.auth)).body)
      .toEqual({ hostGroupId: 'CL2-A,0', portId: 'CL2-A', hostGroupNumber: 0, hostGroupName: '2A-G00', hostMode: 'LINUX/IRIX' });
    expect((await t.http.get(`${OBJ}/host-wwns?portId=CL2-A&hostGroupNumber=0`).set(t.auth)).body.data).toEqual([]);
    expect((await t.http.get(`${OBJ}/luns?portId=CL2-A&hostGroupNumber=0`).set(t.auth)).body.data).toEqual([]);
  });

  it('refuses to delete host group 0 or a populated group when the fidelity table says so', async () => {
    t = await startApp({ timing: 'instant', fixture: fixtureWith({ hostGroupZeroDelete: 'refuse', hostGroupDeleteWithLuPaths: 'refuse' }) });
    expectFailedJob(await t.http.delete(`${OBJ}/host-groups/CL2-A,0`).set(t.auth), 'B957', '418A');
    expectFailedJob(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth), 'B957', '4189');
    expect((await t.http.get(`${OBJ}/luns?portId=CL1-A&hostGroupNumber=1`).set(t.auth)).body.data).toHaveLength(1);
  });

  it('refuses to delete a group holding an LU path the pair module protects, leaving everything in place', async () => {
    t = await startApp({ timing: 'instant' });
    t.engine.pairHooks = { ...t.engine.pairHooks, ldevBusyReason: (_sid, ldevId, op) => (op === 'unmap' && ldevId === 0 ? 'lastPathOfSnapshotPvol' : null) };
    expectFailedJob(await t.http.delete(`${OBJ}/host-groups/CL1-A,1`).set(t.auth), 'B958', '020A');
    expect((await t.http.get(`${OBJ}/host-groups/CL1-A,1`).set(t.auth)).status).toBe(200);
    expect((await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumber=1`).set(t.auth)).body.data).toHaveLength(1);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).body.ports).toHaveLength(1);
  });
});

describe('host WWNs', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  const wwn1 = {
    hostWwnId: 'CL1-A,1,2100000e1e000001', portId: 'CL1-A', hostGroupNumber: 1, hostGroupName: 'linux-host-01',
    hostWwn: '2100000e1e000001', wwnNickname: '-',
  };

  it('lists the WWNs of a host group by number, name or number list', async () => {
    t = await startApp();
    const byNumber = await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumber=1`).set(t.auth);
    expect(byNumber.status).toBe(200);
    expect(byNumber.body).toEqual({ data: [wwn1] });
    expect((await t.http.get(`${SCOPED}/host-wwns`).query({ portId: 'CL1-A', hostGroupName: 'linux-host-01' }).set(t.auth)).body).toEqual({ data: [wwn1] });
    expect((await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumberList=0,1`).set(t.auth)).body).toEqual({ data: [wwn1] });
    expect((await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumber=9`).set(t.auth)).body).toEqual({ data: [] });
  });

  it('answers an empty list for a host group name that does not exist (Cinder looks before it creates)', async () => {
    t = await startApp();
    const res = await t.http.get(`${SCOPED}/host-wwns?portId=CL1-A&hostGroupName=HBSD-100000109b000001`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [] });
  });

  it('requires portId and a host group with 400 KART40044-E', async () => {
    t = await startApp();
    expectError(await t.http.get(`${OBJ}/host-wwns?portId=CL1-A`).set(t.auth), 400, 'KART40044-E');
    expectError(await t.http.get(`${OBJ}/host-wwns?hostGroupNumber=1`).set(t.auth), 400, 'KART40044-E');
    expectError(await t.http.get(`${OBJ}/host-wwns?portId=CL9-Z&hostGroupNumber=1`).set(t.auth), 404, 'KART30013-E');
  });

  it('gets one WWN by id in either case and answers 404 for an unregistered one', async () => {
    t = await startApp();
    expect((await t.http.get(`${OBJ}/host-wwns/CL1-A,1,2100000E1E000001`).set(t.auth)).body).toEqual(wwn1);
    expectError(await t.http.get(`${SCOPED}/host-wwns/CL1-A,1,2100000e1e0000ff`).set(t.auth), 404, 'KART30013-E');
    expectError(await t.http.get(`${OBJ}/host-wwns/CL1-A,1,xyz`).set(t.auth), 400, 'KART40039-E');
  });

  it('registers a WWN (colons and upper case accepted, numeric strings too)', async () => {
    t = await startApp({ timing: 'instant' });
    const res = await t.http.post(`${OBJ}/host-wwns`).set(t.auth).send({ hostWwn: '21:00:00:0E:1E:00:00:02', portId: 'CL1-A', hostGroupNumber: '1' });
    expectSucceeded(res, `${OBJ}/host-wwns/CL1-A,1,2100000e1e000002`);
    const list = await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumber=1`).set(t.auth);
    expect(list.body.data.map((w: { hostWwn: string }) => w.hostWwn)).toEqual(['2100000e1e000001', '2100000e1e000002']);
  });

  it('validates the registration synchronously', async () => {
    t = await startApp({ timing: 'instant' });
    const post = (body: unknown) => t.http.post(`${OBJ}/host-wwns`).set(t.auth).send(body as object);
    expectError(await post({ portId: 'CL1-A', hostGroupNumber: 1 }), 400, 'KART20008-E');
    expectError(await post({ hostWwn: '2100000e1e000002', portId: 'CL1-A' }), 400, 'KART20008-E');
    expectError(await post({ hostWwn: '2100000e1e00000', portId: 'CL1-A', hostGroupNumber: 1 }), 400, 'KART40039-E');
    // Live on a VSP E: the nickname cannot be given at registration (ref 4.3).
    expectError(await post({ hostWwn: '2100000e1e000002', portId: 'CL1-A', hostGroupNumber: 1, hostWwnNickname: 'h' }), 400, 'KART40038-E');
    expectError(await post({ hostWwn: '2100000e1e000002', portId: 'CL1-A', hostGroupNumber: 5 }), 404, 'KART30013-E');
  });

  it('fails the job for a WWN already on the port, an iSCSI port, or past the per-port maximum', async () => {
    t = await startApp({ timing: 'instant', fixture: fixtureWith({ maxWwnsPerPort: 2 }) });
    const post = (body: unknown) => t.http.post(`${OBJ}/host-wwns`).set(t.auth).send(body as object);
    expectFailedJob(await post({ hostWwn: '2100000e1e000001', portId: 'CL1-A', hostGroupNumber: 0 }), 'B957', '4185');
    expectFailedJob(await post({ hostWwn: '2100000e1e000001', portId: 'CL1-A', hostGroupNumber: 1 }), 'B957', '4185');
    expectFailedJob(await post({ hostWwn: '2100000e1e000002', portId: 'CL3-A', hostGroupNumber: 0 }), 'B957', '4100');
    expectSucceeded(await post({ hostWwn: '2100000e1e000002', portId: 'CL1-A', hostGroupNumber: 0 }));
    const over = await post({ hostWwn: '2100000e1e000003', portId: 'CL1-A', hostGroupNumber: 0 });
    expectFailedJob(over, 'B957', '4184');
    // The same WWN on another port is another registration.
    expectSucceeded(await post({ hostWwn: '2100000e1e000001', portId: 'CL2-A', hostGroupNumber: 0 }));
  });

  it('sets a nickname with PATCH or PUT and deletes a WWN', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.patch(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth).send({ wwnNickname: 'host01_hba0' }),
      `${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`);
    expect((await t.http.get(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth)).body.wwnNickname).toBe('host01_hba0');
    expectSucceeded(await t.http.put(`${SCOPED}/host-wwns/CL1-A%2C1%2C2100000e1e000001`).set(t.auth).send({ wwnNickname: 'hba0' }));
    expect((await t.http.get(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth)).body.wwnNickname).toBe('hba0');
    expectError(await t.http.patch(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth).send({}), 400, 'KART20008-E');
    expectError(await t.http.patch(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth).send({ wwnNickname: 'x'.repeat(65) }), 400, 'KART40039-E');
    expectSucceeded(await t.http.delete(`${SCOPED}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth).set('Content-Type', 'application/json').send('null'),
      `${SCOPED}/host-wwns/CL1-A,1,2100000e1e000001`);
    expect((await t.http.get(`${OBJ}/host-wwns?portId=CL1-A&hostGroupNumber=1`).set(t.auth)).body.data).toEqual([]);
    expectError(await t.http.delete(`${OBJ}/host-wwns/CL1-A,1,2100000e1e000001`).set(t.auth), 404, 'KART30013-E');
  });
});

describe('host iSCSI names', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });
  const iqn = 'iqn.1994-05.com.redhat:host1';

  it('registers, lists, gets, renames and deletes a host IQN in an iSCSI target', async () => {
    t = await startApp({ timing: 'instant' });
    expectSucceeded(await t.http.post(`${SCOPED}/host-iscsis`).set(t.auth).send({ iscsiName: iqn, portId: 'CL3-A', hostGroupNumber: 0 }),
      `${SCOPED}/host-iscsis/CL3-A,0,${iqn}`);
    const expected = { hostIscsiId: `CL3-A,0,${iqn}`, portId: 'CL3-A', hostGroupNumber: 0, hostGroupName: '3A-G00', iscsiName: iqn, iscsiNickname: '-' };
    expect((await t.http.get(`${OBJ}/host-iscsis?portId=CL3-A&hostGroupNumber=0`).set(t.auth)).body).toEqual({ data: [expected] });
    expect((await t.http.get(`${OBJ}/host-iscsis`).query({ portId: 'CL3-A', hostGroupName: '3A-G00' }).set(t.auth)).body).toEqual({ data: [expected] });
    expect((await t.http.get(`${OBJ}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth)).body).toEqual(expected);
    expect((await t.http.get(`${SCOPED}/host-iscsis/CL3-A%2C0%2C${iqn}`).set(t.auth)).body).toEqual(expected);
    expectSucceeded(await t.http.patch(`${OBJ}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth).send({ iscsiNickname: 'host1' }));
    expectSucceeded(await t.http.put(`${SCOPED}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth).send({ iscsiNickname: 'host1b' }),
      `${SCOPED}/host-iscsis/CL3-A,0,${iqn}`);
    expect((await t.http.get(`${OBJ}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth)).body.iscsiNickname).toBe('host1b');
    const logins = await t.http.get(`${OBJ}/ports/CL3-A?detailInfoType=logins`).set(t.auth);
    expect(logins.body.logins).toEqual([{ loginIscsiName: iqn, iscsiNickName: 'host1b', hostGroupId: 'CL3-A,0', isLoggedIn: true }]);
    expectError(await t.http.delete(`${OBJ}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth).send({ force: true }), 400, 'KART40038-E');
    expectSucceeded(await t.http.delete(`${SCOPED}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth), `${SCOPED}/host-iscsis/CL3-A,0,${iqn}`);
    expectError(await t.http.get(`${OBJ}/host-iscsis/CL3-A,0,${iqn}`).set(t.auth), 404, 'KART30013-E');
  });

  it('validates and refuses what the array would', async () => {
    t = await startApp({ timing: 'instant', fixture: fixtureWith({ maxIscsiNamesPerPort: 1 }) });
    const post = (body: unknown) => t.http.post(`${OBJ}/host-iscsis`).set(t.auth).send(body as object);
    expectError(await t.http.get(`${OBJ}/host-iscsis?portId=CL3-A`).set(t.auth), 400, 'KART40044-E');
    expectError(await post({ iscsiName: 'host1', portId: 'CL3-A', hostGroupNumber: 0 }), 400, 'KART40039-E');
    expectError(await post({ portId: 'CL3-A', hostGroupNumber: 0 }), 400, 'KART20008-E');
    expectError(await post({ iscsiName: iqn, portId: 'CL3-A', hostGroupNumber: 9 }), 404, 'KART30013-E');
    expectFailedJob(await post({ iscsiName: iqn, portId: 'CL1-A', hostGroupNumber: 0 }), 'B957', '4100');
    expectSucceeded(await post({ iscsiName: iqn, portId: 'CL3-A', hostGroupNumber: 0 }));
    expectFailedJob(await post({ iscsiName: iqn, portId: 'CL3-A', hostGroupNumber: 0 }), 'B957', '4185');
    expectFailedJob(await post({ iscsiName: 'iqn.1994-05.com.redhat:host2', portId: 'CL3-A', hostGroupNumber: 0 }), 'B957', '4184');
  });
});
