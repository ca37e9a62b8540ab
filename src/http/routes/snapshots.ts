import type { ModelFacts } from '../../domain/models.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonBuffers } from '../../control/journal.js';
import { renderError, VspError } from '../../domain/errors.js';
import { normalizeCreateBody, parseCopySpeed, parseRetentionPeriod, type CreateBody } from '../../domain/pairRules.js';
import { pairId, type CopySpeed } from '../../domain/pairTypes.js';
import type { Engine } from '../../engine/context.js';
import { pairService } from '../../engine/pairs/index.js';
import type { PairAction, PairActionParams } from '../../engine/pairs/commands.js';
import { fail, intParam, objectRoutes, splitId, submitJob } from '../vsp.js';
import Type from 'typebox';
import { bool, jobHeaders, jobResponses, nullable, PAIR_412, pathStr, readResponses, str, strEnum } from '../schemas/common.js';

const tags = ['snapshots'];

/** An action body: no body, `null`, `{}` or `{"parameters": {...}}` with exactly the given parameters. */
export function actionBody(parameters: Record<string, unknown>, required: string[] = [], examples: unknown[] = []) {
  const params = { type: required.length ? 'object' : ['object', 'null'], additionalProperties: false, properties: parameters, ...(required.length ? { required } : {}) };
  return Type.Unsafe<{ parameters?: ActionParameters | null } | null>({
    type: required.length ? 'object' : ['object', 'null'], additionalProperties: false,
    properties: { parameters: params },
    ...(required.length ? { required: ['parameters'] } : {}),
    ...(examples.length ? { examples } : {}),
  });
}

const retentionPeriod = nullable<number>('integer', {
  description: 'Thin Image Advanced with data retention (VSP One B): hours 1-12288 the snapshot data is kept; on resync only with autoSplit true. On other models any value but null is refused (KART20016-E).',
});
const autoSplit = nullable<boolean>('boolean', { description: 'Split again when the operation completes (default false).' });
const copySpeed = nullable<string>('string', { description: '`slower`, `medium` (default) or `faster`, any case.' });

export const ACTION_BODIES = {
  split: actionBody({ retentionPeriod }, [], [{ parameters: {} }]),
  resync: actionBody({ autoSplit, retentionPeriod }, [], [{ parameters: { autoSplit: true } }]),
  restore: actionBody({ autoSplit }, [], [{ parameters: { autoSplit: true } }]),
  clone: actionBody({ copySpeed }, [], [{ parameters: { copySpeed: 'medium' } }]),
  assign: actionBody({ svolLdevId: { type: 'integer', minimum: 0 } }, ['svolLdevId'], [{ parameters: { svolLdevId: 10 } }]),
  unassign: actionBody({}),
  setRetention: actionBody({ retentionPeriod: { type: 'integer', description: 'Hours 1-12288, not less than the remaining hours (equal: no change).' } },
    ['retentionPeriod'], [{ parameters: { retentionPeriod: 24 } }]),
} as const;

/** `{pvolLdevId},{muNumber}`, the pair's object id. */
export const snapshotParams = Type.Object({
  snapshotId: pathStr('`{pvolLdevId},{muNumber}` with a literal comma or %2C, e.g. `100,3`.', { pattern: '^[0-9]+,[0-9]+$', examples: ['0,0'] }),
});

export type ActionParameters = { autoSplit?: boolean | null; retentionPeriod?: number | null; copySpeed?: string | null; svolLdevId?: number };

/**
 * The `parameters` of an action body, after the rules the schema cannot say: a bare `{}` is refused on the
 * actions the E590H refused it on [L]; `retentionPeriod` exists only for Thin Image Advanced with retention.
 */
export function actionParameters(engine: Engine, req: FastifyRequest, op: string): ActionParameters {
  const body = req.body as { parameters?: ActionParameters | null } | undefined | null;
  if (body && body.parameters === undefined && engine.fidelity.bareBodyRefused.includes(op)) {
    fail('invalidCombination', { detail: 'parameters is not specified' });
  }
  const p = { ...(body?.parameters ?? {}) };
  const retentionPeriod = parseRetentionPeriod(p.retentionPeriod, engine.arrays.get(req.vsp.sid)!.facts.retention);
  // Resync keeps a new snapshot only with autoSplit, so retentionPeriod needs it (TIA ref 3.1, Terraform's rule) [I: array side].
  if (retentionPeriod !== undefined && op === 'resync' && p.autoSplit !== true) {
    fail('invalidParameterCombination', { detail: 'retentionPeriod can be specified only when autoSplit is true' });
  }
  p.retentionPeriod = retentionPeriod;
  return p;
}

/**
 * set-retention exists only on models with data retention; elsewhere its URL answers as an unknown one, 404
 * KART20009-E, before the body is looked at (TIA ref 3.3, 7: what Ansible sees on other models).
 */
export function retentionRoute() {
  return { config: { modelHas: (facts: ModelFacts) => facts.retention } };
}

export function copySpeedOf(value: string | null | undefined): CopySpeed | undefined {
  if (value === null || value === undefined) return undefined;
  return parseCopySpeed(value) ?? fail('invalidValue', { attribute: 'copySpeed', value });
}

/** `"{pvolLdevId},{muNumber}"` with the ranges of the doc: P-VOL a valid LDEV id, MU 0-1023. */
export function parseSnapshotId(engine: Engine, sid: string, raw: string): { pvol: number; mu: number } {
  const parts = splitId(raw, 2) ?? fail('invalidValue', { attribute: 'snapshotId', value: raw });
  const pvol = intParam(parts[0], 'pvolLdevId', 0, engine.arrays.get(sid)!.facts.maxLdevId);
  const mu = intParam(parts[1], 'muNumber', 0, 1023);
  return { pvol, mu };
}

const REFUSAL_412: Record<string, string> = { split: 'splitNotAllowed', clone: 'cloneNotAllowed' };

/**
 * Submits a pair-level action: 404 when the pair does not exist, the 412 form of a refusal when the refusal
 * table says so for this operation, else a job (which judges again when it runs).
 */
async function submitPairAction(engine: Engine, req: FastifyRequest, reply: FastifyReply, params: PairActionParams): Promise<FastifyReply> {
  const svc = pairService(engine);
  const sid = req.vsp.sid;
  const j = svc.commands.precheck(sid, params);
  if (j === 'missing') fail('objectNotFound', { object: `snapshots/${pairId(params.pvol, params.mu)}` });
  // set-retention refusals come back in its job: their form is unknown (TIA ref 3.3) [I].
  if (j.verdict === 'N' && params.op !== 'setRetention' && svc.core.refusalForm(params.op) === 'sync412') {
    const detail = renderError(engine.catalog, new VspError(j.refusal.key, j.refusal.vars)).body.message;
    fail(REFUSAL_412[params.op] ?? 'pairPrecondition', { detail });
  }
  return submitJob(engine, req, reply, `snapshot.${params.op}`, params);
}

const createBody = Type.Unsafe<CreateBody>({
  type: 'object', additionalProperties: false, required: ['snapshotGroupName', 'snapshotPoolId', 'pvolLdevId'],
  properties: {
    snapshotGroupName: { type: 'string', description: '1-32 characters; a new name creates the group.' },
    snapshotPoolId: { type: 'integer', minimum: 0, description: 'Thin Image or HDP pool for the snapshot data.' },
    pvolLdevId: { type: 'integer', minimum: 0 },
    svolLdevId: nullable<number>('integer', { description: 'Omitted: a pair without S-VOL (assign one later). A DP volume for cascade or clone pairs.' }),
    muNumber: nullable<number>('integer', { description: '0-1023; omitted: the lowest free.' }),
    isConsistencyGroup: bool, autoSplit: bool, canCascade: bool, isClone: bool, clonesAutomation: bool, copySpeed: str,
    isDataReductionForceCopy: bool,
    retentionPeriod: nullable<number>('integer', {
      description: 'Thin Image Advanced with data retention (VSP One B): hours 1-12288, only with autoSplit true; null = not given. Refused (KART20016-E) on other models.',
    }),
  },
  examples: [
    { snapshotGroupName: 'demo', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true },
    { snapshotGroupName: 'HBSD-snap2', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, autoSplit: true, canCascade: true, isDataReductionForceCopy: true },
  ],
});

const listQuery = Type.Object({
  snapshotGroupName: Type.Optional(Type.String()),
  pvolLdevId: Type.Optional(Type.Integer({ minimum: 0 })),
  svolLdevId: Type.Optional(Type.Integer({ minimum: 0 })),
  muNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: 1023 })),
  detailInfoType: Type.Optional(strEnum(['retention'] as const)),
}, { description: 'One of four combinations: pvolLdevId; pvolLdevId + snapshotGroupName; pvolLdevId + muNumber; svolLdevId. None: 400 KART40044-E; another: 400 KART40046-E.' });

type ListQuery = { snapshotGroupName?: string; pvolLdevId?: number; svolLdevId?: number; muNumber?: number; detailInfoType?: string };

/** Thin Image pairs: list (four filter combinations), get, create, the pair actions, delete; snapshot-replications. */
export function snapshotRoutes(app: FastifyInstance, engine: Engine): void {
  const svc = () => pairService(engine);
  const maxLdev = (sid: string) => engine.arrays.get(sid)!.facts.maxLdevId;

  objectRoutes(app, (r) => {
    r.get('/snapshots', {
      schema: {
        tags, operationId: 'listSnapshots', summary: 'List Thin Image pairs (pvol; pvol+group; pvol+mu; svol)', querystring: listQuery,
        response: readResponses('SnapshotList', 'The pairs, by MU (empty when none).'),
      },
    }, async (req, reply) => {
      const q = req.query as ListQuery;
      const sid = req.vsp.sid;
      const { store } = svc();
      const keys = (['pvolLdevId', 'svolLdevId', 'snapshotGroupName', 'muNumber'] as const).filter((k) => q[k] !== undefined).sort().join('+');
      // Fastify adds the charset to a string's JSON content type, not to a Buffer's: both answer the same header.
      const json = (body: string | Buffer) => {
        if (typeof body === 'string') return reply.type('application/json').send(body);
        jsonBuffers.add(body);
        return reply.type('application/json; charset=utf-8').send(body);
      };
      switch (keys) {
        case 'pvolLdevId': return json(svc().listText(`p|${sid}|${q.pvolLdevId}`, () => store.viewsByPvol(sid, q.pvolLdevId!), 'P-VOL',
          () => store.listJsonByPvol(sid, q.pvolLdevId!), sid));
        case 'pvolLdevId+snapshotGroupName': {
          const key = `pg|${sid}|${q.pvolLdevId}|${q.snapshotGroupName}`;
          return json(svc().listText(key, () => store.viewsByPvolAndGroup(sid, q.pvolLdevId!, q.snapshotGroupName!), 'P-VOL',
            () => store.listJsonByPvolAndGroup(sid, q.pvolLdevId!, q.snapshotGroupName!), sid));
        }
        // Ansible asks `muNumber=M&detailInfoType=retention` when the P-VOL is 0 (Python reads 0 as "not given"), on
        // every model (TIA ref 3.1); the doc has no such combination (fidelity.muOnlyRetentionQuery).
        case 'muNumber':
          if (q.detailInfoType === 'retention' && engine.fidelity.muOnlyRetentionQuery === 'list') {
            return { data: svc().renderAll(store.byMu(sid, q.muNumber!)) };
          }
          throw new VspError('invalidCombination', { detail: 'invalid combination of query parameters: muNumber' }, engine.fidelity.invalidSnapshotQueryStatus);
        case 'muNumber+pvolLdevId': {
          const p = store.get(sid, q.pvolLdevId!, q.muNumber!);
          return { data: p ? [svc().render(p)] : [] };
        }
        case 'svolLdevId': {
          const p = store.bySvol(sid, q.svolLdevId!);
          return { data: p ? [svc().render(p, 'S-VOL')] : [] };
        }
        case '': return fail('requiredQuery', { attribute: 'pvolLdevId or svolLdevId' });
        default: {
          // "If no parameters are specified, an error occurs"; other combinations are not among the four (ref 5.3).
          throw new VspError('invalidCombination', { detail: `invalid combination of query parameters: ${keys.replace(/\+/g, ', ')}` },
            engine.fidelity.invalidSnapshotQueryStatus);
        }
      }
    });

    r.get('/snapshots/:snapshotId', {
      schema: { tags, operationId: 'getSnapshot', summary: 'Get a Thin Image pair', params: snapshotParams, response: readResponses('Snapshot', 'The pair (primaryOrSecondary P-VOL).') },
    }, async (req) => {
      const sid = req.vsp.sid;
      const { pvol, mu } = parseSnapshotId(engine, sid, (req.params as { snapshotId: string }).snapshotId);
      const p = svc().store.get(sid, pvol, mu);
      if (!p) fail('objectNotFound', { object: `snapshots/${pairId(pvol, mu)}` });
      return svc().render(p);
    });

    r.post('/snapshots', {
      schema: {
        tags, operationId: 'createSnapshot', summary: 'Create a Thin Image pair (and its group when new)', headers: jobHeaders, body: createBody,
        response: jobResponses(),
      },
    }, async (req, reply) => {
      const sid = req.vsp.sid;
      const body = req.body as CreateBody;
      const params = normalizeCreateBody(body, svc().core.limits(), engine.fidelity.cloneAutoSplit, engine.arrays.get(sid)!.facts.retention);
      for (const k of ['pvolLdevId', 'svolLdevId'] as const) {
        const v = params[k];
        if (v !== undefined && v > maxLdev(sid)) fail('invalidValue', { attribute: k, value: v });
      }
      return submitJob(engine, req, reply, 'snapshot.create', params);
    });

    const action = (name: string, op: PairAction, operationId: string, body: object, summary: string,
      extra: (p: ActionParameters) => Partial<PairActionParameters>) => {
      r.route({
        method: ['POST', 'PUT'], url: `/snapshots/:snapshotId/actions/${name}/invoke`,
        schema: { tags, operationId, summary, params: snapshotParams, headers: jobHeaders, body, response: jobResponses(PAIR_412) },
        handler: async (req, reply) => {
          const { pvol, mu } = parseSnapshotId(engine, req.vsp.sid, (req.params as { snapshotId: string }).snapshotId);
          const p = actionParameters(engine, req, op);
          return submitPairAction(engine, req, reply, { pvol, mu, op, ...extra(p) });
        },
      });
    };
    type PairActionParameters = Omit<PairActionParams, 'pvol' | 'mu' | 'op'>;
    const kept = (p: ActionParameters) => (p.retentionPeriod !== undefined && p.retentionPeriod !== null ? { retentionPeriod: p.retentionPeriod } : {});
    action('split', 'split', 'splitSnapshot', ACTION_BODIES.split, 'Store snapshot data (split the pair); TIA: optionally with a retention period', kept);
    action('resync', 'resync', 'resyncSnapshot', ACTION_BODIES.resync, 'Resynchronize the pair (delete the snapshot data)',
      (p) => ({ autoSplit: p.autoSplit ?? false, ...kept(p) }));
    action('restore', 'restore', 'restoreSnapshot', ACTION_BODIES.restore, 'Restore the P-VOL from the snapshot data', (p) => ({ autoSplit: p.autoSplit ?? false }));
    action('clone', 'clone', 'cloneSnapshot', ACTION_BODIES.clone, 'Clone the pair (copy, then the pair is deleted)', (p) => ({ copySpeed: copySpeedOf(p.copySpeed) }));
    action('assign-volume', 'assign', 'assignSnapshotVolume', ACTION_BODIES.assign, 'Assign an S-VOL to the snapshot data', (p) => {
      if (p.svolLdevId === undefined || p.svolLdevId < 0) fail('invalidValue', { attribute: 'svolLdevId', value: String(p.svolLdevId) });
      return { svolLdevId: p.svolLdevId };
    });
    action('unassign-volume', 'unassign', 'unassignSnapshotVolume', ACTION_BODIES.unassign, 'Release the S-VOL of the pair', () => ({}));

    r.route({
      method: ['POST', 'PUT'], url: '/snapshots/:snapshotId/actions/set-retention/invoke',
      schema: {
        tags, operationId: 'setSnapshotRetention', params: snapshotParams, headers: jobHeaders, body: ACTION_BODIES.setRetention,
        summary: 'Set the snapshot data retention period of a Thin Image Advanced pair (PSUS; VSP One B only, else 404 KART20009-E)',
        response: jobResponses(),
      },
      ...retentionRoute(),
      handler: async (req, reply) => {
        const { pvol, mu } = parseSnapshotId(engine, req.vsp.sid, (req.params as { snapshotId: string }).snapshotId);
        const p = actionParameters(engine, req, 'setRetention');
        return submitPairAction(engine, req, reply, { pvol, mu, op: 'setRetention', retentionPeriod: p.retentionPeriod! });
      },
    });

    r.delete('/snapshots/:snapshotId', {
      schema: {
        tags, operationId: 'deleteSnapshot', summary: 'Delete a Thin Image pair', params: snapshotParams, headers: jobHeaders, body: actionBody({}),
        response: jobResponses(PAIR_412),
      },
    }, async (req, reply) => {
      const { pvol, mu } = parseSnapshotId(engine, req.vsp.sid, (req.params as { snapshotId: string }).snapshotId);
      return submitPairAction(engine, req, reply, { pvol, mu, op: 'delete' });
    });

    r.get('/snapshot-replications', {
      schema: {
        tags, operationId: 'listSnapshotReplications', summary: 'List Thin Image pairs by P-VOL range (VSP 5000 series only; 404 KART20009-E on other models)',
        querystring: Type.Object({
          startPvolLdevId: Type.Optional(Type.Integer({ minimum: 0, description: 'Default 0.' })),
          endPvolLdevId: Type.Optional(Type.Integer({ minimum: 0, description: 'Default: the last LDEV id.' })),
        }),
        response: readResponses('SnapshotReplicationList', 'The pairs whose P-VOL is in the range.'),
      },
    }, async (req) => {
      const sid = req.vsp.sid;
      if (!engine.arrays.get(sid)!.facts.snapshotReplications) fail('noResource', { url: req.url.split('?')[0]! });
      const q = req.query as { startPvolLdevId?: number; endPvolLdevId?: number };
      const from = q.startPvolLdevId ?? 0;
      const to = q.endPvolLdevId ?? maxLdev(sid);
      if (from > to) fail('invalidCombination', { detail: 'startPvolLdevId must not exceed endPvolLdevId' });
      return { data: svc().renderReplications(sid, svc().store.inPvolRange(sid, from, to)) };
    });
  });
}
