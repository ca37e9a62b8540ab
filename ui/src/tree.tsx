import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import type { UiLdev, UiPair } from '../../src/ui/wire.js';
import { STATUS_COLOURS, STATUS_MEANING, TRANSITIONAL, plural, statusColour } from './format.js';

/**
 * Snapshot trees drawn as trees: a root P-VOL, its pairs by MU each with its S-VOL, and on a cascade S-VOL its own
 * pairs (the next layer), with clone pairs dashed and their copy progress as a bar. The layout is d3-hierarchy's
 * tidy tree (Reingold–Tilford, the layout of d3.tree): well kept, no dependencies, 5 KB, and it only computes
 * coordinates — Preact renders the SVG, so nodes keep their identity and a status change can animate in place.
 */

/** A pair as drawn: `ghost` for one that just vanished (drawn fading out for a moment). */
export interface TreePair extends UiPair { ghost?: boolean }

export type TreeNode =
  | { kind: 'vol'; key: string; ldevId: number; children: TreeNode[] }
  | { kind: 'pair'; key: string; pair: TreePair; children: TreeNode[] };

export type Selection = { type: 'pair'; id: string } | { type: 'ldev'; id: number } | null;

/**
 * One tree per root volume (a P-VOL that is nobody's S-VOL). The root is a volume node; every other node is a pair
 * drawn together with its S-VOL, and the pairs whose P-VOL is that S-VOL (the next cascade layer) are its children,
 * ordered by MU. One column per layer keeps a three-layer tree on one screen.
 */
export function buildForest(pairs: TreePair[]): TreeNode[] {
  const byPvol = new Map<number, TreePair[]>();
  const svols = new Set<number>();
  for (const p of pairs) {
    let list = byPvol.get(p.pvolLdevId);
    if (!list) byPvol.set(p.pvolLdevId, list = []);
    list.push(p);
    if (p.svolLdevId !== undefined && !p.ghost) svols.add(p.svolLdevId);
  }
  const seen = new Set<number>();
  const pairsOf = (ldevId: number): TreeNode[] => {
    seen.add(ldevId);
    return (byPvol.get(ldevId) ?? []).sort((a, b) => a.muNumber - b.muNumber).map((p): TreeNode => ({
      kind: 'pair', key: `${p.ghost ? 'ghost' : 'pair'}:${p.snapshotId}`, pair: p,
      children: p.svolLdevId !== undefined && !seen.has(p.svolLdevId) ? pairsOf(p.svolLdevId) : [],
    }));
  };
  const vol = (ldevId: number): TreeNode => ({ kind: 'vol', key: `ldev:${ldevId}`, ldevId, children: pairsOf(ldevId) });
  const roots = [...byPvol.keys()].filter((id) => !svols.has(id)).sort((a, b) => a - b);
  const forest = roots.map(vol);
  for (const id of [...byPvol.keys()].sort((a, b) => a - b)) if (!seen.has(id)) forest.push(vol(id)); // never a cycle, but never lose a pair
  return forest;
}

const ROW = 54;
const COL = 206;
const VOL_W = 124;
const PAIR_W = 184;
/** The pair part of a pair node; the rest shows its S-VOL. */
const PILL_W = 104;
const NODE_H = 44;
const PAD = 12;
const widthOf = (n: TreeNode) => (n.kind === 'vol' ? VOL_W : PAIR_W);

export interface TreeProps {
  root: TreeNode;
  ldevs: Map<number, UiLdev>;
  selection: Selection;
  onSelect: (s: Selection) => void;
  /** When each pair last changed status (performance.now()), for the highlight. */
  changedAt: Map<string, number>;
  now: number;
}

function layers(n: TreeNode, depth = 0): number {
  return Math.max(depth, ...n.children.map((c) => layers(c, depth + 1)));
}

function countPairs(n: TreeNode): number {
  return (n.kind === 'pair' && !n.pair.ghost ? 1 : 0) + n.children.reduce((s, c) => s + countPairs(c), 0);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function RootNode({ ldevId, ldev, selected, onSelect }: { ldevId: number; ldev: UiLdev | undefined; selected: boolean; onSelect: TreeProps['onSelect'] }) {
  return (
    <g class={`vol root${selected ? ' selected' : ''}`} data-ldev={ldevId} role="button" tabIndex={0}
      aria-label={`LDEV ${ldevId}`} onClick={() => onSelect({ type: 'ldev', id: ldevId })}>
      <rect class="vol-bg" width={VOL_W} height={NODE_H} rx={6} />
      <rect class="vol-accent" width={5} height={NODE_H} rx={2} />
      <text x={12} y={17} class="vol-title">LDEV {ldevId}</text>
      <text x={VOL_W - 7} y={17} class="vol-role" text-anchor="end">root</text>
      <text x={12} y={33} class="vol-sub">{ldev ? clip([ldev.label, ldev.byteFormatCapacity].filter(Boolean).join(' · '), 19) : 'not defined'}</text>
    </g>
  );
}

function PairNode({ p, ldev, selected, svolSelected, onSelect, flashKey }: {
  p: TreePair; ldev: UiLdev | undefined; selected: boolean; svolSelected: boolean; onSelect: TreeProps['onSelect']; flashKey: number | null;
}) {
  const colour = statusColour(p.status);
  const moving = p.progressRate !== undefined;
  const title = `pair ${p.snapshotId} ${p.status}: ${STATUS_MEANING[p.status] ?? ''}${p.queued ? ' (waiting for a copy slot)' : ''}`;
  const attrs = p.ghost
    ? { 'data-ghost': p.snapshotId }
    : { 'data-pair': p.snapshotId, 'data-status': p.status, 'data-progress': moving ? String(p.progressRate) : undefined, 'data-clone': String(p.isClone) };
  const sv = p.svolLdevId;
  return (
    <g class={`pair${selected ? ' selected' : ''}${p.ghost ? ' ghost' : ''}${TRANSITIONAL.has(p.status) ? ' busy' : ''}${p.isClone ? ' clone' : ''}`} {...attrs}>
      <rect class="pair-bg" width={PAIR_W} height={NODE_H} rx={9} fill={`${colour}14`} stroke={colour} />
      {flashKey !== null && <rect key={flashKey} class="flash" x={-3} y={-3} width={PAIR_W + 6} height={NODE_H + 6} rx={11} stroke={colour} />}
      <g class="pill" role="button" tabIndex={p.ghost ? -1 : 0} aria-label={`pair ${p.snapshotId} ${p.status}`}
        onClick={() => { if (!p.ghost) onSelect({ type: 'pair', id: p.snapshotId }); }}>
        <title>{title}</title>
        <rect class="hit" width={PILL_W} height={NODE_H} rx={9} />
        <circle class="dot" cx={12} cy={15} r={4.5} fill={colour} />
        <text x={21} y={19} class="pair-title">MU {p.muNumber}</text>
        <text x={PILL_W - 6} y={19} class="pair-status" text-anchor="end" fill={colour}>{p.ghost ? 'gone' : p.status}</text>
        <text x={9} y={34} class="pair-sub">{p.isClone ? 'clone · ' : p.canCascade ? 'cascade · ' : ''}{clip(p.snapshotGroupName, p.isClone || p.canCascade ? 8 : 14)}</text>
      </g>
      <line x1={PILL_W} y1={6} x2={PILL_W} y2={NODE_H - 6} class="divider" stroke={colour} />
      <g class={`svol${svolSelected ? ' selected' : ''}`} role={sv !== undefined ? 'button' : undefined} data-svol={sv}
        onClick={() => { if (sv !== undefined && !p.ghost) onSelect({ type: 'ldev', id: sv }); }}>
        <rect class="hit" x={PILL_W} width={PAIR_W - PILL_W} height={NODE_H} rx={9} />
        {sv !== undefined
          ? <><text x={PILL_W + 8} y={19} class="svol-title">LDEV {sv}</text>
            {moving && !p.ghost
              ? <text x={PILL_W + 8} y={34} class="pair-pct">{p.queued ? 'queued' : `${p.isClone && p.status === 'PSUP' ? 'copy ' : ''}${p.progressRate}%`}</text>
              : <text x={PILL_W + 8} y={34} class="vol-sub">{clip(ldev?.label || 'S-VOL', 11)}</text>}</>
          : <text x={PILL_W + 8} y={27} class="vol-sub">no S-VOL</text>}
      </g>
      {moving && !p.ghost && (
        <g class="progress">
          <rect x={8} y={NODE_H - 6} width={PAIR_W - 16} height={3} rx={1.5} class="track" />
          <rect x={8} y={NODE_H - 6} width={((PAIR_W - 16) * (p.progressRate ?? 0)) / 100} height={3} rx={1.5} fill={colour} class="bar" />
        </g>
      )}
    </g>
  );
}

/** One snapshot tree: a card with its summary and the SVG drawing. */
export function SnapshotTree({ root, ldevs, selection, onSelect, changedAt, now }: TreeProps) {
  const laid = tidyTree<TreeNode>().nodeSize([ROW, COL]).separation((a, b) => (a.parent === b.parent ? 1 : 1.15))(hierarchy(root, (n) => n.children));
  const nodes = laid.descendants();
  let top = Infinity;
  let bottom = -Infinity;
  let right = 0;
  for (const d of nodes) {
    top = Math.min(top, d.x);
    bottom = Math.max(bottom, d.x);
    right = Math.max(right, d.y + widthOf(d.data));
  }
  const width = right + PAD * 2;
  const height = bottom - top + NODE_H + PAD * 2;
  const rootId = root.kind === 'vol' ? root.ldevId : -1;
  const rootLdev = ldevs.get(rootId);
  const selLdev = selection?.type === 'ldev' ? selection.id : null;
  return (
    <section class="tree-card" data-tree={rootId}>
      <header>
        <strong>LDEV {rootId}</strong>{rootLdev?.label ? <span class="muted"> · {rootLdev.label}</span> : null}
        <span class="muted"> · {plural(countPairs(root), 'pair')} · {plural(layers(root), 'layer')}</span>
      </header>
      <div class="tree-scroll">
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`snapshot tree of LDEV ${rootId}`}>
          <g transform={`translate(${PAD},${PAD + NODE_H / 2 - top})`}>
            {laid.links().map((l) => {
              const x1 = l.source.y + widthOf(l.source.data);
              const x2 = l.target.y;
              const mid = (x1 + x2) / 2;
              const clone = l.target.data.kind === 'pair' && l.target.data.pair.isClone;
              return <path key={`${l.source.data.key}>${l.target.data.key}`} class={`link${clone ? ' clone' : ''}`}
                d={`M${x1},${l.source.x}C${mid},${l.source.x} ${mid},${l.target.x} ${x2},${l.target.x}`} />;
            })}
            {nodes.map((d) => {
              const n = d.data;
              const at = `translate(${d.y},${d.x - NODE_H / 2})`;
              if (n.kind === 'vol') {
                return <g key={n.key} transform={at}><RootNode ldevId={n.ldevId} ldev={ldevs.get(n.ldevId)} selected={selLdev === n.ldevId} onSelect={onSelect} /></g>;
              }
              const p = n.pair;
              const changed = changedAt.get(p.snapshotId);
              const flashKey = changed !== undefined && now - changed < 2500 && !p.ghost ? changed : null;
              const selected = selection?.type === 'pair' && selection.id === p.snapshotId && !p.ghost;
              return (
                <g key={n.key} transform={at}>
                  <PairNode p={p} ldev={p.svolLdevId !== undefined ? ldevs.get(p.svolLdevId) : undefined} selected={selected}
                    svolSelected={selLdev !== null && selLdev === p.svolLdevId} onSelect={onSelect} flashKey={flashKey} />
                </g>
              );
            })}
          </g>
        </svg>
      </div>
    </section>
  );
}

export function Legend() {
  return (
    <div class="legend">
      {Object.entries(STATUS_COLOURS).map(([s, c]) => (
        <span key={s} title={STATUS_MEANING[s]}><i style={{ background: c }} />{s}</span>
      ))}
      <span><i class="dash" />clone</span>
    </div>
  );
}
