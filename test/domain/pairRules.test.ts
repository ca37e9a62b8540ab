import { describe, expect, it } from 'vitest';
import { VspError } from '../../src/domain/errors.js';
import { DEFAULT_TABLES } from '../../src/domain/pairMatrix.js';
import { progressOf, renderPair, renderPairJson, renderReplication } from '../../src/domain/pairRender.js';
import { allocateCtgId, judgeCreate, lowestFreeMu, normalizeCreateBody, type CreateBody, type CreateFacts, type CreateOptions, type CreatePairRequest } from '../../src/domain/pairRules.js';
import { PAIR_LIMITS, type PairFacts } from '../../src/domain/pairTypes.js';

const base: CreateBody = { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0 };
const keyOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { return (e as VspError).key; }
  return 'none';
};

describe('create body rules (400 before a job exists)', () => {
  const norm = (b: Partial<CreateBody>, policy: 'rejectWithCtg' | 'reject' | 'accept' = 'rejectWithCtg') =>
    normalizeCreateBody({ ...base, ...b }, PAIR_LIMITS, policy);

  it('defaults: canCascade follows isClone, copySpeed medium, nulls mean not given', () => {
    expect(norm({ svolLdevId: null, muNumber: null, retentionPeriod: null, autoSplit: null })).toEqual({
      snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, autoSplit: false, canCascade: false, isClone: false,
      clonesAutomation: false, copySpeed: 'medium', isDataReductionForceCopy: false,
    });
    expect(norm({ isClone: true, svolLdevId: 5 }).canCascade).toBe(true);
    expect(norm({ isClone: true, svolLdevId: 5, clonesAutomation: true, copySpeed: 'FASTER' }).copySpeed).toBe('faster');
  });
  it('refuses the combinations the doc forbids', () => {
    expect(keyOf(() => norm({ isClone: true }))).toBe('invalidCombination');
    expect(keyOf(() => norm({ isClone: true, svolLdevId: 5, canCascade: false }))).toBe('invalidParameterCombination');
    expect(keyOf(() => norm({ clonesAutomation: true }))).toBe('invalidParameterCombination');
    expect(keyOf(() => norm({ isClone: true, svolLdevId: 5, copySpeed: 'medium' }))).toBe('invalidParameterCombination');
    expect(keyOf(() => norm({ isClone: true, svolLdevId: 5, clonesAutomation: true, copySpeed: 'warp' }))).toBe('invalidValue');
    expect(keyOf(() => norm({ retentionPeriod: 24, autoSplit: true }))).toBe('invalidParameterCombination');
    expect(keyOf(() => norm({ muNumber: 1024 }))).toBe('invalidValue');
    expect(keyOf(() => norm({ snapshotGroupName: 'x'.repeat(33) }))).toBe('invalidValue');
    expect(keyOf(() => norm({ snapshotGroupName: '' }))).toBe('invalidValue');
  });
  it('isClone + autoSplit: refused with CTG, else the copy starts at creation (E590H), per policy', () => {
    expect(keyOf(() => norm({ isClone: true, svolLdevId: 5, autoSplit: true, isConsistencyGroup: true }))).toBe('invalidParameterCombination');
    expect(norm({ isClone: true, svolLdevId: 5, autoSplit: true })).toMatchObject({ autoSplit: false, clonesAutomation: true });
    expect(keyOf(() => norm({ isClone: true, svolLdevId: 5, autoSplit: true }, 'reject'))).toBe('invalidParameterCombination');
    expect(norm({ isClone: true, svolLdevId: 5, autoSplit: true, isConsistencyGroup: true }, 'accept').clonesAutomation).toBe(true);
  });
});

describe('storage-side create rules', () => {
  const req: CreatePairRequest = { snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, autoSplit: true, canCascade: true, isClone: false, clonesAutomation: false, copySpeed: 'medium', isDataReductionForceCopy: true };
  const vol = (ldevId: number, extra = {}) => ({ ldevId, blocks: 100, isVvol: false, capacitySaving: false, luPaths: 0, ...extra });
  const facts = (f: Partial<CreateFacts> = {}): CreateFacts => ({
    pool: { type: 'HTI', isMainframe: false, overWarning: false }, pvol: vol(0), svol: null, atMu: null, usedMus: [],
    pvolHasVvolPairs: false, pvolHasCascadePairs: false, parent: null, svolPair: null, svolIsPvol: false, group: null,
    groupCount: 0, ctgCount: 0, ctgSamePvol: false, ctgSameTree: false, clonesBusy: 0, ...f,
  });
  const opts: CreateOptions = { limits: PAIR_LIMITS, tables: DEFAULT_TABLES, luPathsForNonCascade: true, clonePolicy: 'queue' };
  const pair = (p: Partial<PairFacts>): PairFacts => ({
    pvolLdevId: 0, muNumber: 0, svolLdevId: null, snapshotGroupName: 'g', snapshotPoolId: 1, status: 'PAIR', kind: 'snapshot',
    canCascade: true, autoSplit: false, cloneAfterCopy: false, phase: null, isConsistencyGroup: false, copySpeed: 'medium',
    isDataReductionForceCopy: true, splitTime: null, isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null,
    isRedirectOnWrite: false, retentionUntil: null, ...p,
  });
  const judged = (f: Partial<CreateFacts>, r: Partial<CreatePairRequest> = {}, o: Partial<CreateOptions> = {}) =>
    judgeCreate({ ...req, ...r }, facts(f), { ...opts, ...o });

  it('assigns the lowest free MU and creates the group when new', () => {
    expect(judged({ usedMus: [0, 1, 3] })).toEqual({ kind: 'create', mu: 2, newGroup: true, isCtg: false });
    expect(lowestFreeMu([], 1023)).toBe(0);
    expect(lowestFreeMu(Array.from({ length: 1024 }, (_, i) => i), 1023)).toBe(-1);
  });
  const refusals: Array<[string, Partial<CreateFacts>, Partial<CreatePairRequest>?, Partial<CreateOptions>?]> = [
    ['invalidSnapshotPool', { pool: null }],
    ['invalidSnapshotPool', { pool: { type: 'HDT', isMainframe: false, overWarning: false } }],
    ['invalidSnapshotPool', { pool: { type: 'HDP', isMainframe: true, overWarning: false } }],
    ['ldevNotDefined', { pvol: null }],
    ['pvolIsVvol', { pvol: vol(0, { isVvol: true }) }],
    ['ldevNotDefined', {}, { svolLdevId: 5 }],
    ['sameVolume', { svol: vol(0) }, { svolLdevId: 0 }],
    ['muInUse', { atMu: pair({ status: 'PSUS' }) }, { muNumber: 0 }],
    ['nonCascadeSvolAsPvol', { parent: { ...pair({ canCascade: false }), layer: 1 } }],
    ['cascadeParentRefused', { parent: { ...pair({ status: 'COPY' }), layer: 1 } }],
    ['cascadeLayerLimit', { parent: { ...pair({ status: 'PSUS' }), layer: 64 } }],
    ['svolInUse', { svol: vol(5), svolPair: pair({}) }, { svolLdevId: 5 }],
    ['svolInUse', { svol: vol(5), svolIsPvol: true }, { svolLdevId: 5 }],
    ['volumeSizeMismatch', { svol: vol(5, { blocks: 99 }) }, { svolLdevId: 5 }],
    ['svolNotDpVolume', { svol: vol(5, { isVvol: true }) }, { svolLdevId: 5 }],
    ['vvolCascadeMix', { svol: vol(5, { isVvol: true, luPaths: 1 }), pvolHasCascadePairs: true, pvol: vol(0, { luPaths: 1 }) }, { svolLdevId: 5, canCascade: false }],
    ['vvolCascadeMix', { pvolHasVvolPairs: true }],
    ['pvolNoLuPath', {}, { canCascade: false }],
    ['svolNoLuPath', { pvol: vol(0, { luPaths: 1 }), svol: vol(5, { isVvol: true }) }, { svolLdevId: 5, canCascade: false }],
    ['drForceCopyRequired', { pvol: vol(0, { capacitySaving: true }) }, { isDataReductionForceCopy: false }],
    ['pvolPairLimit', { usedMus: Array.from({ length: 1024 }, (_, i) => i) }],
    ['poolThresholdExceeded', { pool: { type: 'HTI', isMainframe: false, overWarning: true } }],
    ['groupModeMismatch', { group: { isCtg: false, pairCount: 1 } }, { isConsistencyGroup: true }],
    ['maxPairsInCtgExceeded', { group: { isCtg: true, pairCount: 8192 } }],
    ['maxPairsInGroupExceeded', { group: { isCtg: false, pairCount: 8192 } }],
    ['maxCtgExceeded', { ctgCount: 2048 }, { isConsistencyGroup: true }],
    ['maxGroupsExceeded', { groupCount: 2048 }],
    ['ctgPairConflict', { group: { isCtg: true, pairCount: 1 }, ctgSamePvol: true }],
    ['ctgPairConflict', { group: { isCtg: true, pairCount: 1 }, ctgSameTree: true }],
    ['cloneCopyLimit', { svol: vol(5), clonesBusy: 3 }, { svolLdevId: 5, isClone: true, clonesAutomation: true, autoSplit: false }, { clonePolicy: 'refuse' }],
  ];
  for (const [key, f, r, o] of refusals) {
    it(`refuses with ${key} (${JSON.stringify({ ...f, ...r }).slice(0, 90)})`, () => {
      const v = judged(f, r, o);
      expect(v.kind).toBe('refuse');
      expect(v.kind === 'refuse' && v.key).toBe(key);
    });
  }
  it('an explicit MU whose pair is in COPY is an accepted no-op (YN) for a repeat of its create', () => {
    expect(judged({ atMu: pair({ status: 'COPY' }) }, { muNumber: 0 })).toEqual({ kind: 'noop', mu: 0 });
    expect(judged({ atMu: pair({ status: 'COPY', phase: 'create', autoSplit: true }) }, { muNumber: 0 })).toEqual({ kind: 'noop', mu: 0 });
  });
  const others: Array<[string, Partial<PairFacts>, Partial<CreatePairRequest>]> = [
    ['another S-VOL', { svolLdevId: 7 }, { svolLdevId: 8 }],
    ['an S-VOL where the pair has none', {}, { svolLdevId: 8 }],
    ['another group', {}, { snapshotGroupName: 'h' }],
    ['another pool', {}, { snapshotPoolId: 2 }],
    ['another canCascade', {}, { canCascade: false }],
    ['another CTG mode', {}, { isConsistencyGroup: true }],
    ['another isDataReductionForceCopy', {}, { isDataReductionForceCopy: false }],
    ['another autoSplit during the create COPY', { phase: 'create', autoSplit: false }, { autoSplit: true }],
  ];
  for (const [what, p, r] of others) {
    it(`an explicit MU whose pair is in COPY refuses a create with ${what} (muInUse)`, () => {
      const v = judged({ atMu: pair({ status: 'COPY', ...p }), svol: r.svolLdevId === undefined ? null : vol(r.svolLdevId) }, { muNumber: 0, ...r });
      expect(v).toEqual({ kind: 'refuse', key: 'muInUse', vars: { pair: '0,0', status: 'COPY' } });
    });
  }
  it('a group keeps its CTG mode when the request does not say', () => {
    expect(judged({ group: { isCtg: true, pairCount: 3 } })).toMatchObject({ kind: 'create', newGroup: false, isCtg: true });
  });
  it('CTG ids: 128-2047 first, then 0-127', () => {
    expect(allocateCtgId([])).toBe(128);
    expect(allocateCtgId(Array.from({ length: 1920 }, (_, i) => i + 128))).toBe(0);
  });
});

describe('pair object', () => {
  const p: PairFacts = {
    pvolLdevId: 100, muNumber: 3, svolLdevId: null, snapshotGroupName: 'snapshotGroup', snapshotPoolId: 10, status: 'PSUS', kind: 'snapshot',
    canCascade: false, autoSplit: false, cloneAfterCopy: false, phase: null, isConsistencyGroup: true, copySpeed: 'medium',
    isDataReductionForceCopy: false, splitTime: Date.UTC(2015, 2, 20, 9, 27, 35), isWrittenInSvol: false, phaseStart: null, dueAt: null, queuedAt: null,
    isRedirectOnWrite: false, retentionUntil: null,
  };
  it('matches the doc example (HCSR0283) field for field, svolLdevId omitted without S-VOL', () => {
    expect(renderPair(p, 'P-VOL', 0)).toEqual({
      snapshotGroupName: 'snapshotGroup', primaryOrSecondary: 'P-VOL', status: 'PSUS', pvolLdevId: 100, muNumber: 3, snapshotPoolId: 10,
      concordanceRate: 100, isConsistencyGroup: true, isWrittenInSvol: false, isClone: false, canCascade: false, isRedirectOnWrite: false,
      splitTime: '2015-03-20T09:27:35', snapshotId: '100,3', pvolProcessingStatus: 'N', snapshotDataReadOnly: false,
    });
  });
  it('S-VOL role shows svolProcessingStatus; progressRate only while data moves', () => {
    const copying = { ...p, status: 'COPY' as const, svolLdevId: 101, splitTime: null, phaseStart: 1000, dueAt: 3000 };
    const out = renderPair(copying, 'S-VOL', 2000);
    expect(out).toMatchObject({ primaryOrSecondary: 'S-VOL', svolLdevId: 101, progressRate: 50, concordanceRate: 50, svolProcessingStatus: 'N' });
    expect(out).not.toHaveProperty('pvolProcessingStatus');
    expect(out).not.toHaveProperty('splitTime');
    expect(progressOf({ phaseStart: null, dueAt: null, queuedAt: 5 }, 10)).toBe(0);
    expect(progressOf({ phaseStart: 0, dueAt: 10, queuedAt: null }, 50)).toBe(99);
  });
  it('the text rendering of the list path is byte-identical to the object rendering', () => {
    const variants: PairFacts[] = [
      p, { ...p, svolLdevId: 7, splitTime: null }, { ...p, status: 'COPY', phaseStart: 0, dueAt: 1000 }, { ...p, kind: 'clone', status: 'PSUP', phaseStart: 0, dueAt: 10, queuedAt: null },
      { ...p, kind: 'clone', status: 'PSUP', queuedAt: 3 }, { ...p, snapshotGroupName: 'quote " and \\ back', isWrittenInSvol: true, canCascade: true },
    ];
    for (const v of variants) for (const role of ['P-VOL', 'S-VOL'] as const) {
      expect(renderPairJson(v, role, 400)).toBe(JSON.stringify(renderPair(v, role, 400)));
    }
  });

  it('snapshot-replications item', () => {
    expect(renderReplication({ ...p, svolLdevId: 101 }, 130, 0)).toEqual({
      snapshotReplicationId: '100,3', snapshotGroupName: 'snapshotGroup', pvolLdevId: 100, muNumber: 3, snapshotPoolId: 10, svolLdevId: 101,
      consistencyGroupId: 130, status: 'PSUS', concordanceRate: 100, isRedirectOnWrite: false, isClone: false, canCascade: false,
      splitTime: '2015-03-20T09:27:35',
    });
  });
});
