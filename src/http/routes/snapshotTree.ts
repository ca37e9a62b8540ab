import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
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

/**
 * The snapshot-tree service: delete every cascade pair of a tree from its root volume (ref 5.1 row 23). PUT is
 * accepted as POST (HCSR0298). Garbage-data deletion belongs to Thin Image Advanced, absent on these models: its URL
 * is unknown here (404 KART20009-E).
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
  });
}
