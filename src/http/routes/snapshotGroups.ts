import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
import { pairService } from '../../engine/pairs.js';
import type { GroupActionParams } from '../../engine/pairsCommands.js';
import { fail, objectRoutes, submitJob } from '../vsp.js';
import { ACTION_BODIES, actionBody, actionParameters, copySpeedOf } from './snapshots.js';

const tags = ['snapshot-groups'];

const listQuery = {
  type: 'object',
  properties: { snapshotGroupName: { type: 'string' }, detailInfoType: { type: 'string', enum: ['pair', 'retention'] } },
} as const;
const oneQuery = { type: 'object', properties: { detailInfoType: { type: 'string', enum: ['retention'] } } } as const;

/**
 * Snapshot groups: list (with their pairs on `detailInfoType=pair`), get with pairs, the group actions that
 * apply to every pair of the group, delete every pair of the group. The group id is its name (ref 1.3).
 */
export function snapshotGroupRoutes(app: FastifyInstance, engine: Engine): void {
  const svc = () => pairService(engine);
  const groupOf = (sid: string, name: string) => svc().store.getGroup(sid, name) ?? fail('objectNotFound', { object: `snapshot-groups/${name}` });

  objectRoutes(app, (r) => {
    r.get('/snapshot-groups', { schema: { tags, summary: 'List snapshot groups', querystring: listQuery } }, async (req) => {
      const sid = req.vsp.sid;
      const q = req.query as { snapshotGroupName?: string; detailInfoType?: string };
      const { store } = svc();
      const groups = q.snapshotGroupName !== undefined
        ? [store.getGroup(sid, q.snapshotGroupName)].filter((g) => g !== undefined)
        : store.listGroups(sid);
      return {
        data: groups.map((g) => ({
          snapshotGroupName: g.name, snapshotGroupId: g.name,
          ...(q.detailInfoType === 'pair' ? { snapshots: svc().renderAll(store.byGroup(sid, g.name)) } : {}),
        })),
      };
    });

    r.get('/snapshot-groups/:snapshotGroupId', { schema: { tags, summary: 'Get a snapshot group with its pairs', querystring: oneQuery } }, async (req) => {
      const sid = req.vsp.sid;
      const g = groupOf(sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
      return { snapshotGroupName: g.name, snapshotGroupId: g.name, snapshots: svc().renderAll(svc().store.byGroup(sid, g.name)) };
    });

    const action = (name: GroupActionParams['op'], body: object, summary: string) => {
      r.route({
        method: ['POST', 'PUT'], url: `/snapshot-groups/:snapshotGroupId/actions/${name}/invoke`, schema: { tags, summary, body },
        handler: async (req, reply) => {
          const g = groupOf(req.vsp.sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
          const p = actionParameters(engine, req, name);
          const params: GroupActionParams = { group: g.name, op: name };
          if (name === 'resync' || name === 'restore') params.autoSplit = p.autoSplit ?? false;
          if (name === 'clone') params.copySpeed = copySpeedOf(p.copySpeed);
          return submitJob(engine, req, reply, `snapshotGroup.${name}`, params);
        },
      });
    };
    action('split', ACTION_BODIES.split, 'Store snapshot data of every pair of the group (atomic in CTG mode)');
    action('resync', ACTION_BODIES.resync, 'Resynchronize every pair of the group');
    action('restore', ACTION_BODIES.restore, 'Restore every pair of the group');
    action('clone', ACTION_BODIES.clone, 'Clone every pair of the group');

    for (const name of ['set-retention', 'virtual-clone']) {
      r.route({
        method: ['POST', 'PUT'], url: `/snapshot-groups/:snapshotGroupId/actions/${name}/invoke`,
        schema: { tags, summary: `${name}: not available on this model (404 KART20009-E)` },
        handler: async (req) => fail('noResource', { url: req.url.split('?')[0]! }),
      });
    }

    r.delete('/snapshot-groups/:snapshotGroupId', { schema: { tags, summary: 'Delete every pair of the group', body: actionBody({}) } }, async (req, reply) => {
      const g = groupOf(req.vsp.sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
      return submitJob(engine, req, reply, 'snapshotGroup.delete', { group: g.name, op: 'delete' } satisfies GroupActionParams);
    });
  });
}
