import type { UiJob, UiJournalEntry, UiLdev, UiPool, UiTransition } from '../../src/ui/wire.js';
import { blocks, hms, mib, narrate, plural, shortPath, statusColour } from './format.js';
import { StatusGlyph, type Selection } from './tree.js';
import { narrateVclone } from './tia.js';

/** The read-only panels: pool gauges, the LDEV table, the job feed, the request journal and the transitions. */

const GREEN = '#16a34a';
const AMBER = '#f59e0b';
const RED = '#dc2626';

/** A point on the gauge's half circle for a percentage (0 % at the left, 100 % at the right). */
function polar(cx: number, cy: number, r: number, pct: number): [number, number] {
  const a = Math.PI * (1 - Math.max(0, Math.min(100, pct)) / 100);
  return [cx + r * Math.cos(a), cy - r * Math.sin(a)];
}

function arc(cx: number, cy: number, r: number, from: number, to: number): string {
  const [x1, y1] = polar(cx, cy, r, from);
  const [x2, y2] = polar(cx, cy, r, to);
  return `M${x1.toFixed(2)},${y1.toFixed(2)}A${r},${r} 0 0 1 ${x2.toFixed(2)},${y2.toFixed(2)}`;
}

/** A pool as a half-circle gauge with its warning and depletion thresholds marked. */
export function PoolGauge({ pool, onFill }: { pool: UiPool; onFill?: (pool: UiPool) => void }) {
  const rate = pool.usedCapacityRate;
  const colour = rate >= pool.depletionThreshold ? RED : rate > pool.warningThreshold ? AMBER : GREEN;
  const cx = 75;
  const cy = 76;
  const r = 52;
  const used = pool.totalPoolCapacity - pool.availableVolumeCapacity;
  const tick = (pct: number, c: string, label: string) => {
    const [x1, y1] = polar(cx, cy, r - 11, pct);
    const [x2, y2] = polar(cx, cy, r + 11, pct);
    const [tx, ty] = polar(cx, cy, r + 19, pct);
    return (
      <g class="threshold">
        <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={c} stroke-width={2.5} />
        <text x={tx} y={ty + 3} text-anchor="middle" fill={c}>{label}</text>
      </g>
    );
  };
  return (
    <div class="pool" data-pool={pool.poolId} data-used-rate={rate} data-pool-status={pool.poolStatus}>
      <svg width={150} height={88} viewBox="0 0 150 88" role="img" aria-label={`pool ${pool.poolId} ${rate}% used`}>
        <path d={arc(cx, cy, r, 0, 100)} class="gauge-track" />
        <path d={arc(cx, cy, r, pool.warningThreshold, pool.depletionThreshold)} class="gauge-warn-zone" />
        <path d={arc(cx, cy, r, pool.depletionThreshold, 100)} class="gauge-full-zone" />
        {rate > 0 && <path d={arc(cx, cy, r, 0, rate)} class="gauge-value" stroke={colour} />}
        {tick(pool.warningThreshold, AMBER, `${pool.warningThreshold}`)}
        {tick(pool.depletionThreshold, RED, `${pool.depletionThreshold}`)}
        <text x={cx} y={cy - 6} text-anchor="middle" class="gauge-pct" fill={colour}>{rate}%</text>
        <text x={cx} y={cy + 10} text-anchor="middle" class="gauge-sub">{pool.poolStatus}</text>
      </svg>
      <div class="pool-text">
        <strong>{pool.poolName}</strong> <span class="badge">{pool.poolType}</span>
        <div class="muted">pool {pool.poolId} · {mib(used)} of {mib(pool.totalPoolCapacity)}</div>
        {pool.poolType === 'HTI' || pool.snapshotCount > 0
          ? <div class="muted">{plural(pool.snapshotCount, 'pair')} · snapshot data {mib(pool.snapshotUsedCapacity)}</div>
          : <div class="muted">{plural(pool.locatedVolumeCount, 'volume')} in it</div>}
        {onFill && <button class="link-button" data-action="fill-pool" onClick={() => onFill(pool)}>set usage…</button>}
      </div>
    </div>
  );
}

export function LdevTable({ ldevs, total, selection, onSelect }: { ldevs: UiLdev[]; total: number; selection: Selection; onSelect: (s: Selection) => void }) {
  return (
    <div class="table-wrap">
      <table class="ldevs">
        <thead><tr><th>LDEV</th><th>label</th><th>capacity</th><th>pool</th><th>used</th><th>role</th><th>attributes</th></tr></thead>
        <tbody>
          {ldevs.map((l) => (
            <tr key={l.ldevId} data-ldev-row={l.ldevId} class={selection?.type === 'ldev' && selection.id === l.ldevId ? 'selected' : ''}
              onClick={() => onSelect({ type: 'ldev', id: l.ldevId })}>
              <td class="num">{l.ldevId}</td>
              <td>{l.label}</td>
              <td>{l.byteFormatCapacity}</td>
              <td class="num">{l.poolId ?? '—'}</td>
              <td>{l.numOfUsedBlock === null ? '—' : blocks(l.numOfUsedBlock)}</td>
              <td>{l.roles.map((r) => <span key={r} class={`badge role-${r === 'P-VOL' ? 'p' : 's'}`}>{r}</span>)}</td>
              <td class="muted">{l.attributes.join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > ldevs.length && <p class="muted">showing {ldevs.length} of {total} LDEVs</p>}
    </div>
  );
}

function jobTarget(j: UiJob): string {
  return shortPath(j.affectedResources[0] ?? j.requestUrl.split('?')[0]);
}

/** A REST path that may wrap only after a slash, never mid-word ("snapshots/0,2", not "snapsho / ts/0,2"). */
function PathText({ path }: { path: string }) {
  const parts = path.split('/');
  return <>{parts.map((p, i) => <span key={i}>{p}{i < parts.length - 1 ? <>/<wbr /></> : null}</span>)}</>;
}

export function JobFeed({ jobs }: { jobs: UiJob[] }) {
  if (jobs.length === 0) return <p class="muted empty">No jobs yet.</p>;
  return (
    <ol class="feed jobs">
      {jobs.map((j) => {
        const err = j.error as { messageId?: string; message?: string } | undefined;
        return (
          <li key={j.jobId} data-job={j.jobId} data-job-state={j.state} class={`job-${j.state.toLowerCase()}`}>
            <span class="time">{hms(j.completedTime ?? j.updatedTime)}</span>
            <span class="id">#{j.jobId}</span>
            <span class="op">{j.operation}</span>
            <span class="target"><PathText path={jobTarget(j)} /></span>
            <span class={`state state-${j.state.toLowerCase()}`}>{j.status === 'Completed' ? j.state : j.status}</span>
            {err && <div class="job-error" title={err.message}>{err.messageId} {err.message}</div>}
          </li>
        );
      })}
    </ol>
  );
}

export function JournalFeed({ entries }: { entries: UiJournalEntry[] }) {
  if (entries.length === 0) return <p class="muted empty">No requests yet.</p>;
  return (
    <ol class="feed journal">
      {entries.map((e) => (
        <li key={e.seq} data-journal={e.seq} class={e.status !== null && e.status >= 400 ? 'bad' : ''}>
          <span class="time">{hms(e.time)}</span>
          {e.kind === 'event'
            ? <span class="op">fault event</span>
            : <><span class={`method m-${(e.method ?? '').toLowerCase()}`}>{e.method}</span><span class="target"><PathText path={shortPath(e.path)} /></span></>}
          <span class="status">{e.pending ? '…' : e.status ?? ''}</span>
          {e.jobId !== null && <span class="id">job {e.jobId}</span>}
          {e.fault && <span class="badge fault" title={`fault ${e.fault.id}`}>{e.fault.type} fault</span>}
        </li>
      ))}
    </ol>
  );
}

/**
 * The pair transitions, newest first, each said in words as the array did it ("LDEV 0 MU 1: PAIR → PSUS, split:
 * snapshot data stored at 10:00:05"). A click shows that pair in its tree.
 */
export function TransitionFeed({ transitions, onShow }: { transitions: UiTransition[]; onShow?: (snapshotId: string) => void }) {
  if (transitions.length === 0) return <p class="muted empty">Pair status changes show here, in words, as they happen.</p>;
  return (
    <ol class="feed transitions">
      {[...transitions].reverse().map((t) => (
        t.vclone
          ? <li key={t.seq} data-transition={t.snapshotId} data-vclone-change={t.vclone.change}>
            <span class="who">LDEV {t.vclone.ldevId}:</span> <span class="said">{narrateVclone(t)} at <span class="time">{hms(t.time)}</span></span>
          </li>
          : <li key={t.seq} data-transition={t.snapshotId} data-became-vclone={t.becameVclone} role={onShow ? 'button' : undefined} tabIndex={onShow ? 0 : undefined}
          onClick={() => onShow?.(t.snapshotId)}>
          <span class="who">LDEV {t.pvolLdevId} MU {t.muNumber}{t.isClone ? ' (clone)' : ''}:</span>{' '}
          <span class="chip" style={{ color: statusColour(t.from) }}>{t.from ? <StatusGlyph status={t.from} size={12} /> : null}{t.from ?? 'new'}</span>
          {' '}<span class="arrow">→</span>{' '}
          <span class="chip" style={{ color: statusColour(t.to) }}>{t.to ? <StatusGlyph status={t.to} size={12} /> : null}{t.to ?? 'gone'}</span>
          <span class="said">, {narrateVclone(t) ?? narrate(t.from, t.to, t.isClone)} at <span class="time">{hms(t.time)}</span></span>
        </li>
      ))}
    </ol>
  );
}
