import { VspError, type ErrorBody } from './errors.js';
import { blocksToMiB, rfc3339 } from './format.js';
import type { PairStatus } from './pairTypes.js';

/**
 * The simple API (`/ConfigurationManager/simple/v1`, TIA ref 6) as pure functions: the snapshot, command-status and
 * volume objects, and the lenient query parsing of the snapshot list. One model underneath: a simple snapshot IS the
 * Thin Image pair `{masterVolumeId},{snapshotId}` = `{pvolLdevId},{muNumber}` (TIA ref 6.4).
 */

export const SIMPLE = '/ConfigurationManager/simple/v1';
export const SIMPLE_OBJECTS = `${SIMPLE}/objects`;

export type SnapshotType = 'Snapshot' | 'Mapped Snapshot' | 'Snap Clone';
export const SNAPSHOT_TYPES: readonly SnapshotType[] = ['Snapshot', 'Mapped Snapshot', 'Snap Clone'];

/** An entry of `operationDetails` (TIA ref 6.2, doc-sae commandstatus-object). */
export interface OperationDetail { operationType: 'CREATE' | 'UPDATE' | 'DELETE'; resourceType: string; resourceId: string }

/**
 * `status` of a simple snapshot per pair status. Only `Completed` is in the public material (PSUS/PFUS, TIA ref 6.4);
 * the rest is our choice [I], overridable row by row through fidelity.simpleSnapshotStatus. SMPP (being deleted) is
 * not listed: the snapshot is gone for the simple API once its delete has been accepted by the pair.
 */
export const DEFAULT_SIMPLE_STATUS: Record<Exclude<PairStatus, 'SMPP'>, string> = {
  PSUS: 'Completed', PFUS: 'Completed',
  COPY: 'Processing', PAIR: 'Processing', PSUP: 'Processing', CPYP: 'Processing',
  RCPY: 'Restoring',
  PSUE: 'Error', PFUL: 'Error',
};

/** What the simple snapshot object shows, gathered by the engine from the pair store. */
export interface SimpleSnapshotView {
  pvolLdevId: number; muNumber: number; svolLdevId: number | null; snapshotGroupName: string; snapshotPoolId: number;
  status: PairStatus; kind: 'snapshot' | 'clone'; splitTime: number | null; createdAt: number; retentionUntil: number | null;
  rootVolumeId: number;
}

export function snapshotTypeOf(p: Pick<SimpleSnapshotView, 'kind' | 'svolLdevId'>): SnapshotType {
  if (p.kind === 'clone') return 'Snap Clone';
  return p.svolLdevId === null ? 'Snapshot' : 'Mapped Snapshot';
}

/** `YYYY-MM-DDThh:mm:ssZ` (doc-sae example `2015-03-20T09:27:35Z`). */
export const simpleDate = rfc3339;

/**
 * The simple snapshot object (TIA ref 6.4), fields in the doc example's order. `mappedVolumeId` only when a volume is
 * mapped: Ansible's delete with should_delete_svol would otherwise delete `volumes/-1` (TIA ref 6.6) [I].
 * `snapshotDate` is the split time, or the creation time while the first copy runs [I]; `usedCapacityPerRootVolume`
 * is not modelled per tree and shows 0 [I]; `retentionPeriod` is the remaining hours, 0 when none (TIA ref 3.2).
 */
export function renderSimpleSnapshot(p: SimpleSnapshotView, now: number, statusMap: Record<string, string>) {
  const out: Record<string, unknown> = {
    id: `${p.pvolLdevId},${p.muNumber}`,
    masterVolumeId: p.pvolLdevId,
    snapshotId: p.muNumber,
    status: statusMap[p.status] ?? DEFAULT_SIMPLE_STATUS[p.status as keyof typeof DEFAULT_SIMPLE_STATUS] ?? 'Processing',
    snapshotDate: simpleDate(p.splitTime ?? p.createdAt),
    snapshotGroupName: p.snapshotGroupName,
  };
  if (p.svolLdevId !== null) out.mappedVolumeId = p.svolLdevId;
  out.rootVolumeId = p.rootVolumeId;
  out.type = snapshotTypeOf(p);
  out.poolId = p.snapshotPoolId;
  out.usedCapacityPerRootVolume = 0;
  out.isVolumeCapacityExpanding = false;
  out.retentionPeriod = p.retentionUntil !== null && p.retentionUntil > now ? Math.ceil((p.retentionUntil - now) / 3_600_000) : 0;
  return out;
}

// ---- the command-status object (TIA ref 6.2) ----

export interface CommandStatusView {
  id: number;
  progress: 'unexecuted' | 'processing' | 'completed';
  status: 'normal' | 'error' | null;
  resource: string;
  affected: string[]; details: OperationDetail[]; error: ErrorBody | null;
}

/**
 * The commandStatus object. `errorCode` carries the SSB codes lower-case as the doc example shows (`2e11`); an error
 * without SSB codes (a storage-independent refusal) shows none [I].
 */
export function renderCommandStatus(c: CommandStatusView) {
  const out: Record<string, unknown> = { id: c.id, progress: c.progress };
  if (c.progress === 'completed' && c.status) out.status = c.status;
  if (c.progress === 'completed' && c.status === 'normal') out.affectedResources = c.affected;
  if (c.progress === 'completed' && c.status === 'error') {
    out.errorResource = c.resource;
    const code = c.error?.errorCode;
    if (code?.SSB1) out.errorCode = { SSB1: code.SSB1.toLowerCase(), SSB2: (code.SSB2 ?? '0000').toLowerCase() };
    out.errorMessage = c.error?.message ?? 'The command ended abnormally.';
  }
  out.operationDetails = c.details;
  return out;
}

// ---- the volume object (S10; fields Ansible's SalamanderSimpleVolumeInfo reads) ----

export interface SimpleVolumeView {
  ldevId: number; label: string; poolId: number | null; poolName: string | null; blocks: number; usedBlocks: number;
  drMode: string; drs: boolean; servers: number; snapshots: number; isSnapshotVolume: boolean; parentLdevId: number | null;
}

/** `savingSetting` from the LDEV's dataReductionMode [I: the simple API's spelling of the three modes]. */
export function savingSettingOf(drMode: string): string {
  switch (drMode.toLowerCase()) {
    case 'compression': return 'COMPRESSION';
    case 'compression_deduplication': return 'DEDUPLICATION_AND_COMPRESSION';
    default: return 'DISABLE';
  }
}

/** The simple volume object: capacities in MiB; `nickname` is the LDEV label. */
export function renderSimpleVolume(v: SimpleVolumeView) {
  const total = blocksToMiB(v.blocks);
  const used = blocksToMiB(v.usedBlocks);
  const saving = savingSettingOf(v.drMode);
  const out: Record<string, unknown> = {
    id: v.ldevId,
    nickname: v.label,
    poolId: v.poolId ?? -1,
    poolName: v.poolName ?? '',
    totalCapacity: total,
    freeCapacity: Math.max(0, total - used),
    usedCapacity: used,
    reservedCapacity: 0,
    savingSetting: saving,
    isDataReductionShareEnabled: v.drs,
    capacitySavingStatus: saving === 'DISABLE' ? 'Disabled' : 'Enabled',
    numberOfConnectingServers: v.servers,
    numberOfSnapshots: v.snapshots,
    volumeTypes: v.isSnapshotVolume ? ['Snapshot'] : [],
  };
  if (v.parentLdevId !== null) out.parentVolumeId = v.parentLdevId;
  return out;
}

// ---- lenient query parsing (Ansible builds query strings by hand, un-encoded: TIA ref 6.1) ----

const bad = (attribute: string, value: string) => new VspError('invalidValue', { attribute, value });

/** A decimal integer in [min, max] from a query value, or the VSP 400. */
export function queryInt(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) throw bad(name, value);
  return Number(s);
}

/** `YYYY-MM-DDThh:mm:ssZ` to virtual ms (a missing `Z` is tolerated, read as UTC). */
export function queryDate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z?\s*$/.exec(value);
  if (!m) throw bad(name, value);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw bad(name, value);
  return ms;
}

/** `"mvol,snapId"` (S1 startId, S8 startSnapshotId). */
export function queryStartId(value: string | undefined, name: string): { pvol: number; mu: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (!m) throw bad(name, value);
  return { pvol: Number(m[1]), mu: Number(m[2]) };
}

/** Whether (pvol, mu) is at or after the start id, in the list's order (master volume, then snapshot id). */
export function atOrAfter(p: { pvolLdevId: number; muNumber: number }, start: { pvol: number; mu: number }): boolean {
  return p.pvolLdevId > start.pvol || (p.pvolLdevId === start.pvol && p.muNumber >= start.mu);
}

/**
 * Snapshot group names the simple API accepts (Ansible's doc-derived rule, TIA ref 6.3): 1-32 of
 * `0-9A-Za-z ,-./:@\_`, no leading or trailing space, no leading `-`.
 */
export const SIMPLE_GROUP_NAME = /^(?! )(?!.* $)(?!-)[0-9A-Za-z ,\-./:@\\_]{1,32}$/;
