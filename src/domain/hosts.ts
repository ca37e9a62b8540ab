/**
 * Pure rules and wire shapes for ports, host groups (iSCSI targets), host WWNs, host iSCSI names and LU paths.
 * Field names and shapes follow the REST API reference extract (pve rest-api-extract.md §6, §8), the Terraform
 * provider's Go structs (storage_ports_types.go, hostgroup_types.go, iscsi_target_types.go) and what the Cinder
 * HBSD driver reads; where those leave a value open the choice is a row of HOST_FIDELITY below.
 */

/** Host modes the array accepts (doc extract §8.1). */
export const HOST_MODES = ['HP-UX', 'SOLARIS', 'AIX', 'WIN', 'LINUX/IRIX', 'TRU64', 'OVMS', 'NETWARE', 'VMWARE', 'VMWARE_EX', 'WIN_EX'] as const;

/** `portType` filter values of GET ports (doc extract §8.5, plus FCoE which Cinder accepts as FC). */
export const PORT_TYPES = ['FIBRE', 'SCSI', 'ISCSI', 'ENAS', 'ESCON', 'FICON', 'FCoE', 'HNASS', 'HNASU', 'NVME_TCP'] as const;
export const PORT_ATTRIBUTES = ['TAR', 'MCU', 'RCU', 'ELUN'] as const;
export const AUTH_MODES = ['CHAP', 'NONE', 'BOTH'] as const;

/**
 * Choices the public evidence leaves open, overridable from a fixture's `fidelity:` section (same row names).
 * The README fidelity notes list them.
 */
export interface HostFidelity {
  /**
   * DELETE host-groups on a group that still has LU paths: 'cascade' removes the paths with the group, 'refuse'
   * fails the job (hostGroupHasLuns) [I: Ansible's delete_host_group deletes a populated group without first
   * removing its LU paths unless asked to delete the volumes too; Cinder only deletes groups it found empty].
   */
  hostGroupDeleteWithLuPaths: 'cascade' | 'refuse';
  /** DELETE host-groups/{port},0: 'reset' empties and renames it to its default, 'refuse' fails (hostGroupZero) [I]. */
  hostGroupZeroDelete: 'reset' | 'refuse';
  /** Host WWNs one port holds across its host groups [I]. */
  maxWwnsPerPort: number;
  /** Host iSCSI names one port holds across its iSCSI targets [I]. */
  maxIscsiNamesPerPort: number;
  /** Highest LUN in a host group [C: cinder-horcm MAX_HLUN = 2047]. */
  maxLun: number;
  /** Highest host group number on a port [C: doc extract §8.1, 0-254]. */
  maxHostGroupNumber: number;
  /** `detailInfoType=logins` lists every registered host WWN / iSCSI name as logged in (there is no fabric) [I]. */
  loginsShowRegisteredHosts: boolean;
}

export const HOST_FIDELITY: HostFidelity = {
  hostGroupDeleteWithLuPaths: 'cascade',
  hostGroupZeroDelete: 'reset',
  maxWwnsPerPort: 255,
  maxIscsiNamesPerPort: 255,
  maxLun: 2047,
  maxHostGroupNumber: 254,
  loginsShowRegisteredHosts: true,
};

/** The host rows of the engine's fidelity table, defaults filled in. */
export function hostFidelity(table: Record<string, unknown>): HostFidelity {
  const out = { ...HOST_FIDELITY };
  for (const k of Object.keys(HOST_FIDELITY) as Array<keyof HostFidelity>) {
    if (table[k] !== undefined) (out as Record<string, unknown>)[k] = table[k];
  }
  return out;
}

/** `2100000E1E000001`, `21:00:00:0e:1e:00:00:01` → `2100000e1e000001`; anything else → null. */
export function normalizeWwn(raw: string): string | null {
  const s = raw.replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{16}$/.test(s) ? s : null;
}

/**
 * An iSCSI name in iqn/eui/naa form (RFC 3720), at most 223 characters. Commas are refused because they would
 * break the comma-joined object id (`CL1-B,1,<iscsiName>`).
 */
export function isIscsiName(s: string): boolean {
  if (s.length > 223 || /[\s,]/.test(s)) return false;
  return /^iqn\.\d{4}-\d{2}\.[^.].*$/i.test(s) || /^eui\.[0-9a-f]{16}$/i.test(s) || /^naa\.[0-9a-f]{16}([0-9a-f]{16})?$/i.test(s);
}

/** Longest host group name: 64 for FC host groups, 32 for iSCSI targets (doc extract §8.1). */
export function maxHostGroupNameLength(portType: string): number {
  return portType === 'ISCSI' ? 32 : 64;
}

/** `hostModeOptions: [-1]` clears the options (doc extract §8.2; Ansible set_host_mode sends it). */
export function resolveHostModeOptions(opts: number[]): number[] {
  if (opts.length === 1 && opts[0] === -1) return [];
  return [...new Set(opts)].sort((a, b) => a - b);
}

/** Lowest number in [from, to] not in `used`, or -1. */
export function lowestFree(used: Iterable<number>, from: number, to: number): number {
  const taken = new Set(used);
  for (let i = from; i <= to; i++) if (!taken.has(i)) return i;
  return -1;
}

// ---------------------------------------------------------------- wire shapes

export interface PortView { portId: string; type: string; doc: Record<string, unknown>; lunSecurity: boolean }
export interface HostGroupView {
  portId: string; hgNumber: number; name: string; hostMode: string; hostModeOptions: number[];
  iscsiName: string | null; authMode: string;
}
export interface LoginView { hostGroupId: string; loginWwn?: string; loginIscsiName?: string; nickname: string }

/** Fixture keys that are stored in columns or rendered specially, never echoed from the port document. */
const PORT_DOC_RESERVED = new Set(['portId', 'portType', 'lunSecuritySetting', 'hostGroups', 'portAttributes', 'tcpPort', 'wwn']);

/**
 * The port object. FC ports show the fields Cinder and Terraform read (portSpeed, loopId, fabricMode,
 * portConnection, lunSecuritySetting, wwn); iSCSI ports add ipv4Address/ipv4Subnetmask/tcpPort, which Cinder
 * reads from `GET ports/{id}` to build the portal. `tcpPort` is a string as in Cinder's canned response and
 * Ansible's PortInfo model [I]. Other keys of the fixture's port entry are shown as given.
 */
export function renderPort(p: PortView, detail: { logins?: LoginView[]; portMode?: boolean } = {}) {
  const fc = p.type === 'FIBRE' || p.type === 'FCoE';
  const d = p.doc;
  const out: Record<string, unknown> = {
    portId: p.portId,
    portType: p.type,
    portAttributes: Array.isArray(d.portAttributes) ? d.portAttributes : ['TAR', 'MCU', 'RCU', 'ELUN'],
    portSpeed: d.portSpeed ?? (fc ? 'AUT' : '10G'),
    loopId: d.loopId ?? (fc ? 'EF' : '00'),
    fabricMode: d.fabricMode ?? fc,
  };
  if (fc) out.portConnection = d.portConnection ?? 'PtoP';
  out.lunSecuritySetting = p.lunSecurity;
  // A fixture WWN left unquoted in YAML arrives as a number (or null): show none rather than a wrong one.
  if (fc && typeof d.wwn === 'string') out.wwn = d.wwn.toLowerCase();
  if (p.type === 'ISCSI') {
    if (d.ipv4Address !== undefined) out.ipv4Address = d.ipv4Address;
    if (d.ipv4Subnetmask !== undefined) out.ipv4Subnetmask = d.ipv4Subnetmask;
    out.tcpPort = String(d.tcpPort ?? 3260);
  }
  for (const [k, v] of Object.entries(d)) if (!PORT_DOC_RESERVED.has(k) && !(k in out) && v !== null) out[k] = v;
  if (detail.portMode) out.portMode = d.portMode ?? (fc ? 'FCP-SCSI' : 'NOT SUPPORTED');
  if (detail.logins) {
    out.logins = detail.logins.map((l) => (l.loginWwn !== undefined
      ? { loginWwn: l.loginWwn, wwnNickName: l.nickname, hostGroupId: l.hostGroupId, isLoggedIn: true }
      : { loginIscsiName: l.loginIscsiName, iscsiNickName: l.nickname, hostGroupId: l.hostGroupId, isLoggedIn: true }));
  }
  return out;
}

/** `hostGroupId` is `portId,hostGroupNumber` (doc extract §8.1). */
export const hostGroupId = (portId: string, hg: number) => `${portId},${hg}`;

/**
 * The host group (iSCSI target) object: the fields Terraform's HostGroupGwy/IscsiTargetGwy and Cinder read.
 * `hostModeOptions` is left out when none are set (Ansible reads it with .get) [I]; iSCSI targets add their
 * target IQN `iscsiName` and `authenticationMode`.
 */
export function renderHostGroup(h: HostGroupView, portType: string, opts: { resourceGroup?: boolean } = {}) {
  const out: Record<string, unknown> = {
    hostGroupId: hostGroupId(h.portId, h.hgNumber),
    portId: h.portId,
    hostGroupNumber: h.hgNumber,
    hostGroupName: h.name,
    hostMode: h.hostMode,
  };
  if (h.hostModeOptions.length > 0) out.hostModeOptions = h.hostModeOptions;
  if (portType === 'ISCSI') {
    if (h.iscsiName) out.iscsiName = h.iscsiName;
    out.authenticationMode = h.authMode;
  }
  if (opts.resourceGroup) out.resourceGroupId = 0;
  return out;
}

/** A free host group number in `GET host-groups?isUndefined=true` (Ansible looks for `isDefined: false`). */
export function renderUndefinedHostGroup(portId: string, hg: number, opts: { resourceGroup?: boolean } = {}) {
  const out: Record<string, unknown> = { hostGroupId: hostGroupId(portId, hg), portId, hostGroupNumber: hg, isDefined: false };
  if (opts.resourceGroup) out.resourceGroupId = 0;
  return out;
}

/** The host WWN object (`hostWwnId` = `portId,hostGroupNumber,hostWwn`; doc extract §8.4, Terraform HostWwnDetail). */
export function renderHostWwn(h: HostGroupView, wwn: string, nickname: string) {
  return {
    hostWwnId: `${h.portId},${h.hgNumber},${wwn}`,
    portId: h.portId,
    hostGroupNumber: h.hgNumber,
    hostGroupName: h.name,
    hostWwn: wwn,
    wwnNickname: nickname,
  };
}

/** The host iSCSI name object (`hostIscsiId` = `portId,hostGroupNumber,iscsiName`; Terraform IscsiNameInformation). */
export function renderHostIscsi(h: HostGroupView, iscsiName: string, nickname: string) {
  return {
    hostIscsiId: `${h.portId},${h.hgNumber},${iscsiName}`,
    portId: h.portId,
    hostGroupNumber: h.hgNumber,
    hostGroupName: h.name,
    iscsiName,
    iscsiNickname: nickname,
  };
}

/** `lunId` is `portId,hostGroupNumber,lun` (doc extract §6.1). */
export const lunId = (portId: string, hg: number, lun: number) => `${portId},${hg},${lun}`;

/**
 * The LU path object (doc extract §6.1). `isBasicLunInformation=true` keeps to the basic fields; otherwise
 * `luHostReserve` (no reservations are emulated) and the host group's `hostModeOptions` follow. `lunOption=ALUA`
 * adds `isAluaEnabled` (the LDEV's setting) and `asymmetricAccessState` (always Active/Optimized [I]).
 */
export function renderLun(l: { portId: string; hgNumber: number; lun: number; ldevId: number }, hg: HostGroupView,
  opts: { basic?: boolean; alua?: boolean; ldevAlua?: boolean } = {}) {
  const out: Record<string, unknown> = {
    lunId: lunId(l.portId, l.hgNumber, l.lun),
    portId: l.portId,
    hostGroupNumber: l.hgNumber,
    hostMode: hg.hostMode,
    lun: l.lun,
    ldevId: l.ldevId,
    isCommandDevice: false,
  };
  if (!opts.basic) {
    out.luHostReserve = { openSystem: false, persistent: false, pgrKey: false, mainframe: false, acaReserve: false };
    if (hg.hostModeOptions.length > 0) out.hostModeOptions = hg.hostModeOptions;
  }
  if (opts.alua) {
    out.isAluaEnabled = opts.ldevAlua ?? false;
    out.asymmetricAccessState = 'Active/Optimized';
  }
  return out;
}
