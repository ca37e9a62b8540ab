import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
import { pairService } from '../../engine/pairs/index.js';
import type { GroupActionParams } from '../../engine/pairs/commands.js';
import { fail, objectRoutes, submitJob } from '../vsp.js';
import Type from 'typebox';
import { jobHeaders, jobResponses, pathStr, readResponses, strEnum } from '../schemas/common.js';
import { ACTION_BODIES, actionBody, actionParameters, copySpeedOf, retentionRoute } from './snapshots.js';

const tags = ['snapshot-groups'];

const listQuery = Type.Object({
  snapshotGroupName: Type.Optional(Type.String()),
  detailInfoType: Type.Optional(strEnum(['pair', 'retention'] as const, { description: '`pair` adds each group\'s pairs.' })),
});
const oneQuery = Type.Object({ detailInfoType: Type.Optional(strEnum(['retention'] as const)) });
const params = Type.Object({ snapshotGroupId: pathStr('The group name (1-32 characters).', { examples: ['demo'] }) });

/**
 * Snapshot groups: list (with their pairs on `detailInfoType=pair`), get with pairs, the group actions that
 * apply to every pair of the group, delete every pair of the group. The group id is its name (ref 1.3).
 */
export function snapshotGroupRoutes(app: FastifyInstance, engine: Engine): void {
  const svc = () => pairService(engine);
  const groupOf = (sid: string, name: string) => svc().store.getGroup(sid, name) ?? fail('objectNotFound', { object: `snapshot-groups/${name}` });

  objectRoutes(app, (r) => {
    r.get('/snapshot-groups', {
      schema: { tags, operationId: 'listSnapshotGroups', summary: 'List snapshot groups', querystring: listQuery, response: readResponses('SnapshotGroupList', 'The groups.') },
    }, async (req) => {
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

    r.get('/snapshot-groups/:snapshotGroupId', {
      schema: {
        tags, operationId: 'getSnapshotGroup', summary: 'Get a snapshot group with its pairs', params, querystring: oneQuery,
        response: readResponses('SnapshotGroup', 'The group and its pairs.'),
      },
    }, async (req) => {
      const sid = req.vsp.sid;
      const g = groupOf(sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
      return { snapshotGroupName: g.name, snapshotGroupId: g.name, snapshots: svc().renderAll(svc().store.byGroup(sid, g.name)) };
    });

    const action = (name: GroupActionParams['op'], body: object, summary: string, url: string = name) => {
      r.route({
        method: ['POST', 'PUT'], url: `/snapshot-groups/:snapshotGroupId/actions/${url}/invoke`,
        schema: { tags, operationId: `${name}SnapshotGroup`, summary, params, headers: jobHeaders, body, response: jobResponses() },
        ...(name === 'setRetention' ? retentionRoute() : {}),
        handler: async (req, reply) => {
          const g = groupOf(req.vsp.sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
          const p = actionParameters(engine, req, name);
          const params: GroupActionParams = { group: g.name, op: name };
          if (name === 'resync' || name === 'restore') params.autoSplit = p.autoSplit ?? false;
          if (name === 'clone') params.copySpeed = copySpeedOf(p.copySpeed);
          if (p.retentionPeriod !== undefined && p.retentionPeriod !== null) params.retentionPeriod = p.retentionPeriod;
          return submitJob(engine, req, reply, `snapshotGroup.${name}`, params);
        },
      });
    };
    action('split', ACTION_BODIES.split, 'Store snapshot data of every pair of the group (atomic in CTG mode)');
    action('resync', ACTION_BODIES.resync, 'Resynchronize every pair of the group');
    action('restore', ACTION_BODIES.restore, 'Restore every pair of the group');
    action('clone', ACTION_BODIES.clone, 'Clone every pair of the group');

    action('setRetention', ACTION_BODIES.setRetention,
      'Set the snapshot data retention period of every pair of the group (TIA, PSUS; VSP One B only, else 404 KART20009-E)', 'set-retention');

    r.delete('/snapshot-groups/:snapshotGroupId', {
      schema: { tags, operationId: 'deleteSnapshotGroup', summary: 'Delete every pair of the group', params, headers: jobHeaders, body: actionBody({}), response: jobResponses() },
    }, async (req, reply) => {
      const g = groupOf(req.vsp.sid, (req.params as { snapshotGroupId: string }).snapshotGroupId);
      return submitJob(engine, req, reply, 'snapshotGroup.delete', { group: g.name, op: 'delete' } satisfies GroupActionParams);
    });
  });
}
