import fc from 'fast-check';

/**
 * Generators of malformed requests for the hardening fuzz (issue 10 item 9): for every route of the API's and the
 * control plane's OpenAPI documents and of the web view (hidden from both), requests with wrong, missing or garbage
 * path parameters, odd query strings, bad JSON, wrong content types, prototype keys, huge and deep bodies, odd URL
 * forms and no, wrong or valid credentials. Used by test/hardening/fuzz.test.ts and by `node dist/bench/fuzz.js`.
 */

export type Surface = 'api' | 'control' | 'ui';

/** One route as a document describes it. */
export interface RouteSpec {
  surface: Surface;
  method: string;
  /** `/ConfigurationManager/v1/objects/snapshots/{snapshotId}`: parameters in braces, `{*}` a wildcard. */
  template: string;
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
  /** Values a `{*}` wildcard takes besides garbage (the web view's files, the control routes its proxy reaches). */
  wild?: string[];
}

export type Schema = {
  type?: string | string[]; enum?: unknown[]; properties?: Record<string, Schema>; items?: Schema; required?: string[];
  oneOf?: Schema[]; anyOf?: Schema[]; nullable?: boolean; minimum?: number; maximum?: number; additionalProperties?: boolean | Schema;
};

/** A request as sent on the wire (the path exactly as it goes in the request line). */
export interface FuzzRequest {
  surface: Surface;
  /** The route it was made from (`METHOD template`), for grouping findings. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** How the URL was formed, how the body was made, which credential: for reports. */
  form: string;
  bodyKind: string;
  cred: string;
}

export interface Credentials {
  sessionToken: string;
  user: string;
  password: string;
  /** The control plane's token (none: the control plane is open). */
  controlToken?: string;
  storageDeviceId: string;
  /** The token of a session that has expired (idle past its aliveTime). */
  expiredToken?: string;
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const NUMBERS = [0, 1, -1, 0.5, -0.0, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e-320, Number.MAX_VALUE, 65280, 1023, 1024, 64, 65];
const NUMBER_STRINGS = ['NaN', 'Infinity', '-Infinity', '-1', '1e308', '1e3', '0x10', '0b1', '1.5', '+1', ' 1', '1 ', '00', '9'.repeat(40), ''];
const STRINGS = [
  '', ' ', 'a', 'g1', 'default', 'manual', 'real', 'instant', 'realistic', 'x'.repeat(33), 'x'.repeat(1000), '☃', '\u0000', '\n', '../package.json',
  '/etc/passwd', 'fixtures/../package.json', '%00', '%zz', '<script>', '^/(a+)+$', '*', '**', '.*', 'null', 'true', '[]', '{}', ...PROTO_KEYS, ...NUMBER_STRINGS,
];

/** A JSON value of the kind a sloppy or hostile client sends in place of a well-typed one. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { a: 1 }, [1, 2, 3]) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'a'), fc.constantFrom(1, 'x', null, {}), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
);

/** A plausible value for a schema: what a well-meaning client sends (so requests get past validation). */
function plausible(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 3) return oddValue;
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alts = s.oneOf ?? s.anyOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => plausible(a, depth + 1)));
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const arbs: Array<fc.Arbitrary<unknown>> = [];
  for (const t of types) {
    if (t === 'integer') arbs.push(fc.oneof(fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 20, (s.minimum ?? 0) + 20) }), fc.constantFrom(...NUMBERS.filter(Number.isInteger))));
    else if (t === 'number') arbs.push(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(...NUMBERS)));
    else if (t === 'string') arbs.push(fc.constantFrom(...STRINGS));
    else if (t === 'boolean') arbs.push(fc.boolean());
    else if (t === 'null') arbs.push(fc.constant(null));
    else if (t === 'array') arbs.push(fc.array(plausible(s.items, depth + 1), { maxLength: 3 }));
    else if (t === 'object') arbs.push(plausibleObject(s, depth));
  }
  if (s.nullable) arbs.push(fc.constant(null));
  if (!types.length && s.properties) arbs.push(plausibleObject(s, depth));
  return arbs.length ? fc.oneof(...arbs) : oddValue;
}

function plausibleObject(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const props = s.properties ?? {};
  const keys = Object.keys(props);
  if (!keys.length) return fc.dictionary(fc.constantFrom('a', ...PROTO_KEYS), oddValue, { maxKeys: 2 });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = plausible(props[k], depth + 1);
  return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => keys.includes(k)) });
}

/** A body for a schema with one field, or the whole, turned odd (wrong type, prototype key, unknown key, edge number). */
function mutatedBody(s: Schema | undefined): fc.Arbitrary<unknown> {
  const base = plausible(s);
  return fc.tuple(base, fc.constantFrom('none', 'field', 'extraKey', 'protoKey', 'protoValue'), oddValue, fc.constantFrom(...PROTO_KEYS), fc.nat())
    .map(([b, how, odd, proto, pick]) => {
      if (how === 'none' || b === null || typeof b !== 'object' || Array.isArray(b)) return b;
      const o = { ...(b as Record<string, unknown>) };
      const keys = Object.keys(s?.properties ?? o);
      if (how === 'field' && keys.length) o[keys[pick % keys.length]!] = odd;
      else if (how === 'extraKey') o[`x${pick % 7}`] = odd;
      else if (how === 'protoKey') Object.defineProperty(o, proto, { value: odd, enumerable: true, configurable: true, writable: true });
      else if (how === 'protoValue' && keys.length) o[keys[pick % keys.length]!] = proto;
      return o;
    });
}

const DEEP = 5000;
const deepArray = Buffer.from('['.repeat(DEEP) + ']'.repeat(DEEP));
const deepObject = Buffer.from('{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP));
/** Just over the 8 MiB body limit of the server. */
const huge = Buffer.alloc(8 * 1024 * 1024 + 16, 0x20);
huge.write('{"a":"');
huge.write('"}', huge.length - 2);

/** Bytes of a body: JSON of a value, or text that is not (quite) JSON. */
function bodyArb(schema: Schema | undefined, rare: boolean): fc.Arbitrary<{ kind: string; body?: Buffer }> {
  const json = (kind: string, a: fc.Arbitrary<unknown>) => a.map((v) => ({ kind, body: Buffer.from(JSON.stringify(v) ?? 'null') }));
  const text = (kind: string, a: fc.Arbitrary<string>) => a.map((t) => ({ kind, body: Buffer.from(t) }));
  return fc.oneof(
    { weight: 6, arbitrary: json('mutated', mutatedBody(schema)) },
    { weight: 2, arbitrary: json('odd', oddValue) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '{}', '[]', '""', '0', 'true').map((t) => ({ kind: 'plain', body: Buffer.from(t) })) },
    { weight: 2, arbitrary: text('badJson', fc.constantFrom('{', '{"a":}', "{'a':1}", 'NaN', 'undefined', '{"a":1}x', '\u0000', '{"a":1,}', '[1,]', '\uFEFF{}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}')) },
    { weight: 1, arbitrary: text('randomText', fc.string({ maxLength: 40 })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: 'bytes', body: Buffer.from(b) })) },
    { weight: rare ? 1 : 0, arbitrary: fc.constantFrom({ kind: 'deepArray', body: deepArray }, { kind: 'deepObject', body: deepObject }) },
    { weight: rare ? 1 : 0, arbitrary: fc.constant({ kind: 'overLimit', body: huge }) },
  );
}

const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', '*/*', 'garbage', 'application/json;;;', '',
];

/** A path parameter: a plausible id for its name, or garbage. Returned already as it goes on the wire. */
function paramArb(name: string, c: Credentials, garbageToo = true): fc.Arbitrary<string> {
  const plausibleIds: Record<string, string[]> = {
    storageDeviceId: [c.storageDeviceId, '000000000000', '936000123457'],
    snapshotId: ['0,0', '0,0', '0,0', '0,1', '1,0', '1,3', '1%2C0', '1,,0', ',', '1,1024', '-1,0', '99999999,0', '0,0,0', '1,a'],
    snapshotGroupId: ['g1', 'g1', 'g%201', 'x'.repeat(33)],
    ldevId: ['0', '1', '65279', '65280', '-1', '1e3', '0x10'],
    poolId: ['0', '1', '2', '-1', '1.0'],
    jobId: ['1', '0', '-1', '999999999999'],
    sessionId: ['1', '0', '64', '-1'],
    portId: ['CL1-A', 'CL9-Z', 'cl1-a'],
    hostGroupId: ['CL1-A,1', 'CL1-A,0', 'CL1-A', 'CL1-A,1,2', 'CL1-A,-1'],
    lunId: ['CL1-A,1,0', 'CL1-A,1', 'CL1-A,1,-1'],
    name: ['base', 'cp1', 'a%2Fb'],
    id: ['1', 'f1', 'w1'],
  };
  const garbage = fc.oneof(
    fc.constantFrom(...PROTO_KEYS, '', '%', '%zz', '%00', '%2F', '%2e%2e', '..', '.', 'NaN', 'Infinity', '1e308', '-1', '9'.repeat(30),
      'a'.repeat(600), '%E2%98%83', '%C0%AF', '%FF', '1;x=1', '%3F', '%23'),
    fc.string({ maxLength: 16 }).map((s) => encodeURIComponent(s)),
  );
  const fitting = fc.constantFrom(...(plausibleIds[name] ?? ['1', 'a']));
  return garbageToo ? fc.oneof({ weight: 2, arbitrary: fitting }, { weight: 3, arbitrary: garbage }) : fitting;
}

/** A query string (with its `?`), from the route's declared parameters plus odd extras. */
function queryArb(route: RouteSpec, c: Credentials): fc.Arbitrary<string> {
  const value = (s: Schema) => fc.oneof(plausible(s).map((v) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))),
    paramArb('q', c));
  const declared = route.query.map((q) => fc.option(value(q.schema).map((v) => `${encodeURIComponent(q.name)}=${v}`), { nil: undefined }));
  const extras = fc.array(fc.oneof(
    fc.constantFrom(...PROTO_KEYS).chain((k) => paramArb('q', c).map((v) => `${k}=${v}`)),
    fc.constantFrom('a=1&a=2', 'a[]=1', 'a[b]=1', '=x', '&&', 'x', '%zz=1', 'a=%zz', 'token=x', 'storageDeviceId=' + c.storageDeviceId),
  ), { maxLength: 3 });
  return fc.tuple(fc.tuple(...declared), extras, fc.boolean()).map(([d, e, empty]) => {
    const parts = [...d.filter((x): x is string => x !== undefined), ...e];
    if (!parts.length) return empty ? '?' : '';
    return `?${parts.join('&')}`;
  });
}

/** The URL forms a client or proxy may send for the same path. */
const FORMS = ['canonical', 'canonical', 'canonical', 'canonical', 'doubleSlash', 'absolute', 'percentLetter', 'trailingSlash', 'innerDoubleSlash', 'dotSegment'] as const;
function formPath(path: string, form: string, host: string): string {
  switch (form) {
    case 'doubleSlash': return `/${path}`;
    case 'absolute': return `http://${host}${path}`;
    case 'percentLetter': {
      // The first letter of the first segment, percent-encoded: /%43onfigurationManager/..., /%65mulator/...
      const ch = path[1]!;
      return `/%${ch.charCodeAt(0).toString(16).toUpperCase()}${path.slice(2)}`;
    }
    case 'trailingSlash': return path.includes('?') ? path.replace('?', '/?') : `${path}/`;
    case 'innerDoubleSlash': return path.replace(/\/([^/]+)\//, '/$1//');
    case 'dotSegment': return path.replace(/\/([^/?]+)(\/|$)/, '/$1/./');
    default: return path;
  }
}

function credentialArb(route: RouteSpec, c: Credentials): fc.Arbitrary<{ cred: string; headers: Record<string, string> }> {
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const common: Array<{ cred: string; headers: Record<string, string> }> = [
    { cred: 'none', headers: {} },
    { cred: 'garbage', headers: { authorization: 'garbage' } },
    { cred: 'empty', headers: { authorization: '' } },
  ];
  if (route.surface === 'api') {
    return fc.constantFrom(...common,
      { cred: 'sessionValid', headers: { authorization: `Session ${c.sessionToken}` } },
      { cred: 'sessionValid', headers: { authorization: `Session ${c.sessionToken}` } },
      { cred: 'sessionValid', headers: { authorization: `Session ${c.sessionToken}` } },
      { cred: 'sessionWrong', headers: { authorization: 'Session 0123456789abcdef' } },
      { cred: 'sessionExpired', headers: { authorization: `Session ${c.expiredToken ?? 'expired'}` } },
      { cred: 'sessionProto', headers: { authorization: 'Session __proto__' } },
      { cred: 'basicValid', headers: { authorization: basic(c.user, c.password) } },
      { cred: 'basicWrong', headers: { authorization: basic(c.user, 'wrong') } },
      { cred: 'basicProto', headers: { authorization: basic('__proto__', 'x') } },
      { cred: 'basicGarbage', headers: { authorization: 'Basic %%%' } },
      { cred: 'bearer', headers: { authorization: `Bearer ${c.controlToken ?? 'x'}` } });
  }
  const valid = c.controlToken ? [{ cred: 'bearerValid', headers: { authorization: `Bearer ${c.controlToken}` } }] : [{ cred: 'open', headers: {} }];
  return fc.constantFrom(...common, ...valid, ...valid, ...valid,
    { cred: 'bearerWrong', headers: { authorization: 'Bearer wrong' } },
    { cred: 'session', headers: { authorization: `Session ${c.sessionToken}` } });
}

/** Fills a template's parameters; a wildcard becomes one of `wild` or garbage. */
function pathArb(route: RouteSpec, c: Credentials, wild: string[]): fc.Arbitrary<string> {
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const values = names.map((n) => (n === '*' ? fc.oneof(fc.constantFrom(...wild), paramArb('x', c)) : fc.oneof(paramArb(n, c), fc.constant(''))));
  return fc.tuple(...values).map((vs) => {
    let i = 0;
    return route.template.replace(/\{([^}]+)\}/g, () => vs[i++]!);
  });
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * Requests a careful client would send (canonical URL, a valid session, JSON, bodies and ids that fit the schema):
 * they get past validation and into the handlers and the engine, where a 5xx or an internal error would hide.
 */
export function wellFormedArb(route: RouteSpec, c: Credentials, host: string): fc.Arbitrary<FuzzRequest> {
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const ids = names.map((n) => (n === 'storageDeviceId' ? fc.constant(c.storageDeviceId) : paramArb(n, c, false)));
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  return fc.record({
    values: fc.tuple(...ids),
    body: hasBody ? plausible(route.body).map((v) => (v === undefined ? undefined : Buffer.from(JSON.stringify(v) ?? 'null'))) : fc.constant(undefined),
  }).map(({ values, body }) => {
    let i = 0;
    const path = route.template.replace(/\{([^}]+)\}/g, () => values[i++]!);
    const headers: Record<string, string> = { host, authorization: `Session ${c.sessionToken}`, ...(body ? { 'content-type': 'application/json' } : {}) };
    return {
      surface: route.surface, route: `${route.method} ${route.template}`, method: route.method, path, headers, ...(body ? { body } : {}),
      form: 'canonical', bodyKind: body ? 'wellFormed' : 'none', cred: 'sessionValid',
    };
  });
}

/** Requests for one route: its own method mostly, sometimes another one. */
export function requestArb(route: RouteSpec, c: Credentials, host: string, opts: { rare?: boolean; wild?: string[] } = {}): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    method: fc.oneof({ weight: 5, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    path: pathArb(route, c, route.wild ?? opts.wild ?? ['a']),
    query: queryArb(route, c),
    form: fc.constantFrom(...FORMS),
    body: bodyArb(route.body, opts.rare ?? true),
    type: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(undefined) }),
    cred: credentialArb(route, c),
    extra: fc.subarray([
      ['response-job-status', 'Completed'], ['response-max-wait', '1e308'], ['response-max-wait', '-1'], ['x-vsp-emulator-instant', '1'],
      ['origin', 'http://evil.example'], ['sec-fetch-site', 'cross-site'], ['accept', 'text/html'], ['x-request-id', '__proto__'],
      ['content-encoding', 'gzip'], ['cookie', 'vsp-emulator-ui=__proto__'],
    ] as Array<[string, string]>, { maxLength: 2 }),
  }).map((r) => {
    const headers: Record<string, string> = { host, ...r.cred.headers };
    const method = r.method;
    const hasBody = r.body.body !== undefined && method !== 'GET' && method !== 'HEAD';
    if (hasBody && r.type !== undefined) headers['content-type'] = r.type;
    for (const [k, v] of r.extra) headers[k] = v;
    return {
      surface: route.surface, route: `${route.method} ${route.template}`, method,
      path: formPath(`${r.path}${r.query}`, r.form, host), headers, ...(hasBody ? { body: r.body.body } : {}),
      form: r.form, bodyKind: hasBody ? r.body.kind : 'none', cred: r.cred.cred,
    };
  });
}

/** A request for any of the routes (each route as likely as any other). */
export function anyRequestArb(routes: RouteSpec[], c: Credentials, host: string, opts: { rare?: boolean; wild?: string[] } = {}): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...routes.map((r) => requestArb(r, c, host, opts)));
}
