import type { PairFacts } from './pairTypes.js';

/**
 * Thin Image Advanced snapshot-data retention (TIA ref 3). Pure: the engine passes the virtual time, so expiry
 * happens when the virtual clock passes `retentionUntil`, lazily, without a timer.
 */

/** Hours a retention period may be set to (TIA ref 3.1: 1-12288). */
export const RETENTION_MIN_HOURS = 1;
export const RETENTION_MAX_HOURS = 12288;
const HOUR_MS = 3_600_000;

/**
 * Whether the pair's snapshot data is under retention at `now`: the array then refuses to delete or resync the
 * pair (TIA ref 3.3, Terraform's checkTIARetention) and its group, and vRestore (TIA ref 4.4).
 */
export function retentionLocked(pair: Pick<PairFacts, 'isRedirectOnWrite' | 'retentionUntil'>, now: number): boolean {
  return pair.isRedirectOnWrite && pair.retentionUntil !== null && pair.retentionUntil > now;
}

/** Remaining whole hours, rounded up; 0 when none is set or it has expired (TIA ref 3.2, simple-API doc text). */
export function remainingRetentionHours(pair: Pick<PairFacts, 'retentionUntil'>, now: number): number {
  if (pair.retentionUntil === null || pair.retentionUntil <= now) return 0;
  return Math.ceil((pair.retentionUntil - now) / HOUR_MS);
}

/** The virtual ms at which a retention of `hours` set at `now` ends. */
export const retentionEnd = (now: number, hours: number): number => now + hours * HOUR_MS;
