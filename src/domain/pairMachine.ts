import { and, assign, setup, transition, type AnyStateMachine } from 'xstate';
import { decide, DEFAULT_TABLES, type AcceptanceTables, type ParentView } from './pairMatrix.js';
import type { PairKind, PairMachineContext, PairOp, PairPhase, PairStatus } from './pairTypes.js';

/**
 * The Thin Image pair machine (ref 6.2): one state per REST status plus SMPL (no pair yet) and GONE (deleted).
 * User operations are guarded by the acceptance matrix (the machine only moves on a Y cell); `timer` ends the
 * timed phase of COPY / RCPY / PSUP / SMPP and the autoSplit hold in PAIR / PFUL; pool and failure events are the
 * array's own. The machine is used purely — `step()` resolves a snapshot from the stored status + context and asks
 * xstate's `transition()` for the next one — so no actor and no delay lives in memory: the engine stores status,
 * context and deadline.
 *
 * Named actions are the side effects the engine performs (stamp splitTime, start/end a clone copy, attach/
 * release the S-VOL, put the cascade subtree in PSUE).
 */

export type MachineStatus = PairStatus | 'SMPL' | 'GONE';

export type PairEffect = 'stampSplitTime' | 'clearSplitTime' | 'startCloneCopy' | 'endCloneCopy' | 'attachSvol' | 'releaseSvol' |
  'orphanSubtree';

const EFFECTS = new Set<string>(['stampSplitTime', 'clearSplitTime', 'startCloneCopy', 'endCloneCopy', 'attachSvol', 'releaseSvol', 'orphanSubtree']);

interface WithParent { parent?: ParentView | null }
export type PairEvent =
  | ({ type: 'create'; kind: PairKind; canCascade: boolean; autoSplit: boolean; cloneAfterCopy: boolean } & WithParent)
  | ({ type: 'split' } & WithParent)
  | ({ type: 'resync'; autoSplit: boolean } & WithParent)
  | ({ type: 'restore'; autoSplit: boolean } & WithParent)
  | ({ type: 'clone' } & WithParent)
  | ({ type: 'assign' } & WithParent)
  | ({ type: 'unassign' } & WithParent)
  /** `hasSvol: false`: a pair without S-VOL has nothing cascaded to clean up and goes at once [I]. */
  | ({ type: 'delete'; hasSvol?: boolean } & WithParent)
  /** The timed phase of the current status is over. */
  | { type: 'timer' }
  /** Pool usage crossed its warning threshold upwards / back down; pool full (100 %). */
  | { type: 'poolWarn' } | { type: 'poolRecover' } | { type: 'poolFull' }
  /** The pair is suspended by a failure (e.g. its cascade parent was deleted through a clone pair). */
  | { type: 'fail' }
  /** Snapshot-tree delete: forcibly, whatever the status. */
  | { type: 'forceDelete'; hasSvol?: boolean };

export type PairEventType = PairEvent['type'];
/** Events that are user operations, checked against the acceptance matrix. */
export const OP_EVENTS = ['create', 'split', 'resync', 'restore', 'clone', 'assign', 'unassign', 'delete'] as const;

const initialContext: PairMachineContext = { kind: 'snapshot', canCascade: false, autoSplit: false, cloneAfterCopy: false, phase: null };

/** The matrix column an event is judged by. */
export function opOf(event: PairEvent, ctx: PairMachineContext): PairOp | null {
  if (event.type === 'create') return event.kind === 'clone' ? 'createClone' : 'create';
  return (OP_EVENTS as readonly string[]).includes(event.type) ? (event.type as PairOp) : null;
}

function buildMachine(tables: AcceptanceTables) {
  const phase = (p: PairPhase | null) => ({ type: 'setPhase' as const, params: { phase: p } });
  const accepted = (status: PairStatus | 'SMPL') => ({ type: 'accepted' as const, params: { status } });
  const staysThroughSmpp = ({ context, event }: { context: PairMachineContext; event: PairEvent }) =>
    context.kind === 'clone' || (context.canCascade && (event as { hasSvol?: boolean }).hasSvol !== false);

  /** Delete: clone pairs and cascade pairs with an S-VOL pass through SMPP (ref 6.2); the others go at once. */
  const deleteFrom = (status: PairStatus, extra: PairEffect[] = []) => [
    { guard: and([accepted(status), 'goesThroughSmpp']), target: 'SMPP', actions: [...extra, phase('delete')] },
    { guard: accepted(status), target: 'GONE', actions: [...extra, phase(null)] },
  ];
  const forceDelete = (extra: PairEffect[] = []) => [
    { guard: 'goesThroughSmpp', target: 'SMPP', actions: [...extra, phase('delete')] },
    { target: 'GONE', actions: [...extra, phase(null)] },
  ];
  const cloneDeleteExtras: PairEffect[] = ['orphanSubtree'];
  const toPsue = (extra: PairEffect[] = []) => ({ target: 'PSUE', actions: [...extra, phase(null), 'clearFlags' as const] });
  const suspended = (status: 'PSUS' | 'PFUS') => ({
    resync: { guard: accepted(status), target: 'COPY', actions: ['clearSplitTime', phase('resync'), 'takeAutoSplit'] },
    restore: { guard: accepted(status), target: 'RCPY', actions: [phase('restore'), 'takeAutoSplit'] },
    clone: { guard: accepted(status), target: 'PSUP', actions: ['startCloneCopy', phase('cloneCopy')] },
    assign: { guard: accepted(status), actions: ['attachSvol'] },
    unassign: { guard: accepted(status), actions: ['releaseSvol'] },
    delete: deleteFrom(status, ['orphanSubtree']),
    forceDelete: forceDelete(['orphanSubtree']),
    poolFull: toPsue(), fail: toPsue(),
  });
  const paired = (status: 'PAIR' | 'PFUL', splitTarget: 'PSUS' | 'PFUS') => ({
    // A user split during an autoSplit hold is that split: the hold ends with it.
    split: { guard: accepted(status), target: splitTarget, actions: ['stampSplitTime', phase(null), 'clearFlags'] },
    // The autoSplit hold is over: the array splits the pair itself (ref 6.2 "COPY → PAIR → PSUS").
    timer: { guard: 'autoSplit', target: splitTarget, actions: ['stampSplitTime', phase(null), 'clearFlags'] },
    clone: { guard: accepted(status), target: 'PSUP', actions: ['startCloneCopy', phase('cloneCopy')] },
    unassign: { guard: accepted(status), actions: ['releaseSvol'] },
    delete: deleteFrom(status, ['orphanSubtree']),
    forceDelete: forceDelete(['orphanSubtree']),
    poolFull: toPsue(), fail: toPsue(),
  });

  const states = {
    SMPL: {
      on: {
        create: {
          guard: accepted('SMPL'), target: 'COPY',
          actions: ['init'],
        },
      },
    },
    COPY: {
      on: {
        timer: [
          { guard: 'cloneAfterCopy', target: 'PSUP', actions: ['startCloneCopy', phase('cloneCopy'), 'clearFlags'] },
          // autoSplit: the pair shows PAIR for the hold before the array splits it (ref 6.2; Terraform waits for PAIR).
          { guard: 'autoSplit', target: 'PAIR', actions: [phase('autoSplitHold')] },
          { target: 'PAIR', actions: [phase(null)] },
        ],
        delete: deleteFrom('COPY', cloneDeleteExtras),
        forceDelete: forceDelete(cloneDeleteExtras),
        poolFull: toPsue(), fail: toPsue(),
      },
    },
    PAIR: { on: { ...paired('PAIR', 'PSUS'), poolWarn: { target: 'PFUL' } } },
    PFUL: { on: { ...paired('PFUL', 'PFUS'), poolRecover: { target: 'PAIR' } } },
    PSUS: { on: { ...suspended('PSUS'), poolWarn: { target: 'PFUS' } } },
    PFUS: { on: { ...suspended('PFUS'), poolRecover: { target: 'PSUS' } } },
    RCPY: {
      on: {
        timer: [
          // Restore with autoSplit: RCPY → PAIR → re-split, as seen live (ref 6.2 [L]).
          { guard: 'autoSplit', target: 'PAIR', actions: ['clearSplitTime', phase('autoSplitHold')] },
          { target: 'PAIR', actions: ['clearSplitTime', phase(null)] },
        ],
        delete: deleteFrom('RCPY'),
        forceDelete: forceDelete(),
        poolFull: toPsue(), fail: toPsue(),
      },
    },
    PSUE: {
      on: {
        resync: { guard: accepted('PSUE'), target: 'COPY', actions: ['clearSplitTime', phase('resync'), 'takeAutoSplit'] },
        unassign: { guard: accepted('PSUE'), actions: ['releaseSvol'] },
        delete: deleteFrom('PSUE', cloneDeleteExtras),
        forceDelete: forceDelete(cloneDeleteExtras),
      },
    },
    PSUP: {
      on: {
        timer: [
          // The clone copy is over: the pair passes through SMPP and is deleted (ref 8).
          { guard: 'isClone', target: 'SMPP', actions: ['endCloneCopy', phase('cloneEnd')] },
          // TIA split in progress (only reachable from a fixture on TI standard).
          { target: 'PSUS', actions: ['stampSplitTime', phase(null)] },
        ],
        delete: deleteFrom('PSUP', ['endCloneCopy', 'orphanSubtree']),
        forceDelete: forceDelete(['endCloneCopy', 'orphanSubtree']),
        poolFull: toPsue(['endCloneCopy']), fail: toPsue(['endCloneCopy']),
      },
    },
    CPYP: {
      on: {
        timer: { target: 'PSUS', actions: [phase(null)] },
        delete: deleteFrom('CPYP'),
        forceDelete: forceDelete(),
        poolFull: toPsue(), fail: toPsue(),
      },
    },
    SMPP: {
      on: {
        timer: { target: 'GONE', actions: [phase(null)] },
      },
    },
    GONE: { type: 'final' },
  };

  return setup({
    types: { context: {} as PairMachineContext, events: {} as PairEvent },
    guards: {
      accepted: ({ context, event }, params: { status: PairStatus | 'SMPL' }) => {
        const op = opOf(event, context);
        if (!op) return false;
        const kind = event.type === 'create' ? event.kind : context.kind;
        return decide(tables, kind, params.status, op, (event as WithParent).parent) === 'Y';
      },
      goesThroughSmpp: staysThroughSmpp,
      cloneAfterCopy: ({ context }) => context.cloneAfterCopy,
      autoSplit: ({ context }) => context.autoSplit,
      isClone: ({ context }) => context.kind === 'clone',
    },
    actions: {
      stampSplitTime: () => {}, clearSplitTime: () => {}, startCloneCopy: () => {}, endCloneCopy: () => {},
      attachSvol: () => {}, releaseSvol: () => {}, orphanSubtree: () => {},
      setPhase: assign((_, params: { phase: PairPhase | null }) => ({ phase: params.phase })),
      clearFlags: assign({ autoSplit: false, cloneAfterCopy: false }),
      takeAutoSplit: assign(({ event }) => ({ autoSplit: (event as { autoSplit?: boolean }).autoSplit ?? false })),
      init: assign(({ event }) => {
        const e = event as Extract<PairEvent, { type: 'create' }>;
        return { kind: e.kind, canCascade: e.canCascade, autoSplit: e.autoSplit, cloneAfterCopy: e.cloneAfterCopy, phase: 'create' as const };
      }),
    },
  }).createMachine({
    id: 'thinImagePair',
    initial: 'SMPL',
    context: initialContext,
    // The state table is built from helpers, so it is typed loosely here; guards and actions are checked by setup().
    states: states as never,
  });
}

export type PairMachine = ReturnType<typeof buildMachine>;

const cache = new WeakMap<AcceptanceTables, PairMachine>();

/** The pair machine reading the given acceptance tables (built once per tables object). */
export function pairMachine(tables: AcceptanceTables = DEFAULT_TABLES): PairMachine {
  let m = cache.get(tables);
  if (!m) { m = buildMachine(tables); cache.set(tables, m); }
  return m;
}

export interface StepResult {
  /** False when the event is not handled in this status (refused or meaningless); nothing else is meaningful then. */
  changed: boolean;
  status: MachineStatus;
  context: PairMachineContext;
  effects: PairEffect[];
}

/** The pure transition: where a pair in `status` with `context` goes on `event`. */
export function step(status: MachineStatus, context: PairMachineContext, event: PairEvent, tables: AcceptanceTables = DEFAULT_TABLES): StepResult {
  const machine = pairMachine(tables) as unknown as AnyStateMachine;
  const snapshot = machine.resolveState({ value: status, context });
  const [next, actions] = transition(machine, snapshot, event);
  const effects = actions.map((a) => a.type as string).filter((t) => EFFECTS.has(t)) as PairEffect[];
  // A targetless transition (assign/unassign) keeps the snapshot object but still has effects.
  if (next === snapshot && effects.length === 0) return { changed: false, status, context, effects: [] };
  return { changed: true, status: next.value as MachineStatus, context: next.context as PairMachineContext, effects };
}

/** Every (status, event) pair the machine handles, for tests that walk it and for the README. */
export function machineEdges(tables: AcceptanceTables = DEFAULT_TABLES): Array<{ from: MachineStatus; event: PairEventType; targets: MachineStatus[] }> {
  const machine = pairMachine(tables);
  const out: Array<{ from: MachineStatus; event: PairEventType; targets: MachineStatus[] }> = [];
  for (const [name, node] of Object.entries(machine.states)) {
    for (const [event, transitions] of Object.entries((node as unknown as { on: Record<string, Array<{ target?: Array<{ key: string }> }>> }).on ?? {})) {
      const targets = new Set<MachineStatus>();
      for (const t of transitions) targets.add((t.target?.[0]?.key ?? name) as MachineStatus);
      out.push({ from: name as MachineStatus, event: event as PairEventType, targets: [...targets] });
    }
  }
  return out;
}
