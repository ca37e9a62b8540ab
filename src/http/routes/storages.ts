import type { FastifyInstance } from 'fastify';
import type { ArrayInfo, Engine } from '../../engine/context.js';
import { CM, OBJECTS, fail } from '../vsp.js';

const tags = ['storages'];

function summary(a: ArrayInfo) {
  return {
    storageDeviceId: a.sid, model: a.model, serialNumber: a.serial,
    svpIp: (a.doc.svpIp as string) ?? '192.0.2.100', ctl1Ip: (a.doc.ctl1Ip as string) ?? '192.0.2.101', ctl2Ip: (a.doc.ctl2Ip as string) ?? '192.0.2.102',
  };
}

function detail(a: ArrayInfo) {
  const micro = (a.doc.dkcMicroVersion as string) ?? a.facts.dkcMicroVersion;
  return {
    ...summary(a),
    mappWebServerHttpsPort: 443,
    rmiPort: 1099,
    dkcMicroVersion: micro,
    detailDkcMicroVersion: micro,
    communicationModes: [{ communicationMode: 'lanConnectionMode' }],
    isSecure: true,
    lanConnectionProtocol: 'DTLS SVP',
    targetCtl: 'CTL1',
    usesSvp: a.facts.family !== 'VSP E',
    isCompressionAccelerationAvailable: false,
  };
}

/** Storage systems, the configuration version, and `storages/instance`. */
export function storageRoutes(app: FastifyInstance, engine: Engine): void {
  app.get(`${CM}/configuration/version`, { config: { auth: 'none' }, schema: { tags: ['configuration'], summary: 'API version' } },
    async () => ({ productName: 'Configuration Manager REST API', apiVersion: '1.22.0' }));

  app.get(`${OBJECTS}/storages`, { config: { auth: 'none' }, schema: { tags, summary: 'List storage systems (no auth)' } },
    async () => ({ data: [...engine.arrays.values()].map(summary) }));

  app.get(`${OBJECTS}/storages/instance`, { schema: { tags, summary: 'This storage system' } }, async (req) =>
    detail(engine.arrays.get(req.vsp.sid)!));

  app.get(`${OBJECTS}/storages/:storageDeviceId`, { schema: { tags, summary: 'A storage system' } }, async (req) => {
    const a = engine.arrays.get(req.vsp.sid);
    if (!a) fail('objectNotFound', { object: `storages/${req.vsp.sid}` });
    return detail(a);
  });
}
