import type { PairView } from '../domain/pairRender.js';
import type { CopySpeed, PairFacts, PairKind, PairPhase, PairStatus } from '../domain/pairTypes.js';
import type { Db } from './db.js';

/** A stored pair: the domain's facts plus the array it lives on. */
export interface PairRow extends PairFacts { sid: string; createdAt: number }
export interface GroupRow { sid: string; name: string; isCtg: boolean; ctgId: number | null; createdAt: number }

type Raw = Record<string, unknown>;

const toPair = (r: Raw): PairRow => ({
  sid: r.sid as string, pvolLdevId: r.pvol as number, muNumber: r.mu as number, svolLdevId: r.svol as number | null,
  snapshotGroupName: r.group_name as string, snapshotPoolId: r.pool_id as number, status: r.status as PairStatus,
  kind: r.kind as PairKind, canCascade: r.can_cascade === 1, isConsistencyGroup: r.is_ctg === 1,
  autoSplit: r.auto_split === 1, cloneAfterCopy: r.clone_after_copy === 1, phase: r.phase as PairPhase | null,
  copySpeed: r.copy_speed as CopySpeed, isDataReductionForceCopy: r.dr_force_copy === 1,
  splitTime: r.split_time as number | null, isWrittenInSvol: r.written_in_svol === 1,
  phaseStart: r.phase_start as number | null, dueAt: r.due_at as number | null, queuedAt: r.queued_at as number | null,
  createdAt: r.created_at as number, isRedirectOnWrite: r.is_row === 1, retentionUntil: (r.retention_until as number | null) ?? null,
});
const toGroup = (r: Raw): GroupRow => ({
  sid: r.sid as string, name: r.name as string, isCtg: r.is_ctg === 1, ctgId: r.ctg_id as number | null, createdAt: r.created_at as number,
});

const b = (v: boolean) => (v ? 1 : 0);
const params = (p: PairRow) => ({
  sid: p.sid, pvol: p.pvolLdevId, mu: p.muNumber, svol: p.svolLdevId, group: p.snapshotGroupName, pool: p.snapshotPoolId,
  status: p.status, kind: p.kind, cascade: b(p.canCascade), ctg: b(p.isConsistencyGroup), autoSplit: b(p.autoSplit),
  cloneAfter: b(p.cloneAfterCopy), phase: p.phase, speed: p.copySpeed, drForce: b(p.isDataReductionForceCopy),
  splitTime: p.splitTime, written: b(p.isWrittenInSvol), phaseStart: p.phaseStart, dueAt: p.dueAt, queuedAt: p.queuedAt,
  createdAt: p.createdAt, row: b(p.isRedirectOnWrite), retentionUntil: p.retentionUntil,
});

/** The read paths select only what the pair object shows (fewer columns than a full row, no sid). */
const VIEW_COLUMNS = `pvol, mu, svol, group_name, pool_id, status, kind, can_cascade, is_ctg, split_time, written_in_svol, phase_start, due_at,
  queued_at, is_row, retention_until, (SELECT parent_ldev_id FROM ldevs l WHERE l.sid = pairs.sid AND l.ldev_id = pairs.svol)`;
const toView = (r: unknown[]): PairView => ({
  pvolLdevId: r[0] as number, muNumber: r[1] as number, svolLdevId: r[2] as number | null, snapshotGroupName: r[3] as string,
  snapshotPoolId: r[4] as number, status: r[5] as PairStatus, kind: r[6] as PairKind, canCascade: r[7] === 1, isConsistencyGroup: r[8] === 1,
  splitTime: r[9] as number | null, isWrittenInSvol: r[10] === 1, phaseStart: r[11] as number | null, dueAt: r[12] as number | null,
  queuedAt: r[13] as number | null, isRedirectOnWrite: r[14] === 1, retentionUntil: (r[15] as number | null) ?? null,
  svolParentLdevId: (r[16] as number | null) ?? null,
});

/**
 * The pair object of a P-VOL list (`renderPairJson(view, 'P-VOL', now)`) rendered by SQLite, so a list read makes
 * no JS value, object or string per pair. Only for pairs whose text does not depend on the clock (no data moving)
 * and whose split time is an integer of years 0001-9999, and not for Thin Image Advanced pairs (their retention
 * countdown depends on the clock, their fields on the model); other rows come back as NULL and the caller renders the
 * list in JS. `concat` builds each text in one allocation and skips NULLs (the optional svolLdevId and splitTime);
 * json_quote escapes as JSON.stringify does; the split time is floored to the second as `splitTimeString` does.
 * A test keeps the two renderings identical.
 */
const bool = (c: string) => `CASE ${c} WHEN 1 THEN 'true' ELSE 'false' END`;
export const PVOL_FRAGMENT = `CASE WHEN is_row = 1 OR status IN ('COPY', 'RCPY') OR (status = 'PSUP' AND kind = 'clone') OR (split_time IS NOT NULL
    AND (typeof(split_time) <> 'integer' OR split_time NOT BETWEEN -62135596800000 AND 253402300799999)) THEN NULL ELSE concat(
  '{"snapshotGroupName":', json_quote(group_name), ',"primaryOrSecondary":"P-VOL","status":"', status,
  '","pvolLdevId":', pvol, ',"muNumber":', mu, ',"svolLdevId":' || svol, ',"snapshotPoolId":', pool_id,
  ',"concordanceRate":100,"isConsistencyGroup":', ${bool('is_ctg')}, ',"isWrittenInSvol":', ${bool('written_in_svol')},
  ',"isClone":', CASE kind WHEN 'clone' THEN 'true' ELSE 'false' END, ',"canCascade":', ${bool('can_cascade')}, ',"isRedirectOnWrite":false',
  ',"splitTime":"' || replace(datetime((split_time - ((split_time % 1000) + 1000) % 1000) / 1000, 'unixepoch'), ' ', 'T') || '"',
  ',"snapshotId":"', pvol, ',', mu, '","pvolProcessingStatus":"N","snapshotDataReadOnly":false}') END`;

/**
 * `{"data":[...]}` of the pairs `where` selects, in `mu` order, built by SQLite and returned as a BLOB (a Buffer
 * ready to send: no JS string to build and encode), with the count of pairs it could not render. The ordered
 * subquery is not flattened into the aggregate (an aggregate's subquery keeps its ORDER BY), so group_concat sees
 * the rows in `mu` order; a test checks it against rows inserted in another order.
 */
const listJsonSql = (where: string) => `SELECT CAST('{"data":[' || coalesce(group_concat(f, ','), '') || ']}' AS BLOB), count(*) - count(f)
  FROM (SELECT ${PVOL_FRAGMENT} AS f FROM pairs WHERE ${where} ORDER BY mu)`;
const listJson = (r: unknown): Buffer | null => {
  const [body, missing] = r as [Buffer, number];
  return missing === 0 ? body : null;
};

/** Repository of Thin Image pairs and snapshot groups. Every query the hot paths need is indexed (see schema). */
export function createPairStore(db: Db) {
  const s = {
    viewByPvol: db.prepare(`SELECT ${VIEW_COLUMNS} FROM pairs WHERE sid = ? AND pvol = ? ORDER BY mu`).raw(),
    viewByPvolGroup: db.prepare(`SELECT ${VIEW_COLUMNS} FROM pairs WHERE sid = ? AND pvol = ? AND group_name = ? ORDER BY mu`).raw(),
    viewByGroup: db.prepare(`SELECT ${VIEW_COLUMNS} FROM pairs WHERE sid = ? AND group_name = ? ORDER BY pvol, mu`).raw(),
    listJsonByPvol: db.prepare(listJsonSql('sid = ? AND pvol = ?')).raw(),
    listJsonByPvolGroup: db.prepare(listJsonSql('sid = ? AND pvol = ? AND group_name = ?')).raw(),
    get: db.prepare('SELECT * FROM pairs WHERE sid = ? AND pvol = ? AND mu = ?'),
    byPvol: db.prepare('SELECT * FROM pairs WHERE sid = ? AND pvol = ? ORDER BY mu'),
    bySvol: db.prepare('SELECT * FROM pairs WHERE sid = ? AND svol = ?'),
    byPvolGroup: db.prepare('SELECT * FROM pairs WHERE sid = ? AND pvol = ? AND group_name = ? ORDER BY mu'),
    byGroup: db.prepare('SELECT * FROM pairs WHERE sid = ? AND group_name = ? ORDER BY pvol, mu'),
    byPool: db.prepare('SELECT * FROM pairs WHERE sid = ? AND pool_id = ? ORDER BY pvol, mu'),
    inRange: db.prepare('SELECT * FROM pairs WHERE sid = ? AND pvol >= ? AND pvol <= ? ORDER BY pvol, mu'),
    all: db.prepare('SELECT * FROM pairs WHERE sid = ? ORDER BY pvol, mu'),
    byMu: db.prepare('SELECT * FROM pairs WHERE sid = ? AND mu = ? ORDER BY pvol'),
    musOfPvol: db.prepare('SELECT mu FROM pairs WHERE sid = ? AND pvol = ? ORDER BY mu').pluck(),
    countPvol: db.prepare('SELECT COUNT(*) FROM pairs WHERE sid = ? AND pvol = ?').pluck(),
    countGroup: db.prepare('SELECT COUNT(*) FROM pairs WHERE sid = ? AND group_name = ?').pluck(),
    countPool: db.prepare('SELECT COUNT(*) FROM pairs WHERE sid = ? AND pool_id = ?').pluck(),
    isPvol: db.prepare('SELECT 1 FROM pairs WHERE sid = ? AND pvol = ? LIMIT 1').pluck(),
    groupHasPvol: db.prepare('SELECT 1 FROM pairs WHERE sid = ? AND group_name = ? AND pvol = ? LIMIT 1').pluck(),
    svolPool: db.prepare('SELECT pool_id FROM pairs WHERE sid = ? AND svol = ?').pluck(),
    insert: db.prepare(`INSERT INTO pairs (sid, pvol, mu, svol, group_name, pool_id, status, kind, can_cascade, is_ctg, auto_split,
      clone_after_copy, phase, copy_speed, dr_force_copy, split_time, written_in_svol, phase_start, due_at, queued_at, created_at,
      is_row, retention_until)
      VALUES (@sid, @pvol, @mu, @svol, @group, @pool, @status, @kind, @cascade, @ctg, @autoSplit, @cloneAfter, @phase, @speed,
      @drForce, @splitTime, @written, @phaseStart, @dueAt, @queuedAt, @createdAt, @row, @retentionUntil)`),
    update: db.prepare(`UPDATE pairs SET svol=@svol, status=@status, auto_split=@autoSplit, clone_after_copy=@cloneAfter,
      phase=@phase, copy_speed=@speed, split_time=@splitTime, written_in_svol=@written, phase_start=@phaseStart, due_at=@dueAt,
      queued_at=@queuedAt, retention_until=@retentionUntil WHERE sid=@sid AND pvol=@pvol AND mu=@mu`),
    delete: db.prepare('DELETE FROM pairs WHERE sid = ? AND pvol = ? AND mu = ?'),
    nextDue: db.prepare('SELECT MIN(due_at) FROM pairs WHERE due_at IS NOT NULL').pluck(),
    due: db.prepare('SELECT * FROM pairs WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, sid, pvol, mu LIMIT 256'),
    copying: db.prepare(`SELECT COUNT(*) FROM pairs WHERE sid = ? AND status = 'PSUP' AND kind = 'clone' AND queued_at IS NULL`).pluck(),
    queuedCount: db.prepare(`SELECT COUNT(*) FROM pairs WHERE sid = ? AND status = 'PSUP' AND queued_at IS NOT NULL`).pluck(),
    autoClonePending: db.prepare(`SELECT COUNT(*) FROM pairs WHERE sid = ? AND status = 'COPY' AND clone_after_copy = 1`).pluck(),
    nextQueued: db.prepare(`SELECT * FROM pairs WHERE sid = ? AND status = 'PSUP' AND queued_at IS NOT NULL
      ORDER BY queued_at, pvol, mu LIMIT 1`),
    unscheduled: db.prepare(`SELECT * FROM pairs WHERE due_at IS NULL AND phase IS NOT NULL AND queued_at IS NULL`),
    group: db.prepare('SELECT * FROM snapshot_groups WHERE sid = ? AND name = ?'),
    groups: db.prepare('SELECT * FROM snapshot_groups WHERE sid = ? ORDER BY name'),
    countGroups: db.prepare('SELECT COUNT(*) FROM snapshot_groups WHERE sid = ?').pluck(),
    countCtg: db.prepare('SELECT COUNT(*) FROM snapshot_groups WHERE sid = ? AND is_ctg = 1').pluck(),
    ctgIds: db.prepare('SELECT ctg_id FROM snapshot_groups WHERE sid = ? AND ctg_id IS NOT NULL ORDER BY ctg_id').pluck(),
    insertGroup: db.prepare('INSERT INTO snapshot_groups (sid, name, is_ctg, ctg_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    deleteGroup: db.prepare('DELETE FROM snapshot_groups WHERE sid = ? AND name = ?'),
  };
  const one = (r: unknown) => (r ? toPair(r as Raw) : undefined);
  const many = (rows: unknown[]) => (rows as Raw[]).map(toPair);
  const views = (rows: unknown[]) => (rows as unknown[][]).map(toView);
  // Bumped by every write, so read caches know when a rendered answer is stale.
  let version = 0;

  return {
    /** Changes with every write through this store (and with `touch`, after the database was replaced). */
    get version() { return version; },
    touch: () => { version++; },
    viewsByPvol: (sid: string, pvol: number): PairView[] => views(s.viewByPvol.all(sid, pvol)),
    viewsByPvolAndGroup: (sid: string, pvol: number, group: string): PairView[] => views(s.viewByPvolGroup.all(sid, pvol, group)),
    viewsByGroup: (sid: string, group: string): PairView[] => views(s.viewByGroup.all(sid, group)),
    /** `{"data":[...]}` of the P-VOL's pairs as UTF-8 JSON, or null when a pair needs the JS rendering (see PVOL_FRAGMENT). */
    listJsonByPvol: (sid: string, pvol: number): Buffer | null => listJson(s.listJsonByPvol.get(sid, pvol)),
    listJsonByPvolAndGroup: (sid: string, pvol: number, group: string): Buffer | null =>
      listJson(s.listJsonByPvolGroup.get(sid, pvol, group)),
    get: (sid: string, pvol: number, mu: number): PairRow | undefined => one(s.get.get(sid, pvol, mu)),
    byPvol: (sid: string, pvol: number): PairRow[] => many(s.byPvol.all(sid, pvol)),
    /** The pair whose S-VOL is the LDEV (an S-VOL belongs to at most one pair). */
    bySvol: (sid: string, svol: number): PairRow | undefined => one(s.bySvol.get(sid, svol)),
    byPvolAndGroup: (sid: string, pvol: number, group: string): PairRow[] => many(s.byPvolGroup.all(sid, pvol, group)),
    byGroup: (sid: string, group: string): PairRow[] => many(s.byGroup.all(sid, group)),
    byPool: (sid: string, poolId: number): PairRow[] => many(s.byPool.all(sid, poolId)),
    inPvolRange: (sid: string, from: number, to: number): PairRow[] => many(s.inRange.all(sid, from, to)),
    all: (sid: string): PairRow[] => many(s.all.all(sid)),
    /** Every pair on the MU, whatever its P-VOL (Ansible's `muNumber=M&detailInfoType=retention`, TIA ref 3.1). */
    byMu: (sid: string, mu: number): PairRow[] => many(s.byMu.all(sid, mu)),
    musOfPvol: (sid: string, pvol: number): number[] => s.musOfPvol.all(sid, pvol) as number[],
    countOfPvol: (sid: string, pvol: number): number => s.countPvol.get(sid, pvol) as number,
    countOfGroup: (sid: string, group: string): number => s.countGroup.get(sid, group) as number,
    countOfPool: (sid: string, poolId: number): number => s.countPool.get(sid, poolId) as number,
    isPvol: (sid: string, ldevId: number): boolean => s.isPvol.get(sid, ldevId) !== undefined,
    groupHasPvol: (sid: string, group: string, pvol: number): boolean => s.groupHasPvol.get(sid, group, pvol) !== undefined,
    /** Pool of the pair whose S-VOL is the LDEV (the LDEV object's `snapshotPoolId`). */
    svolPool: (sid: string, ldevId: number): number | undefined => s.svolPool.get(sid, ldevId) as number | undefined,
    insert: (p: PairRow) => { version++; s.insert.run(params(p)); },
    update: (p: PairRow) => { version++; s.update.run(params(p)); },
    delete: (sid: string, pvol: number, mu: number) => { version++; s.delete.run(sid, pvol, mu); },
    nextDue: (): number | null => (s.nextDue.get() as number | null) ?? null,
    dueUpTo: (at: number): PairRow[] => many(s.due.all(at)),
    /** Clone copies running (holding one of the array's copy slots). */
    copyingCount: (sid: string): number => s.copying.get(sid) as number,
    /** Clone copies waiting for a slot, plus creates that will start one when their COPY ends. */
    pendingCloneCount: (sid: string): number => (s.queuedCount.get(sid) as number) + (s.autoClonePending.get(sid) as number),
    nextQueuedClone: (sid: string): PairRow | undefined => one(s.nextQueued.get(sid)),
    /** Pairs in a timed phase without a deadline (loaded from a fixture before the clock was known). */
    unscheduled: (): PairRow[] => many(s.unscheduled.all()),

    getGroup: (sid: string, name: string): GroupRow | undefined => {
      const r = s.group.get(sid, name) as Raw | undefined; return r && toGroup(r);
    },
    listGroups: (sid: string): GroupRow[] => (s.groups.all(sid) as Raw[]).map(toGroup),
    countGroups: (sid: string): number => s.countGroups.get(sid) as number,
    countConsistencyGroups: (sid: string): number => s.countCtg.get(sid) as number,
    usedCtgIds: (sid: string): number[] => s.ctgIds.all(sid) as number[],
    insertGroup: (g: GroupRow) => { version++; s.insertGroup.run(g.sid, g.name, b(g.isCtg), g.ctgId, g.createdAt); },
    deleteGroup: (sid: string, name: string) => { version++; s.deleteGroup.run(sid, name); },
  };
}

export type PairStore = ReturnType<typeof createPairStore>;

/** A pair declared by a fixture (`arrays[].pairs`), created in the given status when the fixture loads. */
export interface PairSpec {
  pvolLdevId: number; muNumber?: number; svolLdevId?: number; snapshotGroupName: string; snapshotPoolId: number;
  status?: PairStatus; isClone?: boolean; canCascade?: boolean; isConsistencyGroup?: boolean; autoSplit?: boolean;
  clonesAutomation?: boolean; copySpeed?: CopySpeed; isDataReductionForceCopy?: boolean;
  /** `YYYY-MM-DDThh:mm:ss` (UTC); a split pair without one gets the load time. */
  splitTime?: string;
  /** Thin Image Advanced retention, hours from the moment the fixture loads (TIA ref 3). */
  retentionPeriod?: number;
}

const FIXTURE_STATUSES = new Set<string>(['SMPP', 'COPY', 'PAIR', 'PSUS', 'PFUL', 'PFUS', 'PSUE', 'RCPY', 'PSUP', 'CPYP']);
/** Marks a time the loader cannot know (the clock is not running yet); the pair module stamps it with "now". */
export const AT_LOAD = -1;

function phaseOfFixture(status: PairStatus, kind: PairKind): PairPhase | null {
  switch (status) {
    case 'COPY': case 'CPYP': return 'create';
    case 'RCPY': return 'restore';
    case 'PSUP': return kind === 'clone' ? 'cloneCopy' : 'create';
    case 'SMPP': return 'delete';
    default: return null;
  }
}

/**
 * Inserts a fixture's pairs (inside the fixture's transaction) with their groups. Timed statuses (COPY, RCPY,
 * PSUP, SMPP…) get no deadline here: the pair module schedules them from the virtual clock when it starts.
 *
 * 100,000 pairs load in a few hundred ms: the checks (MU free, pair defined once, S-VOL used once, group known, CTG
 * ids) read in-memory sets seeded from what the array already holds, instead of four queries per pair, and rows go
 * in through one positional statement (no parameter object per pair). The rows are those the pair store writes.
 */
export function loadFixturePairs(
  db: Db, sid: string, specs: PairSpec[], ldevExists: (ldevId: number) => boolean,
  model: { thinImageAdvanced: boolean; retention: boolean } = { thinImageAdvanced: false, retention: false },
): void {
  // A pair is Thin Image Advanced as the API decides it (pairRules isTiaCreate): a DRS P-VOL and its own HDP pool.
  const tiaOf = db.prepare(`SELECT 1 FROM ldevs l JOIN pools p ON p.sid = l.sid AND p.pool_id = l.pool_id
    WHERE l.sid = ? AND l.ldev_id = ? AND l.drs = 1 AND p.type = 'HDP' AND p.pool_id = ?`).pluck();
  const insertPair = db.prepare(`INSERT INTO pairs (sid, pvol, mu, svol, group_name, pool_id, status, kind, can_cascade, is_ctg,
    auto_split, clone_after_copy, phase, copy_speed, dr_force_copy, split_time, written_in_svol, phase_start, due_at, queued_at,
    created_at, is_row, retention_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL, ?, ?, ?)`);
  const insertGroup = db.prepare('INSERT INTO snapshot_groups (sid, name, is_ctg, ctg_id, created_at) VALUES (?, ?, ?, ?, ?)');
  // What the array holds already (nothing for a new array; kept exact for any caller that loads into a live one).
  const musOf = new Map<number, Set<number>>();
  for (const r of db.prepare('SELECT pvol, mu FROM pairs WHERE sid = ?').raw().iterate(sid) as Iterable<[number, number]>) {
    let mus = musOf.get(r[0]);
    if (!mus) musOf.set(r[0], (mus = new Set()));
    mus.add(r[1]);
  }
  const svols = new Set(db.prepare('SELECT svol FROM pairs WHERE sid = ? AND svol IS NOT NULL').pluck().all(sid) as number[]);
  const groups = new Map<string, boolean>();
  for (const r of db.prepare('SELECT name, is_ctg FROM snapshot_groups WHERE sid = ?').raw().iterate(sid) as Iterable<[string, number]>) {
    groups.set(r[0], r[1] === 1);
  }
  const ctgIds = new Set(db.prepare('SELECT ctg_id FROM snapshot_groups WHERE sid = ? AND ctg_id IS NOT NULL').pluck().all(sid) as number[]);
  const fail = (i: number, msg: string): never => { throw new Error(`fixture array ${sid}: pairs[${i}]: ${msg}`); };
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    if (!Number.isInteger(spec.pvolLdevId) || !ldevExists(spec.pvolLdevId)) fail(i, `P-VOL ${spec.pvolLdevId} is not a defined LDEV`);
    if (spec.svolLdevId !== undefined && !ldevExists(spec.svolLdevId)) fail(i, `S-VOL ${spec.svolLdevId} is not a defined LDEV`);
    if (!spec.snapshotGroupName) fail(i, 'needs snapshotGroupName');
    if (!Number.isInteger(spec.snapshotPoolId)) fail(i, 'needs snapshotPoolId');
    const status = spec.status ?? 'PAIR';
    if (!FIXTURE_STATUSES.has(status)) fail(i, `unknown status ${status}`);
    const kind: PairKind = spec.isClone ? 'clone' : 'snapshot';
    let mus = musOf.get(spec.pvolLdevId);
    if (!mus) musOf.set(spec.pvolLdevId, (mus = new Set()));
    let mu = spec.muNumber;
    if (mu === undefined) {
      mu = 0;
      while (mus.has(mu)) mu++;
    }
    if (mu < 0 || mu > 1023) fail(i, `muNumber ${mu} out of 0-1023`);
    if (mus.has(mu)) fail(i, `pair ${spec.pvolLdevId},${mu} is defined twice`);
    if (spec.svolLdevId !== undefined && svols.has(spec.svolLdevId)) fail(i, `S-VOL ${spec.svolLdevId} is used by two pairs`);
    let isCtg = groups.get(spec.snapshotGroupName);
    if (isCtg === undefined) {
      isCtg = spec.isConsistencyGroup ?? false;
      let ctgId: number | null = null;
      if (isCtg) {
        ctgId = 128;
        while (ctgIds.has(ctgId)) ctgId = ctgId >= 2047 ? 0 : ctgId + 1;
        ctgIds.add(ctgId);
      }
      groups.set(spec.snapshotGroupName, isCtg);
      insertGroup.run(sid, spec.snapshotGroupName, isCtg ? 1 : 0, ctgId, AT_LOAD);
    }
    const split = status === 'PSUS' || status === 'PFUS' || (status === 'PSUE' && spec.splitTime !== undefined);
    const tia = model.thinImageAdvanced && tiaOf.get(sid, spec.pvolLdevId, spec.snapshotPoolId) !== undefined;
    if (tia && kind === 'clone') fail(i, 'a Thin Image Advanced pair cannot be a clone');
    let retentionUntil: number | null = null;
    if (spec.retentionPeriod !== undefined) {
      if (!tia || !model.retention) fail(i, 'retentionPeriod needs a Thin Image Advanced pair on a model with retention');
      if (!Number.isInteger(spec.retentionPeriod) || spec.retentionPeriod < 1 || spec.retentionPeriod > 12288) fail(i, 'retentionPeriod must be 1-12288 hours');
      retentionUntil = retentionAtLoad(spec.retentionPeriod);
    }
    let splitTime: number | null = null;
    if (spec.splitTime !== undefined) {
      splitTime = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(spec.splitTime) ? spec.splitTime : `${spec.splitTime}Z`);
      if (Number.isNaN(splitTime)) fail(i, `splitTime "${spec.splitTime}" is not YYYY-MM-DDThh:mm:ss`);
    } else if (split) splitTime = AT_LOAD;
    mus.add(mu);
    if (spec.svolLdevId !== undefined) svols.add(spec.svolLdevId);
    insertPair.run(
      sid, spec.pvolLdevId, mu, spec.svolLdevId ?? null, spec.snapshotGroupName, spec.snapshotPoolId, status, kind,
      (spec.canCascade ?? kind === 'clone') ? 1 : 0, isCtg ? 1 : 0, spec.autoSplit ? 1 : 0,
      kind === 'clone' && spec.clonesAutomation ? 1 : 0, phaseOfFixture(status, kind), spec.copySpeed ?? 'medium',
      spec.isDataReductionForceCopy ? 1 : 0, splitTime, AT_LOAD, tia ? 1 : 0, retentionUntil,
    );
  }
}

/**
 * A retention end the loader cannot know yet (the clock is not running): `hours` after the load, written as a negative
 * number of hours below AT_LOAD (real ends are virtual times, never negative); stampLoadTimes turns it into a time.
 */
const retentionAtLoad = (hours: number): number => AT_LOAD - hours;

/** Stamps load-time markers with the virtual time the pair module starts at. */
export function stampLoadTimes(db: Db, now: number): void {
  // One pass over the pairs (100,000 of them after a big load), each marker column stamped where it is set.
  db.prepare(`UPDATE pairs SET
    retention_until = CASE WHEN retention_until < @at THEN @now + (@at - retention_until) * 3600000 ELSE retention_until END,
    created_at = CASE created_at WHEN @at THEN @now ELSE created_at END,
    split_time = CASE WHEN split_time = @at THEN @now ELSE split_time END
    WHERE created_at = @at OR split_time = @at OR retention_until < @at`).run({ now, at: AT_LOAD });
  db.prepare('UPDATE snapshot_groups SET created_at = ? WHERE created_at = ?').run(now, AT_LOAD);
}
