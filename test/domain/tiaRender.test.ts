import { describe, expect, it } from 'vitest';
import { renderPair, renderPairJson, renderReplication, type PairView } from '../../src/domain/pairRender.js';
import type { PairFacts } from '../../src/domain/pairTypes.js';
import { remainingRetentionHours, retentionEnd, retentionLocked } from '../../src/domain/retention.js';
import { openDb } from '../../src/store/db.js';
import { createPairStore } from '../../src/store/pairs.js';

/** The TIA pair object (TIA ref 2.2, 3.2, 4.1) and the retention arithmetic (TIA ref 3). */

const HOUR = 3_600_000;
const tia: PairFacts = {
  pvolLdevId: 0, muNumber: 3, svolLdevId: 1, snapshotGroupName: 'tia', snapshotPoolId: 0, status: 'PSUS', kind: 'snapshot',
  canCascade: true, autoSplit: false, cloneAfterCopy: false, phase: null, isConsistencyGroup: false, copySpeed: 'medium',
  isDataReductionForceCopy: true, splitTime: Date.UTC(2026, 0, 5, 10), isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null,
  isRedirectOnWrite: true, retentionUntil: null,
};
const ONE_B = { retention: true, virtualClone: true };

describe('retention arithmetic', () => {
  it('remaining hours round up, 0 when unset or over; locked only while the end is ahead and only for TIA pairs', () => {
    const until = retentionEnd(0, 24);
    expect(until).toBe(24 * HOUR);
    expect(remainingRetentionHours({ retentionUntil: until }, 0)).toBe(24);
    expect(remainingRetentionHours({ retentionUntil: until }, 1)).toBe(24);
    expect(remainingRetentionHours({ retentionUntil: until }, HOUR)).toBe(23);
    expect(remainingRetentionHours({ retentionUntil: until }, until - 1)).toBe(1);
    expect(remainingRetentionHours({ retentionUntil: until }, until)).toBe(0);
    expect(remainingRetentionHours({ retentionUntil: null }, 0)).toBe(0);
    expect(retentionLocked({ ...tia, retentionUntil: until }, until - 1)).toBe(true);
    expect(retentionLocked({ ...tia, retentionUntil: until }, until)).toBe(false);
    expect(retentionLocked({ ...tia, retentionUntil: null }, 0)).toBe(false);
    expect(retentionLocked({ ...tia, isRedirectOnWrite: false, retentionUntil: until }, 0)).toBe(false);
  });
});

describe('TIA pair object', () => {
  it('isRedirectOnWrite true, no concordanceRate (also while data moves), retentionPeriod and vClone flags where the model has them', () => {
    const out = renderPair({ ...tia, retentionUntil: 5 * HOUR }, 'P-VOL', HOUR, ONE_B);
    expect(out).toMatchObject({ isRedirectOnWrite: true, retentionPeriod: 4, isVirtualCloneVolume: false, isVirtualCloneParentVolume: false });
    expect(out).not.toHaveProperty('concordanceRate');
    const copying = renderPair({ ...tia, status: 'COPY', splitTime: null, phaseStart: 0, dueAt: 10 }, 'S-VOL', 5, ONE_B);
    expect(copying).toMatchObject({ progressRate: 50 });
    expect(copying).not.toHaveProperty('concordanceRate');
    // Without the model facts nothing is added; a TI pair shows no retentionPeriod even on VSP One B.
    expect(renderPair(tia, 'P-VOL', 0)).not.toHaveProperty('retentionPeriod');
    expect(renderPair({ ...tia, isRedirectOnWrite: false }, 'P-VOL', 0, ONE_B)).not.toHaveProperty('retentionPeriod');
    expect(renderReplication(tia, null, 0)).not.toHaveProperty('concordanceRate');
  });

  it('both vClone flags true only when the S-VOL\'s parent is the P-VOL', () => {
    const flags = (v: Partial<PairView>) => {
      const o = renderPair({ ...tia, ...v }, 'P-VOL', 0, ONE_B);
      return [o.isVirtualCloneVolume, o.isVirtualCloneParentVolume];
    };
    expect(flags({ svolParentLdevId: 0 })).toEqual([true, true]);
    expect(flags({ svolParentLdevId: 7 })).toEqual([false, false]);
    expect(flags({ svolParentLdevId: null })).toEqual([false, false]);
    expect(flags({ svolLdevId: null, svolParentLdevId: 0 })).toEqual([false, false]);
  });

  it('the text rendering is byte-identical to the object rendering for TIA variants', () => {
    const variants: PairView[] = [
      tia, { ...tia, retentionUntil: 3 * HOUR + 1 }, { ...tia, svolParentLdevId: 0 }, { ...tia, svolLdevId: null },
      { ...tia, status: 'COPY', splitTime: null, phaseStart: 0, dueAt: 1000 }, { ...tia, isRedirectOnWrite: false },
    ];
    for (const v of variants) for (const role of ['P-VOL', 'S-VOL'] as const) for (const model of [{}, ONE_B, { retention: true }]) {
      expect(renderPairJson(v, role, 400, model)).toBe(JSON.stringify(renderPair(v, role, 400, model)));
    }
  });

  it('the SQL-rendered list leaves TIA rows to the JS rendering; TI rows beside them are unchanged', () => {
    const store = createPairStore(openDb(':memory:'));
    const ti = { ...tia, isRedirectOnWrite: false, svolLdevId: null, muNumber: 0 };
    store.insert({ ...ti, sid: 'S', createdAt: 0 });
    expect(store.listJsonByPvol('S', 0)!.toString('utf8')).toBe(`{"data":[${renderPairJson(store.viewsByPvol('S', 0)[0]!, 'P-VOL', 0)}]}`);
    store.insert({ ...tia, sid: 'S', createdAt: 0 });
    expect(store.listJsonByPvol('S', 0)).toBeNull();
    expect(store.listJsonByPvolAndGroup('S', 0, 'tia')).toBeNull();
    const views = store.viewsByPvol('S', 0);
    expect(views.map((v) => [v.muNumber, v.isRedirectOnWrite, v.retentionUntil, v.svolParentLdevId])).toEqual([[0, false, null, null], [3, true, null, null]]);
  });
});
