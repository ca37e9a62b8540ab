import type { ModelFacts } from '../../domain/models.js';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
import { GARBAGE_OPERATIONS, type GarbageOperation } from '../../domain/garbage.js';
import { intParam, serviceRoutes, submitJob } from '../vsp.js';
import Type from 'typebox';
import { jobHeaders, jobResponses } from '../schemas/common.js';

const tags = ['snapshot-tree'];

const deleteBody = Type.Unsafe<{ parameters: { ldevId: number } }>({
  type: 'object', additionalProperties: false, required: ['parameters'],
  properties: {
    parameters: {
      type: 'object', additionalProperties: false, required: ['ldevId'],
      properties: { ldevId: { type: 'integer', description: 'The root volume of the tree (the P-VOL of layer 1).' } },
    },
  },
  examples: [{ parameters: { ldevId: 0 } }],
});

const garbageBody = Type.Unsafe<{ parameters: { ldevId: number; operationType: GarbageOperation } }>({
  type: 'object', additionalProperties: false, required: ['parameters'],
  properties: {
    parameters: {
      type: 'object', additionalProperties: false, required: ['ldevId', 'operationType'],
      properties: {
        ldevId: { type: 'integer', description: 'The root volume of the tree (the P-VOL of layer 1).' },
        operationType: { type: 'string', enum: [...GARBAGE_OPERATIONS], description: '`start` or `stop` the deletion processing.' },
      },
    },
  },
  examples: [{ parameters: { ldevId: 66, operationType: 'start' } }],
});

/**
 * The snapshot-tree service: delete every cascade pair of a tree from its root volume (ref 5.1 row 23), and delete
 * the tree's garbage data (TIA ref 5, VSP 5000 models). PUT is accepted as POST (HCSR0298). On models without
 * garbage-data deletion its URL is unknown (404 KART20009-E, fidelity.garbageDeleteUnsupported), before the body
 * is looked at.
 */
export function snapshotTreeRoutes(app: FastifyInstance, engine: Engine): void {
  serviceRoutes(app, (r) => {
    r.route({
      method: ['POST', 'PUT'], url: '/snapshot-tree/actions/delete/invoke',
      schema: {
        tags, operationId: 'deleteSnapshotTree', summary: 'Delete the Thin Image pairs of a snapshot tree by its root volume',
        headers: jobHeaders, body: deleteBody, response: jobResponses(),
      },
      handler: async (req, reply) => {
        const raw = (req.body as { parameters: { ldevId: number } }).parameters.ldevId;
        const ldevId = intParam(raw, 'ldevId', 0, engine.arrays.get(req.vsp.sid)!.facts.maxLdevId);
        return submitJob(engine, req, reply, 'snapshotTree.delete', { ldevId });
      },
    });

    // With garbageDeleteUnsupported 'programProduct' the URL exists everywhere and the job fails 2E21/9010 instead.
    const config = { modelHas: (facts: ModelFacts, e: Engine) => facts.garbageDataDelete || e.fidelity.garbageDeleteUnsupported === 'programProduct' };
    r.route({
      method: ['POST', 'PUT'], url: '/snapshot-tree/actions/delete-garbage-data/invoke', config,
      schema: {
        tags, operationId: 'deleteSnapshotTreeGarbageData',
        summary: 'Start or stop deleting the garbage data of a snapshot tree by its root volume (VSP 5000)',
        description: 'Progress shows on the root LDEV (`snapshotGarbageDataDeletionStatus`, `snapshotGarbageDataCapacity` in MiB), '
          + 'not in the job; processing stops by itself once less than 1 GiB of garbage is left.',
        headers: jobHeaders, body: garbageBody, response: jobResponses(),
      },
      handler: async (req, reply) => {
        const p = (req.body as { parameters: { ldevId: number; operationType: GarbageOperation } }).parameters;
        const ldevId = intParam(p.ldevId, 'ldevId', 0, engine.arrays.get(req.vsp.sid)!.facts.maxLdevId);
        return submitJob(engine, req, reply, 'snapshotTree.deleteGarbageData', { ldevId, operationType: p.operationType });
      },
    });
  });
}
