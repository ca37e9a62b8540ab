import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { UiClock, UiJob, UiLdev, UiPair, UiPool, UiScenario, UiView } from '../../src/ui/wire.js';
import type { Answer } from './api.js';
import { clockText, hms, plural, STATUS_MEANING, statusColour } from './format.js';
import { StatusGlyph, type Selection } from './tree.js';
import { kindText, RetentionFact, VcloneButtons, VcloneFacts } from './tia.js';

/** The instructor's controls: clock, checkpoints, scenarios, host workload, pair and group operations, creation. */

/** What the controls can ask of the page: a REST call or a control-plane call, each recorded in the operations log. */
export interface Actions {
  sid: string;
  rest(label: string, method: string, path: string, body?: unknown): Promise<Answer | null>;
  control(label: string, method: string, path: string, body?: unknown, opts?: { quiet?: boolean }): Promise<Answer | null>;
}

/** One operation the instructor ran, with what the emulator answered (and, for a job, the job as it stands). */
export interface OpRecord {
  id: number; label: string; request: string; at: string;
  status: number | null; body: unknown; jobId: number | null; failure: string | null;
}

// ---- clock ----

/**
 * The virtual clock. While the emulator cannot be reached (`stopped`) the time shown is the last one known, marked
 * stopped, and never extrapolated: a class must not watch a clock run that nothing is running.
 */
export function ClockBar({ clock, receivedAt, act, stopped = false }: { clock: UiClock; receivedAt: number; act: Actions; stopped?: boolean }) {
  const [, setTick] = useState(0);
  const running = clock.mode === 'real' && !stopped;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((x) => x + 1), 250);
    return () => clearInterval(t);
  }, [running, clock.epochMs, clock.speed]);
  const shown = running ? clock.epochMs + (Date.now() - receivedAt) * clock.speed : clock.epochMs;
  const set = (body: object) => act.control('clock', 'POST', 'clock', body, { quiet: true });
  const step = (seconds: number) => act.control(`step +${seconds} s`, 'POST', 'clock/advance', { seconds }, { quiet: true });
  const speedText = clock.speed >= 1 ? `×${clock.speed}` : `×1/${Math.round(1 / clock.speed)}`;
  const state = stopped ? 'stopped' : clock.mode;
  return (
    <div class="clock" data-clock-mode={clock.mode} data-clock-speed={clock.speed} data-clock-state={state}>
      <div class="clock-face">
        <span class="clock-time" data-clock-ms={clock.epochMs} title="virtual time (UTC)"><span class="date">{clockText(shown).slice(0, 11)}</span>{clockText(shown).slice(11)}</span>
        <span class={`badge clock-mode ${state}`}>{stopped ? '■ stopped: no emulator' : clock.mode === 'real' ? `▶ running ${speedText}` : `❚❚ paused ${speedText}`}</span>
      </div>
      <div class="clock-buttons">
        {clock.mode === 'real'
          ? <button data-action="clock-pause" disabled={stopped} title="freeze virtual time (manual clock)" onClick={() => set({ mode: 'manual' })}>Pause</button>
          : <button data-action="clock-run" disabled={stopped} title="let virtual time run" onClick={() => set({ mode: 'real' })}>▶ Run</button>}
        <button class="wide-only" data-action="clock-slower" disabled={stopped} title="half the speed" onClick={() => set({ speed: Math.max(1 / 64, clock.speed / 2) })}>½×</button>
        <button class="wide-only" data-action="clock-faster" disabled={stopped} title="double the speed" onClick={() => set({ speed: Math.min(4096, clock.speed * 2) })}>2×</button>
        <span class="sep wide-only" />
        {[1, 10, 60, 600].map((s) => (
          <button key={s} class={s === 10 ? '' : s === 60 ? 'phone-hide' : 'wide-only rare'} data-action={`clock-step-${s}`} disabled={stopped} title={`advance virtual time by ${s} s`} onClick={() => step(s)}>
            +{s >= 60 ? `${s / 60} min` : `${s} s`}
          </button>
        ))}
      </div>
    </div>
  );
}

// ---- checkpoints and scenarios ----

export function Checkpoints({ view, act }: { view: UiView; act: Actions }) {
  const [name, setName] = useState('lesson-start');
  return (
    <div class="checkpoints">
      <form class="row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) void act.control(`save checkpoint ${name}`, 'POST', `checkpoints/${encodeURIComponent(name.trim())}`, { description: 'saved from the web view' }); }}>
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} aria-label="checkpoint name" pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
        <button type="submit" data-action="checkpoint-save">Save</button>
      </form>
      {view.checkpoints.length === 0 ? <p class="muted">No checkpoints yet.</p> : (
        <ul class="plain">
          {view.checkpoints.map((c) => (
            <li key={c.name} data-checkpoint={c.name}>
              <span class="grow"><strong>{c.name}</strong> <span class="muted">{hms(c.createdTime as string)}</span></span>
              <button data-action="checkpoint-restore" onClick={() => act.control(`restore checkpoint ${c.name}`, 'POST', `checkpoints/${encodeURIComponent(c.name)}/restore`, {})}>Restore</button>
              <button class="quiet" data-action="checkpoint-delete" title="delete" onClick={() => act.control(`delete checkpoint ${c.name}`, 'DELETE', `checkpoints/${encodeURIComponent(c.name)}`)}>✕</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Scenarios({ scenarios, current, act }: { scenarios: UiScenario[]; current: string | null; act: Actions }) {
  const [chosen, setChosen] = useState<string>('');
  const name = chosen || scenarios.find((s) => s.name === current)?.name || scenarios[0]?.name || '';
  const desc = scenarios.find((s) => s.name === name)?.description;
  return (
    <div class="scenarios">
      <div class="row">
        <select value={name} onChange={(e) => setChosen(e.currentTarget.value)} aria-label="scenario" data-field="scenario">
          {scenarios.map((s) => <option key={s.name} value={s.name}>{s.training ? '★ ' : ''}{s.name}</option>)}
        </select>
        <button data-action="scenario-load" disabled={!name} title="reset the whole emulator to this fixture"
          onClick={() => act.control(`load scenario ${name}`, 'POST', 'reset', { fixture: name })}>Load</button>
      </div>
      {desc && <p class="muted small">{desc}</p>}
      <p class="muted small">Now: <strong>{current ?? '—'}</strong>. Loading resets every array, the journal and the faults.</p>
    </div>
  );
}

// ---- pools and host I/O ----

export function PoolUsage({ pool, act, onDone }: { pool: UiPool; act: Actions; onDone: () => void }) {
  const [rate, setRate] = useState(Math.min(100, Math.max(pool.usedCapacityRate, pool.warningThreshold + 1)));
  return (
    <form class="pool-usage row" onSubmit={(e) => {
      e.preventDefault();
      // A control-plane `pool` fault applies at once (the pair module reacts: PFUL/PFUS, PSUE); the rule is then
      // removed so it does not stay listed as armed. The usage it set stays, as on the array.
      void act.control(`pool ${pool.poolId} usage ${rate}%`, 'POST', 'faults',
        { description: 'web view: pool usage', effect: { type: 'pool', poolId: pool.poolId, usedRate: rate, storageDeviceId: act.sid } })
        .then((a) => {
          const id = (a?.body as { id?: string } | null)?.id;
          if (a?.ok && id) void act.control('remove pool rule', 'DELETE', `faults/${encodeURIComponent(id)}`, undefined, { quiet: true });
        });
      onDone();
    }}>
      <label class="grow">Pool {pool.poolId} used by other data: <strong>{rate}%</strong>
        <input type="range" min={0} max={100} value={rate} onInput={(e) => setRate(Number(e.currentTarget.value))} data-field="pool-rate" />
      </label>
      <button type="submit" data-action="pool-apply">Apply</button>
      <button type="button" class="quiet" onClick={onDone}>✕</button>
    </form>
  );
}

export interface Workload { id: string; [field: string]: unknown }

export function Workloads({ ldevs, workloads, available, preset, act }: { ldevs: UiLdev[]; workloads: Workload[]; available: boolean | null; preset: number | null; act: Actions }) {
  const [ldevId, setLdevId] = useState<number | null>(null);
  const [rate, setRate] = useState(64);
  const [unit, setUnit] = useState<'MiBps' | 'ratePerSecond'>('MiBps');
  const [random, setRandom] = useState(true);
  const [duration, setDuration] = useState(120);
  useEffect(() => { if (preset !== null) setLdevId(preset); }, [preset]);
  const target = ldevId ?? ldevs[0]?.ldevId ?? 0;
  return (
    <div class="workloads">
      <form class="grid2" onSubmit={(e) => {
        e.preventDefault();
        // The host I/O module's workload: a rate in MiB/s (MiBps) or in writes per second (ratePerSecond).
        void act.control(`host writes to LDEV ${target}`, 'POST', 'io/workloads',
          { storageDeviceId: act.sid, ldevId: target, [unit]: rate, random, durationSeconds: duration });
      }}>
        <label>LDEV<select value={target} onChange={(e) => setLdevId(Number(e.currentTarget.value))} data-field="workload-ldev">
          {ldevs.map((l) => <option key={l.ldevId} value={l.ldevId}>{l.ldevId}{l.label ? ` · ${l.label}` : ''}</option>)}
        </select></label>
        <label>rate<input type="number" min={1} value={rate} onInput={(e) => setRate(Number(e.currentTarget.value))} data-field="workload-rate" /></label>
        <label>per<select value={unit} onChange={(e) => setUnit(e.currentTarget.value as 'MiBps' | 'ratePerSecond')} data-field="workload-unit">
          <option value="MiBps">MiB/s</option><option value="ratePerSecond">writes/s</option>
        </select></label>
        <label>seconds<input type="number" min={1} value={duration} onInput={(e) => setDuration(Number(e.currentTarget.value))} data-field="workload-seconds" /></label>
        <label class="check"><input type="checkbox" checked={random} onChange={(e) => setRandom(e.currentTarget.checked)} />random</label>
        <button type="submit" data-action="workload-start" class="span2">Start host write workload</button>
      </form>
      {available === false && <p class="muted small">This emulator has no host I/O routes (/emulator/v1/io) yet: the request will say so.</p>}
      {workloads.length > 0 && (
        <ul class="plain">
          {workloads.map((w) => (
            <li key={w.id} data-workload={w.id}>
              <span class="grow">{w.id} · LDEV {String(w.ldevId ?? '?')}{' '}
                <span class="muted" data-workload-state={String(w.state ?? '')}>{String(w.state ?? '')}
                  {typeof w.writes === 'number' ? ` · ${w.writes}${typeof w.plannedWrites === 'number' ? `/${w.plannedWrites}` : ''} writes` : ''}</span></span>
              <button class="quiet" data-action="workload-stop" onClick={() => act.control(`stop workload ${w.id}`, 'DELETE', `io/workloads/${encodeURIComponent(w.id)}`)}>{w.state === 'running' ? 'Stop' : 'Remove'}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// ---- selection: a pair, its group, or a volume ----

function Field({ k, children }: { k: string; children: ComponentChildren }) {
  return <><dt>{k}</dt><dd>{children}</dd></>;
}

function PairActions({ pair, view, act, virtualNow }: { pair: UiPair; view: UiView; act: Actions; virtualNow: number }) {
  const [autoSplit, setAutoSplit] = useState(false);
  const [speed, setSpeed] = useState('medium');
  const [svol, setSvol] = useState<number | ''>('');
  const id = pair.snapshotId;
  const path = `snapshots/${id}`;
  const pvol = view.ldevs.find((l) => l.ldevId === pair.pvolLdevId);
  const free = view.ldevs.filter((l) => l.roles.length === 0 && l.ldevId !== pair.pvolLdevId && (!pvol || l.blockCapacity === pvol.blockCapacity));
  const colour = statusColour(pair.status);
  const g = view.groups.find((x) => x.snapshotGroupName === pair.snapshotGroupName);
  const gpath = `snapshot-groups/${encodeURIComponent(pair.snapshotGroupName)}`;
  const inv = (op: string) => `${path}/actions/${op}/invoke`;
  const ginv = (op: string) => `${gpath}/actions/${op}/invoke`;
  return (
    <div class="selection" data-selected-pair={id}>
      <h3>Pair {id} <span class="muted">· LDEV {pair.pvolLdevId} MU {pair.muNumber}</span> <span class="status-chip" style={{ background: colour }}><StatusGlyph status={pair.status} size={13} colour="#fff" />{pair.status}</span></h3>
      <p class="muted small">{STATUS_MEANING[pair.status]}{pair.queued ? ' — waiting for a copy slot' : ''}</p>
      <dl class="facts">
        <Field k="P-VOL">LDEV {pair.pvolLdevId}</Field>
        <Field k="S-VOL">{pair.svolLdevId !== undefined ? `LDEV ${pair.svolLdevId}` : 'none (floating)'}</Field>
        <Field k="MU">{pair.muNumber}</Field>
        <Field k="group">{pair.snapshotGroupName}{pair.isConsistencyGroup ? ' (CTG)' : ''}</Field>
        <Field k="pool">{pair.snapshotPoolId}</Field>
        <Field k="kind"><span data-pair-kind="">{kindText(pair)}</span></Field>
        {pair.splitTime && <Field k="split at">{pair.splitTime}</Field>}
        {pair.progressRate !== undefined && <Field k="progress">{pair.progressRate}%{pair.dueTime ? ` (ends ${hms(pair.dueTime)})` : ''}</Field>}
        <Field k="written">{pair.isWrittenInSvol ? 'S-VOL written' : 'S-VOL not written'}</Field>
        {pair.isVirtualCloneVolume && pair.isVirtualCloneParentVolume && <Field k="vClone">paired back: LDEV {pair.svolLdevId} is a vClone of LDEV {pair.pvolLdevId}</Field>}
      </dl>
      <RetentionFact end={view.retentionEnds[pair.snapshotId]} nowMs={virtualNow} act={act} />
      <div class="buttons">
        <button data-action="split" onClick={() => act.rest(`split ${id}`, 'POST', inv('split'), { parameters: {} })}>Split</button>
        <button data-action="resync" onClick={() => act.rest(`resync ${id}`, 'POST', inv('resync'), { parameters: { autoSplit } })}>Resync</button>
        <button data-action="restore" onClick={() => act.rest(`restore ${id}`, 'POST', inv('restore'), { parameters: { autoSplit } })}>Restore</button>
        <button data-action="clone" onClick={() => act.rest(`clone ${id}`, 'POST', inv('clone'), { parameters: { copySpeed: speed } })}>Clone</button>
        <button data-action="unassign" onClick={() => act.rest(`unassign ${id}`, 'POST', inv('unassign-volume'), { parameters: {} })}>Unassign</button>
        <button data-action="delete" class="danger" onClick={() => act.rest(`delete ${id}`, 'DELETE', path)}>Delete</button>
      </div>
      <VcloneButtons pair={pair} act={act} />
      <div class="row small">
        <label class="check"><input type="checkbox" checked={autoSplit} onChange={(e) => setAutoSplit(e.currentTarget.checked)} />autoSplit (resync, restore)</label>
        <label>copy speed <select value={speed} onChange={(e) => setSpeed(e.currentTarget.value)} data-field="copy-speed">
          {['slower', 'medium', 'faster'].map((s) => <option key={s}>{s}</option>)}
        </select></label>
      </div>
      <form class="row" onSubmit={(e) => { e.preventDefault(); if (svol !== '') void act.rest(`assign LDEV ${svol} to ${id}`, 'POST', inv('assign-volume'), { parameters: { svolLdevId: svol } }); }}>
        <select value={svol} onChange={(e) => setSvol(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))} aria-label="S-VOL to assign" data-field="assign-svol">
          <option value="">S-VOL to assign…</option>
          {free.map((l) => <option key={l.ldevId} value={l.ldevId}>LDEV {l.ldevId}{l.label ? ` · ${l.label}` : ''}</option>)}
        </select>
        <button type="submit" data-action="assign" disabled={svol === ''}>Assign</button>
      </form>
      <h4>Group {pair.snapshotGroupName} <span class="muted">({g ? plural(g.pairCount, 'pair') : '?'}{g?.isConsistencyGroup ? `, CTG ${g.consistencyGroupId}` : ''})</span></h4>
      <div class="buttons">
        <button data-action="group-split" onClick={() => act.rest(`split group ${pair.snapshotGroupName}`, 'POST', ginv('split'), { parameters: {} })}>Split group</button>
        <button data-action="group-resync" onClick={() => act.rest(`resync group ${pair.snapshotGroupName}`, 'POST', ginv('resync'), { parameters: { autoSplit } })}>Resync group</button>
        <button data-action="group-restore" onClick={() => act.rest(`restore group ${pair.snapshotGroupName}`, 'POST', ginv('restore'), { parameters: { autoSplit } })}>Restore group</button>
        <button data-action="group-clone" onClick={() => act.rest(`clone group ${pair.snapshotGroupName}`, 'POST', ginv('clone'), { parameters: { copySpeed: speed } })}>Clone group</button>
        <button data-action="group-delete" class="danger" onClick={() => act.rest(`delete group ${pair.snapshotGroupName}`, 'DELETE', gpath)}>Delete group</button>
      </div>
    </div>
  );
}

function VolumeActions({ ldev, view, act, onWorkload }: { ldev: UiLdev; view: UiView; act: Actions; onWorkload: (id: number) => void }) {
  const isRoot = ldev.roles.includes('P-VOL') && !ldev.roles.includes('S-VOL');
  const asSvol = view.pairs.find((p) => p.svolLdevId === ldev.ldevId);
  return (
    <div class="selection" data-selected-ldev={ldev.ldevId}>
      <h3>LDEV {ldev.ldevId} {ldev.roles.map((r) => <span key={r} class={`badge role-${r === 'P-VOL' ? 'p' : 's'}`}>{r}</span>)}</h3>
      <dl class="facts">
        <Field k="label">{ldev.label || '—'}</Field>
        <Field k="capacity">{ldev.byteFormatCapacity}</Field>
        <Field k="pool">{ldev.poolId ?? 'none (V-VOL)'}</Field>
        <Field k="attributes">{ldev.attributes.join(', ')}</Field>
        {asSvol && <Field k="S-VOL of">pair {asSvol.snapshotId}</Field>}
      </dl>
      <VcloneFacts ldevId={ldev.ldevId} view={view} />
      <p class="muted small">The create form below now uses this LDEV as its P-VOL.</p>
      <div class="buttons">
        <button data-action="workload-here" onClick={() => onWorkload(ldev.ldevId)}>Host writes here…</button>
        {isRoot && <button data-action="tree-delete" class="danger" title="snapshot-tree delete: every cascade pair of this tree"
          onClick={() => act.rest(`delete tree of LDEV ${ldev.ldevId}`, 'POST', 'services/snapshot-tree/actions/delete/invoke', { parameters: { ldevId: ldev.ldevId } })}>Delete snapshot tree</button>}
      </div>
    </div>
  );
}

export function SelectionPanel({ selection, view, act, onWorkload, virtualNow }: {
  selection: Selection; view: UiView; act: Actions; onWorkload: (id: number) => void; virtualNow: number;
}) {
  if (selection?.type === 'pair') {
    const pair = view.pairs.find((p) => p.snapshotId === selection.id);
    if (pair) return <PairActions key={pair.snapshotId} pair={pair} view={view} act={act} virtualNow={virtualNow} />;
    return <p class="muted">Pair {selection.id} is gone.</p>;
  }
  if (selection?.type === 'ldev') {
    const ldev = view.ldevs.find((l) => l.ldevId === selection.id);
    if (ldev) return <VolumeActions key={ldev.ldevId} ldev={ldev} view={view} act={act} onWorkload={onWorkload} />;
  }
  return <p class="muted">Click a pair or a volume in a tree (or a row of the LDEV table) to operate on it.</p>;
}

// ---- create a pair ----

export function CreatePair({ view, pvolPreset, act }: { view: UiView; pvolPreset: number | null; act: Actions }) {
  const firstTi = view.pools.find((p) => p.poolType === 'HTI') ?? view.pools[0];
  const [pvol, setPvol] = useState<number>(pvolPreset ?? view.ldevs[0]?.ldevId ?? 0);
  const [svol, setSvol] = useState<number | ''>('');
  const [pool, setPool] = useState<number>(firstTi?.poolId ?? 0);
  const [group, setGroup] = useState('snap-group-1');
  const [mu, setMu] = useState<string>('');
  const [isClone, setIsClone] = useState(false);
  const [canCascade, setCanCascade] = useState(true);
  const [autoSplit, setAutoSplit] = useState(false);
  const [clonesAutomation, setClonesAutomation] = useState(false);
  const [copySpeed, setCopySpeed] = useState('medium');
  useEffect(() => { if (pvolPreset !== null) { setPvol(pvolPreset); setSvol(''); } }, [pvolPreset]);
  const p = view.ldevs.find((l) => l.ldevId === pvol);
  const candidates = view.ldevs.filter((l) => l.ldevId !== pvol && !l.roles.includes('S-VOL') && (!p || l.blockCapacity === p.blockCapacity));
  const submit = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { snapshotGroupName: group, snapshotPoolId: pool, pvolLdevId: pvol, isClone, canCascade: isClone || canCascade };
    if (svol !== '') body.svolLdevId = svol;
    if (mu.trim() !== '') body.muNumber = Number(mu);
    if (!isClone) body.autoSplit = autoSplit;
    if (isClone && clonesAutomation) { body.clonesAutomation = true; body.copySpeed = copySpeed; }
    void act.rest(`create ${isClone ? 'clone' : 'snapshot'} pair on LDEV ${pvol}`, 'POST', 'snapshots', body);
  };
  return (
    <form class="create grid2" onSubmit={submit} data-form="create-pair">
      <label>P-VOL<select value={pvol} onChange={(e) => { setPvol(Number(e.currentTarget.value)); setSvol(''); }} data-field="pvol">
        {view.ldevs.map((l) => <option key={l.ldevId} value={l.ldevId}>{l.ldevId}{l.label ? ` · ${l.label}` : ''}</option>)}
      </select></label>
      <label>S-VOL<select value={svol} onChange={(e) => setSvol(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))} data-field="svol">
        <option value="">none</option>
        {candidates.map((l) => <option key={l.ldevId} value={l.ldevId}>{l.ldevId}{l.label ? ` · ${l.label}` : ''}</option>)}
      </select></label>
      <label>pool<select value={pool} onChange={(e) => setPool(Number(e.currentTarget.value))} data-field="pool">
        {view.pools.map((x) => <option key={x.poolId} value={x.poolId}>{x.poolId} · {x.poolName} ({x.poolType})</option>)}
      </select></label>
      <label>group<input value={group} onInput={(e) => setGroup(e.currentTarget.value)} data-field="group" /></label>
      <label>MU<input value={mu} placeholder="auto" inputMode="numeric" onInput={(e) => setMu(e.currentTarget.value)} data-field="mu" /></label>
      <label class="check"><input type="checkbox" checked={isClone} onChange={(e) => setIsClone(e.currentTarget.checked)} data-field="isClone" />clone</label>
      <label class="check"><input type="checkbox" checked={isClone || canCascade} disabled={isClone} onChange={(e) => setCanCascade(e.currentTarget.checked)} />cascade</label>
      {isClone
        ? <label class="check"><input type="checkbox" checked={clonesAutomation} onChange={(e) => setClonesAutomation(e.currentTarget.checked)} />copy at once</label>
        : <label class="check"><input type="checkbox" checked={autoSplit} onChange={(e) => setAutoSplit(e.currentTarget.checked)} />autoSplit</label>}
      {isClone && clonesAutomation && <label>speed<select value={copySpeed} onChange={(e) => setCopySpeed(e.currentTarget.value)}>
        {['slower', 'medium', 'faster'].map((s) => <option key={s}>{s}</option>)}
      </select></label>}
      <button type="submit" class="primary span2" data-action="create-pair">Create pair</button>
    </form>
  );
}

// ---- what the instructor ran, and what came back ----

export function OpsLog({ ops, jobs }: { ops: OpRecord[]; jobs: Map<number, UiJob> }) {
  if (ops.length === 0) return <p class="muted empty">The answers of your operations (job, or the array's error object) show here.</p>;
  return (
    <ol class="ops">
      {ops.map((o) => {
        const job = o.jobId !== null ? jobs.get(o.jobId) : undefined;
        const err = job?.error ?? (o.status !== null && o.status >= 400 ? o.body : undefined);
        const state = job ? (job.status === 'Completed' ? job.state : job.status) : o.failure ? 'error' : o.status === null ? 'sending' : o.status >= 400 ? 'refused' : 'done';
        return (
          <li key={o.id} data-op={o.id} data-op-state={state} class={`op-${state.toLowerCase()}`}>
            <div class="op-head">
              <span class="time">{o.at}</span>
              <strong class="grow">{o.label}</strong>
              {o.status !== null && <span class="badge">HTTP {o.status}</span>}
              {o.jobId !== null && <span class="badge">job {o.jobId}</span>}
              <span class={`state state-${state.toLowerCase()}`}>{state}</span>
            </div>
            <div class="muted small mono">{o.request}</div>
            {o.failure && <div class="job-error">{o.failure}</div>}
            {err !== undefined && err !== null && (
              <details open class="error-object"><summary>{(err as { messageId?: string }).messageId ?? 'error'}: {(err as { message?: string }).message ?? ''}</summary>
                <pre>{JSON.stringify(err, null, 2)}</pre></details>
            )}
            {job && job.state === 'Succeeded' && job.affectedResources.length > 0 && <div class="muted small mono">→ {job.affectedResources.join(', ')}</div>}
          </li>
        );
      })}
    </ol>
  );
}
