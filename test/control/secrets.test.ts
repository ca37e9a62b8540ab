import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers.js';
import { EMU, OBJ, startControl } from './support.js';

describe('secrets stay out of the journal and the state export', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('the journal shows no session token: login answers, refused tokens, credentials in any header form', async () => {
    t = await startControl();
    await t.http.delete(`${EMU}/journal`);
    const login = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance');
    expect(login.body.token).toMatch(/^[0-9a-f]{32}$/);
    await t.http.delete(`${OBJ}/sessions/${login.body.sessionId}`).set('Authorization', `Session ${login.body.token}`);
    await t.http.get(`${OBJ}/pools`).set('Authorization', `Session ${login.body.token}`); // now refused, the error quotes it
    await t.http.get(`${OBJ}/pools`).set('Authorization', login.body.token); // no scheme at all
    await t.http.get(`${OBJ}/pools`).set('Authorization', `Session ${t.token}`).set('Cookie', `sid=${t.token}`);
    const res = await t.http.get(`${EMU}/journal`);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(login.body.token);
    expect(text).not.toContain(t.token);
    const [made, , refused, bare, cookie] = res.body.data;
    expect(made.responseBody).toEqual({ token: '<redacted>', sessionId: login.body.sessionId });
    expect(made.requestHeaders.authorization).toBe('Basic <redacted>');
    expect(refused.status).toBe(401);
    expect(refused.responseBody.message).toBe('The specified token is invalid. (token = <redacted>)');
    expect(bare.requestHeaders.authorization).toBe('<redacted>');
    expect(cookie.requestHeaders).toMatchObject({ authorization: 'Session <redacted>', cookie: '<redacted>' });
  });

  it('the state export shows passwords and tokens as <redacted> unless secrets are asked for', async () => {
    t = await startControl();
    const plain = (await t.http.get(`${EMU}/state`)).body;
    expect(plain.tables.users).toEqual([{ sid: expect.any(String), user_id: 'maintenance', password: '<redacted>' }]);
    expect(plain.tables.sessions).toEqual([expect.objectContaining({ token: '<redacted>', user_id: 'maintenance' })]);
    expect(JSON.stringify(plain)).not.toContain(t.token);
    expect(JSON.stringify(plain)).not.toContain('raid-maintenance');
    // The route passes secrets only when the control plane has a token and the caller asks (?secrets=true).
    const full = t.control!.model.exportState({ secrets: true });
    expect(full.tables.users).toEqual([expect.objectContaining({ password: 'raid-maintenance' })]);
    expect(full.tables.sessions).toEqual([expect.objectContaining({ token: t.token })]);
  });

  it('a redacted export loads back: sessions are dropped, users get their fixture password (else raid-maintenance)', async () => {
    t = await startControl({
      fixture: {
        name: 'custom', users: [{ userId: 'admin', password: 's3cret-A' }],
        arrays: [{ model: 'VSP E990', serialNumber: 123456, users: [{ userId: 'maintenance', password: 'raid-maintenance' }, { userId: 'ops', password: 'ops-pw' }] }],
      },
    });
    const exported = (await t.http.get(`${EMU}/state`)).body;
    expect(exported.tables.users.map((u: { password: string }) => u.password)).toEqual(['<redacted>', '<redacted>']);
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: exported })).status).toBe(200);
    // The old session did not come back (checked before any login: the reset reseeded, so the next token repeats it).
    expect((await t.http.get(`${OBJ}/pools`).set(t.auth)).status).toBe(401);
    expect((await t.http.post(`${OBJ}/sessions`).auth('ops', 'ops-pw')).status).toBe(200);
    expect((await t.http.post(`${OBJ}/sessions`).auth('ops', 'raid-maintenance')).status).toBe(401);
    // A user no fixture knows gets the default password.
    const stranger = structuredClone(exported);
    stranger.tables.users.push({ sid: stranger.tables.users[0].sid, user_id: 'stranger', password: '<redacted>' });
    expect((await t.http.post(`${EMU}/reset`).send({ fixture: stranger })).status).toBe(200);
    expect((await t.http.post(`${OBJ}/sessions`).auth('stranger', 'raid-maintenance')).status).toBe(200);
  });
});
