import type { FastifyInstance } from 'fastify';
import { PORT_ATTRIBUTES, PORT_TYPES, hostGroupId, renderPort, type LoginView } from '../../domain/hosts.js';
import type { Engine } from '../../engine/context.js';
import { hostRules, requirePort } from '../../engine/hosts.js';
import type { PortRow } from '../../store/resources.js';
import { objectRoutes } from '../vsp.js';
import { detailTypes } from './hostShared.js';
import Type from 'typebox';
import { pathStr, readResponses, strEnum } from '../schemas/common.js';

const tags = ['ports'];
const detailInfoType = Type.Optional(Type.String({ description: 'Comma-separated: `logins` (registered hosts as logins), `portMode`.' }));
const listQuery = Type.Object({
  portType: Type.Optional(strEnum(PORT_TYPES)),
  portAttributes: Type.Optional(strEnum(PORT_ATTRIBUTES)),
  portId: Type.Optional(Type.String()),
  detailInfoType,
});
const oneQuery = Type.Object({ detailInfoType });

/** Ports: list (portType / portAttributes / portId filters) and by id, FC and iSCSI, with login details on request. */
export function portRoutes(app: FastifyInstance, engine: Engine): void {
  /** The hosts registered on the port, shown as its logins (no fabric is emulated). */
  const loginsOf = (p: PortRow): LoginView[] => {
    if (!hostRules(engine).loginsShowRegisteredHosts) return [];
    const out: LoginView[] = [];
    for (const g of engine.res.listHostGroups(p.sid, p.portId)) {
      const id = hostGroupId(p.portId, g.hgNumber);
      if (p.type === 'ISCSI') {
        for (const i of engine.res.listHostIscsis(p.sid, p.portId, g.hgNumber)) out.push({ hostGroupId: id, loginIscsiName: i.iscsiName, nickname: i.nickname });
      } else {
        for (const w of engine.res.listHostWwns(p.sid, p.portId, g.hgNumber)) out.push({ hostGroupId: id, loginWwn: w.wwn, nickname: w.nickname });
      }
    }
    return out;
  };
  const render = (p: PortRow, detail: Set<string>) =>
    renderPort(p, { logins: detail.has('logins') ? loginsOf(p) : undefined, portMode: detail.has('portMode') });

  objectRoutes(app, (r) => {
    r.get('/ports', { schema: { tags, operationId: 'listPorts', summary: 'List ports', querystring: listQuery, response: readResponses('PortList', 'The ports.') } }, async (req) => {
      const q = req.query as { portType?: string; portAttributes?: string; portId?: string; detailInfoType?: string };
      const detail = detailTypes(q.detailInfoType);
      const data = engine.res.listPorts(req.vsp.sid)
        .filter((p) => q.portType === undefined || p.type === q.portType)
        .filter((p) => q.portId === undefined || p.portId === q.portId)
        .map((p) => render(p, detail))
        .filter((o) => q.portAttributes === undefined || (o.portAttributes as string[]).includes(q.portAttributes));
      return { data };
    });

    r.get('/ports/:portId', {
      schema: {
        tags, operationId: 'getPort', summary: 'Get a port', params: Type.Object({ portId: pathStr('e.g. `CL1-A`.', { examples: ['CL1-A'] }) }),
        querystring: oneQuery, response: readResponses('Port', 'The port.'),
      },
    }, async (req) => {
      const { portId } = req.params as { portId: string };
      const port = requirePort(engine.res, req.vsp.sid, portId);
      return render(port, detailTypes((req.query as { detailInfoType?: string }).detailInfoType));
    });
  });
}
