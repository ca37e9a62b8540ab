import { VspError, renderError, type CatalogEntry, type ErrorBody } from '../domain/errors.js';
import type { Engine } from '../engine/context.js';
import { poolFacts } from '../engine/ldevs.js';
import { poolStatus, usedRate } from '../domain/pool.js';
import { badRequest, ControlError } from './errors.js';
import type { FaultEffect, FaultRule } from './faults.js';

/**
 * What fault effects do, in the array's own dialect: HTTP errors are catalog rows rendered as VSP error objects,
 * failed jobs carry KART30000-E with the SSB codes asked for, and the domain effects change the model the way the
 * array would (a pool fills up, pairs drop to PSUE).
 */

/** The catalog row an HTTP fault uses when it only names a status. */
const ROW_FOR_STATUS: Record<number, string> = {
  400: 'invalidJson', 401: 'invalidToken', 404: 'objectNotFound', 405: 'methodNotAllowed', 409: 'resourceLocked',
  415: 'unsupportedMediaType', 500: 'internal', 503: 'serverBusy',
};

/** The row a `job` fault uses unless it names another: a storage-side rejection (KART30000-E). */
const JOB_ROW: CatalogEntry = {
  status: 409, messageId: 'KART30000-E', message: 'An error occurred in the storage system. (message = {detail})',
  cause: 'An error occurred during execution of a RAID Manager command.',
  solution: 'Check the status of the storage system and the specified resources, and then try again.',
  solutionType: 'SEE_ERROR_DETAIL', ssb1: '2E10', ssb2: '0000', certainty: 'I', source: 'control-plane job fault',
};

/** The catalog row of a user-given key: own rows only (`toString` or `__proto__` are not rows). */
const rowOf = (engine: Engine, key: string | undefined): CatalogEntry | undefined =>
  (key !== undefined && Object.hasOwn(engine.catalog, key) ? engine.catalog[key] : undefined);

/** Checks at creation that the catalog row a rule names exists. */
export function checkCatalogKey(engine: Engine, effect: FaultEffect): void {
  if (effect.error !== undefined && !rowOf(engine, effect.error)) {
    throw badRequest(`effect.error: no catalog row "${effect.error}" (rows: ${Object.keys(engine.catalog).join(', ')})`);
  }
}

function entryFor(engine: Engine, effect: FaultEffect, base: CatalogEntry): CatalogEntry {
  // A reset to another fixture may have dropped the row a kept rule names: the status's row stands in.
  const row = rowOf(engine, effect.error) ?? base;
  const out: CatalogEntry = { ...row };
  for (const k of ['messageId', 'message', 'cause', 'solution', 'solutionType', 'ssb1', 'ssb2', 'returnCode'] as const) {
    if (effect[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = effect[k];
  }
  if (effect.ssb1 !== undefined && effect.ssb2 === undefined && out.ssb2 === undefined) out.ssb2 = '0000';
  return out;
}

function render(entry: CatalogEntry, vars: Record<string, string | number>, status: number | undefined, source: string) {
  // Placeholders of a user-given message read the variables given, never inherited names ({constructor}).
  const own = Object.assign(Object.create(null) as Record<string, string | number>, vars);
  return renderError({ fault: entry }, new VspError('fault', own, status), source);
}

/** The response of an `http` fault: status, VSP error object, and headers (Retry-After on 503). */
export function httpFaultResponse(engine: Engine, rule: FaultRule, ctx: { path: string; token?: string }) {
  const e = rule.effect;
  const status = e.status ?? rowOf(engine, e.error)?.status ?? 503;
  const base = rowOf(engine, Object.hasOwn(ROW_FOR_STATUS, status) ? ROW_FOR_STATUS[status] : 'internal') ?? engine.catalog.internal!;
  const vars = {
    detail: `injected by vsp-emulator fault ${rule.id}`, token: ctx.token ?? '', object: ctx.path.split('/').slice(-2).join('/'),
    url: ctx.path, method: '', limit: 64, attribute: '-', value: '-', ...(e.vars ?? {}),
  };
  const { body } = render(entryFor(engine, e, base), vars, status, ctx.path);
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined || status === 503) headers['retry-after'] = String(e.retryAfter ?? 10);
  return { status, body, headers };
}

/** The error a `job` fault's job completes with (rendered now, stored with the job, shown when it completes). */
export function jobFaultError(engine: Engine, rule: FaultRule, requestUrl: string): ErrorBody {
  const vars = { detail: rule.effect.message === undefined ? `The command was rejected by the storage system (injected by vsp-emulator fault ${rule.id}).` : '', ...(rule.effect.vars ?? {}) };
  return render(entryFor(engine, rule.effect, JOB_ROW), vars, undefined, requestUrl.split('?')[0]!).body;
}

export interface DomainResult { storageDeviceId: string; pairs: string[]; pool?: { poolId: number; usedRate: number; poolStatus: string } }

/** Checks at creation that a domain effect can work (the array and pool exist, the pair module offers its hook). */
export function checkDomainEffect(engine: Engine, rule: FaultRule, sid: string | undefined): void {
  const e = rule.effect;
  if (e.type === 'pair' && !engine.pairHooks.suspendPairs) {
    throw new ControlError(501, 'notImplemented', 'pair faults need the pair module (engine.pairHooks.suspendPairs is not implemented)');
  }
  if (sid !== undefined && !engine.arrays.has(sid)) throw badRequest(`no array ${sid}`);
  if (e.type === 'pool' && sid !== undefined && !engine.res.getPool(sid, e.poolId!)) throw badRequest(`array ${sid} has no pool ${e.poolId}`);
}

/** Applies a `pair` or `pool` effect to an array now. */
export function applyDomainEffect(engine: Engine, e: FaultEffect, sid: string): DomainResult {
  if (e.type === 'pair') {
    const select = {
      ...(e.pvolLdevId !== undefined ? { pvolLdevId: e.pvolLdevId } : {}), ...(e.muNumber !== undefined ? { muNumber: e.muNumber } : {}),
      ...(e.svolLdevId !== undefined ? { svolLdevId: e.svolLdevId } : {}), ...(e.poolId !== undefined ? { poolId: e.poolId } : {}),
      ...(e.snapshotGroupName !== undefined ? { snapshotGroupName: e.snapshotGroupName } : {}),
    };
    let pairs: string[] = [];
    engine.db.transaction(() => { pairs = engine.pairHooks.suspendPairs!(sid, select); })();
    return { storageDeviceId: sid, pairs };
  }
  // pool: fill it to usedRate % (default 100) with capacity "used by others", then let the pair module react.
  const poolId = e.poolId!;
  const facts = poolFacts(engine, sid, poolId);
  if (!facts) throw badRequest(`array ${sid} has no pool ${poolId}`);
  const rate = e.usedRate ?? 100;
  const target = Math.ceil((facts.totalBlocks * rate) / 100);
  const others = facts.located.used + facts.snapshotUsedBlocks;
  let pairs: string[] = [];
  engine.db.transaction(() => {
    engine.db.prepare('UPDATE pools SET extra_used_blocks = ? WHERE sid = ? AND pool_id = ?').run(Math.max(0, target - others), sid, poolId);
    pairs = engine.pairHooks.poolUsageChanged?.(sid, poolId) ?? [];
  })();
  const after = poolFacts(engine, sid, poolId)!;
  return { storageDeviceId: sid, pairs, pool: { poolId, usedRate: usedRate(after), poolStatus: poolStatus(after) } };
}
