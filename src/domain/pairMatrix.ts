import type { Acceptance, MatrixStatus, PairKind, PairOp, PairStatus } from './pairTypes.js';

/**
 * The operation acceptance matrix of Thin Image (ref 6.3, TI user guide "Pair operations when pairs are not
 * cascaded" and the cascaded-pair tables) as data. The pair machine's guards read it; the engine reads it to tell
 * a no-op (YN) from a refusal (N). A fixture can patch single cells (`fidelity.pairAcceptance`).
 *
 * Certainty per row: rows copied from the doc are marked `doc`; rows for statuses or operations the doc's table
 * does not have are `I` (our reading) and say what they were derived from.
 */

type Row = Record<PairOp, Acceptance>;

const row = (create: Acceptance, split: Acceptance, resync: Acceptance, restore: Acceptance, createClone: Acceptance,
  clone: Acceptance, delete_: Acceptance, assign: Acceptance, unassign: Acceptance): Row =>
  ({ create, split, resync, restore, createClone, clone, delete: delete_, assign, unassign });

/** Column order: create split resync restore createClone clone delete | assign unassign ([I], from tf/ansible client rules). */
export const SNAPSHOT_MATRIX: Record<MatrixStatus, Row> = {
  SMPL: row('Y', 'N', 'N', 'N', 'Y', 'N', 'YN', 'N', 'N'), // doc
  COPY: row('YN', 'N', 'YN', 'YN', 'N', 'N', 'N', 'N', 'N'), // doc: COPY(PD) and COPY(RS) rows are identical
  PAIR: row('N', 'Y', 'YN', 'YN', 'N', 'N', 'Y', 'N', 'Y'), // doc
  PSUS: row('N', 'YN', 'Y', 'Y', 'N', 'N', 'Y', 'Y', 'Y'), // doc
  RCPY: row('YN', 'N', 'YN', 'YN', 'N', 'N', 'N', 'N', 'N'), // doc: COPY(RS-R)
  PSUE: row('N', 'N', 'Y', 'N', 'N', 'N', 'Y', 'N', 'Y'), // doc
  SMPP: row('N', 'N', 'N', 'N', 'N', 'N', 'YN', 'N', 'N'), // doc: SMPL(PD)
  PFUL: row('N', 'Y', 'YN', 'YN', 'N', 'N', 'Y', 'N', 'Y'), // I: PAIR over the pool threshold behaves as PAIR
  PFUS: row('N', 'YN', 'Y', 'Y', 'N', 'N', 'Y', 'Y', 'Y'), // I: PSUS over the pool threshold behaves as PSUS
  PSUP: row('N', 'YN', 'N', 'N', 'N', 'N', 'Y', 'N', 'N'), // I: TIA split in progress; TI standard never shows it
  CPYP: row('N', 'N', 'N', 'N', 'N', 'N', 'N', 'N', 'N'), // I: TIA S-VOL assignment in progress
};

export const CLONE_MATRIX: Record<MatrixStatus, Row> = {
  SMPL: row('Y', 'N', 'N', 'N', 'Y', 'N', 'YN', 'N', 'N'), // doc
  COPY: row('N', 'N', 'N', 'N', 'N', 'N', 'Y', 'N', 'N'), // doc
  PAIR: row('N', 'N', 'N', 'N', 'N', 'Y', 'Y', 'N', 'N'), // doc
  PSUP: row('N', 'N', 'N', 'N', 'N', 'YN', 'Y', 'N', 'N'), // doc: PSUS(SP) = copy running
  PSUE: row('N', 'N', 'N', 'N', 'N', 'N', 'Y', 'N', 'N'), // doc
  SMPP: row('N', 'N', 'N', 'N', 'N', 'N', 'YN', 'N', 'N'), // doc
  PSUS: row('N', 'N', 'N', 'N', 'N', 'Y', 'Y', 'N', 'N'), // I: only reachable from a fixture; treated as PAIR
  PFUL: row('N', 'N', 'N', 'N', 'N', 'Y', 'Y', 'N', 'N'), // I: as PAIR
  PFUS: row('N', 'N', 'N', 'N', 'N', 'Y', 'Y', 'N', 'N'), // I: as PAIR
  RCPY: row('N', 'N', 'N', 'N', 'N', 'N', 'Y', 'N', 'N'), // I: as COPY
  CPYP: row('N', 'N', 'N', 'N', 'N', 'N', 'N', 'N', 'N'), // I
};

const ALL_Y = row('Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y');
/** doc (ref 6.3): "when pair A is COPY/RCPY/PSUE/SMPP, everything on pair B except Delete (YN) is N". */
const BLOCKED = row('N', 'N', 'N', 'N', 'N', 'N', 'YN', 'N', 'N');

/**
 * Cascaded pairs: the ceiling the status of pair A (the pair whose S-VOL is pair B's P-VOL) puts on operations
 * on pair B. `Y` = pair B's own row decides.
 */
export const CASCADE_MATRIX: Record<PairKind, Record<PairStatus, Row>> = {
  snapshot: {
    PAIR: ALL_Y, PSUS: ALL_Y, // doc
    PFUL: ALL_Y, PFUS: ALL_Y, PSUP: ALL_Y, // I: as PAIR / PSUS
    COPY: BLOCKED, RCPY: BLOCKED, PSUE: BLOCKED, SMPP: BLOCKED, // doc
    CPYP: BLOCKED, // I
  },
  clone: {
    PAIR: ALL_Y, PSUP: ALL_Y, // doc: "you can cascade pairs that are being cloned"
    PSUS: ALL_Y, PFUL: ALL_Y, PFUS: ALL_Y, // I
    COPY: BLOCKED, PSUE: BLOCKED, SMPP: BLOCKED, RCPY: BLOCKED, CPYP: BLOCKED, // I: by analogy with the snapshot rows
  },
};

/** A patch of single cells: `{ "snapshot.COPY.delete": "Y", "cascade.clone.COPY.create": "Y" }`. */
export type AcceptancePatch = Record<string, Acceptance>;

export interface AcceptanceTables {
  snapshot: Record<MatrixStatus, Row>;
  clone: Record<MatrixStatus, Row>;
  cascade: Record<PairKind, Record<PairStatus, Row>>;
}

export const DEFAULT_TABLES: AcceptanceTables = { snapshot: SNAPSHOT_MATRIX, clone: CLONE_MATRIX, cascade: CASCADE_MATRIX };

/** The default tables with a fixture's cell patch applied (unknown cells are an error, so typos do not pass silently). */
export function patchTables(patch: AcceptancePatch | undefined): AcceptanceTables {
  if (!patch || Object.keys(patch).length === 0) return DEFAULT_TABLES;
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
  const out: AcceptanceTables = clone(DEFAULT_TABLES);
  for (const [key, value] of Object.entries(patch)) {
    const parts = key.split('.');
    const target = parts[0] === 'cascade'
      ? (out.cascade as Record<string, Record<string, Row>>)[parts[1]!]?.[parts[2]!]
      : (out as unknown as Record<string, Record<string, Row>>)[parts[0]!]?.[parts[1]!];
    const op = parts[parts.length - 1] as PairOp;
    if (!target || !(op in target) || !['Y', 'YN', 'N'].includes(value)) throw new Error(`pairAcceptance: unknown cell or value ${key}=${value}`);
    target[op] = value;
  }
  return out;
}

/** The cascade parent of a pair: the pair whose S-VOL is this pair's P-VOL. */
export interface ParentView { status: PairStatus; kind: PairKind }

/**
 * Whether `op` is accepted on a pair of `kind` in `status` (SMPL = no pair there), under an optional cascade
 * parent. Combination: a parent's N wins; a parent's YN turns the pair's Y into YN; a parent's Y defers.
 */
export function decide(tables: AcceptanceTables, kind: PairKind, status: MatrixStatus, op: PairOp, parent?: ParentView | null): Acceptance {
  const own = (kind === 'clone' ? tables.clone : tables.snapshot)[status][op];
  if (!parent) return own;
  const ceiling = tables.cascade[parent.kind][parent.status][op];
  if (ceiling === 'N') return 'N';
  if (ceiling === 'YN') return own === 'N' ? 'N' : 'YN';
  return own;
}

/** How a refusal reaches the client: a synchronous HTTP 412, or 202 + a Failed job carrying KART30000-E and SSBs. */
export type RefusalForm = 'sync412' | 'job';

/**
 * The refusal form per pair-level operation [I, ref 12.1]. The doc's Thin Image pages name 412 only for split
 * ("actions specified when pairs are split cannot run") and clone ("the specified pair cannot be cloned"); every
 * other storage-side refusal seen live came back as a Failed job. Group- and tree-level operations cover many
 * pairs and always refuse through the job. A fixture may override (`fidelity.pairRefusalForm`).
 */
export const REFUSAL_FORM: Record<PairOp, RefusalForm> = {
  create: 'job', createClone: 'job', split: 'sync412', clone: 'sync412',
  resync: 'job', restore: 'job', assign: 'job', unassign: 'job', delete: 'job',
};
