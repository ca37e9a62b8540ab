import type { FastifyInstance } from 'fastify';
import { isIscsiName, normalizeWwn, renderHostIscsi, renderHostWwn } from '../../domain/hosts.js';
import type { Engine } from '../../engine/context.js';
import { requireHostIscsi, requireHostWwn, requirePort, type HostInitiatorParams } from '../../engine/hosts.js';
import type { HostGroupRow } from '../../store/resources.js';
import { fail, objectRoutes, submitJob } from '../vsp.js';
import { body, clean, existingHostGroup, hostGroupNumberOf, int, noBody, numberList, parseTripleId, str, tripleParam } from './hostShared.js';
import Type from 'typebox';
import { jobHeaders, jobResponses, readResponses } from '../schemas/common.js';

/** What differs between host WWNs (FC) and host iSCSI names: the collection, its attribute names and its checks. */
interface InitiatorKind {
  collection: 'host-wwns' | 'host-iscsis';
  idParam: 'hostWwnId' | 'hostIscsiId';
  nameAttr: 'hostWwn' | 'iscsiName';
  nicknameAttr: 'wwnNickname' | 'iscsiNickname';
  op: 'hostWwn' | 'hostIscsi';
  /** operationId stems, component names and an example name. */
  noun: 'HostWwn' | 'HostIscsi';
  example: string;
  /** The canonical name, or null when malformed. */
  normalize(raw: string): string | null;
  list(engine: Engine, sid: string, portId: string, hg: number): Array<{ name: string; nickname: string }>;
  require(engine: Engine, sid: string, p: { portId: string; hostGroupNumber: number; name: string }): { nickname: string };
  render(h: HostGroupRow, name: string, nickname: string): Record<string, unknown>;
}

const WWN: InitiatorKind = {
  collection: 'host-wwns', idParam: 'hostWwnId', nameAttr: 'hostWwn', nicknameAttr: 'wwnNickname', op: 'hostWwn', noun: 'HostWwn', example: '210003e08b0256f9',
  normalize: normalizeWwn,
  list: (e, sid, portId, hg) => e.res.listHostWwns(sid, portId, hg).map((w) => ({ name: w.wwn, nickname: w.nickname })),
  require: (e, sid, p) => requireHostWwn(e.res, sid, p),
  render: renderHostWwn,
};

const ISCSI: InitiatorKind = {
  collection: 'host-iscsis', idParam: 'hostIscsiId', nameAttr: 'iscsiName', nicknameAttr: 'iscsiNickname', op: 'hostIscsi', noun: 'HostIscsi',
  example: 'iqn.1994-05.com.redhat:host1',
  normalize: (raw) => (isIscsiName(raw) ? raw : null),
  list: (e, sid, portId, hg) => e.res.listHostIscsis(sid, portId, hg).map((i) => ({ name: i.iscsiName, nickname: i.nickname })),
  require: (e, sid, p) => requireHostIscsi(e.res, sid, p),
  render: renderHostIscsi,
};

const listQuery = Type.Object({
  portId: Type.Optional(Type.String({ description: 'Required.' })),
  hostGroupNumber: Type.Optional(Type.Integer({ description: 'One of hostGroupNumber, hostGroupName, hostGroupNumberList is required.' })),
  hostGroupName: Type.Optional(Type.String()),
  hostGroupNumberList: Type.Optional(Type.String({ description: 'Comma-separated numbers.' })),
});

/** Routes of one initiator collection: list by port + host group (number, name or number list), get, add, nickname, delete. */
function initiatorRoutes(app: FastifyInstance, engine: Engine, k: InitiatorKind): void {
  const tags = [k.collection];
  const nickname = { type: ['string', 'null'], maxLength: 64 } as const;
  const createBody = body({ [k.nameAttr]: str, portId: str, hostGroupNumber: int }, [{ [k.nameAttr]: k.example, portId: 'CL1-A', hostGroupNumber: 1 }]);
  const modifyBody = body({ [k.nicknameAttr]: nickname }, [{ [k.nicknameAttr]: 'host1' }]);
  const params = tripleParam(k.idParam, k.nameAttr, `CL1-A,1,${k.example}`);

  const nameOf = (raw: string) => {
    const n = k.normalize(raw);
    if (n === null) fail('invalidValue', { attribute: k.nameAttr, value: raw });
    return n;
  };
  /** `CL1-A,1,<name>` → the key of a registered initiator, required to exist (404). */
  const keyOf = (sid: string, raw: string) => {
    const { portId, hostGroupNumber, last } = parseTripleId(engine, raw, k.idParam);
    const key = { portId, hostGroupNumber, name: nameOf(last) };
    existingHostGroup(engine, sid, portId, hostGroupNumber);
    return { ...key, ...k.require(engine, sid, key) };
  };

  objectRoutes(app, (r) => {
    r.get(`/${k.collection}`, {
      schema: { tags, operationId: `list${k.noun}s`, summary: `List ${k.collection} of a host group`, querystring: listQuery, response: readResponses(`${k.noun}List`, `The ${k.collection}.`) },
    }, async (req) => {
      const q = req.query as { portId?: string; hostGroupNumber?: number; hostGroupName?: string; hostGroupNumberList?: string };
      const sid = req.vsp.sid;
      // Live on the E590H: portId without hostGroupNumber is refused with KART40044-E (ref 4.3).
      if (q.portId === undefined) fail('requiredQuery', { attribute: 'portId' });
      if (q.hostGroupNumber === undefined && q.hostGroupName === undefined && q.hostGroupNumberList === undefined) {
        fail('requiredQuery', { attribute: 'hostGroupNumber' });
      }
      requirePort(engine.res, sid, q.portId);
      let groups: HostGroupRow[];
      if (q.hostGroupNumber !== undefined) {
        const g = engine.res.getHostGroup(sid, q.portId, hostGroupNumberOf(engine, q.hostGroupNumber));
        groups = g ? [g] : [];
      } else if (q.hostGroupNumberList !== undefined) {
        groups = numberList(engine, q.hostGroupNumberList, 'hostGroupNumberList')
          .map((n) => engine.res.getHostGroup(sid, q.portId!, n)).filter((g): g is HostGroupRow => g !== undefined);
      } else {
        // Cinder looks its HBSD-<wwpn> / HBSD-<ip> group up by name before creating it: no such group is an empty list.
        const g = engine.res.getHostGroupByName(sid, q.portId, q.hostGroupName!);
        groups = g ? [g] : [];
      }
      return { data: groups.flatMap((g) => k.list(engine, sid, g.portId, g.hgNumber).map((i) => k.render(g, i.name, i.nickname))) };
    });

    r.get(`/${k.collection}/:${k.idParam}`, {
      schema: { tags, operationId: `get${k.noun}`, summary: `Get one of ${k.collection}`, params, response: readResponses(k.noun, 'The registered host.') },
    }, async (req) => {
      const sid = req.vsp.sid;
      const key = keyOf(sid, (req.params as Record<string, string>)[k.idParam]!);
      return k.render(engine.res.getHostGroup(sid, key.portId, key.hostGroupNumber)!, key.name, key.nickname);
    });

    r.post(`/${k.collection}`, {
      schema: { tags, operationId: `add${k.noun}`, summary: `Register a host in a host group (${k.collection})`, headers: jobHeaders, body: createBody, response: jobResponses() },
    }, async (req, reply) => {
      const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
      for (const a of [k.nameAttr, 'portId', 'hostGroupNumber']) if (b[a] === undefined) fail('requiredParameter', { attribute: a });
      const hostGroupNumber = hostGroupNumberOf(engine, b.hostGroupNumber);
      const params: HostInitiatorParams = { portId: b.portId, hostGroupNumber, name: nameOf(b[k.nameAttr]) };
      existingHostGroup(engine, req.vsp.sid, params.portId, hostGroupNumber);
      return submitJob(engine, req, reply, `${k.op}.create`, params);
    });

    r.route({
      method: ['PATCH', 'PUT'], url: `/${k.collection}/:${k.idParam}`,
      schema: { tags, operationId: `set${k.noun}Nickname`, summary: `Set the nickname of one of ${k.collection}`, params, headers: jobHeaders, body: modifyBody, response: jobResponses() },
      handler: async (req, reply) => {
        const key = keyOf(req.vsp.sid, (req.params as Record<string, string>)[k.idParam]!);
        const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
        if (b[k.nicknameAttr] === undefined) fail('requiredParameter', { attribute: k.nicknameAttr });
        const params: HostInitiatorParams = { portId: key.portId, hostGroupNumber: key.hostGroupNumber, name: key.name, nickname: b[k.nicknameAttr] };
        return submitJob(engine, req, reply, `${k.op}.modify`, params);
      },
    });

    r.delete(`/${k.collection}/:${k.idParam}`, {
      schema: { tags, operationId: `delete${k.noun}`, summary: `Remove one of ${k.collection} from its host group`, params, headers: jobHeaders, body: noBody, response: jobResponses() },
    }, async (req, reply) => {
      const key = keyOf(req.vsp.sid, (req.params as Record<string, string>)[k.idParam]!);
      const params: HostInitiatorParams = { portId: key.portId, hostGroupNumber: key.hostGroupNumber, name: key.name };
      return submitJob(engine, req, reply, `${k.op}.delete`, params);
    });
  });
}

/** Host WWNs (FC) and host iSCSI names: the hosts a host group / iSCSI target admits. */
export function hostInitiatorRoutes(app: FastifyInstance, engine: Engine): void {
  initiatorRoutes(app, engine, WWN);
  initiatorRoutes(app, engine, ISCSI);
}
