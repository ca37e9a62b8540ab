import { describe, expect, it } from 'vitest';
import { machineEdges, step, type PairEvent } from '../../src/domain/pairMachine.js';
import { CASCADE_MATRIX, CLONE_MATRIX, decide, DEFAULT_TABLES, patchTables, SNAPSHOT_MATRIX } from '../../src/domain/pairMatrix.js';
import { PAIR_STATUSES, type PairKind, type PairMachineContext, type PairOp, type PairStatus } from '../../src/domain/pairTypes.js';

const ctx = (kind: PairKind, extra: Partial<PairMachineContext> = {}): PairMachineContext =>
  ({ kind, canCascade: true, autoSplit: false, cloneAfterCopy: false, phase: null, ...extra });

/** The machine event a matrix column sends on an existing pair. */
const EVENT_OF: Partial<Record<PairOp, PairEvent>> = {
  split: { type: 'split' }, resync: { type: 'resync', autoSplit: false }, restore: { type: 'restore', autoSplit: false },
  clone: { type: 'clone' }, assign: { type: 'assign' }, unassign: { type: 'unassign' }, delete: { type: 'delete' },
};

describe('pair machine reads the acceptance matrix', () => {
  for (const kind of ['snapshot', 'clone'] as const) {
    const matrix = kind === 'clone' ? CLONE_MATRIX : SNAPSHOT_MATRIX;
    for (const status of PAIR_STATUSES) {
      for (const [op, event] of Object.entries(EVENT_OF) as Array<[PairOp, PairEvent]>) {
        const cell = matrix[status][op];
        it(`${kind} ${status} ${op}: ${cell} ${cell === 'Y' ? 'moves the machine' : 'leaves the machine where it is'}`, () => {
          const r = step(status, ctx(kind), event);
          expect(r.changed).toBe(cell === 'Y');
          expect(decide(DEFAULT_TABLES, kind, status, op)).toBe(cell);
        });
      }
    }
  }

  it('create is accepted only where no pair is (SMPL) and leads to COPY with the create phase', () => {
    const r = step('SMPL', ctx('snapshot'), { type: 'create', kind: 'clone', canCascade: true, autoSplit: false, cloneAfterCopy: true });
    expect(r).toMatchObject({ changed: true, status: 'COPY', context: { kind: 'clone', cloneAfterCopy: true, phase: 'create' } });
  });

  it('a cascade parent in COPY/RCPY/PSUE/SMPP refuses everything on the lower pair and makes its delete a no-op', () => {
    for (const parent of ['COPY', 'RCPY', 'PSUE', 'SMPP'] as const) {
      expect(decide(DEFAULT_TABLES, 'snapshot', 'PAIR', 'split', { status: parent, kind: 'snapshot' })).toBe('N');
      expect(decide(DEFAULT_TABLES, 'snapshot', 'PAIR', 'delete', { status: parent, kind: 'snapshot' })).toBe('YN');
      expect(decide(DEFAULT_TABLES, 'snapshot', 'COPY', 'delete', { status: parent, kind: 'snapshot' })).toBe('N');
      expect(step('PAIR', ctx('snapshot'), { type: 'split', parent: { status: parent, kind: 'snapshot' } }).changed).toBe(false);
    }
    for (const parent of ['PAIR', 'PSUS'] as const) {
      expect(decide(DEFAULT_TABLES, 'snapshot', 'SMPL', 'create', { status: parent, kind: 'snapshot' })).toBe('Y');
      expect(step('PAIR', ctx('snapshot'), { type: 'split', parent: { status: parent, kind: 'snapshot' } }).status).toBe('PSUS');
    }
    expect(decide(DEFAULT_TABLES, 'snapshot', 'SMPL', 'create', { status: 'PSUP', kind: 'clone' })).toBe('Y');
    expect(Object.keys(CASCADE_MATRIX.snapshot).sort()).toEqual([...PAIR_STATUSES].sort());
  });

  it('a fixture can patch single cells; an unknown cell is an error', () => {
    const t = patchTables({ 'snapshot.COPY.delete': 'Y', 'cascade.snapshot.COPY.create': 'Y' });
    expect(decide(t, 'snapshot', 'COPY', 'delete')).toBe('Y');
    expect(step('COPY', ctx('snapshot'), { type: 'delete' }, t).status).toBe('SMPP');
    expect(decide(t, 'snapshot', 'SMPL', 'create', { status: 'COPY', kind: 'snapshot' })).toBe('Y');
    expect(decide(DEFAULT_TABLES, 'snapshot', 'COPY', 'delete')).toBe('N');
    expect(() => patchTables({ 'snapshot.NOPE.delete': 'Y' })).toThrow(/unknown cell/);
  });
});

describe('pair machine transitions', () => {
  const cases: Array<{ name: string; from: PairStatus; c: PairMachineContext; e: PairEvent; to: string; effects?: string[]; phase?: string | null }> = [
    { name: 'COPY ends in PAIR', from: 'COPY', c: ctx('snapshot', { phase: 'create' }), e: { type: 'timer' }, to: 'PAIR', phase: null },
    { name: 'COPY with autoSplit ends in PAIR held for the autoSplit (no split yet)', from: 'COPY', c: ctx('snapshot', { autoSplit: true, phase: 'create' }), e: { type: 'timer' }, to: 'PAIR', phase: 'autoSplitHold' },
    { name: 'the autoSplit hold ends in PSUS and stamps splitTime', from: 'PAIR', c: ctx('snapshot', { autoSplit: true, phase: 'autoSplitHold' }), e: { type: 'timer' }, to: 'PSUS', effects: ['stampSplitTime'], phase: null },
    { name: 'the autoSplit hold over the pool threshold ends in PFUS', from: 'PFUL', c: ctx('snapshot', { autoSplit: true, phase: 'autoSplitHold' }), e: { type: 'timer' }, to: 'PFUS', effects: ['stampSplitTime'], phase: null },
    { name: 'a user split during the autoSplit hold ends the hold', from: 'PAIR', c: ctx('snapshot', { autoSplit: true, phase: 'autoSplitHold' }), e: { type: 'split' }, to: 'PSUS', effects: ['stampSplitTime'], phase: null },
    { name: 'COPY of a clone with clonesAutomation starts the copy (PSUP)', from: 'COPY', c: ctx('clone', { cloneAfterCopy: true, phase: 'create' }), e: { type: 'timer' }, to: 'PSUP', effects: ['startCloneCopy'], phase: 'cloneCopy' },
    { name: 'split stores snapshot data', from: 'PAIR', c: ctx('snapshot'), e: { type: 'split' }, to: 'PSUS', effects: ['stampSplitTime'] },
    { name: 'split over the threshold gives PFUS', from: 'PFUL', c: ctx('snapshot'), e: { type: 'split' }, to: 'PFUS', effects: ['stampSplitTime'] },
    { name: 'resync deletes snapshot data (COPY)', from: 'PSUS', c: ctx('snapshot'), e: { type: 'resync', autoSplit: true }, to: 'COPY', effects: ['clearSplitTime'], phase: 'resync' },
    { name: 'resync of a PSUE pair', from: 'PSUE', c: ctx('snapshot'), e: { type: 'resync', autoSplit: false }, to: 'COPY', phase: 'resync' },
    { name: 'restore reverse-copies (RCPY)', from: 'PSUS', c: ctx('snapshot'), e: { type: 'restore', autoSplit: true }, to: 'RCPY', phase: 'restore' },
    { name: 'restore of PFUS', from: 'PFUS', c: ctx('snapshot'), e: { type: 'restore', autoSplit: false }, to: 'RCPY', phase: 'restore' },
    { name: 'RCPY ends in PAIR', from: 'RCPY', c: ctx('snapshot', { phase: 'restore' }), e: { type: 'timer' }, to: 'PAIR', effects: ['clearSplitTime'] },
    { name: 'RCPY with autoSplit ends in PAIR held for the re-split', from: 'RCPY', c: ctx('snapshot', { autoSplit: true, phase: 'restore' }), e: { type: 'timer' }, to: 'PAIR', effects: ['clearSplitTime'], phase: 'autoSplitHold' },
    { name: 'clone starts the copy', from: 'PAIR', c: ctx('clone'), e: { type: 'clone' }, to: 'PSUP', effects: ['startCloneCopy'], phase: 'cloneCopy' },
    { name: 'the clone copy ends in SMPP', from: 'PSUP', c: ctx('clone', { phase: 'cloneCopy' }), e: { type: 'timer' }, to: 'SMPP', effects: ['endCloneCopy'], phase: 'cloneEnd' },
    { name: 'SMPP ends with the pair gone', from: 'SMPP', c: ctx('clone', { phase: 'cloneEnd' }), e: { type: 'timer' }, to: 'GONE' },
    { name: 'a TIA split in progress (PSUP) ends in PSUS', from: 'PSUP', c: ctx('snapshot', { phase: 'create' }), e: { type: 'timer' }, to: 'PSUS' },
    { name: 'CPYP ends in PSUS', from: 'CPYP', c: ctx('snapshot', { phase: 'create' }), e: { type: 'timer' }, to: 'PSUS' },
    { name: 'delete of a cascade pair passes through SMPP', from: 'PSUS', c: ctx('snapshot'), e: { type: 'delete' }, to: 'SMPP', phase: 'delete' },
    { name: 'delete of a cascade pair without S-VOL is immediate (nothing cascaded)', from: 'PSUS', c: ctx('snapshot'), e: { type: 'delete', hasSvol: false }, to: 'GONE' },
    { name: 'delete of a clone pair passes through SMPP whatever', from: 'PAIR', c: ctx('clone'), e: { type: 'delete', hasSvol: false }, to: 'SMPP' },
    { name: 'delete of a non-cascade pair is immediate', from: 'PSUS', c: ctx('snapshot', { canCascade: false }), e: { type: 'delete' }, to: 'GONE' },
    { name: 'delete of a copying clone ends the copy and orphans the subtree', from: 'PSUP', c: ctx('clone', { phase: 'cloneCopy' }), e: { type: 'delete' }, to: 'SMPP', effects: ['endCloneCopy', 'orphanSubtree'] },
    { name: 'assign keeps PSUS', from: 'PSUS', c: ctx('snapshot'), e: { type: 'assign' }, to: 'PSUS', effects: ['attachSvol'] },
    { name: 'unassign keeps PAIR', from: 'PAIR', c: ctx('snapshot'), e: { type: 'unassign' }, to: 'PAIR', effects: ['releaseSvol'] },
    { name: 'pool over warning: PAIR to PFUL', from: 'PAIR', c: ctx('snapshot'), e: { type: 'poolWarn' }, to: 'PFUL' },
    { name: 'pool over warning: PSUS to PFUS', from: 'PSUS', c: ctx('snapshot'), e: { type: 'poolWarn' }, to: 'PFUS' },
    { name: 'pool back under warning: PFUL to PAIR', from: 'PFUL', c: ctx('snapshot'), e: { type: 'poolRecover' }, to: 'PAIR' },
    { name: 'pool back under warning: PFUS to PSUS', from: 'PFUS', c: ctx('snapshot'), e: { type: 'poolRecover' }, to: 'PSUS' },
    { name: 'pool full suspends RCPY (PSUE)', from: 'RCPY', c: ctx('snapshot', { phase: 'restore' }), e: { type: 'poolFull' }, to: 'PSUE', phase: null },
    { name: 'failure suspends a copying clone and ends its copy', from: 'PSUP', c: ctx('clone', { phase: 'cloneCopy' }), e: { type: 'fail' }, to: 'PSUE', effects: ['endCloneCopy'] },
    { name: 'tree delete forces a COPY pair out', from: 'COPY', c: ctx('snapshot', { phase: 'create' }), e: { type: 'forceDelete' }, to: 'SMPP' },
    { name: 'tree delete forces a PSUE pair out', from: 'PSUE', c: ctx('snapshot'), e: { type: 'forceDelete' }, to: 'SMPP' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = step(c.from, c.c, c.e);
      expect(r.changed).toBe(true);
      expect(r.status).toBe(c.to);
      for (const e of c.effects ?? []) expect(r.effects).toContain(e);
      if (c.phase !== undefined) expect(r.context.phase).toBe(c.phase);
    });
  }

  it('every edge of the machine is covered by a case above or by the matrix walk', () => {
    const covered = new Set(cases.map((c) => `${c.from}:${c.e.type}`));
    const opEvents = new Set(['split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete', 'create']);
    const missing = machineEdges().filter((e) => !opEvents.has(e.event) && !covered.has(`${e.from}:${e.event}`))
      .map((e) => `${e.from}:${e.event}`);
    // The remaining array-side edges are the same transition from further statuses (poolFull / fail / forceDelete).
    for (const edge of missing) {
      const [from, event] = edge.split(':') as [PairStatus, PairEvent['type']];
      const r = step(from, ctx('clone', { phase: from === 'SMPP' ? 'delete' : null }), { type: event } as PairEvent);
      expect(r.changed, edge).toBe(true);
    }
    expect(machineEdges().length).toBeGreaterThan(50);
  });
});
