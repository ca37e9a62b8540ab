import { VspError } from '../domain/errors.js';
import { lowestFree, lunId } from '../domain/hosts.js';
import type { Engine } from './context.js';
import { hostRules, requireHostGroup, requirePort } from './hosts.js';

const err = (key: string, vars: Record<string, string | number> = {}) => new VspError(key, vars);

export interface CreateLunParams { portIds: string[]; hostGroupNumber: number; ldevId: number; lun?: number }
export interface LunKey { portId: string; hostGroupNumber: number; lun: number }

/** Registers the LU path commands: map an LDEV to a LUN on one to six ports, and unmap. */
export function registerLunCommands(engine: Engine): void {
  const { res } = engine;

  engine.jobs.register('lun.create', ({ sid, params }) => {
    const p = params as CreateLunParams;
    const groups = p.portIds.map((portId) => {
      requirePort(res, sid, portId);
      return requireHostGroup(res, sid, portId, p.hostGroupNumber);
    });
    if (!res.ldevExists(sid, p.ldevId)) throw err('ldevNotDefined');
    const lunsPerGroup = groups.map((g) => res.lunsOfHostGroup(sid, g.portId, g.hgNumber));
    // An LDEV has at most one LUN in a host group; Cinder ignores this SSB and then looks the LUN up (_LU_PATH_DEFINED).
    if (lunsPerGroup.some((luns) => luns.some((l) => l.ldevId === p.ldevId))) throw err('luPathAlreadyDefined');
    let lun: number;
    if (p.lun !== undefined) {
      if (lunsPerGroup.some((luns) => luns.some((l) => l.lun === p.lun))) throw err('lunInUse');
      lun = p.lun;
    } else {
      // One LUN for every port of the request (multipath hosts expect the same LUN on each path): the lowest
      // number free in all the host groups.
      lun = lowestFree(lunsPerGroup.flat().map((l) => l.lun), 0, hostRules(engine).maxLun);
      if (lun < 0) throw err('noFreeLun');
    }
    for (const g of groups) res.insertLun({ sid, portId: g.portId, hgNumber: g.hgNumber, lun, ldevId: p.ldevId });
    return groups.map((g) => `luns/${lunId(g.portId, g.hgNumber, lun)}`);
  });

  engine.jobs.register('lun.delete', ({ sid, params }) => {
    const p = params as LunKey;
    const row = res.getLun(sid, p.portId, p.hostGroupNumber, p.lun);
    if (!row) throw err('objectNotFound', { object: `luns/${lunId(p.portId, p.hostGroupNumber, p.lun)}` });
    // Asked before the path goes, so a pair module counting the LDEV's paths still sees this one.
    const busy = engine.pairHooks.ldevBusyReason(sid, row.ldevId, 'unmap');
    if (busy) throw err(busy);
    res.deleteLun(sid, p.portId, p.hostGroupNumber, p.lun);
    return [`luns/${lunId(p.portId, p.hostGroupNumber, p.lun)}`];
  });
}
