import type { FastifyInstance } from 'fastify';
import {
  AUTH_MODES, HOST_MODES, isIscsiName, maxHostGroupNameLength, renderHostGroup, renderUndefinedHostGroup,
} from '../../domain/hosts.js';
import type { Engine } from '../../engine/context.js';
import { hostRules, requirePort, type CreateHostGroupParams, type ModifyHostGroupParams } from '../../engine/hosts.js';
import type { HostGroupRow } from '../../store/resources.js';
import { fail, objectRoutes, submitJob } from '../vsp.js';
import { body, bool, boolQuery, clean, detailTypes, existingHostGroup, hostGroupNumberOf, hostGroupParams, int, noBody, parseHostGroupId, str } from './hostShared.js';
import Type from 'typebox';
import { jobHeaders, jobResponses, readResponses } from '../schemas/common.js';

const tags = ['host-groups'];
const hostMode = { type: ['string', 'null'], enum: [...HOST_MODES, null] } as const;
const hostModeOptions = { type: ['array', 'null'], items: { type: 'integer', minimum: -1, maximum: 999 }, maxItems: 256, description: '`[-1]` clears them.' } as const;
const name = { type: ['string', 'null'], minLength: 1, maxLength: 64 } as const;

const createBody = body({
  portId: str, hostGroupNumber: int, hostGroupName: name, hostMode, hostModeOptions, iscsiName: str,
  isQuickCreating: bool,
}, [{ portId: 'CL1-A', hostGroupName: 'HBSD-0123456789abcdef', hostMode: 'LINUX/IRIX' }]);

const modifyBody = body({
  hostGroupName: name, hostMode, hostModeOptions,
  authenticationMode: { type: ['string', 'null'], enum: [...AUTH_MODES, null] },
}, [{ hostMode: 'LINUX/IRIX', hostModeOptions: [2, 22] }]);

const listQuery = Type.Object({
  portId: Type.Optional(Type.String()), detailInfoType: Type.Optional(Type.String({ description: '`resourceGroup` adds resourceGroupId.' })),
  isUndefined: Type.Optional(Type.String({ description: '`true`: the free host group numbers of each port.' })), isSimpleMode: Type.Optional(Type.String()),
});

/** `[-1]` (clear) stands alone; any other option number is 0 or more. */
function checkOptions(opts: number[] | undefined): void {
  if (opts === undefined) return;
  if (opts.includes(-1) && opts.length !== 1) fail('invalidValue', { attribute: 'hostModeOptions', value: JSON.stringify(opts) });
}

/** Host groups and iSCSI targets: list (per port or all), get, create, change, delete. */
export function hostGroupRoutes(app: FastifyInstance, engine: Engine): void {
  const portTypeOf = (sid: string, portId: string) => engine.res.getPort(sid, portId)?.type ?? 'FIBRE';
  const render = (sid: string, h: HostGroupRow, resourceGroup: boolean) => renderHostGroup(h, portTypeOf(sid, h.portId), { resourceGroup });

  objectRoutes(app, (r) => {
    r.get('/host-groups', {
      schema: {
        tags, operationId: 'listHostGroups', summary: 'List host groups / iSCSI targets (of a port, or all)', querystring: listQuery,
        response: readResponses('HostGroupList', 'The host groups.'),
      },
    }, async (req) => {
      const q = req.query as { portId?: string; detailInfoType?: string; isUndefined?: string };
      const sid = req.vsp.sid;
      const resourceGroup = detailTypes(q.detailInfoType).has('resourceGroup');
      const ports = q.portId !== undefined ? [requirePort(engine.res, sid, q.portId)] : engine.res.listPorts(sid);
      if (boolQuery(q.isUndefined, 'isUndefined')) {
        // The free numbers of each port (Ansible picks a number for a new group from these).
        const max = hostRules(engine).maxHostGroupNumber;
        const data: unknown[] = [];
        for (const p of ports) {
          const used = new Set(engine.res.listHostGroups(sid, p.portId).map((g) => g.hgNumber));
          for (let n = 0; n <= max; n++) if (!used.has(n)) data.push(renderUndefinedHostGroup(p.portId, n, { resourceGroup }));
        }
        return { data };
      }
      const groups = q.portId !== undefined ? engine.res.listHostGroups(sid, q.portId) : engine.res.listHostGroups(sid);
      return { data: groups.map((h) => render(sid, h, resourceGroup)) };
    });

    r.get('/host-groups/:hostGroupId', {
      schema: { tags, operationId: 'getHostGroup', summary: 'Get a host group / iSCSI target', params: hostGroupParams, response: readResponses('HostGroup', 'The host group.') },
    }, async (req) => {
      const { portId, hostGroupNumber } = parseHostGroupId(engine, (req.params as { hostGroupId: string }).hostGroupId);
      const { group } = existingHostGroup(engine, req.vsp.sid, portId, hostGroupNumber);
      return render(req.vsp.sid, group, detailTypes((req.query as { detailInfoType?: string }).detailInfoType).has('resourceGroup'));
    });

    r.post('/host-groups', {
      schema: { tags, operationId: 'createHostGroup', summary: 'Create a host group / iSCSI target', headers: jobHeaders, body: createBody, response: jobResponses() },
    }, async (req, reply) => {
      const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
      if (b.portId === undefined) fail('requiredParameter', { attribute: 'portId' });
      if (b.hostGroupName === undefined) fail('requiredParameter', { attribute: 'hostGroupName' });
      const port = requirePort(engine.res, req.vsp.sid, b.portId);
      if (b.hostGroupName.length > maxHostGroupNameLength(port.type)) fail('invalidValue', { attribute: 'hostGroupName', value: b.hostGroupName });
      if (b.hostGroupNumber !== undefined) hostGroupNumberOf(engine, b.hostGroupNumber);
      if (b.iscsiName !== undefined && !isIscsiName(b.iscsiName)) fail('invalidValue', { attribute: 'iscsiName', value: b.iscsiName });
      checkOptions(b.hostModeOptions);
      const params: CreateHostGroupParams = {
        portId: b.portId, hostGroupNumber: b.hostGroupNumber, hostGroupName: b.hostGroupName, hostMode: b.hostMode,
        hostModeOptions: b.hostModeOptions, iscsiName: b.iscsiName,
      };
      return submitJob(engine, req, reply, 'hostGroup.create', params);
    });

    r.route({
      method: ['PATCH', 'PUT'], url: '/host-groups/:hostGroupId',
      schema: {
        tags, operationId: 'modifyHostGroup', summary: 'Change host mode, host mode options, name or iSCSI authentication mode', params: hostGroupParams,
        headers: jobHeaders, body: modifyBody, response: jobResponses(),
      },
      handler: async (req, reply) => {
        const { portId, hostGroupNumber } = parseHostGroupId(engine, (req.params as { hostGroupId: string }).hostGroupId);
        const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
        if (Object.keys(b).length === 0) fail('requiredParameter', { attribute: 'hostMode' });
        // Live on the E590H: options without a host mode are refused (ref 4.3, KART40046-E).
        if (b.hostModeOptions !== undefined && b.hostMode === undefined) {
          fail('invalidCombination', { detail: 'hostModeOptions requires hostMode' });
        }
        checkOptions(b.hostModeOptions);
        const { port } = existingHostGroup(engine, req.vsp.sid, portId, hostGroupNumber);
        if (b.hostGroupName !== undefined && b.hostGroupName.length > maxHostGroupNameLength(port.type)) {
          fail('invalidValue', { attribute: 'hostGroupName', value: b.hostGroupName });
        }
        const params: ModifyHostGroupParams = { portId, hostGroupNumber, ...b };
        return submitJob(engine, req, reply, 'hostGroup.modify', params);
      },
    });

    r.delete('/host-groups/:hostGroupId', {
      schema: {
        tags, operationId: 'deleteHostGroup', summary: 'Delete a host group / iSCSI target (host group 0 is reset)', params: hostGroupParams,
        headers: jobHeaders, body: noBody, response: jobResponses(),
      },
    }, async (req, reply) => {
      const { portId, hostGroupNumber } = parseHostGroupId(engine, (req.params as { hostGroupId: string }).hostGroupId);
      existingHostGroup(engine, req.vsp.sid, portId, hostGroupNumber);
      return submitJob(engine, req, reply, 'hostGroup.delete', { portId, hostGroupNumber });
    });
  });
}
