import type { FastifyInstance } from 'fastify';
import { renderPool } from '../../domain/pool.js';
import type { Engine } from '../../engine/context.js';
import { poolFacts } from '../../engine/ldevs.js';
import { fail, intParam, objectRoutes } from '../vsp.js';

const tags = ['pools'];
const listQuery = {
  type: 'object',
  properties: { poolType: { type: 'string', enum: ['DP', 'HTI', 'HDP', 'HDT', 'RT', 'DM'] }, detailInfoType: { type: 'string' } },
} as const;

/** `poolType=DP` selects Dynamic Provisioning pools (HDP, HDT, RT); the others select their own type. */
function matchesType(filter: string | undefined, type: string): boolean {
  if (!filter) return true;
  if (filter === 'DP') return type === 'HDP' || type === 'HDT' || type === 'RT';
  return filter === type;
}

/** Pools, with every capacity field computed from the model. */
export function poolRoutes(app: FastifyInstance, engine: Engine): void {
  objectRoutes(app, (r) => {
    r.get('/pools', { schema: { tags, summary: 'List pools', querystring: listQuery } }, async (req) => {
      const { poolType } = req.query as { poolType?: string };
      const sid = req.vsp.sid;
      return {
        data: engine.res.listPools(sid).filter((p) => matchesType(poolType, p.type)).map((p) => renderPool(poolFacts(engine, sid, p.poolId)!)),
      };
    });
    r.get('/pools/:poolId', { schema: { tags, summary: 'Get a pool' } }, async (req) => {
      const poolId = intParam((req.params as { poolId: string }).poolId, 'poolId', 0, 127);
      const facts = poolFacts(engine, req.vsp.sid, poolId);
      if (!facts) fail('objectNotFound', { object: `pools/${poolId}` });
      return renderPool(facts);
    });
  });
}
