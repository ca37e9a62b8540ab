import { render, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { UiPair, UiPool, UiScenario, UiTransition, UiView } from '../../src/ui/wire.js';
import { control, fetchScenarios, fetchView, SignedOut, VspClient, type Answer } from './api.js';
import { Checkpoints, ClockBar, CreatePair, OpsLog, PoolUsage, Scenarios, SelectionPanel, Workloads, type Actions, type OpRecord, type Workload } from './controls.js';
import { clockText, hms, plural } from './format.js';
import { JobFeed, JournalFeed, LdevTable, PoolGauge, TransitionFeed } from './panels.js';
import { buildForest, fitForest, Legend, SnapshotTree, TreePatterns, type Selection, type TreePair } from './tree.js';
import { vcloneChanges } from './tia.js';

/**
 * The web view: one array, live, laid out for a room: the snapshot trees first and scaled to fit the screen, the
 * selected pair's actions beside them (a sheet under the finger on a phone), a legend in words, a narrated feed that
 * the view follows, an honest banner when the emulator is gone, and a presenter mode (key P) with larger type and
 * without the operator panels.
 *
 * The web view: one array, live. Preact (3 KB of virtual DOM with hooks, no build step beyond tsc) renders it;
 * the server's Server-Sent Events say when to re-fetch the view (one JSON document), so the page never polls and
 * never reloads. Status changes are diffed against the previous view (and taken from the server's exact
 * transition record) to highlight what just changed; a pair that vanished fades out for a moment.
 */

const FLASH_MS = 2500;
const GHOST_MS = 2000;
const MAX_TRANSITIONS = 200;
const MAX_OPS = 8;

/** Below this width the page is a remote control: one column, compact header, actions in a sheet. */
const PHONE = 700;

function Panel({ title, extra, children, id, operator }: { title: string; extra?: ComponentChildren; children: ComponentChildren; id?: string; operator?: boolean }) {
  return (
    <section class="panel" data-panel={id ?? title.toLowerCase()} data-operator={operator ? '' : undefined}>
      <header><h2>{title}</h2>{extra}</header>
      <div class="panel-body">{children}</div>
    </section>
  );
}

function App() {
  const initialSid = new URLSearchParams(location.search).get('storageDeviceId');
  const [view, setView] = useState<UiView | null>(null);
  const [receivedAt, setReceivedAt] = useState(Date.now());
  const [selection, setSelection] = useState<Selection>(null);
  const [ops, setOps] = useState<OpRecord[]>([]);
  const [transitions, setTransitions] = useState<UiTransition[]>([]);
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [signedOut, setSignedOut] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [scenarios, setScenarios] = useState<UiScenario[]>([]);
  const [workloads, setWorkloads] = useState<Workload[]>([]);
  const [ioAvailable, setIoAvailable] = useState<boolean | null>(null);
  const [pvolPreset, setPvolPreset] = useState<number | null>(null);
  const [workloadPreset, setWorkloadPreset] = useState<number | null>(null);
  const [fillPool, setFillPool] = useState<UiPool | null>(null);
  const [now, setNow] = useState(performance.now());
  const [presenter, setPresenter] = useState(new URLSearchParams(location.search).get('presenter') === '1');
  const [follow, setFollow] = useState(true);
  const [followed, setFollowed] = useState<{ id: string; at: number } | null>(null);
  const [box, setBox] = useState({ width: 0, height: 0, phone: innerWidth < PHONE });
  const [, setRetentionTick] = useState(0);
  const treesBody = useRef<HTMLDivElement | null>(null);
  const followRef = useRef(true);
  followRef.current = follow;

  const sidRef = useRef<string | null>(initialSid);
  const viewRef = useRef<UiView | null>(null);
  const previous = useRef(new Map<string, UiPair>());
  const changedAt = useRef(new Map<string, number>());
  const ghosts = useRef(new Map<string, { pair: UiPair; at: number }>());
  const vclonesBefore = useRef<UiView['vclones']>([]);
  const pageSeq = useRef(0);
  const epoch = useRef<string | null>(null);
  const lastSeq = useRef(0);
  const inflight = useRef(false);
  const pending = useRef(false);
  const ioRef = useRef<boolean | null>(null);
  const opSeq = useRef(0);
  const client = useMemo(() => new VspClient((sid) => (viewRef.current?.storageDeviceId === sid ? viewRef.current.login : null)), []);

  /** Takes in a new view: what changed since the last one is highlighted, what vanished becomes a ghost. */
  function apply(v: UiView) {
    const t = performance.now();
    const key = `${v.epoch}|${v.storageDeviceId}`;
    const continuous = epoch.current === key;
    if (!continuous) {
      previous.current.clear();
      changedAt.current.clear();
      ghosts.current.clear();
      setTransitions([]);
    }
    if (v.transitions.length > 0) {
      if (continuous) {
        for (const tr of v.transitions) changedAt.current.set(tr.snapshotId, t);
        const last = [...v.transitions].reverse().find((tr) => tr.to !== null);
        if (last && followRef.current) setFollowed({ id: last.snapshotId, at: t });
        setTransitions((prev) => [...prev, ...v.transitions].slice(-MAX_TRANSITIONS));
      } else {
        setTransitions(v.transitions.slice(-MAX_TRANSITIONS));
      }
      lastSeq.current = v.transitions[v.transitions.length - 1]!.seq;
    }
    if (continuous) {
      const told = new Set(v.transitions.flatMap((tr) => (tr.becameVclone !== undefined ? [tr.becameVclone] : [])));
      const lines = vcloneChanges(vclonesBefore.current, v.vclones, told, v.clock.time, () => --pageSeq.current);
      if (lines.length > 0) setTransitions((prev) => [...prev, ...lines].slice(-MAX_TRANSITIONS));
    }
    vclonesBefore.current = v.vclones;
    const current = new Map(v.pairs.map((p) => [p.snapshotId, p]));
    if (continuous) {
      for (const p of v.pairs) {
        const before = previous.current.get(p.snapshotId);
        if (before && before.status !== p.status) changedAt.current.set(p.snapshotId, t);
      }
      for (const [id, before] of previous.current) if (!current.has(id)) ghosts.current.set(id, { pair: before, at: t });
    }
    for (const id of current.keys()) ghosts.current.delete(id);
    previous.current = current;
    epoch.current = key;
    viewRef.current = v;
    sidRef.current = v.storageDeviceId;
    const url = new URL(location.href);
    if (url.searchParams.get('storageDeviceId') !== v.storageDeviceId) {
      url.searchParams.set('storageDeviceId', v.storageDeviceId); // a reload (or a bookmark) shows the same array
      history.replaceState(null, '', url);
    }
    setView(v);
    setReceivedAt(Date.now());
    setNow(t);
  }

  /** Host I/O (/emulator/v1/io) is another module: its routes are in the control plane's OpenAPI document when present. */
  async function refreshWorkloads() {
    if (ioRef.current === null) {
      const doc = await control<{ paths?: Record<string, unknown> }>('GET', 'openapi.json');
      ioRef.current = Object.keys(doc.body?.paths ?? {}).some((p) => p.startsWith('/emulator/v1/io/workloads'));
      setIoAvailable(ioRef.current);
    }
    if (!ioRef.current) return;
    const a = await control<{ data?: Workload[] } | Workload[]>('GET', `io/workloads?storageDeviceId=${encodeURIComponent(sidRef.current ?? '')}`);
    if (a.ok) {
      const list = Array.isArray(a.body) ? a.body : a.body?.data ?? [];
      setWorkloads(list.map((w) => ({ ...w, id: String(w.id ?? w.workloadId ?? '?') })));
    }
  }

  /** Re-fetches the view; calls arriving meanwhile coalesce into one more fetch. */
  async function refresh() {
    if (inflight.current) { pending.current = true; return; }
    inflight.current = true;
    try {
      do {
        pending.current = false;
        apply(await fetchView(sidRef.current, lastSeq.current));
        await refreshWorkloads();
        setProblem(null);
      } while (pending.current);
    } catch (e) {
      if (e instanceof SignedOut) setSignedOut(true);
      // fetch rejects (TypeError) only when nothing answered: the emulator is gone, not merely unhappy.
      else if (e instanceof TypeError) setLive('offline');
      else setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      inflight.current = false;
    }
  }

  useEffect(() => {
    void fetchScenarios().then(setScenarios, () => {});
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const open = () => {
      es = new EventSource('api/events');
      es.addEventListener('change', () => { setLive('live'); void refresh(); });
      es.onopen = () => { setLive('live'); void refresh(); };
      es.onerror = () => {
        if (es?.readyState === EventSource.CLOSED) {
          // Refused (signed out) or the emulator went away: find out which, and try again later.
          setLive('offline');
          void refresh();
          retry = setTimeout(open, 3000);
        } else {
          // The browser reconnects by itself; meanwhile ask once whether anything answers at all.
          setLive((l) => (l === 'offline' ? l : 'connecting'));
          void refresh();
        }
      };
    };
    open();
    void refresh();
    const tick = setInterval(() => {
      const t = performance.now();
      let expired = false;
      for (const [id, g] of ghosts.current) if (t - g.at > GHOST_MS) { ghosts.current.delete(id); expired = true; }
      const flashing = [...changedAt.current.values()].some((at) => t - at < FLASH_MS + 500);
      if (expired || flashing) setNow(t);
    }, 400);
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
      if (e.key === 'p' || e.key === 'P') setPresenter((x) => !x);
      if (e.key === 'Escape') setSelection(null);
    };
    addEventListener('keydown', onKey);
    return () => { es?.close(); if (retry) clearTimeout(retry); clearInterval(tick); removeEventListener('keydown', onKey); };
  }, []);

  // The space the trees have: the width of their panel, the height left of the first screen below its top.
  useLayoutEffect(() => {
    const measure = () => {
      const el = treesBody.current;
      if (!el) return;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const width = Math.floor(r.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight));
      const height = Math.floor(innerHeight - (r.top + scrollY) - parseFloat(cs.paddingTop) - 16);
      setBox((b) => (b.width === width && b.height === height && b.phone === innerWidth < PHONE ? b : { width, height, phone: innerWidth < PHONE }));
    };
    measure();
    const ro = new ResizeObserver(measure);
    if (treesBody.current) ro.observe(treesBody.current);
    addEventListener('resize', measure);
    return () => { ro.disconnect(); removeEventListener('resize', measure); };
  }, [view !== null, presenter]);

  const url = new URL(location.href);
  useEffect(() => {
    if ((url.searchParams.get('presenter') === '1') !== presenter) {
      if (presenter) url.searchParams.set('presenter', '1'); else url.searchParams.delete('presenter');
      history.replaceState(null, '', url);
    }
  }, [presenter]);

  // Retention counts down on the page while the clock runs (the view is re-fetched only when something changes).
  const retaining = view?.clock.mode === 'real' && Object.keys(view.retentionEnds).length > 0;
  useEffect(() => {
    if (!retaining) return;
    const t = setInterval(() => setRetentionTick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [retaining]);

  // Follow the action: the pair that just changed comes into view (its tree scrolled to, the node ringed).
  useEffect(() => {
    if (!followed) return;
    const el = document.querySelector(`[data-pair="${CSS.escape(followed.id)}"]`);
    el?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [followed?.at]);

  const record = (o: OpRecord) => setOps((prev) => [o, ...prev.filter((x) => x.id !== o.id)].slice(0, MAX_OPS));
  const at = () => hms(new Date(viewRef.current?.clock.epochMs ?? Date.now()).toISOString());

  const act: Actions = {
    sid: view?.storageDeviceId ?? '',
    async rest(label, method, path, body) {
      const sid = sidRef.current!;
      const rec: OpRecord = { id: ++opSeq.current, label, request: `${method} ${client.url(sid, path)}${body !== undefined ? ` ${JSON.stringify(body)}` : ''}`, at: at(), status: null, body: null, jobId: null, failure: null };
      record(rec);
      try {
        const a = await client.call(sid, method, path, body);
        const jobId = (a.body as { jobId?: unknown } | null)?.jobId;
        record({ ...rec, status: a.status, body: a.body, jobId: typeof jobId === 'number' ? jobId : null });
        return a;
      } catch (e) {
        record({ ...rec, failure: e instanceof Error ? e.message : String(e) });
        return null;
      }
    },
    async control(label, method, path, body, opts) {
      const rec: OpRecord = { id: ++opSeq.current, label, request: `${method} /emulator/v1/${path}${body !== undefined ? ` ${JSON.stringify(body)}` : ''}`, at: at(), status: null, body: null, jobId: null, failure: null };
      let a: Answer | null = null;
      try {
        a = await control(method, path, body);
        if (!opts?.quiet || !a.ok) record({ ...rec, status: a.status, body: a.ok ? null : a.body, failure: a.ok ? null : describe(a) });
        if (a.ok && path === 'reset') { setSelection(null); setPvolPreset(null); }
        if (a.ok && path.startsWith('io/')) { ioRef.current = true; setIoAvailable(true); }
      } catch (e) {
        if (e instanceof SignedOut) setSignedOut(true);
        record({ ...rec, failure: e instanceof Error ? e.message : String(e) });
      }
      void refresh();
      return a;
    },
  };

  const select = (s: Selection) => {
    setSelection(s);
    if (s?.type === 'ldev') setPvolPreset(s.id);
    // On a phone the actions open in a sheet at the bottom: keep what was tapped in sight above it.
    if (s && innerWidth < PHONE) {
      requestAnimationFrame(() => {
        const el = document.querySelector(s.type === 'pair' ? `[data-pair="${CSS.escape(s.id)}"]` : `[data-ldev="${s.id}"], [data-svol="${s.id}"], [data-ldev-row="${s.id}"]`);
        el?.scrollIntoView({ block: 'start', behavior: 'instant' as ScrollBehavior });
      });
    }
  };
  /** A transition was clicked: show that pair, selected and ringed. */
  const showPair = (id: string) => {
    setFollowed({ id, at: performance.now() });
    if (viewRef.current?.pairs.some((p) => p.snapshotId === id)) select({ type: 'pair', id });
  };
  const chooseArray = (sid: string) => {
    sidRef.current = sid;
    setSelection(null);
    setPvolPreset(null);
    void refresh();
  };

  if (signedOut) {
    return (
      <div class="signed-out">
        <p>The web view needs the control token again (the emulator restarted, or the cookie was cleared).</p>
        <button onClick={() => location.reload()}>Sign in</button>
      </div>
    );
  }
  if (!view) {
    return live === 'offline'
      ? <div class="boot"><div class="banner offline" role="alert" data-banner="offline">The emulator is not answering. This page keeps trying and shows it as soon as it is back.</div></div>
      : <p class="boot">{problem ? `Cannot reach the emulator: ${problem}` : 'Loading the web view…'}</p>;
  }

  const ldevMap = new Map(view.ldevs.map((l) => [l.ldevId, l]));
  const drawn: TreePair[] = [...view.pairs.map((p) => ({ ...p, retentionEnd: view.retentionEnds[p.snapshotId] ?? null })),
    ...[...ghosts.current.values()].map((g) => ({ ...g.pair, ghost: true }))];
  const forest = buildForest(drawn, view.vclones);
  const fit = fitForest(forest, box.width, box.phone ? 0 : box.height, presenter ? 1.7 : box.phone ? 1 : 1.25);
  const jobs = new Map(view.jobs.map((j) => [j.jobId, j]));
  const array = view.arrays.find((a) => a.storageDeviceId === view.storageDeviceId);
  const offline = live === 'offline';
  const followedId = followed && performance.now() - followed.at < 60_000 ? followed.id : null;
  const virtualNow = view.clock.mode === 'real' && !offline ? view.clock.epochMs + (Date.now() - receivedAt) * view.clock.speed : view.clock.epochMs;

  return (
    <div class={`app${presenter ? ' presenter' : ''}${offline ? ' is-offline' : ''}`} data-seq={view.seq} data-presenter={presenter ? '1' : '0'}>
      <TreePatterns />
      <header class="top">
        <div class="brand"><strong>vsp-emulator</strong><span class="muted"> web view {view.version}</span></div>
        <div class="array">
          {view.arrays.length > 1
            ? <select value={view.storageDeviceId} onChange={(e) => chooseArray(e.currentTarget.value)} aria-label="array" data-field="array">
              {view.arrays.map((a) => <option key={a.storageDeviceId} value={a.storageDeviceId}>{a.model} · {a.storageDeviceId}</option>)}
            </select>
            : <span class="array-name">{array?.model} · <span class="mono">{view.storageDeviceId}</span></span>}
          <div class="muted small scenario-line">scenario <strong data-fixture={view.fixture.name ?? ''}>{view.fixture.name ?? '—'}</strong><span class="wide-only timing-text"> · timing {view.timing}</span>
            {view.activeFaults > 0 ? <span class="badge fault"> {plural(view.activeFaults, 'fault')} armed</span> : null}</div>
        </div>
        <ClockBar clock={view.clock} receivedAt={receivedAt} act={act} stopped={offline} />
        <button class={`presenter-toggle${presenter ? ' on' : ''}`} data-action="presenter" title="presenter mode (key P): larger type, operator panels hidden"
          aria-pressed={presenter} onClick={() => setPresenter((x) => !x)}>{presenter ? 'Operator view' : 'Presenter'}</button>
        <span class={`live ${live}`} data-live={live} title={`Server-Sent Events from the emulator: ${live}`}>●<span class="live-text"> {live}</span></span>
      </header>
      {offline && (
        <div class="banner offline" role="alert" data-banner="offline">
          <strong>The emulator is not answering.</strong> What you see is how it was at {clockText(view.clock.epochMs)} (virtual time); the clock is
          stopped here. This page reconnects by itself as soon as the emulator is back.
        </div>
      )}
      {problem && !offline && <div class="problem">{problem}</div>}
      <main class="grid">
        <section class="center">
          <Panel title="Snapshot trees" id="trees"
            extra={<span class="muted small">{presenter ? 'press P for the operator view' : 'click a pair or a volume'}</span>}>
            <div class="trees" ref={treesBody}>
              {forest.length === 0
                ? <p class="muted empty">No Thin Image pairs on this array yet: create one on the right, or load a scenario.</p>
                : forest.map((root, i) => <SnapshotTree key={root.key} root={root} laid={fit.laid[i]!} scale={fit.scale} ldevs={ldevMap} selection={selection}
                  onSelect={select} changedAt={changedAt.current} now={now} followed={followedId} virtualNow={virtualNow} />)}
            </div>
            {view.pairCount > view.pairs.length && <p class="muted">showing {view.pairs.length} of {view.pairCount} pairs</p>}
          </Panel>
          <Panel title="Pools" id="pools">
            <div class="pools">{view.pools.map((p) => <PoolGauge key={p.poolId} pool={p} onFill={presenter ? undefined : setFillPool} />)}</div>
            {fillPool && <PoolUsage key={fillPool.poolId} pool={fillPool} act={act} onDone={() => setFillPool(null)} />}
          </Panel>
          <Panel title="What the array did" id="transitions"
            extra={<label class="check follow"><input type="checkbox" checked={follow} data-action="follow" onChange={(e) => setFollow(e.currentTarget.checked)} />follow the action</label>}>
            <TransitionFeed transitions={transitions} onShow={showPair} />
          </Panel>
          <div class="two" data-operator="">
            <Panel title="Jobs" operator><JobFeed jobs={view.jobs} /></Panel>
            <Panel title="Request journal" id="journal" operator><JournalFeed entries={view.journal} /></Panel>
          </div>
          <Panel title="LDEVs" operator><LdevTable ldevs={view.ldevs} total={view.ldevCount} selection={selection} onSelect={select} /></Panel>
          <div class="three" data-operator="">
            <Panel title="Scenarios" operator><Scenarios scenarios={scenarios} current={view.fixture.name} act={act} /></Panel>
            <Panel title="Checkpoints" operator><Checkpoints view={view} act={act} /></Panel>
            <Panel title="Host I/O" id="host-io" operator><Workloads ldevs={view.ldevs} workloads={workloads} available={ioAvailable} preset={workloadPreset} act={act} /></Panel>
          </div>
        </section>
        <aside class="right">
          <div class={`sheet${selection ? ' open' : ''}`} data-sheet={selection ? 'open' : 'closed'}>
            <Panel title="Selected" extra={selection ? <button class="quiet close-sheet" data-action="close-selection" aria-label="close" onClick={() => setSelection(null)}>✕</button> : undefined}>
              <SelectionPanel selection={selection} view={view} act={act} onWorkload={setWorkloadPreset} virtualNow={virtualNow} />
            </Panel>
          </div>
          <Panel title="Legend" id="legend"><Legend /></Panel>
          <Panel title="Create a pair" id="create" operator><CreatePair view={view} pvolPreset={pvolPreset} act={act} /></Panel>
          <Panel title="Operations" operator><OpsLog ops={ops} jobs={jobs} /></Panel>
        </aside>
      </main>
    </div>
  );
}

function describe(a: Answer): string {
  const b = a.body as { message?: string; error?: string } | string | null;
  if (b && typeof b === 'object') return `HTTP ${a.status}: ${b.message ?? b.error ?? JSON.stringify(b)}`;
  return `HTTP ${a.status}${b ? `: ${String(b).slice(0, 200)}` : ''}`;
}

render(<App />, document.getElementById('app')!);
