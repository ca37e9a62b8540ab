import type { FastifyInstance } from 'fastify';
import { renderPool } from '../../domain/pool.js';
import type { Engine } from '../../engine/context.js';
import { poolFacts } from '../../engine/ldevs.js';
import { fail, intParam, objectRoutes } from '../vsp.js';
import Type from 'typebox';
import { pathInt, readResponses, strEnum } from '../schemas/common.js';

const tags = ['pools'];
const listQuery = Type.Object({
  poolType: Type.Optional(strEnum(['DP', 'HTI', 'HDP', 'HDT', 'RT', 'DM'] as const, { description: 'DP selects HDP, HDT and RT pools.' })),
  detailInfoType: Type.Optional(Type.String({ description: 'Accepted; every capacity field is always shown.' })),
});

/** `poolType=DP` selects Dynamic Provisioning pools (HDP, HDT, RT); the others select their own type. */
function matchesType(filter: string | undefined, type: string): boolean {
  if (!filter) return true;
  if (filter === 'DP') return type === 'HDP' || type === 'HDT' || type === 'RT';
  return filter === type;
}

/** Pools, with every capacity field computed from the model. */
export function poolRoutes(app: FastifyInstance, engine: Engine): void {
  objectRoutes(app, (r) => {
    r.get('/pools', { schema: { tags, operationId: 'listPools', summary: 'List pools', querystring: listQuery, response: readResponses('PoolList', 'The pools.') } }, async (req) => {
      const { poolType } = req.query as { poolType?: string };
      const sid = req.vsp.sid;
      return {
        data: engine.res.listPools(sid).filter((p) => matchesType(poolType, p.type)).map((p) => renderPool(poolFacts(engine, sid, p.poolId)!)),
      };
    });
    r.get('/pools/:poolId', {
      schema: { tags, operationId: 'getPool', summary: 'Get a pool', params: Type.Object({ poolId: pathInt('Pool id (0-127).', { maximum: 127 }) }), response: readResponses('Pool', 'The pool.') },
    }, async (req) => {
      const poolId = intParam((req.params as { poolId: string }).poolId, 'poolId', 0, 127);
      const facts = poolFacts(engine, req.vsp.sid, poolId);
      if (!facts) fail('objectNotFound', { object: `pools/${poolId}` });
      return renderPool(facts);
    });
  });
}
