import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { step, type PairEvent } from '../../src/domain/pairMachine.js';
import { CASCADE_MATRIX, decide, DEFAULT_TABLES, REFUSAL_FORM } from '../../src/domain/pairMatrix.js';
import { PAIR_STATUSES, type PairKind, type PairOp, type PairStatus } from '../../src/domain/pairTypes.js';
import type { PairSpec } from '../../src/store/pairs.js';
import { act, createPair, del, expectError, expectJobFailed, expectSucceeded, fixtureWith, SID, startWith, statusOf, type TestApp } from './snapshotKit.js';

/**
 * Tests generated from the pair machine and the acceptance matrix, driven through HTTP: every refused (N) and
 * no-op (YN) cell answers in its refusal form and changes nothing; every Y cell and every array-side edge moves
 * the pair where `step()` says, and the timed phase then ends where the machine says.
 */

const KINDS: PairKind[] = ['snapshot', 'clone'];
const STATUS_INDEX = new Map(PAIR_STATUSES.map((s, i) => [s, i]));
/** P-VOL / S-VOL of the fixture pair of (kind, status); 300+ are free volumes for assign and create. */
const pvolOf = (kind: PairKind, s: PairStatus) => 100 + (kind === 'clone' ? 20 : 0) + STATUS_INDEX.get(s)!;
const svolOf = (kind: PairKind, s: PairStatus) => pvolOf(kind, s) + 100;
const FREE = 300;

const ldevsFor = (ids: number[]) => ids.map((ldevId) => ({ ldevId }));
const allVolumes = () => ldevsFor([...Array.from({ length: 40 }, (_, i) => 100 + i), ...Array.from({ length: 40 }, (_, i) => 200 + i), ...Array.from({ length: 10 }, (_, i) => FREE + i)]);

function spec(kind: PairKind, status: PairStatus, extra: Partial<PairSpec> = {}): PairSpec {
  return {
    pvolLdevId: pvolOf(kind, status), muNumber: 0, svolLdevId: svolOf(kind, status), snapshotGroupName: `m-${kind}-${status}`,
    snapshotPoolId: 1, status, isClone: kind === 'clone', canCascade: true, ...extra,
  };
}

/** The create body that repeats the fixture pair of (kind, status): the only create a YN cell accepts. */
const repeatBody = (kind: PairKind, status: PairStatus) => ({
  snapshotGroupName: `m-${kind}-${status}`, snapshotPoolId: 1, pvolLdevId: pvolOf(kind, status), muNumber: 0,
  svolLdevId: svolOf(kind, status), canCascade: true,
});

/** Sends the matrix column's operation on the pair through HTTP. */
function send(t: TestApp, kind: PairKind, op: PairOp, pvol: number, mu: number): Promise<Response> {
  const status = PAIR_STATUSES.find((s) => pvolOf(kind, s) === pvol);
  switch (op) {
    case 'create': return createPair(t, status ? repeatBody(kind, status) : { snapshotGroupName: 'again', snapshotPoolId: 1, pvolLdevId: pvol, muNumber: mu, canCascade: true });
    case 'createClone': return createPair(t, { snapshotGroupName: 'again', snapshotPoolId: 1, pvolLdevId: pvol, muNumber: mu, svolLdevId: FREE + 9, isClone: true });
    case 'split': return act(t, pvol, mu, 'split');
    case 'resync': return act(t, pvol, mu, 'resync', { parameters: { autoSplit: false } });
    case 'restore': return act(t, pvol, mu, 'restore', { parameters: { autoSplit: false } });
    case 'clone': return act(t, pvol, mu, 'clone', { parameters: { copySpeed: 'faster' } });
    case 'assign': return act(t, pvol, mu, 'assign-volume', { parameters: { svolLdevId: FREE } });
    case 'unassign': return act(t, pvol, mu, 'unassign-volume');
    case 'delete': return del(t, pvol, mu);
  }
}

/** The refusal a matrix N cell produces, in its form (ref 6.3 + the refusal table). */
function expectRefused(r: Response, kind: PairKind, op: PairOp, cascade = false): void {
  if (op === 'create' || op === 'createClone') return expectJobFailed(r, cascade ? '2E32' : '2E31', cascade ? '0003' : '0004');
  if (REFUSAL_FORM[op] === 'sync412') {
    expectError(r, 412, op === 'split' ? 'KART30094-E' : 'KART30095-E');
    return;
  }
  const mismatch = (op === 'split' && kind === 'clone') || (op === 'clone' && kind === 'snapshot');
  expectJobFailed(r, '2E32', cascade ? '0003' : mismatch ? '0004' : '0002');
}

describe('every N and YN cell of the acceptance matrix, through HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    const pairs = KINDS.flatMap((k) => PAIR_STATUSES.map((s) => spec(k, s)));
    t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs }));
  });
  afterAll(async () => { await t.close(); });

  for (const kind of KINDS) {
    for (const status of PAIR_STATUSES) {
      for (const op of ['create', 'createClone', 'split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete'] as PairOp[]) {
        const cell = decide(DEFAULT_TABLES, kind, status, op);
        if (cell === 'Y') continue;
        it(`${kind} pair in ${status}: ${op} is ${cell}`, async () => {
          const pvol = pvolOf(kind, status);
          const r = await send(t, kind, op, pvol, 0);
          if (cell === 'YN') {
            expectSucceeded(r);
            expect(r.body.affectedResources[0]).toMatch(new RegExp(`/snapshots/${pvol},0$`));
            // The no-op covers only the repeat of the pair's own create: another group on that MU is refused.
            if (op === 'create') expectRefused(await createPair(t, { ...repeatBody(kind, status), snapshotGroupName: 'again' }), kind, op);
          } else {
            expectRefused(r, kind, op);
          }
          expect(await statusOf(t, pvol, 0)).toBe(status);
        });
      }
    }
  }
});

describe('cascaded pairs: the upper pair\'s status gates the lower pair, through HTTP', () => {
  const blocked = (Object.entries(CASCADE_MATRIX.snapshot) as Array<[PairStatus, Record<PairOp, string>]>)
    .filter(([, row]) => row.split === 'N').map(([s]) => s);
  for (const parent of blocked) {
    it(`upper pair ${parent}: split/resync on the lower pair refused, its delete accepted as a no-op, no new lower pair`, async () => {
      const t = await startWith(fixtureWith({
        ldevs: ldevsFor([100, 200, 201, 202, 203]),
        pairs: [
          { pvolLdevId: 100, muNumber: 0, svolLdevId: 200, snapshotGroupName: 'a', snapshotPoolId: 1, status: parent, canCascade: true },
          { pvolLdevId: 200, muNumber: 0, svolLdevId: 201, snapshotGroupName: 'b', snapshotPoolId: 1, status: 'PAIR', canCascade: true },
          { pvolLdevId: 200, muNumber: 1, svolLdevId: 202, snapshotGroupName: 'b', snapshotPoolId: 1, status: 'PSUS', canCascade: true },
        ],
      }));
      try {
        const split = await act(t, 200, 0, 'split');
        expectError(split, 412, 'KART30094-E');
        expect(split.body.message).toContain(`upper pair = 100,0, status = ${parent}`);
        expectRefused(await act(t, 200, 1, 'resync', { parameters: {} }), 'snapshot', 'resync', true);
        expectSucceeded(await del(t, 200, 0));
        expect(await statusOf(t, 200, 0)).toBe('PAIR');
        expectRefused(await createPair(t, { snapshotGroupName: 'c', snapshotPoolId: 1, pvolLdevId: 200, svolLdevId: 203, canCascade: true, isDataReductionForceCopy: true }), 'snapshot', 'create', true);
      } finally { await t.close(); }
    });
  }
});

/** An HTTP-driven Y cell: where the machine says the pair goes, and where its timed phase ends. */
describe('every Y cell moves the pair where the machine says, through HTTP', () => {
  const opEvent = (op: PairOp): PairEvent => {
    switch (op) {
      case 'resync': case 'restore': return { type: op, autoSplit: false };
      default: return { type: op as 'split' };
    }
  };
  for (const kind of KINDS) {
    for (const status of PAIR_STATUSES) {
      for (const op of ['split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete'] as PairOp[]) {
        if (decide(DEFAULT_TABLES, kind, status, op) !== 'Y') continue;
        const noSvol = op === 'assign';
        const ctx = { kind, canCascade: true, autoSplit: false, cloneAfterCopy: false, phase: null };
        const expected = step(status, ctx, opEvent(op));
        it(`${kind} ${status} --${op}--> ${expected.status}${expected.context.phase ? ` (${expected.context.phase})` : ''}`, async () => {
          const t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs: [spec(kind, status, noSvol ? { svolLdevId: undefined } : {})] }));
          try {
            const pvol = pvolOf(kind, status);
            expectSucceeded(await send(t, kind, op, pvol, 0));
            const now = await statusOf(t, pvol, 0);
            expect(now).toBe(expected.status === 'GONE' ? undefined : expected.status);
            if (expected.context.phase) {
              const after = step(expected.status, expected.context, { type: 'timer' });
              t.advance(60);
              const final = after.status === 'SMPP' ? (t.advance(5), undefined) : after.status === 'GONE' ? undefined : after.status;
              expect(await statusOf(t, pvol, 0)).toBe(final);
            }
            if (op === 'assign') expect((await t.http.get(`/ConfigurationManager/v1/objects/snapshots/${pvol},0`).set(t.auth)).body.svolLdevId).toBe(FREE);
            if (op === 'unassign') expect((await t.http.get(`/ConfigurationManager/v1/objects/snapshots/${pvol},0`).set(t.auth)).body).not.toHaveProperty('svolLdevId');
          } finally { await t.close(); }
        });
      }
    }
  }

  it('snapshot PSUS --delete--> gone at once when the pair has no cascade attribute', async () => {
    const t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs: [spec('snapshot', 'PSUS', { canCascade: false })] }));
    try {
      expectSucceeded(await del(t, pvolOf('snapshot', 'PSUS'), 0));
      expect(await statusOf(t, pvolOf('snapshot', 'PSUS'), 0)).toBeUndefined();
    } finally { await t.close(); }
  });
});

describe('timed phases and array-side events, from fixture statuses', () => {
  // autoSplit: the phase ends in PAIR, which the array splits after the pair.autoSplitHold (12 s).
  const timed: Array<[PairKind, PairStatus, Partial<PairSpec>, string | undefined, string?]> = [
    ['snapshot', 'COPY', {}, 'PAIR'],
    ['snapshot', 'COPY', { autoSplit: true }, 'PAIR', 'PSUS'],
    ['clone', 'COPY', { clonesAutomation: true }, 'PSUP'],
    ['snapshot', 'RCPY', {}, 'PAIR'],
    ['snapshot', 'RCPY', { autoSplit: true }, 'PAIR', 'PSUS'],
    ['clone', 'PSUP', {}, 'SMPP'],
    ['snapshot', 'SMPP', {}, undefined],
    ['snapshot', 'PSUP', {}, 'PSUS'],
    ['snapshot', 'CPYP', {}, 'PSUS'],
  ];
  for (const [kind, status, extra, to, held] of timed) {
    it(`${kind} ${status}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''} ends in ${to ?? 'no pair'}${held ? ` then ${held}` : ''} when its phase is over`, async () => {
      const t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs: [spec(kind, status, extra)] }));
      try {
        const pvol = pvolOf(kind, status);
        expect(await statusOf(t, pvol, 0)).toBe(status);
        // clone copy of 10 GiB at medium: 20 s; every other phase is shorter.
        t.advance(kind === 'clone' && status === 'PSUP' ? 20 : 3.2);
        expect(await statusOf(t, pvol, 0)).toBe(to);
        if (held) {
          t.advance(12);
          expect(await statusOf(t, pvol, 0)).toBe(held);
        }
      } finally { await t.close(); }
    });
  }

  const poolEvents: Array<[PairStatus, number, string]> = [
    ['PAIR', 85, 'PFUL'], ['PSUS', 85, 'PFUS'], ['PFUL', 10, 'PAIR'], ['PFUS', 10, 'PSUS'],
    ['PAIR', 100, 'PSUE'], ['PSUS', 100, 'PSUE'], ['COPY', 100, 'PSUE'], ['RCPY', 100, 'PSUE'], ['PFUL', 100, 'PSUE'], ['PFUS', 100, 'PSUE'],
  ];
  for (const [status, rate, to] of poolEvents) {
    it(`pool used ${rate} %: a ${status} pair becomes ${to}`, async () => {
      const t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs: [spec('snapshot', status)] }));
      try {
        const pool = t.engine.res.getPool(SID, 1)!;
        t.engine.db.prepare('UPDATE pools SET extra_used_blocks = ? WHERE sid = ? AND pool_id = 1').run(Math.ceil((pool.totalBlocks * rate) / 100), SID);
        expect(t.engine.pairHooks.poolUsageChanged!(SID, 1)).toEqual([`${pvolOf('snapshot', status)},0`]);
        expect(await statusOf(t, pvolOf('snapshot', status), 0)).toBe(to);
      } finally { await t.close(); }
    });
  }

  for (const kind of KINDS) {
    it(`a ${kind} pair's failure (control-plane pair fault) suspends it: PSUE, copy slot released`, async () => {
      const status: PairStatus = kind === 'clone' ? 'PSUP' : 'PAIR';
      const t = await startWith(fixtureWith({ ldevs: allVolumes(), pairs: [spec(kind, status)] }));
      try {
        expect(t.engine.pairHooks.suspendPairs!(SID, { pvolLdevId: pvolOf(kind, status) })).toEqual([`${pvolOf(kind, status)},0`]);
        const r = (await t.http.get(`/ConfigurationManager/v1/objects/snapshots/${pvolOf(kind, status)},0`).set(t.auth)).body;
        expect(r.status).toBe('PSUE');
        expect(r).not.toHaveProperty('progressRate');
      } finally { await t.close(); }
    });
  }
});
