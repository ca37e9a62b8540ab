import type { FastifyInstance } from 'fastify';
import { renderLun } from '../../domain/hosts.js';
import type { Engine } from '../../engine/context.js';
import { hostRules, requirePort } from '../../engine/hosts.js';
import type { CreateLunParams, LunKey } from '../../engine/luns.js';
import type { HostGroupRow, LunRow } from '../../store/resources.js';
import { fail, intParam, objectRoutes, submitJob } from '../vsp.js';
import { body, boolQuery, clean, existingHostGroup, hostGroupNumberOf, int, noBody, numberList, parseTripleId, str, tripleParam } from './hostShared.js';
import Type from 'typebox';
import { jobHeaders, jobResponses, nullable, readResponses } from '../schemas/common.js';

const tags = ['luns'];

const createBody = body({
  portId: str,
  portIds: { type: ['array', 'null'], items: { type: 'string' }, minItems: 1, maxItems: 6, description: 'Up to six ports instead of portId.' },
  hostGroupNumber: int, ldevId: int, lun: nullable<number>('integer', { description: 'Omitted: the lowest LUN free in every listed host group.' }),
}, [{ portId: 'CL1-A', hostGroupNumber: 1, ldevId: 0 }]);

const listQuery = Type.Object({
  portId: Type.Optional(Type.String({ description: 'Required.' })),
  hostGroupNumber: Type.Optional(Type.Integer({ description: 'Or hostGroupNumberList.' })),
  hostGroupNumberList: Type.Optional(Type.String()),
  isBasicLunInformation: Type.Optional(Type.String({ description: '`true`/`false`, any case.' })),
  lunOption: Type.Optional(Type.String({ description: '`ALUA` adds isAluaEnabled and asymmetricAccessState.' })),
});
const params = tripleParam('lunId', 'lun', 'CL1-A,1,0');

/** LU paths (LUNs): list per host group, get, create (LUN auto-assigned when omitted, up to six ports), delete. */
export function lunRoutes(app: FastifyInstance, engine: Engine): void {
  const maxLdev = (sid: string) => engine.arrays.get(sid)!.facts.maxLdevId;
  const lunOf = (raw: unknown) => intParam(raw, 'lun', 0, hostRules(engine).maxLun);
  const parseLunId = (raw: string): LunKey => {
    const { portId, hostGroupNumber, last } = parseTripleId(engine, raw, 'lunId');
    return { portId, hostGroupNumber, lun: lunOf(last) };
  };
  /** The LU path a URL names, with its host group; 404 when the port, the group or the path does not exist. */
  const existingLun = (sid: string, key: LunKey): { lun: LunRow; group: HostGroupRow } => {
    const { group } = existingHostGroup(engine, sid, key.portId, key.hostGroupNumber);
    const lun = engine.res.getLun(sid, key.portId, key.hostGroupNumber, key.lun);
    if (!lun) fail('objectNotFound', { object: `luns/${key.portId},${key.hostGroupNumber},${key.lun}` });
    return { lun, group };
  };
  const render = (sid: string, l: LunRow, g: HostGroupRow, opts: { basic?: boolean; alua?: boolean }) =>
    renderLun(l, g, { ...opts, ldevAlua: opts.alua ? engine.res.getLdev(sid, l.ldevId)?.alua : undefined });
  const aluaOf = (raw: unknown) => {
    if (raw === undefined) return false;
    if (String(raw).toUpperCase() !== 'ALUA') fail('invalidValue', { attribute: 'lunOption', value: String(raw) });
    return true;
  };

  objectRoutes(app, (r) => {
    r.get('/luns', {
      schema: { tags, operationId: 'listLuns', summary: 'List the LU paths of a host group', querystring: listQuery, response: readResponses('LunList', 'The LU paths.') },
    }, async (req) => {
      const q = req.query as { portId?: string; hostGroupNumber?: number; hostGroupNumberList?: string; isBasicLunInformation?: string; lunOption?: string };
      const sid = req.vsp.sid;
      if (q.portId === undefined) fail('requiredQuery', { attribute: 'portId' });
      if (q.hostGroupNumber === undefined && q.hostGroupNumberList === undefined) fail('requiredQuery', { attribute: 'hostGroupNumber' });
      const opts = { basic: boolQuery(q.isBasicLunInformation, 'isBasicLunInformation') ?? false, alua: aluaOf(q.lunOption) };
      const numbers = q.hostGroupNumber !== undefined ? [hostGroupNumberOf(engine, q.hostGroupNumber)] : numberList(engine, q.hostGroupNumberList!, 'hostGroupNumberList');
      requirePort(engine.res, sid, q.portId);
      const data: unknown[] = [];
      for (const n of numbers) {
        // As for host-wwns (where Cinder's own tests expect it), a host group that does not exist has no entries [I].
        const group = engine.res.getHostGroup(sid, q.portId, n);
        if (!group) continue;
        for (const l of engine.res.lunsOfHostGroup(sid, q.portId, n)) data.push(render(sid, l, group, opts));
      }
      return { data };
    });

    r.get('/luns/:lunId', { schema: { tags, operationId: 'getLun', summary: 'Get an LU path', params, response: readResponses('Lun', 'The LU path.') } }, async (req) => {
      const q = req.query as { isBasicLunInformation?: string; lunOption?: string };
      const sid = req.vsp.sid;
      const { lun, group } = existingLun(sid, parseLunId((req.params as { lunId: string }).lunId));
      return render(sid, lun, group, { basic: boolQuery(q.isBasicLunInformation, 'isBasicLunInformation') ?? false, alua: aluaOf(q.lunOption) });
    });

    r.post('/luns', {
      schema: { tags, operationId: 'createLun', summary: 'Define an LU path (LUN auto-assigned when omitted)', headers: jobHeaders, body: createBody, response: jobResponses() },
    }, async (req, reply) => {
      const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
      const sid = req.vsp.sid;
      if (b.portId !== undefined && b.portIds !== undefined) fail('invalidCombination', { detail: 'specify either portId or portIds' });
      const portIds: string[] = b.portIds ?? (b.portId !== undefined ? [b.portId] : []);
      if (portIds.length === 0) fail('requiredParameter', { attribute: 'portId' });
      if (new Set(portIds).size !== portIds.length) fail('invalidValue', { attribute: 'portIds', value: JSON.stringify(portIds) });
      if (b.hostGroupNumber === undefined) fail('requiredParameter', { attribute: 'hostGroupNumber' });
      if (b.ldevId === undefined) fail('requiredParameter', { attribute: 'ldevId' });
      const hostGroupNumber = hostGroupNumberOf(engine, b.hostGroupNumber);
      const ldevId = intParam(b.ldevId, 'ldevId', 0, maxLdev(sid));
      const lun = b.lun !== undefined ? lunOf(b.lun) : undefined;
      for (const portId of portIds) existingHostGroup(engine, sid, portId, hostGroupNumber);
      const params: CreateLunParams = { portIds, hostGroupNumber, ldevId, lun };
      return submitJob(engine, req, reply, 'lun.create', params);
    });

    r.delete('/luns/:lunId', {
      schema: { tags, operationId: 'deleteLun', summary: 'Delete an LU path', params, headers: jobHeaders, body: noBody, response: jobResponses() },
    }, async (req, reply) => {
      const key = parseLunId((req.params as { lunId: string }).lunId);
      existingLun(req.vsp.sid, key);
      return submitJob(engine, req, reply, 'lun.delete', key);
    });
  });
}
