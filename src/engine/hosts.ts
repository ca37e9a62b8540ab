import { VspError } from '../domain/errors.js';
import { hostFidelity, hostGroupId, lowestFree, resolveHostModeOptions, type HostFidelity } from '../domain/hosts.js';
import { defaultHostGroupName, iscsiTargetName } from '../store/fixture.js';
import type { HostGroupRow, PortRow, ResourceStore } from '../store/resources.js';
import type { Engine } from './context.js';

const err = (key: string, vars: Record<string, string | number> = {}) => new VspError(key, vars);

/** The host rows of the fidelity table (fixture overrides included). */
export const hostRules = (engine: Engine): HostFidelity => hostFidelity(engine.fidelity);

/** The port, or KART30013-E (synchronous 404 from a route, or the error of a job whose port went away). */
export function requirePort(res: Pick<ResourceStore, 'getPort'>, sid: string, portId: string): PortRow {
  const port = res.getPort(sid, portId);
  if (!port) throw err('objectNotFound', { object: `ports/${portId}` });
  return port;
}

/** The host group (iSCSI target), or KART30013-E. */
export function requireHostGroup(res: Pick<ResourceStore, 'getHostGroup'>, sid: string, portId: string, hg: number): HostGroupRow {
  const row = res.getHostGroup(sid, portId, hg);
  if (!row) throw err('objectNotFound', { object: `host-groups/${hostGroupId(portId, hg)}` });
  return row;
}

export const isFibre = (p: PortRow) => p.type === 'FIBRE' || (p.type as string) === 'FCoE';

export interface CreateHostGroupParams {
  portId: string; hostGroupNumber?: number; hostGroupName: string; hostMode?: string; hostModeOptions?: number[]; iscsiName?: string;
}
export interface ModifyHostGroupParams {
  portId: string; hostGroupNumber: number; hostGroupName?: string; hostMode?: string; hostModeOptions?: number[]; authenticationMode?: string;
}
export interface HostInitiatorParams { portId: string; hostGroupNumber: number; name: string; nickname?: string }

/** Registers the host group (iSCSI target), host WWN and host iSCSI name commands. */
export function registerHostCommands(engine: Engine): void {
  const { res } = engine;

  engine.jobs.register('hostGroup.create', ({ sid, params }) => {
    const p = params as CreateHostGroupParams;
    const rules = hostRules(engine);
    const port = requirePort(res, sid, p.portId);
    if (p.iscsiName !== undefined && port.type !== 'ISCSI') throw err('portTypeMismatch');
    // With LUN security off every host sees host group 0; the array has no other groups on such a port [I].
    if (!port.lunSecurity) throw err('lunSecurityDisabled');
    const groups = res.listHostGroups(sid, p.portId);
    let hg: number;
    if (p.hostGroupNumber !== undefined) {
      if (groups.some((g) => g.hgNumber === p.hostGroupNumber)) throw err('hostGroupNumberInUse');
      hg = p.hostGroupNumber;
    } else {
      // Number 0 always exists, so the lowest free number is searched from 1.
      hg = lowestFree(groups.map((g) => g.hgNumber), 1, rules.maxHostGroupNumber);
      if (hg < 0) throw err('noFreeHostGroup');
    }
    if (groups.some((g) => g.name === p.hostGroupName)) throw err('hostGroupNameInUse');
    let iscsiName: string | null = null;
    if (port.type === 'ISCSI') {
      iscsiName = p.iscsiName ?? iscsiTargetName(engine.arrays.get(sid)!.serial, p.portId, hg);
      // Cinder names the target after the host's IQN on every port, so a target name is unique per port only.
      if (groups.some((g) => g.iscsiName === iscsiName)) throw err('iscsiTargetNameInUse');
    }
    res.insertHostGroup({
      sid, portId: p.portId, hgNumber: hg, name: p.hostGroupName, hostMode: p.hostMode ?? 'LINUX/IRIX',
      hostModeOptions: resolveHostModeOptions(p.hostModeOptions ?? []), iscsiName, authMode: 'NONE',
    });
    return [`host-groups/${hostGroupId(p.portId, hg)}`];
  });

  engine.jobs.register('hostGroup.modify', ({ sid, params }) => {
    const p = params as ModifyHostGroupParams;
    const port = requirePort(res, sid, p.portId);
    const h = requireHostGroup(res, sid, p.portId, p.hostGroupNumber);
    if (p.authenticationMode !== undefined && port.type !== 'ISCSI') throw err('portTypeMismatch');
    if (p.hostGroupName !== undefined && p.hostGroupName !== h.name && res.getHostGroupByName(sid, p.portId, p.hostGroupName)) {
      throw err('hostGroupNameInUse');
    }
    res.updateHostGroup({
      ...h,
      name: p.hostGroupName ?? h.name,
      hostMode: p.hostMode ?? h.hostMode,
      hostModeOptions: p.hostModeOptions !== undefined ? resolveHostModeOptions(p.hostModeOptions) : h.hostModeOptions,
      authMode: p.authenticationMode ?? h.authMode,
    });
    return [`host-groups/${hostGroupId(p.portId, p.hostGroupNumber)}`];
  });

  engine.jobs.register('hostGroup.delete', ({ sid, params }) => {
    const p = params as { portId: string; hostGroupNumber: number };
    const rules = hostRules(engine);
    const port = requirePort(res, sid, p.portId);
    const h = requireHostGroup(res, sid, p.portId, p.hostGroupNumber);
    if (h.hgNumber === 0 && rules.hostGroupZeroDelete === 'refuse') throw err('hostGroupZero');
    const luns = res.lunsOfHostGroup(sid, p.portId, p.hostGroupNumber);
    if (luns.length > 0 && rules.hostGroupDeleteWithLuPaths === 'refuse') throw err('hostGroupHasLuns');
    // Removing the group removes its LU paths, so each must be removable (e.g. not the last path of a snapshot
    // P-VOL). The hook is asked before anything is deleted, so its path counts include these paths.
    for (const l of luns) {
      const busy = engine.pairHooks.ldevBusyReason(sid, l.ldevId, 'unmap');
      if (busy) throw err(busy);
    }
    res.deleteLunsOfHostGroup(sid, p.portId, p.hostGroupNumber);
    res.deleteHostGroup(sid, p.portId, p.hostGroupNumber);
    if (h.hgNumber === 0) {
      // Host group 0 cannot disappear: deleting it returns it to the state the array ships it in.
      res.insertHostGroup({
        sid, portId: p.portId, hgNumber: 0, name: defaultHostGroupName(p.portId), hostMode: 'LINUX/IRIX', hostModeOptions: [],
        iscsiName: port.type === 'ISCSI' ? iscsiTargetName(engine.arrays.get(sid)!.serial, p.portId, 0) : null, authMode: 'NONE',
      });
    }
    return [`host-groups/${hostGroupId(p.portId, p.hostGroupNumber)}`];
  });

  // ---- host WWNs (FC) ----
  engine.jobs.register('hostWwn.create', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    const port = requirePort(res, sid, p.portId);
    if (!isFibre(port)) throw err('portTypeMismatch');
    requireHostGroup(res, sid, p.portId, p.hostGroupNumber);
    // A WWN belongs to one host group per port: that is how the port decides which LUNs the host sees.
    if (res.findHostWwnOnPort(sid, p.portId, p.name)) throw err('wwnAlreadyRegistered');
    if (res.countWwnsOnPort(sid, p.portId) >= hostRules(engine).maxWwnsPerPort) throw err('exceedWwnMax');
    res.insertHostWwn(sid, p.portId, p.hostGroupNumber, p.name, '-');
    return [`host-wwns/${p.portId},${p.hostGroupNumber},${p.name}`];
  });

  engine.jobs.register('hostWwn.modify', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    requireHostWwn(res, sid, p);
    res.updateHostWwn(sid, p.portId, p.hostGroupNumber, p.name, p.nickname || '-');
    return [`host-wwns/${p.portId},${p.hostGroupNumber},${p.name}`];
  });

  engine.jobs.register('hostWwn.delete', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    requireHostWwn(res, sid, p);
    res.deleteHostWwn(sid, p.portId, p.hostGroupNumber, p.name);
    return [`host-wwns/${p.portId},${p.hostGroupNumber},${p.name}`];
  });

  // ---- host iSCSI names ----
  engine.jobs.register('hostIscsi.create', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    const port = requirePort(res, sid, p.portId);
    if (port.type !== 'ISCSI') throw err('portTypeMismatch');
    requireHostGroup(res, sid, p.portId, p.hostGroupNumber);
    if (res.findHostIscsiOnPort(sid, p.portId, p.name)) throw err('hostIscsiAlreadyRegistered');
    if (res.countIscsisOnPort(sid, p.portId) >= hostRules(engine).maxIscsiNamesPerPort) throw err('exceedIscsiNameMax');
    res.insertHostIscsi(sid, p.portId, p.hostGroupNumber, p.name, '-');
    return [`host-iscsis/${p.portId},${p.hostGroupNumber},${p.name}`];
  });

  engine.jobs.register('hostIscsi.modify', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    requireHostIscsi(res, sid, p);
    res.updateHostIscsi(sid, p.portId, p.hostGroupNumber, p.name, p.nickname || '-');
    return [`host-iscsis/${p.portId},${p.hostGroupNumber},${p.name}`];
  });

  engine.jobs.register('hostIscsi.delete', ({ sid, params }) => {
    const p = params as HostInitiatorParams;
    requireHostIscsi(res, sid, p);
    res.deleteHostIscsi(sid, p.portId, p.hostGroupNumber, p.name);
    return [`host-iscsis/${p.portId},${p.hostGroupNumber},${p.name}`];
  });
}

/** The registered WWN with its nickname, or KART30013-E. */
export function requireHostWwn(res: ResourceStore, sid: string, p: { portId: string; hostGroupNumber: number; name: string }) {
  const found = res.findHostWwnOnPort(sid, p.portId, p.name);
  if (!found || found.hgNumber !== p.hostGroupNumber) {
    throw err('objectNotFound', { object: `host-wwns/${p.portId},${p.hostGroupNumber},${p.name}` });
  }
  return found;
}

/** The registered iSCSI name with its nickname, or KART30013-E. */
export function requireHostIscsi(res: ResourceStore, sid: string, p: { portId: string; hostGroupNumber: number; name: string }) {
  const found = res.findHostIscsiOnPort(sid, p.portId, p.name);
  if (!found || found.hgNumber !== p.hostGroupNumber) {
    throw err('objectNotFound', { object: `host-iscsis/${p.portId},${p.hostGroupNumber},${p.name}` });
  }
  return found;
}
