import { formatByteFormat } from './format.js';

/** The LDEV facts the object shows, gathered by the caller from the store. */
export interface LdevView {
  ldevId: number; emulation: string; blocks: number; poolId: number | null; label: string; status: string;
  extraAttrs: string[]; drMode: string; drStatus: string; drs: boolean; fullAlloc: boolean; usedBlocks: number;
  clprId: number; mpBladeId: number; resourceGroupId: number; alua: boolean; relocation: boolean;
  poolType?: string;
  /** vClone parent (TIA ref 4.1): the LDEV is a virtual clone (`VC`) of this one. */
  parentLdevId?: number | null;
}
export interface LdevPortView { portId: string; hostGroupNumber: number; hostGroupName: string; lun: number }

/** SSID of the LDEV's CU (256 LDEVs per CU). */
export function ssidOf(ldevId: number): string {
  return (0x0004 + (ldevId >> 8)).toString(16).toUpperCase().padStart(4, '0');
}

export function naaIdOf(serial: number, ldevId: number): string {
  return `60060e80${serial.toString(16).padStart(8, '0')}50400000${ldevId.toString(16).padStart(8, '0')}`;
}

/**
 * `attributes` as the array lists them: CVS, then HDP/HDT for DP volumes or VVOL for a Thin Image V-VOL
 * (the V-VOL spelling is inferred [I], ref 7.1), DRS for data-reduction shared volumes, VC on a virtual clone
 * (TIA ref 4.1), attributes other features add (`more`, e.g. VCP on a vClone parent), HTI while in a pair. The order
 * after DRS is not in the public material [I].
 */
export function ldevAttributes(l: LdevView, hti: boolean, more: readonly string[] = []): string[] {
  const out = ['CVS'];
  if (l.poolId === null) out.push('VVOL');
  else out.push(l.poolType === 'HDT' ? 'HDT' : 'HDP');
  if (l.drs) out.push('DRS');
  if (l.parentLdevId !== undefined && l.parentLdevId !== null) out.push('VC');
  for (const a of l.extraAttrs) if (!out.includes(a)) out.push(a);
  for (const a of more) if (!out.includes(a)) out.push(a);
  if (hti) out.push('HTI');
  return out;
}

/** Fields another feature adds to an LDEV object; `attributes` in them are appended to the LDEV's own (before HTI). */
export type LdevExtra = Record<string, unknown> & { attributes?: readonly string[] };

/** The LDEV object of `GET ldevs/{id}` for a defined LDEV. */
export function renderLdev(
  l: LdevView, serial: number, ports: LdevPortView[], pair: { hti: boolean; snapshotPoolId?: number }, extra?: LdevExtra,
) {
  const { attributes: moreAttributes, ...extraFields } = extra ?? {};
  const out: Record<string, unknown> = {
    ldevId: l.ldevId,
    clprId: l.clprId,
    emulationType: l.emulation,
    byteFormatCapacity: formatByteFormat(l.blocks),
    blockCapacity: l.blocks,
    numOfPorts: ports.length,
  };
  if (ports.length > 0) out.ports = ports;
  out.attributes = ldevAttributes(l, pair.hti, Array.isArray(moreAttributes) ? moreAttributes : []);
  out.label = l.label;
  out.status = l.status;
  out.mpBladeId = l.mpBladeId;
  out.ssid = ssidOf(l.ldevId);
  if (l.poolId !== null) {
    out.poolId = l.poolId;
    out.numOfUsedBlock = l.usedBlocks;
    out.isFullAllocationEnabled = l.fullAlloc;
    out.isRelocationEnabled = l.relocation;
  }
  out.resourceGroupId = l.resourceGroupId;
  out.dataReductionStatus = l.drStatus;
  out.dataReductionMode = l.drMode;
  out.isAluaEnabled = l.alua;
  out.naaId = naaIdOf(serial, l.ldevId);
  if (pair.snapshotPoolId !== undefined) out.snapshotPoolId = pair.snapshotPoolId;
  if (extra) Object.assign(out, extraFields);
  return out;
}

/** An undefined LDEV slot: 200 with `emulationType: "NOT DEFINED"` (ref 1.7). */
export function renderUndefinedLdev(ldevId: number) {
  return { ldevId, emulationType: 'NOT DEFINED', ssid: ssidOf(ldevId), resourceGroupId: 0 };
}

export const DATA_REDUCTION_MODES = ['disabled', 'compression', 'compression_deduplication'] as const;
