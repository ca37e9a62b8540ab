import type { FastifyInstance } from 'fastify';
import {
  AUTH_MODES, HOST_MODES, isIscsiName, maxHostGroupNameLength, renderHostGroup, renderUndefinedHostGroup,
} from '../../domain/hosts.js';
import type { Engine } from '../../engine/context.js';
import { hostRules, requirePort, type CreateHostGroupParams, type ModifyHostGroupParams } from '../../engine/hosts.js';
import type { HostGroupRow } from '../../store/resources.js';
import { fail, objectRoutes, submitJob } from '../vsp.js';
import { bool, boolQuery, clean, detailTypes, existingHostGroup, hostGroupNumberOf, int, noBody, parseHostGroupId, str } from './hostShared.js';

const tags = ['host-groups'];
const hostMode = { type: ['string', 'null'], enum: [...HOST_MODES, null] } as const;
const hostModeOptions = { type: ['array', 'null'], items: { type: 'integer', minimum: -1, maximum: 999 }, maxItems: 256 } as const;
const name = { type: ['string', 'null'], minLength: 1, maxLength: 64 } as const;

const createBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    portId: str, hostGroupNumber: int, hostGroupName: name, hostMode, hostModeOptions, iscsiName: str,
    isQuickCreating: bool,
  },
} as const;

const modifyBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    hostGroupName: name, hostMode, hostModeOptions,
    authenticationMode: { type: ['string', 'null'], enum: [...AUTH_MODES, null] },
  },
} as const;

const listQuery = {
  type: 'object',
  properties: { portId: { type: 'string' }, detailInfoType: { type: 'string' }, isUndefined: { type: 'string' }, isSimpleMode: { type: 'string' } },
} as const;

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
    r.get('/host-groups', { schema: { tags, summary: 'List host groups / iSCSI targets (of a port, or all)', querystring: listQuery } }, async (req) => {
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

    r.get('/host-groups/:hostGroupId', { schema: { tags, summary: 'Get a host group / iSCSI target' } }, async (req) => {
      const { portId, hostGroupNumber } = parseHostGroupId(engine, (req.params as { hostGroupId: string }).hostGroupId);
      const { group } = existingHostGroup(engine, req.vsp.sid, portId, hostGroupNumber);
      return render(req.vsp.sid, group, detailTypes((req.query as { detailInfoType?: string }).detailInfoType).has('resourceGroup'));
    });

    r.post('/host-groups', { schema: { tags, summary: 'Create a host group / iSCSI target', body: createBody } }, async (req, reply) => {
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
      schema: { tags, summary: 'Change host mode, host mode options, name or iSCSI authentication mode', body: modifyBody },
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

    r.delete('/host-groups/:hostGroupId', { schema: { tags, summary: 'Delete a host group / iSCSI target (host group 0 is reset)', body: noBody } }, async (req, reply) => {
      const { portId, hostGroupNumber } = parseHostGroupId(engine, (req.params as { hostGroupId: string }).hostGroupId);
      existingHostGroup(engine, req.vsp.sid, portId, hostGroupNumber);
      return submitJob(engine, req, reply, 'hostGroup.delete', { portId, hostGroupNumber });
    });
  });
}
