import type { FuzzRequest } from './fuzzArbs.js';
import { surfaceOfPath, type FuzzHarness } from './fuzzKit.js';

const CM = '/ConfigurationManager';
const OBJ = `${CM}/v1/objects`;
const EMU = '/emulator/v1';
const UI = '/emulator/ui';

/**
 * The hostile requests of issue 10, by hand: what its report tried, so each stays answered with a 4xx (or the route's
 * public answer) whatever the generators happen to draw.
 */
export function hostileRequests(h: Pick<FuzzHarness, 'host' | 'creds' | 'routes'>): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const bearer = { authorization: `Bearer ${h.creds.controlToken}` };
  const session = { authorization: `Session ${h.creds.sessionToken}` };
  const add = (method: string, path: string, headers: Record<string, string>, body: string | Buffer | undefined, route: string, cred: string, form = 'canonical') => {
    out.push({
      surface: surfaceOfPath(path), route, method, path, form, cred, bodyKind: body === undefined ? 'none' : 'hostile',
      headers: { host: h.host, ...headers, ...(body !== undefined && !('content-type' in headers) ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: Buffer.isBuffer(body) ? body : Buffer.from(body) } : {}),
    });
  };
  // Numbers out of range for the clock.
  for (const body of ['{"seconds":1e308}', '{"ms":1e308}', '{"seconds":-1}', '{"seconds":"NaN"}']) add('POST', `${EMU}/clock/advance`, bearer, body, `POST ${EMU}/clock/advance`, 'bearerValid');
  for (const body of ['{"speed":1e308}', '{"speed":1e-320}', '{"time":"275760-09-13T00:00:00Z"}', '{"time":"0000-01-01T00:00:00Z"}', '{"mode":"real","speed":1e6}']) {
    add('POST', `${EMU}/clock`, bearer, body, `POST ${EMU}/clock`, 'bearerValid');
  }
  // Fault rules naming prototype keys as catalog errors (the probe after a 201 checks that matched requests do not 5xx).
  for (const key of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    add('POST', `${EMU}/faults`, bearer, JSON.stringify({ match: { path: '/ConfigurationManager' }, effect: { type: 'http', error: key } }), `POST ${EMU}/faults`, 'bearerValid');
    add('POST', `${EMU}/faults`, bearer, JSON.stringify({ effect: { type: 'job', error: key } }), `POST ${EMU}/faults`, 'bearerValid');
  }
  add('POST', `${EMU}/faults`, bearer, '{"match":{"path":"^/(a+)+$"},"effect":{"type":"http","status":418}}', `POST ${EMU}/faults`, 'bearerValid');
  // Deep and huge bodies to an unknown URL (journaled), then the journal and the web view are read by runOne.
  const deep = Buffer.from('{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
  add('POST', `${CM}/v1/objects/nope`, {}, deep, 'POST (unknown URL)', 'none');
  add('POST', `${OBJ}/ldevs`, session, deep, `POST ${OBJ}/ldevs`, 'sessionValid');
  add('POST', `${EMU}/faults`, bearer, deep, `POST ${EMU}/faults`, 'bearerValid');
  // Every control-plane and web-view change: bad JSON, a wrong content type, null, a missing body, a body over the limit.
  const overLimit = Buffer.alloc(8 * 1024 * 1024 + 16, 0x20);
  for (const r of h.routes.filter((x) => x.surface !== 'api' && x.method !== 'GET' && !x.template.includes('{*}'))) {
    const path = r.template.replace(/\{[^}]+\}/g, 'x');
    const route = `${r.method} ${r.template}`;
    add(r.method, path, bearer, '{', route, 'bearerValid');
    add(r.method, path, { ...bearer, 'content-type': 'text/plain' }, '{}', route, 'bearerValid');
    add(r.method, path, { ...bearer, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&__proto__=x', route, 'bearerValid');
    add(r.method, path, bearer, 'null', route, 'bearerValid');
    add(r.method, path, bearer, '[]', route, 'bearerValid');
    add(r.method, path, bearer, '{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}}}', route, 'bearerValid');
    add(r.method, path, bearer, undefined, route, 'bearerValid');
    add(r.method, path, bearer, overLimit, route, 'bearerValid');
  }
  for (const rest of ['reset', 'clock/advance', 'faults', 'seed', 'timing', 'journal/settings', 'checkpoints/x', 'arrays', 'io/write', 'io/workloads']) {
    add('POST', `${UI}/api/control/${rest}`, bearer, '{', `POST ${UI}/api/control/{*}`, 'bearerValid');
    add('POST', `${UI}/api/control/${rest}`, { ...bearer, 'content-type': 'text/plain' }, '{"seconds":1e308}', `POST ${UI}/api/control/{*}`, 'bearerValid');
  }
  add('POST', `${UI}/login`, {}, '{', `POST ${UI}/login`, 'none');
  add('POST', `${UI}/login`, { 'content-type': 'application/x-www-form-urlencoded' }, 'token=__proto__&__proto__=1', `POST ${UI}/login`, 'none');
  add('POST', `${UI}/login`, {}, overLimit, `POST ${UI}/login`, 'none');
  // One URL, one answer: non-canonical forms of protected routes without credentials.
  for (const path of [`${OBJ}/jobs/1`, `${OBJ}/pools`, `${OBJ}/snapshots/0,0`, `${OBJ}/storages/${h.creds.storageDeviceId}/ldevs/0`]) {
    const forms: Array<[string, string]> = [['doubleSlash', `/${path}`], ['absolute', `http://${h.host}${path}`], ['percentLetter', `/%43${path.slice(2)}`],
      ['percentLetterLower', `/%43onfiguration%4danager${path.slice('/ConfigurationManager'.length)}`], ['innerDoubleSlash', path.replace('/v1/', '/v1//')]];
    for (const [form, p] of forms) {
      add('GET', p, {}, undefined, `GET ${path}`, 'none', form);
      add('GET', p, { authorization: 'Session 0123456789abcdef' }, undefined, `GET ${path}`, 'sessionWrong', form);
      add('GET', p, { authorization: `Session ${h.creds.expiredToken}` }, undefined, `GET ${path}`, 'sessionExpired', form);
      add('GET', p, { authorization: `Basic ${Buffer.from('maintenance:wrong').toString('base64')}` }, undefined, `GET ${path}`, 'basicWrong', form);
      add('DELETE', p, {}, undefined, `DELETE ${path}`, 'none', form);
    }
  }
  // URLs the router cannot take (a malformed percent-escape, an id over the router's 500-character limit) on the
  // control plane and the web view: answered in their dialect, not the array's.
  for (const p of [`${EMU}/checkpoints/%C0%AF`, `${EMU}/checkpoints/%zz`, `${EMU}/io/workloads/%`, `${EMU}/checkpoints/${'a'.repeat(600)}`,
    `${UI}/api/control/%zz`, `${UI}/${'a'.repeat(600)}`]) {
    add('GET', p, bearer, undefined, `GET ${p.slice(0, 40)}`, 'bearerValid');
    add('DELETE', p, bearer, undefined, `DELETE ${p.slice(0, 40)}`, 'bearerValid');
  }
  // An event stream asked for with HEAD: answered (headers), not held open with nothing sent.
  add('HEAD', `${UI}/api/events`, bearer, undefined, `HEAD ${UI}/api/events`, 'bearerValid');
  for (const p of [`//emulator/v1/state`, `/%65mulator/v1/state`, `http://${h.host}/emulator/v1/state`, '//emulator/v1/reset']) {
    add(p.endsWith('reset') ? 'POST' : 'GET', p, {}, p.endsWith('reset') ? '{}' : undefined, `GET ${EMU}/state`, 'none', 'nonCanonical');
  }
  return out;
}
