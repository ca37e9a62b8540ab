import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { mergeTiming, type TimingProfile } from '../domain/timing.js';
import { resolveTiming } from '../engine/context.js';
import type { ControlPlane, ControlPlaneOptions } from './controller.js';
import { badRequest, ControlError } from './errors.js';
import type { FaultRule } from './faults.js';
import { pathMatcher } from './faults.js';
import { CONTROL_PREFIX } from './hooks.js';
import type { JournalFilter } from './journal.js';
import { ioRoutes } from './io.js';
import { buildControlOpenApi, doc, obj, str } from './openapi.js';

/** Routes of /emulator/v1/ (registered with that prefix). Bodies are validated by their JSON schemas. */

const keepSchema = { type: 'array', items: str, description: 'tables (or faults, journal, timing on a whole reset) to leave as they are' };
const fixtureSchema = { description: 'a fixture name (fixtures/<name>.yaml), a path, or an inline fixture object (also a state export)', oneOf: [str, { type: 'object' }] };
const timingSchema = obj({
  name: str, jobQueuedMs: { type: 'number', minimum: 0 },
  jobMs: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
  transitionMs: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
  cloneSecondsPerGiB: { type: 'object', additionalProperties: false, properties: { slower: { type: 'number', minimum: 0 }, medium: { type: 'number', minimum: 0 }, faster: { type: 'number', minimum: 0 } } },
});
const faultSchema = {
  type: 'object', additionalProperties: false, required: ['effect'],
  properties: {
    match: { type: 'object', description: 'method, path (prefix, glob or ^regex), operation, storageDeviceId, ldevId, pvolLdevId, svolLdevId, muNumber, poolId, snapshotGroupName, userId, headers' },
    effect: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['http', 'latency', 'transport', 'job', 'pair', 'pool'] } } },
    times: { type: ['integer', 'null'], minimum: 1 }, probability: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    seed: { type: 'integer', minimum: 0 }, description: str, afterSeconds: { type: 'number', minimum: 0 },
  },
};

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

    // A web page on another site could otherwise POST (a text/plain "simple" request needs no preflight) to reset or
    // fault an emulator running on a developer's machine: browsers name the page's origin, tools send none.
    app.addHook('onRequest', async (req, reply) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
      const origin = req.headers.origin;
      const crossSite = req.headers['sec-fetch-site'] === 'cross-site' ||
        (typeof origin === 'string' && origin !== 'null' && hostOf(origin) !== String(req.headers.host ?? '').toLowerCase());
      if (crossSite || origin === 'null') {
        return reply.code(403).send({ error: 'crossSite', message: 'control-plane changes are not accepted from another site\'s page' });
      }
    });

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

    app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _req, reply) => {
      if (error instanceof ControlError) return reply.code(error.status).send({ error: error.code, message: error.message });
      if (error.validation || error.statusCode === 400) return reply.code(400).send({ error: 'badRequest', message: error.message });
      engine.log.error({ err: error }, 'control plane error');
      return reply.code(500).send({ error: 'internal', message: error.message });
    });
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'notFound', message: `no control-plane route ${req.method} ${req.url.split('?')[0]}` }));

    // ---- health and documents ----
    app.get('/health', { schema: doc(['health'], 'Readiness', 'Ready once the fixture is loaded and the server listens (the Docker HEALTHCHECK uses it). Never needs the control token.',
      { 200: 'ready', 503: 'starting' }) }, async (_req, reply) => {
      const body = {
        status: ctl.ready ? 'ready' : 'starting', version: opts.version, fixture: engine.fixture.name ?? null,
        arrays: [...engine.arrays.keys()], clock: clockView(), timing: engine.timing.name,
        faults: faults.all().filter((r) => faults.active(r)).length, checkpoints: model.checkpointCount(), held: ctl.holds.size, seed: ctl.seed,
      };
      return reply.code(ctl.ready ? 200 : 503).send(body);
    });
    app.get('/openapi.json', { schema: doc(['health'], 'This document', 'OpenAPI 3.1 description of the control plane.', { 200: 'OpenAPI document' }) },
      async () => buildControlOpenApi(routes, { version: opts.version, token: Boolean(opts.token), publicPaths: [`${CONTROL_PREFIX}/health`] }));

    // ---- reset and state ----
    app.post('/reset', {
      schema: doc(['state'], 'Reset to a fixture', 'Ends held requests (Response-Job-Status waits, latency faults) with the job as it stands, then replaces the ' +
        'model in one transaction. With storageDeviceId only that array is reset. A whole reset also clears faults and the journal, restores the startup ' +
        'timing and reseeds (with `seed` if given). Job ids keep counting up. Checkpoints and the clock are kept.',
      { 200: 'reset done', 400: 'bad fixture or keep', 404: 'no such fixture or array' },
      { body: obj({ fixture: fixtureSchema, storageDeviceId: str, seed: { type: ['integer', 'null'], minimum: 0 }, keep: keepSchema }) }),
    }, async (req) => ctl.reset((req.body ?? {}) as Parameters<ControlPlane['reset']>[0]));

    app.get('/state', {
      schema: doc(['state'], 'Export the model', 'Every table as rows of column → value. The document is a fixture: --fixture <file> or POST reset {"fixture": <document>} loads it back.',
        { 200: 'state export', 404: 'no such array' }, { querystring: { type: 'object', properties: { storageDeviceId: str, tables: { type: 'string', description: 'comma-separated table names' } } } }),
    }, async (req) => {
      const q = req.query as { storageDeviceId?: string; tables?: string };
      return model.exportState({ storageDeviceId: q.storageDeviceId, tables: q.tables?.split(',').map((t) => t.trim()).filter(Boolean) });
    });

    // ---- checkpoints ----
    const cpTags = ['checkpoints'];
    app.get('/checkpoints', { schema: doc(cpTags, 'List checkpoints', 'Saved states with their row counts.', { 200: 'list' }) },
      async () => ({ data: model.listCheckpoints() }));
    app.get('/checkpoints/:name', { schema: doc(cpTags, 'One checkpoint', 'A saved state and its row counts.', { 200: 'checkpoint', 404: 'no such checkpoint' }) },
      async (req) => model.getCheckpoint((req.params as { name: string }).name));
    app.post('/checkpoints/:name', {
      schema: doc(cpTags, 'Save a checkpoint', 'Copies every table (or one array\'s rows) into a scratch database; replaces a checkpoint of the same name.',
        { 201: 'created', 200: 'replaced', 404: 'no such array' }, { body: obj({ storageDeviceId: str, description: str }) }),
    }, async (req, reply) => {
      const b = (req.body ?? {}) as { storageDeviceId?: string; description?: string };
      const { created, info } = model.saveCheckpoint((req.params as { name: string }).name, b);
      return reply.code(created ? 201 : 200).send(info);
    });
    app.post('/checkpoints/:name/restore', {
      schema: doc(cpTags, 'Restore a checkpoint', 'Ends held requests, then brings the saved rows back in one transaction. A whole-model checkpoint also brings ' +
        'back its virtual time (clock: restore, the default) so deadlines keep their remaining durations, its timing profile and fixture; an array checkpoint keeps the clock.',
      { 200: 'restored', 404: 'no such checkpoint' }, { body: obj({ clock: { type: 'string', enum: ['restore', 'keep'] }, keep: keepSchema }) }),
    }, async (req) => {
      const started = performance.now();
      const b = (req.body ?? {}) as { clock?: 'restore' | 'keep'; keep?: string[] };
      const info = model.restoreCheckpoint((req.params as { name: string }).name, b);
      return { ...info, durationMs: Math.round((performance.now() - started) * 100) / 100, clockNow: clockView() };
    });
    app.delete('/checkpoints/:name', { schema: doc(cpTags, 'Delete a checkpoint', 'Drops its saved copy.', { 204: 'deleted', 404: 'no such checkpoint' }) },
      async (req, reply) => { model.deleteCheckpoint((req.params as { name: string }).name); return reply.code(204).send(); });

    // ---- arrays on demand ----
    const arTags = ['arrays'];
    app.get('/arrays', { schema: doc(arTags, 'List arrays', 'Emulated arrays and where each came from.', { 200: 'list' }) },
      async () => ({ data: model.listArrays() }));
    app.post('/arrays', {
      schema: doc(arTags, 'Create an array', 'Loads an array section of a fixture (the first, or `from`: its storageDeviceId, serial or index) or an inline ' +
        '`array` under its own storage id: given, derived from `serialNumber`, or the next free serial after the fixture\'s. Lets parallel test files each own an array.',
      { 201: 'created', 400: 'bad request', 404: 'no such fixture', 409: 'id in use' },
      { body: obj({ fixture: fixtureSchema, from: { anyOf: [str, { type: 'integer' }] }, array: { type: 'object' }, storageDeviceId: str, serialNumber: { type: 'integer' }, model: str }) }),
    }, async (req, reply) => reply.code(201).send(model.createArray((req.body ?? {}) as Parameters<typeof model.createArray>[0])));
    app.delete('/arrays/:storageDeviceId', {
      schema: doc(arTags, 'Delete an array', 'Answers its held requests, then deletes every row that belongs to it.', { 204: 'deleted', 404: 'no such array', 409: 'last array' }),
    }, async (req, reply) => { model.deleteArray((req.params as { storageDeviceId: string }).storageDeviceId); return reply.code(204).send(); });

    // ---- clock ----
    const clTags = ['clock'];
    app.get('/clock', { schema: doc(clTags, 'Virtual clock', 'Mode (real: wall time × speed; manual: moves only when told), speed and time.', { 200: 'clock' }) },
      async () => clockView());
    app.post('/clock/advance', {
      schema: doc(clTags, 'Advance the clock', 'Moves virtual time forward by `seconds` (or `ms`), firing everything that falls due in time order.',
        { 200: 'clock after' }, { body: obj({ seconds: { type: 'number', minimum: 0 }, ms: { type: 'number', minimum: 0 } }) }),
    }, async (req) => {
      const b = (req.body ?? {}) as { seconds?: number; ms?: number };
      if ((b.seconds === undefined) === (b.ms === undefined)) throw badRequest('give "seconds" or "ms"');
      engine.clock.advance(b.ms ?? b.seconds! * 1000);
      return clockView();
    });
    app.post('/clock', {
      schema: doc(clTags, 'Set the clock', 'Freeze (mode manual), resume (mode real), change speed, or set the time (RFC 3339; forward moves fire what falls due).',
        { 200: 'clock after', 400: 'bad value' },
        { body: obj({ mode: { type: 'string', enum: ['manual', 'real'] }, speed: { type: 'number', exclusiveMinimum: 0 }, time: str }) }),
    }, async (req) => {
      const b = (req.body ?? {}) as { mode?: 'manual' | 'real'; speed?: number; time?: string };
      let at: number | undefined;
      if (b.time !== undefined) {
        at = Date.parse(b.time);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(b.time) || Number.isNaN(at)) throw badRequest(`time must be RFC 3339, got "${b.time}"`);
      }
      if (b.mode !== undefined) engine.clock.setMode(b.mode);
      if (b.speed !== undefined) engine.clock.setSpeed(b.speed);
      if (at !== undefined) engine.clock.setTime(at);
      return clockView();
    });

    // ---- timing ----
    const tiTags = ['timing'];
    app.get('/timing', { schema: doc(tiTags, 'Timing profile', 'Job durations per operation, pair transitions, clone copy seconds per GiB per copy speed (virtual ms).', { 200: 'profile' }) },
      async () => engine.timing);
    app.put('/timing', {
      schema: doc(tiTags, 'Replace the timing profile', 'The body is merged over the profile it names (realistic, instant) or over realistic. Jobs already accepted keep their due times.',
        { 200: 'profile' }, { body: timingSchema }),
    }, async (req) => { engine.timing = resolveTiming((req.body ?? {}) as Partial<TimingProfile>); return engine.timing; });
    app.patch('/timing', {
      schema: doc(tiTags, 'Change part of the timing profile', 'The body is merged over the current profile.', { 200: 'profile' }, { body: timingSchema }),
    }, async (req) => { engine.timing = mergeTiming(engine.timing, (req.body ?? {}) as Partial<TimingProfile>); return engine.timing; });

    // ---- faults ----
    const faTags = ['faults'];
    app.get('/faults', { schema: doc(faTags, 'List fault rules', 'Rules in the order they are checked, with matched/applied counters.', { 200: 'list' }) },
      async () => ({ data: faults.all().map(faultView) }));
    app.get('/faults/:id', { schema: doc(faTags, 'One fault rule', 'A rule and its counters.', { 200: 'rule', 404: 'no such rule' }) }, async (req) => {
      const r = faults.get((req.params as { id: string }).id);
      if (!r) throw new ControlError(404, 'notFound', `no fault ${(req.params as { id: string }).id}`);
      return faultView(r);
    });
    app.post('/faults', {
      schema: doc(faTags, 'Add a fault rule', 'Effects: http (status / catalog `error`, Retry-After on 503, 401 expires the session), latency (ms|seconds on the ' +
        'virtual clock, wall, or advance), transport (reset, empty, malformed, garbage; when after|before), job (accepted then Failed with ssb1/ssb2), pair ' +
        '(pairs to PSUE), pool (usedRate %). A pair/pool rule without match applies now, or after afterSeconds of virtual time.',
      { 201: 'created (and applied, for an immediate rule)', 400: 'invalid rule', 501: 'pair module missing' }, { body: faultSchema }),
    }, async (req, reply) => {
      const { rule, applied } = ctl.addFault(req.body as Parameters<ControlPlane['addFault']>[0]);
      return reply.code(201).send({ ...faultView(rule), ...(applied ? { result: applied } : {}) });
    });
    app.delete('/faults/:id', { schema: doc(faTags, 'Delete a fault rule', 'Domain changes it made stay (restore a checkpoint to undo them).', { 204: 'deleted', 404: 'no such rule' }) },
      async (req, reply) => { ctl.removeFault((req.params as { id: string }).id); return reply.code(204).send(); });
    app.delete('/faults', { schema: doc(faTags, 'Delete every fault rule', 'Back to no faults.', { 200: 'count deleted' }) },
      async () => ({ deleted: ctl.clearFaults() }));

    // ---- journal ----
    const joTags = ['journal'];
    app.get('/journal', {
      schema: doc(joTags, 'Request journal', 'The last requests to the emulated arrays, oldest first (limit keeps the newest N). status accepts 503, 5xx or a comma list; ' +
        'fault accepts true, false or a rule id; pending=true lists requests still held.',
      { 200: 'entries' }, {
        querystring: {
          type: 'object',
          properties: {
            method: str, path: str, status: str, storageDeviceId: str, jobId: { type: 'integer' }, operation: str, fault: str, kind: { type: 'string', enum: ['request', 'event'] },
            since: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 0 }, pending: { type: 'boolean' },
          },
        },
      }),
    }, async (req) => {
      const f = req.query as JournalFilter;
      return { data: journal.list(f, f.path === undefined ? undefined : pathMatcher(f.path)), ...journal.stats() };
    });
    app.delete('/journal', { schema: doc(joTags, 'Clear the journal', 'Sequence numbers continue.', { 200: 'count cleared' }) },
      async () => ({ cleared: journal.clear() }));
    app.put('/journal/settings', {
      schema: doc(joTags, 'Journal size', 'How many entries are kept (oldest dropped first).', { 200: 'settings' }, { body: obj({ capacity: { type: 'integer', minimum: 1, maximum: 100000 } }, { required: ['capacity'] }) }),
    }, async (req) => { journal.setCapacity((req.body as { capacity: number }).capacity); return journal.stats(); });

    // ---- determinism ----
    app.get('/seed', { schema: doc(['determinism'], 'Seed', 'The seed of tokens and generated names (null: random).', { 200: 'seed' }) }, async () => ({ seed: ctl.seed }));
    app.post('/seed', {
      schema: doc(['determinism'], 'Reseed', 'Restarts the sequence of tokens and generated names from this seed (null: random). Fault rules added later derive their seeds from it.',
        { 200: 'seed' }, { body: obj({ seed: { type: ['integer', 'null'], minimum: 0 } }, { required: ['seed'] }) }),
    }, async (req) => { ctl.setSeed((req.body as { seed: number | null }).seed); return { seed: ctl.seed }; });

    // ---- host I/O (volume content, pool space) ----
    ioRoutes(app, engine);
  };
}

/** `http://127.0.0.1:23450` → `127.0.0.1:23450` (what the Host header of a same-origin request carries). */
function hostOf(origin: string): string {
  try { return new URL(origin).host.toLowerCase(); } catch { return ''; }
}
