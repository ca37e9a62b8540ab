/**
 * SQLite schema. Every table is keyed by the array's storageDeviceId (`sid`) so several emulated arrays live in
 * one database. Times are virtual-clock milliseconds. Bump SCHEMA_VERSION when a table changes: an older file
 * database is refused with a clear message rather than half-migrated.
 */
export const SCHEMA_VERSION = 1;

/**
 * Columns added after version 1, as (table, column, declaration). openDb adds the ones a database lacks, so a file
 * made by an older emulator keeps working (SQLite's ADD COLUMN needs a constant default or NULL).
 */
export const ADDED_COLUMNS: ReadonlyArray<readonly [table: string, column: string, decl: string]> = [
  // Thin Image Advanced: the pair is redirect-on-write (its snapshot data lives in the P-VOL's HDP pool).
  ['pairs', 'is_row', 'INTEGER NOT NULL DEFAULT 0'],
  // Thin Image Advanced retention: the virtual ms at which the snapshot data retention period ends (NULL: none set).
  ['pairs', 'retention_until', 'INTEGER'],
  // vClone: the parent LDEV of a virtual clone (NULL: not a vClone). VCP is derived: some LDEV names this one as parent.
  ['ldevs', 'parent_ldev_id', 'INTEGER'],
];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS arrays (
  sid TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  serial INTEGER NOT NULL,
  doc TEXT NOT NULL            -- JSON: the fixture's array section (ips, micro version, facts overrides)
);

CREATE TABLE IF NOT EXISTS users (
  sid TEXT NOT NULL, user_id TEXT NOT NULL, password TEXT NOT NULL,
  PRIMARY KEY (sid, user_id)
);

CREATE TABLE IF NOT EXISTS sessions (
  session_id INTEGER NOT NULL, sid TEXT NOT NULL, token TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
  ip TEXT NOT NULL, created_at INTEGER NOT NULL, last_access INTEGER NOT NULL,
  alive_time INTEGER NOT NULL, auth_timeout INTEGER NOT NULL,
  PRIMARY KEY (sid, session_id)
);

CREATE TABLE IF NOT EXISTS pools (
  sid TEXT NOT NULL, pool_id INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
  total_blocks INTEGER NOT NULL, warning INTEGER NOT NULL, depletion INTEGER NOT NULL,
  vvol_rate INTEGER NOT NULL,   -- virtualVolumeCapacityRate, -1 = unlimited
  num_pool_vols INTEGER NOT NULL, first_ldev_id INTEGER NOT NULL,
  snapshot_used_blocks INTEGER NOT NULL DEFAULT 0, -- snapshot data held in the pool
  extra_used_blocks INTEGER NOT NULL DEFAULT 0,    -- used capacity declared by the fixture (other tenants)
  is_mainframe INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sid, pool_id)
);

CREATE TABLE IF NOT EXISTS ldevs (
  sid TEXT NOT NULL, ldev_id INTEGER NOT NULL,
  emulation TEXT NOT NULL, blocks INTEGER NOT NULL,
  pool_id INTEGER,              -- DP pool, or NULL for a Thin Image V-VOL (created with poolId -1)
  label TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'NML',
  extra_attrs TEXT NOT NULL DEFAULT '[]',
  dr_mode TEXT NOT NULL DEFAULT 'disabled',
  dr_status TEXT NOT NULL DEFAULT 'DISABLED',
  drs INTEGER NOT NULL DEFAULT 0,
  full_alloc INTEGER NOT NULL DEFAULT 0,
  used_blocks INTEGER NOT NULL DEFAULT 0,
  clpr_id INTEGER NOT NULL DEFAULT 0, mp_blade_id INTEGER NOT NULL DEFAULT 0,
  resource_group_id INTEGER NOT NULL DEFAULT 0,
  alua INTEGER NOT NULL DEFAULT 0, relocation INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (sid, ldev_id)
);
CREATE INDEX IF NOT EXISTS ldevs_pool ON ldevs (sid, pool_id);

CREATE TABLE IF NOT EXISTS ports (
  sid TEXT NOT NULL, port_id TEXT NOT NULL, type TEXT NOT NULL,   -- FIBRE | ISCSI
  doc TEXT NOT NULL,          -- JSON: wwn, speed, ipv4Address, tcpPort, attributes...
  lun_security INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (sid, port_id)
);

CREATE TABLE IF NOT EXISTS host_groups (
  sid TEXT NOT NULL, port_id TEXT NOT NULL, hg_number INTEGER NOT NULL, name TEXT NOT NULL,
  host_mode TEXT NOT NULL DEFAULT 'LINUX/IRIX', host_mode_options TEXT NOT NULL DEFAULT '[]',
  iscsi_name TEXT,            -- target IQN of an iSCSI target
  auth_mode TEXT NOT NULL DEFAULT 'NONE',
  PRIMARY KEY (sid, port_id, hg_number)
);

CREATE TABLE IF NOT EXISTS host_wwns (
  sid TEXT NOT NULL, port_id TEXT NOT NULL, hg_number INTEGER NOT NULL, wwn TEXT NOT NULL, nickname TEXT NOT NULL DEFAULT '-',
  PRIMARY KEY (sid, port_id, hg_number, wwn)
);

CREATE TABLE IF NOT EXISTS host_iscsis (
  sid TEXT NOT NULL, port_id TEXT NOT NULL, hg_number INTEGER NOT NULL, iscsi_name TEXT NOT NULL, nickname TEXT NOT NULL DEFAULT '-',
  PRIMARY KEY (sid, port_id, hg_number, iscsi_name)
);

CREATE TABLE IF NOT EXISTS luns (
  sid TEXT NOT NULL, port_id TEXT NOT NULL, hg_number INTEGER NOT NULL, lun INTEGER NOT NULL, ldev_id INTEGER NOT NULL,
  PRIMARY KEY (sid, port_id, hg_number, lun)
);
CREATE INDEX IF NOT EXISTS luns_ldev ON luns (sid, ldev_id);

CREATE TABLE IF NOT EXISTS jobs (
  job_id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL, user_id TEXT NOT NULL,
  op TEXT NOT NULL, params TEXT NOT NULL,        -- the command to run when due (JSON)
  request_url TEXT NOT NULL, request_method TEXT NOT NULL, request_body TEXT NOT NULL,
  self_prefix TEXT NOT NULL,                     -- URL form of the request, for self/affectedResources
  created_at INTEGER NOT NULL, start_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
  completed_at INTEGER,
  state TEXT,                                    -- Succeeded | Failed once completed
  affected TEXT NOT NULL DEFAULT '[]', error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at) WHERE completed_at IS NULL;
CREATE INDEX IF NOT EXISTS jobs_sid ON jobs (sid, job_id);

-- Thin Image snapshot groups: created by the first pair that names one, gone with its last pair.
CREATE TABLE IF NOT EXISTS snapshot_groups (
  sid TEXT NOT NULL, name TEXT NOT NULL,
  is_ctg INTEGER NOT NULL DEFAULT 0,
  ctg_id INTEGER,                -- consistency group id of a CTG-mode group
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sid, name)
);

-- Thin Image pairs. Status, machine context and the deadline of the next timed transition live here (virtual ms),
-- so a restart resumes every COPY / RCPY / clone copy / SMPP where it was.
CREATE TABLE IF NOT EXISTS pairs (
  sid TEXT NOT NULL, pvol INTEGER NOT NULL, mu INTEGER NOT NULL,
  svol INTEGER,                  -- NULL: a pair without S-VOL
  group_name TEXT NOT NULL, pool_id INTEGER NOT NULL, status TEXT NOT NULL,
  kind TEXT NOT NULL,            -- snapshot | clone
  can_cascade INTEGER NOT NULL, is_ctg INTEGER NOT NULL,
  auto_split INTEGER NOT NULL DEFAULT 0, clone_after_copy INTEGER NOT NULL DEFAULT 0,
  phase TEXT,                    -- timed phase of the status (create, resync, restore, cloneCopy, delete, cloneEnd)
  copy_speed TEXT NOT NULL DEFAULT 'medium', dr_force_copy INTEGER NOT NULL DEFAULT 0,
  split_time INTEGER, written_in_svol INTEGER NOT NULL DEFAULT 0,
  phase_start INTEGER, due_at INTEGER,
  queued_at INTEGER,             -- a clone copy waiting for a copy slot
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sid, pvol, mu)
);
CREATE UNIQUE INDEX IF NOT EXISTS pairs_svol ON pairs (sid, svol) WHERE svol IS NOT NULL;
CREATE INDEX IF NOT EXISTS pairs_group ON pairs (sid, group_name, pvol, mu);
CREATE INDEX IF NOT EXISTS pairs_pool ON pairs (sid, pool_id);
CREATE INDEX IF NOT EXISTS pairs_due ON pairs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS pairs_copying ON pairs (sid, queued_at) WHERE status = 'PSUP';

-- Host I/O and capacity (content model). A volume's content is a sparse row of fixed-size chunks, each holding a
-- content value (0 = zeros). \`owner\` >= 0 is an LDEV's own data; owner < 0 is the data hosts wrote to the S-VOL of
-- Thin Image pair (pvol, mu), owner = -(pvol * 1024 + mu) - 1: it belongs to the pair, which keeps it across
-- unassign/assign. \`epoch\` is the volume's epoch when the chunk was written (see content_vols).
CREATE TABLE IF NOT EXISTS content_chunks (
  sid TEXT NOT NULL, owner INTEGER NOT NULL, chunk INTEGER NOT NULL,
  value INTEGER NOT NULL, epoch INTEGER NOT NULL,
  PRIMARY KEY (sid, owner, chunk)
) WITHOUT ROWID;

-- Snapshot data: a chunk value of volume \`vol\` kept by copy-on-write when it was overwritten at epoch until_epoch.
-- It is what every snapshot of the volume with from_epoch <= epoch < until_epoch reads, held in pool_id.
CREATE TABLE IF NOT EXISTS content_snapdata (
  sid TEXT NOT NULL, vol INTEGER NOT NULL, chunk INTEGER NOT NULL, until_epoch INTEGER NOT NULL,
  from_epoch INTEGER NOT NULL, value INTEGER NOT NULL, pool_id INTEGER NOT NULL,
  PRIMARY KEY (sid, vol, chunk, until_epoch)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS content_snapdata_until ON content_snapdata (sid, vol, until_epoch);

-- Per volume: the epoch counter (a split takes the current epoch and moves it on), the epoch the S-VOL view under
-- the volume was set, DP pages host writes allocated, and numOfUsedBlock before the first of them.
CREATE TABLE IF NOT EXISTS content_vols (
  sid TEXT NOT NULL, ldev INTEGER NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 1, base_epoch INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0, base_used INTEGER,
  PRIMARY KEY (sid, ldev)
);

-- Snapshot generations: the P-VOL epoch a split (or cloning) pair holds; suspended (PSUE) ones take no new data.
CREATE TABLE IF NOT EXISTS content_gens (
  sid TEXT NOT NULL, pvol INTEGER NOT NULL, mu INTEGER NOT NULL, epoch INTEGER NOT NULL, pool_id INTEGER NOT NULL,
  suspended INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sid, pvol, mu)
);
CREATE INDEX IF NOT EXISTS content_gens_epoch ON content_gens (sid, pvol, epoch);

-- The pair whose snapshot an S-VOL shows.
CREATE TABLE IF NOT EXISTS content_svols (
  sid TEXT NOT NULL, svol INTEGER NOT NULL, pvol INTEGER NOT NULL, mu INTEGER NOT NULL,
  PRIMARY KEY (sid, svol)
);

-- The chunk geometry content was written with, per array (a fixture with another chunk size needs a reset).
CREATE TABLE IF NOT EXISTS content_arrays (
  sid TEXT NOT NULL PRIMARY KEY, chunk_kib INTEGER NOT NULL, page_mib INTEGER NOT NULL
);

-- Host write workloads running on the virtual clock (control plane POST /emulator/v1/io/workloads).
CREATE TABLE IF NOT EXISTS io_workloads (
  sid TEXT NOT NULL, id TEXT NOT NULL, ldev INTEGER NOT NULL,
  rate REAL NOT NULL,                -- writes per second
  io_bytes INTEGER NOT NULL, region_offset INTEGER NOT NULL, region_bytes INTEGER NOT NULL,
  random INTEGER NOT NULL, seed INTEGER NOT NULL, pattern TEXT,
  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, tick_ms INTEGER NOT NULL,
  next_at INTEGER,                   -- NULL once it stopped
  writes INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, error TEXT, stopped_at INTEGER,
  PRIMARY KEY (sid, id)
);
CREATE INDEX IF NOT EXISTS io_workloads_due ON io_workloads (next_at) WHERE next_at IS NOT NULL;

-- Command statuses of the simple API (/ConfigurationManager/simple/v1/objects/command-status/{id}, TIA ref 6.2): the
-- job that runs the command, the session that submitted it, and the outcome copied from the job when it completes.
-- Bounded per array like the job records (the model's jobRetention). Added without a version bump.
CREATE TABLE IF NOT EXISTS simple_commands (
  sid TEXT NOT NULL, id INTEGER NOT NULL, job_id INTEGER,
  owner TEXT NOT NULL,               -- 'session:<token>' or 'basic:<userId>'
  resource TEXT NOT NULL,            -- the URL the command acts on (errorResource on failure)
  details TEXT NOT NULL,             -- operationDetails (JSON array)
  created_at INTEGER NOT NULL, completed_at INTEGER,
  status TEXT,                       -- normal | error, once completed
  affected TEXT, error TEXT,         -- JSON: affectedResources / the VSP error body
  PRIMARY KEY (sid, id)
);
CREATE INDEX IF NOT EXISTS simple_commands_job ON simple_commands (job_id);

-- The fixture the state came from (one row; written by every fixture load, so resets and checkpoint restores move it).
-- Added without a version bump: an older database gains the empty table and says its origin is unrecorded.
CREATE TABLE IF NOT EXISTS fixture_origin (name TEXT NOT NULL);

-- Garbage-data deletion per snapshot-tree root (VSP 5000, TIA ref 5): the tree's garbage and its processing.
-- Added without a version bump: an older database gains the empty table.
CREATE TABLE IF NOT EXISTS garbage_deletions (
  sid TEXT NOT NULL, root INTEGER NOT NULL,
  state TEXT NOT NULL,               -- idle | running | stopped | completed
  garbage_blocks INTEGER NOT NULL,   -- garbage left, 512-byte blocks
  due_at INTEGER,                    -- next processing step (virtual ms) while running
  PRIMARY KEY (sid, root)
);
`;
