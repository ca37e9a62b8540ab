import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { mergeTiming, PROFILES, REALISTIC, type TimingProfile } from '../domain/timing.js';
import type { ControlPlane, ControlPlaneOptions } from './controller.js';
import { badRequest, checkJsonBody, ControlError, controlErrorOf, LIMITS } from './errors.js';
import type { FaultRule } from './faults.js';
import { MAX_PATTERN_LENGTH, pathMatcher } from './faults.js';
import { CONTROL_PREFIX } from './hooks.js';
import type { JournalFilter } from './journal.js';
import { ioRoutes } from './io.js';
import { buildControlOpenApi, controlOpenApiText, doc, err, obj, ok, publishControlDocument, str } from './openapi.js';
import {
  ArrayInfoSchema, ArrayListSchema, CheckpointListSchema, CheckpointRestoredSchema, CheckpointSchema, ClockSchema, faultRuleSchemas,
  FaultsDeletedSchema, HEALTH_STARTING, HealthSchema, JournalClearedSchema, JournalSchema, JournalStatsSchema, OpenApiDocumentSchema, ResetResultSchema,
  SeedSchema, StateExportSchema, TimingProfileSchema,
} from './schemas.js';

/** Routes of /emulator/v1/ (registered with that prefix). Bodies are validated by their JSON schemas. */

const keepSchema = { type: 'array', maxItems: 32, items: str, description: 'tables (or faults, journal, timing on a whole reset) to leave as they are' };
const fixtureSchema = { description: 'a fixture name (fixtures/<name>.yaml of the fixtures folder) or an inline fixture object (also a state export)', oneOf: [str, { type: 'object' }] };
const seedSchema = { type: ['integer', 'null'], minimum: 0, maximum: 0xffffffff, description: '0 to 4294967295, or null (random)' };
const ms = (max: number) => ({ type: 'number', minimum: 0, maximum: max });
const msMap = { type: 'object', maxProperties: 256, additionalProperties: ms(LIMITS.timingMs) };
const timingSchema = obj({
  name: str, jobQueuedMs: ms(LIMITS.timingMs),
  jobMs: { ...msMap, description: `ms per job operation (keys: default or an operation name), at most ${LIMITS.timingMs}` },
  transitionMs: { ...msMap, description: `ms per pair transition (keys: default, a transition name, or <name>.perGiB: at most ${LIMITS.timingPerGiBMs} ms per GiB), at most ${LIMITS.timingMs}` },
  cloneSecondsPerGiB: { type: 'object', additionalProperties: false, properties: { slower: ms(LIMITS.cloneSecondsPerGiB), medium: ms(LIMITS.cloneSecondsPerGiB), faster: ms(LIMITS.cloneSecondsPerGiB) } },
}, { description: 'A timing profile, or the part of one to change (virtual ms).' });
const text = { type: 'string', maxLength: 1000 };
const strings = { anyOf: [{ type: 'string', maxLength: MAX_PATTERN_LENGTH }, { type: 'array', maxItems: 32, items: { type: 'string', maxLength: MAX_PATTERN_LENGTH } }] };
const intIn = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const idSchema = intIn(0, 65535);
const matchSchema = {
  type: 'object',
  description: 'Which requests a rule applies to (all of the fields given must match). method, path (a prefix, or a glob: * within a segment, ** ' +
    'across; no regexes; at most 256 characters), operation, storageDeviceId, ldevId, pvolLdevId, svolLdevId, muNumber, poolId, snapshotGroupName, ' +
    'userId, headers; other keys are refused (400).',
  properties: {
    method: strings, path: { type: 'string', maxLength: MAX_PATTERN_LENGTH }, operation: strings, storageDeviceId: str, userId: str,
    ldevId: idSchema, pvolLdevId: idSchema, svolLdevId: idSchema, muNumber: intIn(0, 1023), poolId: idSchema, snapshotGroupName: { type: 'string', maxLength: 64 },
    headers: { type: 'object', maxProperties: 16, additionalProperties: { type: 'string', maxLength: 1000 } },
  },
};
const effectSchema = {
  type: 'object', required: ['type'],
  description: 'What a rule does. http: status 400-599 or a catalog `error`, retryAfter 0-86400 s, expireSession; job: catalog fields and ssb1/ssb2; ' +
    'latency: ms or seconds (up to 100 years of virtual time, 600 s of wall time), clock virtual|wall|advance; transport: kind ' +
    'reset|empty|malformed|garbage, when before|after; pair: the pairs to suspend; pool: poolId, usedRate 0-100. A field of another type is refused (400).',
  properties: {
    type: { type: 'string', enum: ['http', 'latency', 'transport', 'job', 'pair', 'pool'] },
    status: { type: 'integer' }, error: { type: 'string', maxLength: 64 }, messageId: text, message: text, cause: text, solution: text,
    solutionType: { type: 'string', enum: ['SEE_ERROR_DETAIL', 'RETRY'] }, ssb1: text, ssb2: text, returnCode: text,
    vars: { type: 'object', maxProperties: 32, additionalProperties: { anyOf: [text, { type: 'number' }] } },
    retryAfter: { type: 'integer' }, expireSession: { type: 'boolean' }, ms: { type: 'number' }, seconds: { type: 'number' },
    clock: { type: 'string', description: 'virtual (default), wall or advance' }, kind: { type: 'string', description: 'reset, empty, malformed or garbage' },
    when: { type: 'string', description: 'before or after (default) the handler runs' },
    storageDeviceId: str, pvolLdevId: intIn(0, 65535), muNumber: intIn(0, 1023), svolLdevId: intIn(0, 65535),
    snapshotGroupName: { type: 'string', maxLength: 64 }, poolId: intIn(0, 65535), usedRate: { type: 'number' },
  },
};
const faultSchema = {
  type: 'object', additionalProperties: false, required: ['effect'],
  properties: {
    match: matchSchema,
    effect: effectSchema,
    times: { type: ['integer', 'null'], minimum: 1, maximum: LIMITS.faultTimes }, probability: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    seed: intIn(0, 0xffffffff), description: text, afterSeconds: { type: 'number', minimum: 0, maximum: LIMITS.spanMs / 1000 },
  },
};
const faultSchemas = faultRuleSchemas(matchSchema, effectSchema);

/** Timing keys a profile may set: `default`, the job operations the engine runs, the pair transitions and their `.perGiB`. */
function checkTimingKeys(body: Partial<TimingProfile>, jobOps: (op: string) => boolean): void {
  const transitions = Object.keys(REALISTIC.transitionMs).filter((k) => !k.endsWith('.perGiB'));
  for (const k of Object.keys(body.jobMs ?? {})) {
    if (k !== 'default' && !jobOps(k)) throw badRequest(`jobMs.${k} is not a job operation (e.g. ${Object.keys(REALISTIC.jobMs).slice(1, 4).join(', ')})`);
  }
  for (const [k, v] of Object.entries(body.transitionMs ?? {})) {
    const base = k.endsWith('.perGiB') ? k.slice(0, -'.perGiB'.length) : k;
    if (k !== 'default' && !transitions.includes(base)) throw badRequest(`transitionMs.${k} is not a pair transition (transitions: ${transitions.join(', ')}, each also with .perGiB)`);
    if (base !== k && v > LIMITS.timingPerGiBMs) throw badRequest(`transitionMs.${k} must be at most ${LIMITS.timingPerGiBMs} ms per GiB`);
  }
}

/** Reset and arrays take whole fixtures (and state exports): the server's body limit. */
const FIXTURE_BODY_BYTES = 8 * 1024 * 1024;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function controlRoutes(ctl: ControlPlane, opts: ControlPlaneOptions) {
  const { engine, journal, faults, model } = ctl;
  const clockView = () => {
    const s = engine.clock.state();
    return { mode: s.mode, speed: s.speed, time: new Date(s.now).toISOString(), epochMs: s.now };
  };
  const faultView = (r: FaultRule) => ({
    id: r.id, description: r.description, match: r.match, effect: r.effect, times: r.times, probability: r.probability, seed: r.seed,
    phase: r.phase, ...(r.dueAt !== null ? { dueTime: new Date(r.dueAt).toISOString() } : {}),
    matched: r.matched, applied: r.applied, remaining: faults.remaining(r), active: faults.active(r), createdTime: new Date(r.createdAt).toISOString(),
  });

  return async function plugin(app: FastifyInstance): Promise<void> {
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (r) => { routes.push(r); });

    // Cross-site pages and foreign Host names are refused by the gate in front of every request (src/http/gate.ts).

    if (opts.token) {
      const want = digest(opts.token);
      app.addHook('onRequest', async (req, reply) => {
        if (req.url.split('?')[0]!.replace(/\/+$/, '') === `${CONTROL_PREFIX}/health`) return;
        const m = /^bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
        if (!m || !timingSafeEqual(digest(m[1]!.trim()), want)) {
          return reply.code(401).header('www-authenticate', 'Bearer realm="vsp-emulator"')
            .send({ error: 'unauthorized', message: 'the control plane needs Authorization: Bearer <control token>' });
        }
      });
    }

    // Bodies are JSON documents (415 for anything else), small unless they carry a fixture (413 beyond).
    app.addHook('onRoute', (r) => { r.bodyLimit ??= LIMITS.bodyBytes; });
    app.addHook('preParsing', async (req, _reply, payload) => { checkJsonBody(req.headers); return payload; });

    app.setErrorHandler((error: Error, _req, reply) => {
      const known = controlErrorOf(error);
      if (known) return reply.code(known.status).send({ error: known.code, message: known.message });
      engine.log.error({ err: error }, 'control plane error');
      return reply.code(500).send({ error: 'internal', message: error.message });
    });
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'notFound', message: `no control-plane route ${req.method} ${req.url.split('?')[0]}` }));

    // ---- health and documents ----
    app.get('/health', {
      schema: doc('getHealth', ['health'], 'Readiness', 'Ready once the fixture is loaded and the server listens (the Docker HEALTHCHECK uses it). Never needs the control token.',
        { 200: ok('ready', HealthSchema), 503: ok('starting: the fixture is not loaded yet (same body, status `starting`)', HealthSchema, HEALTH_STARTING) }, { public: true }),
    }, async (_req, reply) => {
      const body = {
        status: ctl.ready ? 'ready' : 'starting', version: opts.version, fixture: engine.origin() ?? engine.fixture.name ?? null,
        arrays: [...engine.arrays.keys()], clock: clockView(), timing: engine.timing.name,
        faults: faults.all().filter((r) => faults.active(r)).length, checkpoints: model.checkpointCount(), held: ctl.holds.size, seed: ctl.seed,
        start: engine.startInfo, counts: engine.counts(),
      };
      return reply.code(ctl.ready ? 200 : 503).send(body);
    });
    let documentText: string | undefined;
    const documentOf = () => (documentText ??= controlOpenApiText(buildControlOpenApi(routes, { version: opts.version, token: Boolean(opts.token) })));
    publishControlDocument(ctl, documentOf);
    app.get('/openapi.json', {
      schema: doc('getControlOpenApi', ['health'], 'This document', 'OpenAPI 3.1 description of the control plane (the committed openapi/control-plane.json when no control token is set).',
        { 200: ok('OpenAPI document', OpenApiDocumentSchema) }),
    }, async (_req, reply) => reply.type('application/json').send(documentOf()));

    // ---- reset and state ----
    app.post('/reset', {
      bodyLimit: FIXTURE_BODY_BYTES,
      schema: doc('resetModel', ['state'], 'Reset to a fixture', 'Ends held requests (Response-Job-Status waits, latency faults) with the job as it stands, then replaces the ' +
        'model in one transaction. With storageDeviceId only that array is reset. A whole reset also clears faults and the journal, restores the startup ' +
        'timing and reseeds (with `seed` if given). Job ids keep counting up. Checkpoints and the clock are kept.',
      {
        200: ok('reset done', ResetResultSchema),
        400: err('`badFixture`: the fixture is invalid or could not be loaded (nothing changed); `badRequest`: an unknown name in keep, or both fixture and storageDeviceId',
          'badFixture', 'inline fixture: needs a non-empty "arrays" list'),
        404: err('`fixtureNotFound`: no such fixture in the fixtures folder; `notFound`: no such array', 'fixtureNotFound', 'no fixture "nope" in the fixtures folder'),
        409: err('`conflict`: the array was loaded from a state export and cannot be reset on its own', 'conflict',
          'array 936000123456 was loaded from a state export, not a declarative fixture; reset everything or restore a checkpoint'),
      },
      { body: obj({ fixture: fixtureSchema, storageDeviceId: str, seed: seedSchema, keep: keepSchema }) }),
    }, async (req) => ctl.reset((req.body ?? {}) as Parameters<ControlPlane['reset']>[0]));

    app.get('/state', {
      schema: doc('exportState', ['state'], 'Export the model', 'Every table as rows of column → value. The document is a fixture: --fixture <file> or POST reset {"fixture": <document>} loads it back. ' +
        'Passwords and session tokens show as `<redacted>` unless the emulator runs with `--control-token` and `secrets=true` is asked.',
      {
        200: ok('state export', StateExportSchema), 400: err('`badRequest`: no such table, or a secrets value that is not true or false', 'badRequest', 'no table "nope" (tables: meta, arrays, users, sessions, pools, ldevs, …)'),
        404: err('`notFound`: no such array', 'notFound', 'no array 999999999999'),
      },
      {
        querystring: {
          type: 'object',
          properties: {
            storageDeviceId: { type: 'string', description: 'one array only' }, tables: { type: 'string', description: 'comma-separated table names' },
            secrets: { type: 'boolean', description: 'true: passwords and session tokens as they are (only with --control-token; without it they stay redacted)' },
          },
        },
      }),
    }, async (req) => {
      const q = req.query as { storageDeviceId?: string; tables?: string; secrets?: boolean };
      // Secrets leave only to a caller that proved it holds the control token.
      const secrets = Boolean(opts.token) && q.secrets === true;
      return model.exportState({ storageDeviceId: q.storageDeviceId, tables: q.tables?.split(',').map((t) => t.trim()).filter(Boolean), secrets });
    });

    // ---- checkpoints ----
    const cpTags = ['checkpoints'];
    const noCheckpoint = err('`notFound`: no such checkpoint', 'notFound', 'no checkpoint "nope"');
    const cpName = { name: 'the checkpoint\'s name: 1-64 letters, digits, ".", "_", "-", starting with a letter or digit' };
    app.get('/checkpoints', { schema: doc('listCheckpoints', cpTags, 'List checkpoints', 'Saved states with their row counts.', { 200: ok('list', CheckpointListSchema) }) },
      async () => ({ data: model.listCheckpoints() }));
    app.get('/checkpoints/:name', {
      schema: doc('getCheckpoint', cpTags, 'One checkpoint', 'A saved state and its row counts.',
        { 200: ok('checkpoint', CheckpointSchema), 404: noCheckpoint }, { params: cpName }),
    },
      async (req) => model.getCheckpoint((req.params as { name: string }).name));
    app.post('/checkpoints/:name', {
      schema: doc('saveCheckpoint', cpTags, 'Save a checkpoint', 'Copies every table (or one array\'s rows) into a scratch database; replaces a checkpoint of ' +
        'the same name. At most 32 checkpoints are kept (409 limitReached beyond).',
      {
        201: ok('created', CheckpointSchema), 200: ok('replaced', CheckpointSchema),
        400: err('`badRequest`: a name that is not 1-64 letters, digits, ".", "_", "-"', 'badRequest',
          'a checkpoint name is 1-64 characters: letters, digits, ".", "_", "-", starting with a letter or digit'),
        404: err('`notFound`: no such array', 'notFound', 'no array 999999999999'),
        409: err('`limitReached`: 32 checkpoints are kept already', 'limitReached', 'at most 32 checkpoints are kept; delete one (DELETE /emulator/v1/checkpoints/{name}) or reuse a name'),
      }, { params: cpName, body: obj({ storageDeviceId: { type: 'string', description: 'save this array\'s rows only' }, description: str }) }),
    }, async (req, reply) => {
      const b = (req.body ?? {}) as { storageDeviceId?: string; description?: string };
      const { created, info } = model.saveCheckpoint((req.params as { name: string }).name, b);
      return reply.code(created ? 201 : 200).send(info);
    });
    app.post('/checkpoints/:name/restore', {
      schema: doc('restoreCheckpoint', cpTags, 'Restore a checkpoint', 'Ends held requests, then brings the saved rows back in one transaction. A whole-model checkpoint also brings ' +
        'back its virtual time (clock: restore, the default) so deadlines keep their remaining durations, its timing profile and fixture; an array checkpoint keeps the clock.',
      { 200: ok('restored', CheckpointRestoredSchema), 400: err('`badRequest`: an unknown table in keep', 'badRequest', 'keep: "nope" is neither a table (meta, arrays, …) nor one of (none)'), 404: noCheckpoint },
      { params: cpName, body: obj({ clock: { type: 'string', enum: ['restore', 'keep'], description: 'bring back the checkpoint\'s virtual time (restore) or not' }, keep: keepSchema }) }),
    }, async (req) => {
      const started = performance.now();
      const b = (req.body ?? {}) as { clock?: 'restore' | 'keep'; keep?: string[] };
      const info = model.restoreCheckpoint((req.params as { name: string }).name, b);
      return { ...info, durationMs: Math.round((performance.now() - started) * 100) / 100, clockNow: clockView() };
    });
    app.delete('/checkpoints/:name', {
      schema: doc('deleteCheckpoint', cpTags, 'Delete a checkpoint', 'Drops its saved copy.', { 204: 'deleted', 404: noCheckpoint }, { params: cpName }),
    },
      async (req, reply) => { model.deleteCheckpoint((req.params as { name: string }).name); return reply.code(204).send(); });

    // ---- arrays on demand ----
    const arTags = ['arrays'];
    app.get('/arrays', { schema: doc('listArrays', arTags, 'List arrays', 'Emulated arrays and where each came from.', { 200: ok('list', ArrayListSchema) }) },
      async () => ({ data: model.listArrays() }));
    app.post('/arrays', {
      bodyLimit: FIXTURE_BODY_BYTES,
      schema: doc('createArray', arTags, 'Create an array', 'Loads an array section of a fixture (the first, or `from`: its storageDeviceId, serial or index) or an inline ' +
        '`array` under its own storage id: given, derived from `serialNumber`, or the next free serial after the fixture\'s. Lets parallel test files each own an array; at most 64 arrays at once.',
      {
        201: ok('created', ArrayInfoSchema),
        400: err('`badRequest`: an invalid array section, model, serialNumber or storageDeviceId; `badFixture`: an invalid fixture', 'badRequest', 'storageDeviceId must be 12 digits'),
        404: err('`fixtureNotFound`: no such fixture; `notFound`: the fixture has no such array', 'notFound', 'fixture "default" has no array no-such-array'),
        409: err('`conflict`: the storage id is in use; `limitReached`: 64 arrays are emulated already', 'conflict', 'array 936000123456 already exists'),
      },
      {
        body: obj({
          fixture: fixtureSchema, from: { anyOf: [str, intIn(0, 999999)], description: 'which array section: its storageDeviceId, serial number (as text) or index' },
          array: { type: 'object', description: 'an inline array section of a fixture' }, storageDeviceId: { type: 'string', description: '12 digits' },
          serialNumber: intIn(0, 999999), model: { type: 'string', description: 'another model for the copy (VSP E990, VSP 5500, …)' },
        }),
      }),
    }, async (req, reply) => reply.code(201).send(model.createArray((req.body ?? {}) as Parameters<typeof model.createArray>[0])));
    app.delete('/arrays/:storageDeviceId', {
      schema: doc('deleteArray', arTags, 'Delete an array', 'Answers its held requests, then deletes every row that belongs to it.',
        {
          204: 'deleted', 404: err('`notFound`: no such array', 'notFound', 'no array 936000123457'),
          409: err('`conflict`: the last array cannot be deleted (reset instead)', 'conflict', 'the last array cannot be deleted (reset instead)'),
        }, { params: { storageDeviceId: 'the array\'s storage id' } }),
    }, async (req, reply) => { model.deleteArray((req.params as { storageDeviceId: string }).storageDeviceId); return reply.code(204).send(); });

    // ---- clock ----
    const clTags = ['clock'];
    app.get('/clock', { schema: doc('getClock', clTags, 'Virtual clock', 'Mode (real: wall time × speed; manual: moves only when told), speed and time.', { 200: ok('clock', ClockSchema) }) },
      async () => clockView());
    app.post('/clock/advance', {
      schema: doc('advanceClock', clTags, 'Advance the clock', 'Moves virtual time forward by `seconds` (or `ms`), firing everything that falls due in time order. ' +
        'At most 100 years in one call, and never past the year 9999.',
      { 200: ok('the clock after', ClockSchema), 400: err('neither or both of seconds and ms, or past the year 9999', 'badRequest', 'give "seconds" or "ms"') },
      { body: obj({ seconds: ms(LIMITS.spanMs / 1000), ms: ms(LIMITS.spanMs) }) }),
    }, async (req) => {
      const b = (req.body ?? {}) as { seconds?: number; ms?: number };
      if ((b.seconds === undefined) === (b.ms === undefined)) throw badRequest('give "seconds" or "ms"');
      const step = b.ms ?? b.seconds! * 1000;
      if (engine.clock.state().now + step > LIMITS.maxTimeMs) throw badRequest('the clock cannot pass the year 9999');
      engine.clock.advance(step);
      return clockView();
    });
    app.post('/clock', {
      schema: doc('setClock', clTags, 'Set the clock', 'Freeze (mode manual), resume (mode real), change speed (above 0, at most 1000000), or set the time ' +
        '(RFC 3339, years 1970 to 9999; forward moves fire what falls due).',
      { 200: ok('the clock after', ClockSchema), 400: err('a time that is not RFC 3339 or outside 1970-9999', 'badRequest', 'time must be RFC 3339, got "yesterday"') },
      { body: obj({ mode: { type: 'string', enum: ['manual', 'real'] }, speed: { type: 'number', exclusiveMinimum: 0, maximum: LIMITS.maxSpeed }, time: { type: 'string', maxLength: 64 } }) }),
    }, async (req) => {
      const b = (req.body ?? {}) as { mode?: 'manual' | 'real'; speed?: number; time?: string };
      let at: number | undefined;
      if (b.time !== undefined) {
        at = Date.parse(b.time);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(b.time) || Number.isNaN(at)) throw badRequest(`time must be RFC 3339, got ${JSON.stringify(b.time)}`);
        if (at < LIMITS.minTimeMs || at > LIMITS.maxTimeMs) throw badRequest('time must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
      }
      if (b.mode !== undefined) engine.clock.setMode(b.mode);
      if (b.speed !== undefined) engine.clock.setSpeed(b.speed);
      if (at !== undefined) engine.clock.setTime(at);
      return clockView();
    });

    // ---- timing ----
    const tiTags = ['timing'];
    const badTiming = err('an unknown operation or transition name', 'badRequest', 'jobMs.nope is not a job operation (e.g. session.create, ldev.create, ldev.delete)');
    const jobOps = (op: string) => engine.jobs.has(op) || Object.hasOwn(REALISTIC.jobMs, op);
    app.get('/timing', {
      schema: doc('getTiming', tiTags, 'Timing profile', 'Job durations per operation, pair transitions, clone copy seconds per GiB per copy speed (virtual ms).',
        { 200: ok('profile', TimingProfileSchema) }),
    },
      async () => engine.timing);
    app.put('/timing', {
      schema: doc('replaceTiming', tiTags, 'Replace the timing profile', 'The body is merged over the profile it names (realistic, instant) or over realistic. Jobs already accepted keep their due times.',
        { 200: ok('the profile now in force', TimingProfileSchema), 400: badTiming }, { body: timingSchema }),
    }, async (req) => {
      const b = (req.body ?? {}) as Partial<TimingProfile>;
      checkTimingKeys(b, jobOps);
      const base = b.name !== undefined && Object.hasOwn(PROFILES, b.name) ? PROFILES[b.name]! : REALISTIC;
      engine.timing = mergeTiming(base, b);
      return engine.timing;
    });
    app.patch('/timing', {
      schema: doc('updateTiming', tiTags, 'Change part of the timing profile', 'The body is merged over the current profile.',
        { 200: ok('the profile now in force', TimingProfileSchema), 400: badTiming }, { body: timingSchema }),
    }, async (req) => {
      const b = (req.body ?? {}) as Partial<TimingProfile>;
      checkTimingKeys(b, jobOps);
      engine.timing = mergeTiming(engine.timing, b);
      return engine.timing;
    });

    // ---- faults ----
    const faTags = ['faults'];
    const noFault = err('`notFound`: no such rule', 'notFound', 'no fault f999');
    const faultId = { id: 'the rule\'s id (f1, f2, …)' };
    app.get('/faults', { schema: doc('listFaults', faTags, 'List fault rules', 'Rules in the order they are checked, with matched/applied counters.', { 200: ok('list', faultSchemas.list) }) },
      async () => ({ data: faults.all().map(faultView) }));
    app.get('/faults/:id', {
      schema: doc('getFault', faTags, 'One fault rule', 'A rule and its counters.', { 200: ok('rule', faultSchemas.rule), 404: noFault }, { params: faultId }),
    }, async (req) => {
      const r = faults.get((req.params as { id: string }).id);
      if (!r) throw new ControlError(404, 'notFound', `no fault ${(req.params as { id: string }).id}`);
      return faultView(r);
    });
    app.post('/faults', {
      schema: doc('addFault', faTags, 'Add a fault rule', `At most ${LIMITS.faultRules} rules (409 limitReached beyond). match.path is a path prefix or a glob ` +
        '(`*` within a segment, `**` across); regular expressions are refused. Effects: http (status / catalog `error`, Retry-After on 503, 401 expires the session), latency (ms|seconds on the ' +
        'virtual clock, wall, or advance), transport (reset, empty, malformed, garbage; when after|before), job (accepted then Failed with ssb1/ssb2), pair ' +
        '(pairs to PSUE), pool (usedRate %). A pair/pool rule without match applies now, or after afterSeconds of virtual time.',
      {
        201: ok('created (and applied, for an immediate rule)', faultSchemas.added),
        400: err('an invalid rule (a field of another effect type, a regular expression, a value out of range, an unknown catalog error, array or pool)', 'badRequest',
          'effect.kind is not a field of a http effect (fields: status, error, messageId, message, cause, solution, solutionType, ssb1, ssb2, returnCode, vars, retryAfter, expireSession)'),
        409: err('`limitReached`: 256 rules are held already; `faultFailed`: an immediate pair or pool effect could not be applied', 'limitReached',
          'at most 256 fault rules at once: delete some (DELETE /emulator/v1/faults/{id}, or all with DELETE /emulator/v1/faults)'),
        501: err('`notImplemented`: pair faults need the pair module', 'notImplemented', 'pair faults need the pair module (engine.pairHooks.suspendPairs is not implemented)'),
      }, { body: faultSchema }),
    }, async (req, reply) => {
      const { rule, applied } = ctl.addFault(req.body as Parameters<ControlPlane['addFault']>[0]);
      return reply.code(201).send({ ...faultView(rule), ...(applied ? { result: applied } : {}) });
    });
    app.delete('/faults/:id', {
      schema: doc('deleteFault', faTags, 'Delete a fault rule', 'Domain changes it made stay (restore a checkpoint to undo them).',
        { 204: 'deleted', 404: noFault }, { params: faultId }),
    },
      async (req, reply) => { ctl.removeFault((req.params as { id: string }).id); return reply.code(204).send(); });
    app.delete('/faults', { schema: doc('deleteAllFaults', faTags, 'Delete every fault rule', 'Back to no faults.', { 200: ok('how many were deleted', FaultsDeletedSchema) }) },
      async () => ({ deleted: ctl.clearFaults() }));

    // ---- journal ----
    const joTags = ['journal'];
    app.get('/journal', {
      schema: doc('getJournal', joTags, 'Request journal', 'The last requests to the emulated arrays, oldest first (limit keeps the newest N). path is a prefix or a glob ' +
        '(`*` within a segment, `**` across; no regexes); status accepts 503, 5xx or a comma list; fault accepts true, false or a rule id; pending=true lists requests still held.',
      {
        200: ok('entries, and the journal\'s sizes', JournalSchema),
        400: err('a query value out of range, or a path given as a regular expression, too long or with too many wildcards', 'badRequest',
          'path: regular expressions are not supported; give a path prefix or a glob (* within a segment, ** across segments)'),
      }, {
        querystring: {
          type: 'object',
          properties: {
            method: str, path: { type: 'string', maxLength: MAX_PATTERN_LENGTH, description: 'a path prefix or a glob' },
            status: { type: 'string', maxLength: 100, description: '503, 5xx or a comma list' }, storageDeviceId: str,
            jobId: intIn(0, Number.MAX_SAFE_INTEGER), operation: str, fault: { type: 'string', description: 'true, false or a rule id' },
            kind: { type: 'string', enum: ['request', 'event'] }, since: { ...intIn(0, Number.MAX_SAFE_INTEGER), description: 'entries after this seq' },
            limit: { ...intIn(0, 100000), description: 'the newest N' }, pending: { type: 'boolean', description: 'true: requests still held' },
          },
        },
      }),
    }, async (req) => {
      const f = req.query as JournalFilter;
      return { data: journal.list(f, f.path === undefined ? undefined : pathMatcher(f.path, 'path')), ...journal.stats() };
    });
    app.delete('/journal', { schema: doc('clearJournal', joTags, 'Clear the journal', 'Sequence numbers continue.', { 200: ok('how many entries were removed', JournalClearedSchema) }) },
      async () => ({ cleared: journal.clear() }));
    app.put('/journal/settings', {
      schema: doc('setJournalSettings', joTags, 'Journal size', 'How many entries are kept (oldest dropped first).', { 200: ok('the journal\'s sizes', JournalStatsSchema) },
        { body: obj({ capacity: { type: 'integer', minimum: 1, maximum: 100000 } }, { required: ['capacity'] }) }),
    }, async (req) => { journal.setCapacity((req.body as { capacity: number }).capacity); return journal.stats(); });

    // ---- determinism ----
    app.get('/seed', { schema: doc('getSeed', ['determinism'], 'Seed', 'The seed of tokens and generated names (null: random).', { 200: ok('seed', SeedSchema) }) },
      async () => ({ seed: ctl.seed }));
    app.post('/seed', {
      schema: doc('setSeed', ['determinism'], 'Reseed', 'Restarts the sequence of tokens and generated names from this seed (null: random). Fault rules added later derive their seeds from it.',
        { 200: ok('the seed now in force', SeedSchema) }, { body: obj({ seed: seedSchema }, { required: ['seed'] }) }),
    }, async (req) => { ctl.setSeed((req.body as { seed: number | null }).seed); return { seed: ctl.seed }; });

    // ---- host I/O (volume content, pool space) ----
    ioRoutes(app, engine);
  };
}
