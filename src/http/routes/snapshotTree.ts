import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
import { fail, intParam, serviceRoutes, submitJob } from '../vsp.js';

const tags = ['snapshot-tree'];

const deleteBody = {
  type: 'object', additionalProperties: false, required: ['parameters'],
  properties: { parameters: { type: 'object', additionalProperties: false, required: ['ldevId'], properties: { ldevId: { type: 'integer' } } } },
} as const;

/**
 * The snapshot-tree service: delete every cascade pair of a tree from its root volume (ref 5.1 row 23). PUT is
 * accepted as POST (HCSR0298). Garbage-data deletion belongs to Thin Image Advanced, absent on these models.
 */
export function snapshotTreeRoutes(app: FastifyInstance, engine: Engine): void {
  serviceRoutes(app, (r) => {
    r.route({
      method: ['POST', 'PUT'], url: '/snapshot-tree/actions/delete/invoke',
      schema: { tags, summary: 'Delete the Thin Image pairs of a snapshot tree by its root volume', body: deleteBody },
      handler: async (req, reply) => {
        const raw = (req.body as { parameters: { ldevId: number } }).parameters.ldevId;
        const ldevId = intParam(raw, 'ldevId', 0, engine.arrays.get(req.vsp.sid)!.facts.maxLdevId);
        return submitJob(engine, req, reply, 'snapshotTree.delete', { ldevId });
      },
    });
    r.route({
      method: ['POST', 'PUT'], url: '/snapshot-tree/actions/delete-garbage-data/invoke',
      schema: { tags, summary: 'delete-garbage-data: not available on this model (404 KART20009-E)' },
      handler: async (req) => fail('noResource', { url: req.url.split('?')[0]! }),
    });
  });
}
