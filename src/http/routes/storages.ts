import type { FastifyInstance } from 'fastify';
import type { ArrayInfo, Engine } from '../../engine/context.js';
import { CM, OBJECTS, fail } from '../vsp.js';
import Type from 'typebox';
import { pathStr, readResponses } from '../schemas/common.js';

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
  // The two public reads need no credentials, so they never answer 401.
  app.get(`${CM}/configuration/version`, {
    config: { auth: 'none' },
    schema: { tags: ['configuration'], operationId: 'getApiVersion', summary: 'API version', response: readResponses('ApiVersion', 'The product and API version.', [401]) },
  },
    async () => ({ productName: 'Configuration Manager REST API', apiVersion: '1.22.0' }));

  app.get(`${OBJECTS}/storages`, {
    config: { auth: 'none' },
    schema: { tags, operationId: 'listStorages', summary: 'List storage systems (no auth)', response: readResponses('StorageList', 'The storage systems.', [401]) },
  },
    async () => ({ data: [...engine.arrays.values()].map(summary) }));

  app.get(`${OBJECTS}/storages/instance`, {
    schema: { tags, operationId: 'getStorageInstance', summary: 'This storage system', response: readResponses('Storage', 'The storage system.') },
  }, async (req) =>
    detail(engine.arrays.get(req.vsp.sid)!));

  app.get(`${OBJECTS}/storages/:storageDeviceId`, {
    schema: {
      tags, operationId: 'getStorage', summary: 'A storage system',
      params: Type.Object({ storageDeviceId: pathStr('The array, e.g. 936000123456.', { pattern: '^[0-9]{12}$' }) }),
      response: readResponses('Storage', 'The storage system.'),
    },
  }, async (req) => {
    const a = engine.arrays.get(req.vsp.sid);
    if (!a) fail('objectNotFound', { object: `storages/${req.vsp.sid}` });
    return detail(a);
  });
}
