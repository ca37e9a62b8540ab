import { describe, expect, it } from 'vitest';
import { renderPairJson } from '../../src/domain/pairRender.js';
import type { PairFacts } from '../../src/domain/pairTypes.js';
import { openDb } from '../../src/store/db.js';
import { createPairStore } from '../../src/store/pairs.js';

/** The list answer SQLite renders (store.listJsonByPvol) must be byte for byte the JS rendering of the same rows. */
describe('SQL-rendered pair lists', () => {
  const base: PairFacts = {
    pvolLdevId: 100, muNumber: 0, svolLdevId: null, snapshotGroupName: 'snapshotGroup', snapshotPoolId: 10, status: 'PSUS', kind: 'snapshot',
    canCascade: false, autoSplit: false, cloneAfterCopy: false, phase: null, isConsistencyGroup: true, copySpeed: 'medium',
    isDataReductionForceCopy: false, splitTime: Date.UTC(2015, 2, 20, 9, 27, 35), isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null,
    isRedirectOnWrite: false, retentionUntil: null,
  };
  const setup = (facts: PairFacts[]) => {
    const store = createPairStore(openDb(':memory:'));
    // Inserted in reverse mu order, so the answer's order comes from ORDER BY, not from insertion.
    for (const f of [...facts].reverse()) store.insert({ ...f, sid: 'S', createdAt: 0 });
    return store;
  };
  const jsList = (store: ReturnType<typeof createPairStore>, pvol: number) =>
    `{"data":[${store.viewsByPvol('S', pvol).map((v) => renderPairJson(v, 'P-VOL', 400)).join(',')}]}`;

  it('matches renderPairJson for every static variant, in mu order', () => {
    const odd = ['quote " and \\ back', 'tab\tnl\ncr\r\u0001\u001f\u007f', 'é 😀 \u2028\u2029', ''];
    const listed: PairFacts[] = [
      base, { ...base, svolLdevId: 7, splitTime: null }, { ...base, status: 'PAIR', splitTime: null, isConsistencyGroup: false },
      { ...base, kind: 'clone', status: 'PSUS', canCascade: true }, { ...base, isWrittenInSvol: true, canCascade: true },
      { ...base, splitTime: Date.UTC(2015, 2, 20, 9, 27, 35) + 999 }, { ...base, splitTime: 0 }, { ...base, splitTime: -1 }, { ...base, splitTime: -1001 },
      { ...base, splitTime: -62135596800000 } /* 0001-01-01 */, { ...base, splitTime: Date.UTC(9999, 11, 31, 23, 59, 59, 999) },
      { ...base, status: 'PSUE' }, { ...base, status: 'PFUL' }, { ...base, status: 'SMPP', phase: 'delete', phaseStart: 0, dueAt: 10 },
      { ...base, status: 'PSUP', kind: 'snapshot', phaseStart: 0, dueAt: 10 },
      ...odd.map((snapshotGroupName) => ({ ...base, snapshotGroupName })),
    ];
    const variants = listed.map((v, mu) => ({ ...v, muNumber: mu * 3 }));
    const store = setup(variants);
    const sql = store.listJsonByPvol('S', 100);
    expect(sql).not.toBeNull();
    expect(sql!.toString('utf8')).toBe(jsList(store, 100));
    for (const g of odd) {
      const js = `{"data":[${store.viewsByPvolAndGroup('S', 100, g).map((v) => renderPairJson(v, 'P-VOL', 400)).join(',')}]}`;
      expect(store.listJsonByPvolAndGroup('S', 100, g)!.toString('utf8')).toBe(js);
    }
  });

  it('an empty list is {"data":[]}', () => {
    expect(setup([base]).listJsonByPvol('S', 5)!.toString('utf8')).toBe('{"data":[]}');
  });

  it('leaves lists with data moving (progress depends on the clock) to the JS rendering', () => {
    for (const moving of [
      { ...base, status: 'COPY' as const, phaseStart: 0, dueAt: 1000 }, { ...base, status: 'RCPY' as const, phaseStart: 0, dueAt: 1000 },
      { ...base, kind: 'clone' as const, status: 'PSUP' as const, phaseStart: 0, dueAt: 10 },
    ]) {
      expect(setup([base, { ...moving, muNumber: 1 }]).listJsonByPvol('S', 100)).toBeNull();
    }
  });

  it('leaves a split time that is not an integer, or out of years 0001-9999, to the JS rendering', () => {
    expect(setup([{ ...base, splitTime: 1.5e12 + 0.5 }]).listJsonByPvol('S', 100)).toBeNull();
    expect(setup([{ ...base, splitTime: Date.UTC(10000, 0, 1) }]).listJsonByPvol('S', 100)).toBeNull();
    expect(setup([{ ...base, splitTime: -62135596800001 }]).listJsonByPvol('S', 100)).toBeNull();
  });
});
