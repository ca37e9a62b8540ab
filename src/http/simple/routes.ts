import type { ModelFacts } from '../../domain/models.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { pairId } from '../../domain/pairTypes.js';
import {
  atOrAfter, queryDate, queryInt, queryStartId, SIMPLE_GROUP_NAME, SIMPLE_OBJECTS, SNAPSHOT_TYPES, type OperationDetail, type SnapshotType,
} from '../../domain/simple.js';
import type { Engine } from '../../engine/context.js';
import { simpleService, type SimpleRequest } from '../../engine/simple.js';
import { answer, errorResponses, pathInt, pathStr, readResponses, strEnum } from '../schemas/common.js';
import { type ApiScope, fail, intParam, requestBodyString, splitId } from '../vsp.js';
import { SIMPLE_COMPONENTS } from './schemas.js';
import { simpleSessionRoutes } from './sessions.js';

/**
 * The simple API's snapshot part (TIA ref 6.3 S1-S11): snapshots, snapshot groups, the volumes the flows need, and
 * command statuses. Reads answer at once from the one pair store; every mutation answers 202 with a statusResource.
 */

const CM_STATUS = `${SIMPLE_OBJECTS}/command-status`;

/** The simple API exists where the model says so (TIA ref 1, 6.1); elsewhere its URLs are unknown URLs. */
export const simpleApiExists = (facts: ModelFacts) => facts.simpleApi;

const accepted = (description: string) => ({
  202: answer(description, 'SimpleStatusResource'),
  ...errorResponses(),
});

const snapshotParams = Type.Object({
  snapshotId: pathStr('`{masterVolumeId},{snapshotId}` with a literal comma or %2C, e.g. `0,3`.', { pattern: '^[0-9]+,[0-9]+$', examples: ['0,0'] }),
});

const createBody = Type.Object({
  params: Type.Array(Type.Object({
    masterVolumeId: Type.Integer({ minimum: 0, maximum: 65279 }),
    poolId: Type.Integer({ minimum: 0, maximum: 127, description: 'The pool of the snapshot data: the HTI (or HDP) pool on VSP E, the P-VOL\'s HDP pool on VSP One (TIA).' }),
    snapshotGroupName: Type.String({ description: '1-32 of 0-9A-Za-z and ` ,-./:@\\_`, no leading/trailing space, no leading `-`.' }),
    type: strEnum(SNAPSHOT_TYPES, { description: '`Mapped Snapshot` and `Snap Clone` create a volume in the master volume\'s pool.' }),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 1024 }),
}, { additionalProperties: false, examples: [{ params: [{ masterVolumeId: 0, poolId: 1, snapshotGroupName: 'snapshotGroup', type: 'Snapshot' }] }] });

const mapBody = Type.Object({
  poolId: Type.Integer({ minimum: 0, maximum: 127, description: 'The pool the new volume is created in.' }),
}, { additionalProperties: false, examples: [{ poolId: 0 }] });

const noBody = Type.Unsafe<null>({ type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'No body (or an empty one).' });

const listQuery = Type.Object({
  masterVolumeId: Type.Optional(Type.String({ description: '0-65279.' })),
  snapshotDateFrom: Type.Optional(Type.String({ description: '`YYYY-MM-DDThh:mm:ssZ`, inclusive.' })),
  snapshotDateTo: Type.Optional(Type.String({ description: '`YYYY-MM-DDThh:mm:ssZ`, inclusive.' })),
  snapshotGroupName: Type.Optional(Type.String({ description: 'Exact name.' })),
  startId: Type.Optional(Type.String({ description: '`{masterVolumeId},{snapshotId}` to start from (default `0,0`).' })),
  count: Type.Optional(Type.String({ description: '1-1000 (default 1000).' })),
}, { description: 'Values may arrive un-encoded (Ansible builds the query by hand): commas, colons and slashes are read as they come.' });

const groupQuery = Type.Object({
  startSnapshotId: Type.Optional(Type.String({ description: '`{masterVolumeId},{snapshotId}` to start from (default `0,0`).' })),
  startId: Type.Optional(Type.String({ description: 'Accepted as startSnapshotId (Ansible\'s spelling).' })),
  count: Type.Optional(Type.String({ description: '1-1000 (default 1000).' })),
});

const groupParams = Type.Object({ name: pathStr('The snapshot group name (not `/`, `\\` or only dots).') });
const volumeParams = Type.Object({ volumeId: pathInt('The volume (LDEV) id.') });
const statusParams = Type.Object({ id: pathInt('The id at the end of a statusResource.') });

/** Who asks, for the command record: the session token, or the user of a Basic-authenticated request. */
function requestOf(req: FastifyRequest): SimpleRequest {
  const instant = req.headers['x-vsp-emulator-instant'];
  return {
    sid: req.vsp.sid, userId: req.vsp.userId, owner: ownerOf(req),
    request: { url: req.url, method: req.method, body: requestBodyString(req) },
    instant: instant === 'true' || instant === '1', origin: req.raw,
  };
}
const ownerOf = (req: FastifyRequest) => (req.vsp.session ? `session:${req.vsp.session.token}` : `basic:${req.vsp.userId}`);

function parseSnapshotId(engine: Engine, sid: string, raw: string): { pvol: number; mu: number } {
  const parts = splitId(raw, 2) ?? fail('invalidValue', { attribute: 'snapshotId', value: raw });
  return {
    pvol: intParam(parts[0], 'masterVolumeId', 0, engine.arrays.get(sid)!.facts.maxLdevId),
    mu: intParam(parts[1], 'snapshotId', 0, 1023),
  };
}

function groupName(raw: string): string {
  if (raw === '' || /^\.+$/.test(raw) || raw.includes('\\')) fail('invalidValue', { attribute: 'name', value: raw });
  return raw;
}

export function simpleRoutes(app: FastifyInstance, engine: Engine): void {
  for (const s of SIMPLE_COMPONENTS) app.addSchema(s);
  const svc = () => simpleService(engine);
  const modelHas = simpleApiExists;

  const submitted = (reply: FastifyReply, id: number) => reply.code(202).send({ statusResource: `${CM_STATUS}/${id}` });

  app.register(async (root) => {
    // Every route of the simple API exists only where the model has it (one gate, set here for the whole scope).
    root.addHook('onRoute', (route) => { route.config = { ...route.config, modelHas }; });
    const r: ApiScope = root.withTypeProvider<TypeBoxTypeProvider>();
    simpleSessionRoutes(r, engine);

    r.get('/command-status/:id', {
      schema: { tags: ['simple-command-status'], operationId: 'simpleGetCommandStatus', summary: 'Get the result of an asynchronous request', params: statusParams,
        response: readResponses('SimpleCommandStatus', 'The command status at the current virtual time.') },
    }, async (req) => {
      const id = intParam((req.params as { id: string }).id, 'id');
      return svc().status(id, ownerOf(req)) ?? fail('objectNotFound', { object: `command-status/${id}` });
    });

    r.delete('/command-status/:id', {
      schema: { tags: ['simple-command-status'], operationId: 'simpleDeleteCommandStatus', summary: 'Delete the result of an asynchronous request', params: statusParams,
        response: readResponses('SimpleCommandStatusDeleted', 'What the deleted status said.') },
    }, async (req) => {
      const id = intParam((req.params as { id: string }).id, 'id');
      const status = svc().status(id, ownerOf(req)) ?? fail('objectNotFound', { object: `command-status/${id}` });
      svc().commands.delete(id);
      return { affectedResources: (status.affectedResources as string[] | undefined) ?? [], operationDetails: status.operationDetails };
    });

    r.get('/snapshots', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleListSnapshots', summary: 'List snapshots (filters, paging by startId and count)', querystring: listQuery,
        response: readResponses('SimpleSnapshotList', 'Snapshots by master volume and snapshot id.') },
    }, async (req) => {
      const q = req.query as Record<string, string | undefined>;
      const sid = req.vsp.sid;
      const master = queryInt(q.masterVolumeId, 'masterVolumeId', 0, engine.arrays.get(sid)!.facts.maxLdevId);
      const from = queryDate(q.snapshotDateFrom, 'snapshotDateFrom');
      const to = queryDate(q.snapshotDateTo, 'snapshotDateTo');
      const start = queryStartId(q.startId, 'startId') ?? { pvol: 0, mu: 0 };
      const count = queryInt(q.count, 'count', 1, 1000) ?? 1000;
      const rows = svc().snapshots(sid).filter((p) => {
        if (master !== undefined && p.pvolLdevId !== master) return false;
        if (q.snapshotGroupName !== undefined && p.snapshotGroupName !== q.snapshotGroupName) return false;
        // Compared at the second the object shows.
        const date = Math.floor((p.splitTime ?? p.createdAt) / 1000) * 1000;
        if ((from !== undefined && date < from) || (to !== undefined && date > to)) return false;
        return atOrAfter(p, start);
      });
      return { data: rows.slice(0, count).map((p) => svc().renderSnapshot(p)) };
    });

    r.get('/snapshots/:snapshotId', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleGetSnapshot', summary: 'Get a snapshot', params: snapshotParams,
        response: readResponses('SimpleSnapshot', 'The snapshot.') },
    }, async (req) => {
      const sid = req.vsp.sid;
      const { pvol, mu } = parseSnapshotId(engine, sid, (req.params as { snapshotId: string }).snapshotId);
      const p = svc().livePair(sid, pvol, mu) ?? fail('objectNotFound', { object: `snapshots/${pairId(pvol, mu)}` });
      return svc().renderSnapshot(p);
    });

    r.post('/snapshots', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleCreateSnapshots', summary: 'Create snapshots (Snapshot, Mapped Snapshot, Snap Clone)', body: createBody,
        response: { 202: { description: 'Accepted: one statusResource, or an array of them for several params entries [I].', content: { 'application/json': {
          schema: { oneOf: [Type.Ref('SimpleStatusResource'), Type.Ref('SimpleStatusResources')] } } } }, ...errorResponses() } },
    }, async (req, reply) => {
      const body = req.body as { params: Array<{ masterVolumeId: number; poolId: number; snapshotGroupName: string; type: SnapshotType }> };
      const max = engine.arrays.get(req.vsp.sid)!.facts.maxLdevId;
      for (const p of body.params) {
        if (p.masterVolumeId > max) fail('invalidValue', { attribute: 'masterVolumeId', value: p.masterVolumeId });
        if (!SIMPLE_GROUP_NAME.test(p.snapshotGroupName)) fail('invalidValue', { attribute: 'snapshotGroupName', value: p.snapshotGroupName });
      }
      const ids = body.params.map((p) => svc().submit(requestOf(req), 'simple.snapshot.create', { ...p }, `${SIMPLE_OBJECTS}/snapshots`, []));
      if (ids.length === 1) return submitted(reply, ids[0]!);
      return reply.code(202).send(ids.map((id) => ({ statusResource: `${CM_STATUS}/${id}` })));
    });

    /** A mutation of one existing snapshot: 404 at once when there is none, else a command. */
    const onSnapshot = async (req: FastifyRequest, reply: FastifyReply, op: 'simple.snapshot.map' | 'simple.snapshot.restore' | 'simple.snapshot.delete',
      planned: (id: string) => OperationDetail[], extra: Record<string, unknown> = {}) => {
      const sid = req.vsp.sid;
      const { pvol, mu } = parseSnapshotId(engine, sid, (req.params as { snapshotId: string }).snapshotId);
      const id = pairId(pvol, mu);
      if (!svc().livePair(sid, pvol, mu)) fail('objectNotFound', { object: `snapshots/${id}` });
      return submitted(reply, svc().submit(requestOf(req), op, { pvol, mu, ...extra }, `${SIMPLE_OBJECTS}/snapshots/${id}`, planned(id)));
    };

    r.delete('/snapshots/:snapshotId', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleDeleteSnapshot', summary: 'Delete a snapshot (its group goes with its last snapshot)', params: snapshotParams,
        body: noBody, response: accepted('Accepted; on success the snapshot answers 404.') },
    }, (req, reply) => onSnapshot(req, reply, 'simple.snapshot.delete', (id) => [{ operationType: 'DELETE', resourceType: 'Snapshot', resourceId: id }]));

    r.post('/snapshots/:snapshotId/actions/map/invoke', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleMapSnapshot', summary: 'Map a snapshot: a new volume "Snapshot of ID:<master>" shows it', params: snapshotParams,
        body: mapBody, response: accepted('Accepted; affectedResources[0] is the snapshot, [1] the new volume.') },
    }, (req, reply) => onSnapshot(req, reply, 'simple.snapshot.map', (id) => [{ operationType: 'UPDATE', resourceType: 'Snapshot', resourceId: id }],
      { poolId: (req.body as { poolId: number }).poolId }));

    r.post('/snapshots/:snapshotId/actions/restore/invoke', {
      schema: { tags: ['simple-snapshots'], operationId: 'simpleRestoreSnapshot', summary: 'Restore a snapshot onto its master volume', params: snapshotParams,
        body: noBody, response: accepted('Accepted; the snapshot shows Restoring, then Completed again.') },
    }, (req, reply) => onSnapshot(req, reply, 'simple.snapshot.restore', (id) => [{ operationType: 'UPDATE', resourceType: 'Volume', resourceId: id.split(',')[0]! }]));

    r.get('/snapshot-groups', {
      schema: { tags: ['simple-snapshot-groups'], operationId: 'simpleListSnapshotGroups', summary: 'List snapshot group names',
        response: readResponses('SimpleSnapshotGroupList', 'The groups that hold snapshots, by name.') },
    }, async (req) => {
      const names = new Set(svc().snapshots(req.vsp.sid).map((p) => p.snapshotGroupName));
      return { data: [...names].sort().map((name) => ({ name })) };
    });

    r.get('/snapshot-groups/:name', {
      schema: { tags: ['simple-snapshot-groups'], operationId: 'simpleGetSnapshotGroup', summary: 'Get a snapshot group with a page of its snapshots',
        params: groupParams, querystring: groupQuery, response: readResponses('SimpleSnapshotGroup', 'The group and its snapshots from startSnapshotId.') },
    }, async (req) => {
      const name = groupName((req.params as { name: string }).name);
      const q = req.query as Record<string, string | undefined>;
      const start = queryStartId(q.startSnapshotId ?? q.startId, q.startSnapshotId !== undefined ? 'startSnapshotId' : 'startId') ?? { pvol: 0, mu: 0 };
      const count = queryInt(q.count, 'count', 1, 1000) ?? 1000;
      const members = svc().snapshots(req.vsp.sid).filter((p) => p.snapshotGroupName === name);
      if (members.length === 0) fail('objectNotFound', { object: `snapshot-groups/${name}` });
      const from = members.filter((p) => atOrAfter(p, start));
      const page = from.slice(0, count);
      return {
        name, snapshots: page.map((p) => ({ masterVolumeId: p.pvolLdevId, snapshotId: p.muNumber })),
        count: page.length, totalCount: members.length, hasNext: from.length > page.length,
      };
    });

    r.delete('/snapshot-groups/:name', {
      schema: { tags: ['simple-snapshot-groups'], operationId: 'simpleDeleteSnapshotGroup', summary: 'Delete a snapshot group and all its snapshots',
        params: groupParams, body: noBody, response: accepted('Accepted.') },
    }, async (req, reply) => {
      const name = groupName((req.params as { name: string }).name);
      if (!svc().snapshots(req.vsp.sid).some((p) => p.snapshotGroupName === name)) fail('objectNotFound', { object: `snapshot-groups/${name}` });
      return submitted(reply, svc().submit(requestOf(req), 'simple.snapshotGroup.delete', { name },
        `${SIMPLE_OBJECTS}/snapshot-groups/${encodeURIComponent(name)}`, [{ operationType: 'DELETE', resourceType: 'SnapshotGroup', resourceId: name }]));
    });

    r.get('/volumes/:volumeId', {
      schema: { tags: ['simple-volumes'], operationId: 'simpleGetVolume', summary: 'Get a volume', params: volumeParams,
        response: readResponses('SimpleVolume', 'The volume.') },
    }, async (req) => {
      const sid = req.vsp.sid;
      const id = intParam((req.params as { volumeId: string }).volumeId, 'volumeId', 0, engine.arrays.get(sid)!.facts.maxLdevId);
      return svc().volume(sid, id) ?? fail('objectNotFound', { object: `volumes/${id}` });
    });

    r.delete('/volumes/:volumeId', {
      schema: { tags: ['simple-volumes'], operationId: 'simpleDeleteVolume', summary: 'Delete a volume (refused while it is in a snapshot or has LU paths)',
        params: volumeParams, body: noBody, response: accepted('Accepted; a volume in a pair fails in the command status.') },
    }, async (req, reply) => {
      const sid = req.vsp.sid;
      const id = intParam((req.params as { volumeId: string }).volumeId, 'volumeId', 0, engine.arrays.get(sid)!.facts.maxLdevId);
      if (!engine.res.ldevExists(sid, id)) fail('objectNotFound', { object: `volumes/${id}` });
      return submitted(reply, svc().submit(requestOf(req), 'simple.volume.delete', { ldevId: id }, `${SIMPLE_OBJECTS}/volumes/${id}`,
        [{ operationType: 'DELETE', resourceType: 'Volume', resourceId: String(id) }]));
    });
  }, { prefix: SIMPLE_OBJECTS });
}
