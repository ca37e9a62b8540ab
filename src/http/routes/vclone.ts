import type { ModelFacts } from '../../domain/models.js';
import type { FastifyInstance } from 'fastify';
import { pairId } from '../../domain/pairTypes.js';
import { VCLONE_OPERATIONS, type VcloneOperation } from '../../domain/vclone.js';
import type { Engine } from '../../engine/context.js';
import { pairService } from '../../engine/pairs/index.js';
import { vcloneService, type GroupVcloneParams, type PairVcloneParams } from '../../engine/vclone/index.js';
import { fail, intParam, objectRoutes, submitJob } from '../vsp.js';
import Type from 'typebox';
import { jobHeaders, jobResponses, pathStr, readResponses } from '../schemas/common.js';
import { parseSnapshotId, snapshotParams } from './snapshots.js';

type VcloneBody = { parameters: { operationType: VcloneOperation } };
const body = Type.Unsafe<VcloneBody>({
  type: 'object', additionalProperties: false, required: ['parameters'],
  properties: {
    parameters: {
      type: 'object', additionalProperties: false, required: ['operationType'],
      properties: {
        operationType: {
          type: 'string', enum: [...VCLONE_OPERATIONS],
          description: '`create` (pair in PAIR), `convert` (PSUS/PFUS): the pair goes and its S-VOL becomes a vClone of the P-VOL; ' +
            '`restore` (a pair created back from a vClone to its parent, PAIR/PSUS): RCPY, then PSUS, no longer a vClone.',
        },
      },
    },
  },
  examples: [{ parameters: { operationType: 'create' } }],
});

const groupParams = Type.Object({ snapshotGroupId: pathStr('The group name (1-32 characters).', { examples: ['demo'] }) });
const familyQuery = Type.Object({ ldevId: Type.Integer({ minimum: 0, description: 'Any LDEV of the family: the root, an S-VOL or a vClone.' }) });

/**
 * Virtual clones (TIA ref 4): `virtual-clone` on pairs and snapshot groups, `snapshot-family`,
 * `virtual-clone-parent-volumes`. VSP One B only: on other models these URLs answer 404 KART20009-E as unknown URLs
 * do, credentials or not (TIA ref 1: clients gate on the model; `config.modelHas`, checked by the server's gate).
 */
export function vcloneRoutes(app: FastifyInstance, engine: Engine): void {
  const config = { modelHas: (facts: ModelFacts) => facts.virtualClone };

  objectRoutes(app, (r) => {
    r.route({
      method: ['POST', 'PUT'], url: '/snapshots/:snapshotId/actions/virtual-clone/invoke', config,
      schema: {
        tags: ['snapshots'], operationId: 'virtualCloneSnapshot', params: snapshotParams, headers: jobHeaders, body, response: jobResponses(),
        summary: 'Make the pair\'s S-VOL a virtual clone (create, convert) or restore the P-VOL from one (VSP One B)',
      },
      handler: async (req, reply) => {
        const sid = req.vsp.sid;
        const { pvol, mu } = parseSnapshotId(engine, sid, (req.params as { snapshotId: string }).snapshotId);
        if (!pairService(engine).store.get(sid, pvol, mu)) fail('objectNotFound', { object: `snapshots/${pairId(pvol, mu)}` });
        const params: PairVcloneParams = { pvol, mu, operationType: (req.body as VcloneBody).parameters.operationType };
        return submitJob(engine, req, reply, 'snapshot.virtualClone', params);
      },
    });

    r.route({
      method: ['POST', 'PUT'], url: '/snapshot-groups/:snapshotGroupId/actions/virtual-clone/invoke', config,
      schema: {
        tags: ['snapshot-groups'], operationId: 'virtualCloneSnapshotGroup', params: groupParams, headers: jobHeaders, body, response: jobResponses(),
        summary: 'virtual-clone on every pair of the group (one status for all; VSP One B)',
      },
      handler: async (req, reply) => {
        const name = (req.params as { snapshotGroupId: string }).snapshotGroupId;
        const g = pairService(engine).store.getGroup(req.vsp.sid, name) ?? fail('objectNotFound', { object: `snapshot-groups/${name}` });
        const params: GroupVcloneParams = { group: g.name, operationType: (req.body as VcloneBody).parameters.operationType };
        return submitJob(engine, req, reply, 'snapshotGroup.virtualClone', params);
      },
    });

    r.get('/snapshot-family', {
      config,
      schema: {
        tags: ['snapshots'], operationId: 'getSnapshotFamily', summary: 'The snapshot family of an LDEV: its tree\'s volumes and vClones (VSP One B)',
        querystring: familyQuery, response: readResponses('SnapshotFamily', 'The members, root first.'),
      },
    }, async (req) => {
      const sid = req.vsp.sid;
      const ldevId = intParam((req.query as { ldevId: number }).ldevId, 'ldevId', 0, engine.arrays.get(sid)!.facts.maxLdevId);
      const data = vcloneService(engine).family(sid, ldevId);
      if (data.length === 0 && engine.fidelity.snapshotFamilyUnknownLdev === 'notFound') fail('objectNotFound', { object: `snapshot-family?ldevId=${ldevId}` });
      return { data };
    });

    r.get('/virtual-clone-parent-volumes', {
      config,
      schema: {
        tags: ['ldevs'], operationId: 'listVirtualCloneParentVolumes', summary: 'LDEVs with the vClone parent attribute VCP (VSP One B)',
        response: readResponses('VirtualCloneParentVolumeList', 'The vClone parents, by LDEV id.'),
      },
    }, async (req) => ({ data: vcloneService(engine).parentVolumes(req.vsp.sid).map((ldevId) => ({ ldevId })) }));
  });
}
