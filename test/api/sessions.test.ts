import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../src/store/fixture.js';
import { OBJ, RFC3339_Z, SCOPED, startApp, type TestApp } from './support.js';

const login = (t: TestApp, prefix = OBJ) =>
  t.http.post(`${prefix}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');

describe('sessions', () => {
  let t: TestApp;
  afterEach(async () => { await t?.close(); });

  it('POST sessions with Basic auth answers 200 {token, sessionId} and the token authenticates', async () => {
    t = await startApp();
    const res = await login(t).send({ aliveTime: 300 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['sessionId', 'token']);
    expect(typeof res.body.token).toBe('string');
    expect(res.body.token.length).toBeGreaterThanOrEqual(16);
    expect(res.body.sessionId).toBe(1); // startApp's own session holds id 0
    const use = await t.http.get(`${OBJ}/ldevs/0`).set('Authorization', `Session ${res.body.token}`);
    expect(use.status).toBe(200);
  });

  it('POST sessions works storage-scoped (Cinder), with a trailing slash (Terraform) and with no body', async () => {
    t = await startApp();
    const scoped = await login(t, SCOPED);
    expect(scoped.status).toBe(200);
    const slash = await t.http.post(`${OBJ}/sessions/`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
    expect(slash.status).toBe(200);
    expect(slash.body.sessionId).toBe(2);
    const nullBody = await login(t).send('null');
    expect(nullBody.status).toBe(200);
  });

  it('POST sessions refuses a wrong password, a Session header and no header with 401', async () => {
    t = await startApp();
    const bad = await t.http.post(`${OBJ}/sessions`).auth('maintenance', 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.body.messageId).toBe('KART40005-E');
    const unknown = await t.http.post(`${OBJ}/sessions`).auth('nobody', 'raid-maintenance');
    expect(unknown.status).toBe(401);
    const session = await t.http.post(`${OBJ}/sessions`).set(t.auth);
    expect(session.status).toBe(401);
    const none = await t.http.post(`${OBJ}/sessions`);
    expect(none.status).toBe(401);
    expect(none.body.messageId).toBe('KART40005-E');
  });

  it('POST sessions validates aliveTime (1-300) and rejects unknown attributes', async () => {
    t = await startApp();
    expect((await login(t).send({ aliveTime: 0 })).status).toBe(400);
    expect((await login(t).send({ aliveTime: 301 })).status).toBe(400);
    const unknown = await login(t).send({ lifetime: 5 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.messageId).toBe('KART40038-E');
    expect(unknown.body.message).toContain('attribute = lifetime');
    expect((await login(t).send({ aliveTime: '30' })).status).toBe(200);
  });

  it('GET sessions and sessions/{id} show the session fields in both URL forms', async () => {
    t = await startApp();
    const list = await t.http.get(`${OBJ}/sessions`).set(t.auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const s = list.body.data[0];
    expect(s).toEqual({ sessionId: 0, userId: 'maintenance', ipAddress: expect.any(String), createdTime: '2026-01-05T10:00:00Z', lastAccessTime: '2026-01-05T10:00:00Z' });
    for (const prefix of [OBJ, SCOPED]) {
      const one = await t.http.get(`${prefix}/sessions/0`).set(t.auth);
      expect(one.status).toBe(200);
      expect(one.body.sessionId).toBe(0);
      expect(one.body.createdTime).toMatch(RFC3339_Z);
    }
    const missing = await t.http.get(`${OBJ}/sessions/42`).set(t.auth);
    expect(missing.status).toBe(404);
    expect(missing.body.messageId).toBe('KART30013-E');
    expect(missing.body.message).toContain('Specified object does not exist');
  });

  it('DELETE sessions/{id} discards the session synchronously; its token is then 401', async () => {
    t = await startApp();
    const other = await login(t);
    const auth = { Authorization: `Session ${other.body.token}` };
    const del = await t.http.delete(`${SCOPED}/sessions/${other.body.sessionId}`).set(auth).set('Content-Type', 'application/json').send({ force: true });
    expect(del.status).toBe(200);
    expect(del.body.sessionId).toBe(other.body.sessionId);
    const after = await t.http.get(`${OBJ}/ldevs/0`).set(auth);
    expect(after.status).toBe(401);
    expect(after.body.message).toContain('The specified token is invalid');
    expect((await t.http.get(`${OBJ}/sessions/${other.body.sessionId}`).set(t.auth)).status).toBe(404);
    // The freed id is handed out again (arrays reuse small ids).
    expect((await login(t)).body.sessionId).toBe(other.body.sessionId);
  });

  it('a session expires after aliveTime seconds idle on the virtual clock; use keeps it alive', async () => {
    t = await startApp();
    const s = await login(t).send({ aliveTime: 10 });
    const auth = { Authorization: `Session ${s.body.token}` };
    t.advance(9);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(auth)).status).toBe(200);
    t.advance(9);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(auth)).status).toBe(200);
    const last = await t.http.get(`${OBJ}/sessions/${s.body.sessionId}`).set(auth);
    expect(last.body.lastAccessTime).toBe('2026-01-05T10:00:18Z');
    t.advance(10);
    const expired = await t.http.get(`${OBJ}/ldevs/0`).set(auth);
    expect(expired.status).toBe(401);
    expect(expired.body.messageId).toBe('KART40006-E');
    expect(expired.body.message).toContain('The specified token is invalid');
    expect((await t.http.get(`${OBJ}/sessions/${s.body.sessionId}`).set(t.auth)).status).toBe(404);
    // The default aliveTime is 300 s: startApp's session was last used just now.
    t.advance(299);
    expect((await t.http.get(`${OBJ}/sessions/0`).set(t.auth)).status).toBe(200);
    t.advance(300);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(t.auth)).status).toBe(401);
  });

  it('PATCH (and PUT) sessions/{id} is a keep-alive that restarts the idle timer', async () => {
    t = await startApp();
    const s = await login(t).send({ aliveTime: 10 });
    const auth = { Authorization: `Session ${s.body.token}` };
    const basic = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };
    t.advance(8);
    const patch = await t.http.patch(`${OBJ}/sessions/${s.body.sessionId}`).set(basic).set('Content-Type', 'application/json');
    expect(patch.status).toBe(200);
    expect(patch.body.lastAccessTime).toBe('2026-01-05T10:00:08Z');
    t.advance(8);
    const put = await t.http.put(`${SCOPED}/sessions/${s.body.sessionId}`).set(basic);
    expect(put.status).toBe(200);
    t.advance(9.5);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(auth)).status).toBe(200);
    t.advance(10);
    expect((await t.http.get(`${OBJ}/ldevs/0`).set(auth)).status).toBe(401);
  });

  it('the 65th session of an array is refused with 503 until one is discarded', async () => {
    t = await startApp();
    for (let i = 1; i < 64; i++) expect((await login(t)).status).toBe(200);
    const full = await login(t);
    expect(full.status).toBe(503);
    expect(full.body.messageId).toBe('KART40062-E');
    expect(full.body.solutionType).toBe('RETRY');
    expect(full.headers['retry-after']).toBe('30');
    expect((await t.http.delete(`${OBJ}/sessions/17`).set(t.auth)).status).toBe(200);
    const again = await login(t);
    expect(again.status).toBe(200);
    expect(again.body.sessionId).toBe(17);
  });

  it('expired sessions do not count toward the limit', async () => {
    t = await startApp();
    for (let i = 1; i < 64; i++) await login(t).send({ aliveTime: 5 });
    expect((await login(t)).status).toBe(503);
    t.advance(6);
    expect((await login(t)).status).toBe(200);
  });

  it('an unknown token is 401 whose message contains "The specified token is invalid"', async () => {
    t = await startApp();
    for (const url of [`${OBJ}/ldevs/0`, `${SCOPED}/pools`, `${OBJ}/jobs/1`]) {
      const res = await t.http.get(url).set('Authorization', 'Session 0123456789abcdef0123456789abcdef');
      expect(res.status).toBe(401);
      expect(res.body.messageId).toBe('KART40006-E');
      expect(res.body.message).toContain('The specified token is invalid');
    }
    const none = await t.http.get(`${OBJ}/ldevs/0`);
    expect(none.status).toBe(401);
    expect(none.body.messageId).toBe('KART40005-E');
  });

  it('Basic auth is accepted on every request: reads, mutations and job polling', async () => {
    t = await startApp({ timing: 'instant' });
    const basic = { Authorization: `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}` };
    expect((await t.http.get(`${SCOPED}/ldevs/0`).set(basic)).status).toBe(200);
    const job = await t.http.post(`${SCOPED}/ldevs`).set(basic).send({ ldevId: 40, poolId: 0, byteFormatCapacity: '1G' });
    expect(job.status).toBe(202);
    expect(job.body.userId).toBe('maintenance');
    const poll = await t.http.get(`${OBJ}/jobs/${job.body.jobId}`).set(basic);
    expect(poll.body).toMatchObject({ status: 'Completed', state: 'Succeeded' });
    const wrong = await t.http.get(`${OBJ}/ldevs/0`).auth('maintenance', 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body.messageId).toBe('KART40005-E');
  });

  it('a fixture can turn Basic-on-every-request off (fidelity row)', async () => {
    const fx = readFixture('default');
    t = await startApp({ fixture: { ...fx, fidelity: { basicAuthOnEveryRequest: false } } });
    const res = await t.http.get(`${OBJ}/ldevs/0`).auth('maintenance', 'raid-maintenance');
    expect(res.status).toBe(401);
    expect((await login(t)).status).toBe(200);
  });

  it('users come from the fixture', async () => {
    const fx = readFixture('default');
    t = await startApp({ fixture: { ...fx, users: [{ userId: 'maintenance', password: 'raid-maintenance' }, { userId: 'cinder', password: 's3cret' }] } });
    const res = await t.http.post(`${OBJ}/sessions`).auth('cinder', 's3cret');
    expect(res.status).toBe(200);
    const me = await t.http.get(`${OBJ}/sessions/${res.body.sessionId}`).set('Authorization', `Session ${res.body.token}`);
    expect(me.body.userId).toBe('cinder');
  });
});
