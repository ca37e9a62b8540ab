import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import type { UiLdev, UiPair, UiVclone } from '../../src/ui/wire.js';
import { STATUSES, STATUS_MEANING, TRANSITIONAL, plural, shapePath, statusColour, statusShape } from './format.js';
import { endText, hoursLeft, lockPath, TiaLegend } from './tia.js';

/**
 * Snapshot trees drawn as trees: a root P-VOL, its pairs by MU each with its S-VOL, and on a cascade S-VOL its own
 * pairs (the next layer), with clone pairs dashed and their copy progress as a bar. The layout is d3-hierarchy's
 * tidy tree (Reingold–Tilford, the layout of d3.tree): well kept, no dependencies, 5 KB, and it only computes
 * coordinates — Preact renders the SVG, so nodes keep their identity and a status change can animate in place.
 *
 * Rooms differ (a 1024 px projector, a 1920 px screen, a phone), so a tree is laid out both ways — layers left to
 * right, or top to bottom — and drawn the way that needs less shrinking to fit the space it has; then it is scaled
 * to fit (never clipped, never scrolled sideways). Every status has a shape as well as a colour.
 */

/** A pair as drawn: `ghost` for one that just vanished (drawn fading out for a moment). */
export interface TreePair extends UiPair {
  ghost?: boolean;
  /** When retention ends (virtual time) while it holds (UiView.retentionEnds). */
  retentionEnd?: string | null;
}

/**
 * `vcParent`: the volume (a root, or a pair's S-VOL) is a vClone parent; `pairedBack`: the pair's S-VOL is a vClone of
 * its P-VOL (Terraform's pair-back, TIA ref 4.4), so that vClone is drawn as this S-VOL, not a second time.
 */
export type TreeNode =
  | { kind: 'vol'; key: string; ldevId: number; vcParent: boolean; children: TreeNode[] }
  | { kind: 'pair'; key: string; pair: TreePair; vcParent: boolean; pairedBack: boolean; children: TreeNode[] }
  | { kind: 'vclone'; key: string; ldevId: number; parentLdevId: number; vcParent: boolean; children: TreeNode[] };

export type Selection = { type: 'pair'; id: string } | { type: 'ldev'; id: number } | null;

/**
 * One tree per root volume (a P-VOL that is nobody's S-VOL). The root is a volume node; every other node is a pair
 * drawn together with its S-VOL, and the pairs whose P-VOL is that S-VOL (the next cascade layer) are its children,
 * ordered by MU. One column per layer keeps a three-layer tree on one screen.
 */
export function buildForest(pairs: TreePair[], vclones: UiVclone[] = []): TreeNode[] {
  const byPvol = new Map<number, TreePair[]>();
  const svols = new Set<number>();
  // vClones hang from their parent volume (TIA ref 4.1) with a dotted link: they have no pair to draw.
  const vcOf = new Map<number, UiVclone[]>();
  const vcParentOf = new Map<number, number>();
  for (const v of vclones) {
    vcOf.set(v.parentLdevId, [...(vcOf.get(v.parentLdevId) ?? []), v]);
    vcParentOf.set(v.ldevId, v.parentLdevId);
  }
  for (const p of pairs) {
    let list = byPvol.get(p.pvolLdevId);
    if (!list) byPvol.set(p.pvolLdevId, list = []);
    list.push(p);
    if (p.svolLdevId !== undefined && !p.ghost) svols.add(p.svolLdevId);
  }
  const seen = new Set<number>();
  const isPairedBack = (p: TreePair) => p.svolLdevId !== undefined && !p.ghost && vcParentOf.get(p.svolLdevId) === p.pvolLdevId;
  const childrenOf = (ldevId: number): TreeNode[] => {
    seen.add(ldevId);
    const own = (byPvol.get(ldevId) ?? []).sort((a, b) => a.muNumber - b.muNumber);
    const shownAsSvol = new Set(own.filter(isPairedBack).map((p) => p.svolLdevId!));
    const pairNodes = own.map((p): TreeNode => ({
      kind: 'pair', key: `${p.ghost ? 'ghost' : 'pair'}:${p.snapshotId}`, pair: p,
      vcParent: p.svolLdevId !== undefined && vcOf.has(p.svolLdevId), pairedBack: isPairedBack(p),
      children: p.svolLdevId !== undefined && !seen.has(p.svolLdevId) ? childrenOf(p.svolLdevId) : [],
    }));
    const vcNodes = (vcOf.get(ldevId) ?? []).filter((v) => !shownAsSvol.has(v.ldevId) && !seen.has(v.ldevId)).map((v): TreeNode => ({
      kind: 'vclone', key: `vclone:${v.ldevId}`, ldevId: v.ldevId, parentLdevId: ldevId, vcParent: vcOf.has(v.ldevId), children: childrenOf(v.ldevId),
    }));
    return [...pairNodes, ...vcNodes];
  };
  const vol = (ldevId: number): TreeNode => ({ kind: 'vol', key: `ldev:${ldevId}`, ldevId, vcParent: vcOf.has(ldevId), children: childrenOf(ldevId) });
  const heads = [...new Set([...byPvol.keys(), ...vcOf.keys()])].sort((a, b) => a - b);
  const roots = heads.filter((id) => !svols.has(id) && !vcParentOf.has(id));
  const forest = roots.map(vol);
  for (const id of heads) if (!seen.has(id)) forest.push(vol(id)); // never a cycle, but never lose a pair
  return forest;
}

const ROW = 54;
const COL = 236;
const VOL_W = 164;
const PAIR_W = 210;
/** The pair part of a pair node; the rest shows its S-VOL. */
const PILL_W = 124;
const NODE_H = 46;
/** Top-down layout: column width and layer height. */
const V_COL = 222;
const V_ROW = 78;
const PAD = 12;
const widthOf = (n: TreeNode) => (n.kind === 'pair' ? PAIR_W : VOL_W);
/** A line of words under a pair (retention, vClone): the node grows by one of these for each. */
const NOTE_H = 18;
const GAP = ROW - NODE_H;

/** The words under a pair node, in order: the retention countdown (two lines), a paired-back vClone, a vClone parent S-VOL. */
export type Note = 'retention' | 'until' | 'pairedBack' | 'vcParent';
export function notesOf(n: TreeNode): Note[] {
  if (n.kind !== 'pair' || n.pair.ghost) return [];
  const out: Note[] = [];
  if (n.pair.retentionEnd) out.push('retention', 'until');
  if (n.pairedBack) out.push('pairedBack');
  if (n.vcParent) out.push('vcParent');
  return out;
}
const heightOf = (n: TreeNode) => NODE_H + notesOf(n).length * NOTE_H;

export type Orientation = 'across' | 'down';

/** A tree laid out: node positions (top-left corners), links, and the drawing's natural size. */
export interface Laid {
  orientation: Orientation;
  width: number;
  height: number;
  nodes: Array<{ n: TreeNode; x: number; y: number }>;
  links: Array<{ key: string; d: string; clone: boolean; vclone: boolean }>;
}

/** Lays a tree out in one orientation (natural size, before any scaling). */
export function layOut(root: TreeNode, orientation: Orientation): Laid {
  const across = orientation === 'across';
  const h = hierarchy(root, (n) => n.children);
  // Nodes with notes are taller: across, neighbours move apart by the extra height; down, layers by the tallest node.
  const tallest = Math.max(...h.descendants().map((d) => heightOf(d.data)));
  const laid = tidyTree<TreeNode>().nodeSize(across ? [ROW, COL] : [V_COL, Math.max(V_ROW, tallest + V_ROW - NODE_H)])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.1) * (across ? (heightOf(a.data) / 2 + heightOf(b.data) / 2 + GAP) / ROW : 1))(h);
  const all = laid.descendants();
  // d3 lays trees out top-down: x is the breadth, y the depth. Across: depth runs along x.
  const pos = (d: (typeof all)[number]) => (across
    ? { x: d.y, y: d.x - heightOf(d.data) / 2 }
    : { x: d.x - widthOf(d.data) / 2, y: d.y });
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
  for (const d of all) {
    const p = pos(d);
    minX = Math.min(minX, p.x); minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + widthOf(d.data)); maxY = Math.max(maxY, p.y + heightOf(d.data));
  }
  const at = (d: (typeof all)[number]) => { const p = pos(d); return { x: p.x - minX + PAD, y: p.y - minY + PAD }; };
  const nodes = all.map((d) => ({ n: d.data, ...at(d) }));
  const links = laid.links().map((l) => {
    const s = at(l.source);
    const t = at(l.target);
    const clone = l.target.data.kind === 'pair' && l.target.data.pair.isClone;
    const vclone = l.target.data.kind === 'vclone';
    let d: string;
    if (across) {
      const x1 = s.x + widthOf(l.source.data); const y1 = s.y + NODE_H / 2;
      const x2 = t.x; const y2 = t.y + NODE_H / 2; const mid = (x1 + x2) / 2;
      d = `M${x1},${y1}C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
    } else {
      const x1 = s.x + widthOf(l.source.data) / 2; const y1 = s.y + heightOf(l.source.data);
      const x2 = t.x + widthOf(l.target.data) / 2; const y2 = t.y; const mid = (y1 + y2) / 2;
      d = `M${x1},${y1}C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
    }
    return { key: `${l.source.data.key}>${l.target.data.key}`, d, clone, vclone };
  });
  return { orientation, width: maxX - minX + PAD * 2, height: maxY - minY + PAD * 2, nodes, links };
}

/**
 * The layouts of a forest and the one scale they are all drawn at, so that every tree fits `width` and (when it can
 * without shrinking text below `minScale`) all of them together fit `height`. Each tree takes the orientation that
 * lets it be drawn larger; ties go to `across` (the familiar left-to-right cascade).
 */
export function fitForest(roots: TreeNode[], width: number, height: number, maxScale: number, minScale = 0.5): { laid: Laid[]; scale: number } {
  const HEADER = 34; // a tree card's header and borders
  const fitOne = (l: Laid) => Math.min(maxScale, width / l.width);
  const laid = roots.map((r) => {
    const a = layOut(r, 'across');
    const d = layOut(r, 'down');
    // Prefer what fits the width larger; at the same width-scale, what is shorter.
    const sa = fitOne(a); const sd = fitOne(d);
    if (Math.abs(sa - sd) < 0.02) return a.height * sa <= d.height * sd ? a : d;
    return sa > sd ? a : d;
  });
  let scale = Math.min(maxScale, ...laid.map(fitOne));
  const total = (k: number) => laid.reduce((sum, l) => sum + l.height * k + HEADER, 0);
  if (height > 0 && total(scale) > height) {
    const fixed = laid.length * HEADER;
    const natural = laid.reduce((sum, l) => sum + l.height, 0);
    scale = Math.max(minScale, Math.min(scale, (height - fixed) / natural));
  }
  return { laid, scale };
}

export interface TreeProps {
  root: TreeNode;
  laid: Laid;
  scale: number;
  ldevs: Map<number, UiLdev>;
  selection: Selection;
  onSelect: (s: Selection) => void;
  /** When each pair last changed status (performance.now()), for the highlight. */
  changedAt: Map<string, number>;
  now: number;
  /** The pair the view follows (the last that changed), drawn with a ring. */
  followed: string | null;
  /** Virtual now (ms), extrapolated while the clock runs: retention counts down against it. */
  virtualNow: number;
}

function layers(n: TreeNode, depth = 0): number {
  return Math.max(depth, ...n.children.map((c) => layers(c, depth + 1)));
}

function countPairs(n: TreeNode): number {
  return (n.kind === 'pair' && !n.pair.ghost ? 1 : 0) + n.children.reduce((s, c) => s + countPairs(c), 0);
}

function countVclones(n: TreeNode): number {
  return (n.kind === 'vclone' || (n.kind === 'pair' && n.pairedBack) ? 1 : 0) + n.children.reduce((s, c) => s + countVclones(c), 0);
}

/** A tree card's counts; a parent with vClones and no pairs (a fixture's pre-made vClone) is not "0 pairs · 1 layer". */
function summary(root: TreeNode): string {
  const pairs = countPairs(root);
  const vclones = countVclones(root);
  const vc = vclones > 0 ? plural(vclones, 'vClone') : '';
  if (pairs === 0 && vclones > 0) return vc;
  return [plural(pairs, 'pair'), plural(layers(root), 'layer'), vc].filter(Boolean).join(' · ');
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A status's shape (legend, nodes, chips): the same path everywhere. */
export function StatusGlyph({ status, size = 14, colour }: { status: string; size?: number; colour?: string }) {
  const shape = statusShape(status);
  const c = colour ?? statusColour(status);
  return (
    <svg class="glyph" width={size} height={size} viewBox="-8 -8 16 16" aria-hidden="true" data-shape={shape ?? 'none'}>
      {shape ? <path d={shapePath(shape, 6.2)} fill={c} /> : <circle r={5} fill={c} />}
    </svg>
  );
}

function RootNode({ ldevId, ldev, selected, onSelect, vcParent }: { ldevId: number; ldev: UiLdev | undefined; selected: boolean; onSelect: TreeProps['onSelect']; vcParent: boolean }) {
  const sub = vcParent ? 'vClone parent' : ldev ? [ldev.label, ldev.byteFormatCapacity].filter(Boolean).join(' · ') : 'not defined';
  return (
    <g class={`vol root${selected ? ' selected' : ''}`} data-ldev={ldevId} role="button" tabIndex={0} data-vclone-parent={vcParent ? '' : undefined}
      aria-label={`LDEV ${ldevId}${vcParent ? ', vClone parent' : ''}`} onClick={() => onSelect({ type: 'ldev', id: ldevId })}>
      <title>{`LDEV ${ldevId} (root${vcParent ? ', vClone parent' : ' P-VOL'}): ${ldev ? [ldev.label, ldev.byteFormatCapacity].filter(Boolean).join(' · ') : 'not defined'}`}</title>
      <rect class="vol-bg" width={VOL_W} height={NODE_H} rx={6} />
      <rect class="vol-accent" width={5} height={NODE_H} rx={2} />
      <text x={13} y={19} class="vol-title">LDEV {ldevId}</text>
      <text x={VOL_W - 8} y={19} class="vol-role" text-anchor="end">root</text>
      <text x={13} y={37} class="vol-sub">{clip(sub, 21)}</text>
    </g>
  );
}

/** A vClone (TIA ref 4.1): its own volume, hanging from its parent by a dotted link, labelled in words. */
function VcloneNode({ ldevId, parentLdevId, ldev, selected, onSelect, vcParent }: {
  ldevId: number; parentLdevId: number; ldev: UiLdev | undefined; selected: boolean; onSelect: TreeProps['onSelect']; vcParent: boolean;
}) {
  return (
    <g class={`vol vclone${selected ? ' selected' : ''}`} data-ldev={ldevId} data-vclone={ldevId} data-vclone-of={parentLdevId}
      data-vclone-parent={vcParent ? '' : undefined} role="button" tabIndex={0} aria-label={`LDEV ${ldevId}, vClone of LDEV ${parentLdevId}`}
      onClick={() => onSelect({ type: 'ldev', id: ldevId })}>
      <title>{`LDEV ${ldevId}: a virtual clone (VC) of LDEV ${parentLdevId}${ldev?.label ? ` · ${ldev.label}` : ''}`}</title>
      <rect class="vol-bg" width={VOL_W} height={NODE_H} rx={6} />
      <text x={10} y={19} class="vol-title">LDEV {ldevId}</text>
      <text x={VOL_W - 8} y={19} class="vclone-role" text-anchor="end">vClone</text>
      <text x={10} y={38} class="vclone-sub">vClone of {parentLdevId}{vcParent ? ' · parent' : ''}</text>
    </g>
  );
}

/** The words under a pair node (`notesOf`), one line each. */
function NoteLines({ p, notes, virtualNow }: { p: TreePair; notes: Note[]; virtualNow: number }) {
  const hours = hoursLeft(p.retentionEnd, virtualNow);
  return (
    <>
      <line x1={8} x2={PAIR_W - 8} y1={NODE_H} y2={NODE_H} class="note-rule" />
      {notes.map((n, i) => {
        const y = NODE_H + i * NOTE_H + 13;
        if (n === 'retention') {
          return hours > 0
            ? <g key={n} class="retention-note" data-retention={hours}>
              <path transform={`translate(15,${y - 4})`} d={lockPath(5.5)} class="lock" />
              <text x={26} y={y} class="note locked">locked · {hours} h left</text></g>
            : <text key={n} x={9} y={y} class="note" data-retention="0">retention over</text>;
        }
        if (n === 'until') return hours > 0 ? <text key={n} x={26} y={y} class="note" data-retention-until="">until {endText(p.retentionEnd!)}</text> : null;
        if (n === 'pairedBack') return <text key={n} x={9} y={y} class="note vclone-note" data-paired-back="">paired back · vClone of {p.pvolLdevId}</text>;
        return <text key={n} x={9} y={y} class="note vclone-note" data-svol-vclone-parent="">LDEV {p.svolLdevId}: vClone parent</text>;
      })}
    </>
  );
}

function PairNode({ p, ldev, selected, svolSelected, onSelect, flashKey, followed, notes, virtualNow }: {
  p: TreePair; ldev: UiLdev | undefined; selected: boolean; svolSelected: boolean; onSelect: TreeProps['onSelect']; flashKey: number | null;
  followed: boolean; notes: Note[]; virtualNow: number;
}) {
  const H = NODE_H + notes.length * NOTE_H;
  const tia = p.isRedirectOnWrite === true;
  const colour = statusColour(p.status);
  const shape = statusShape(p.status);
  const moving = p.progressRate !== undefined;
  const title = `pair ${p.snapshotId} ${p.status}: ${STATUS_MEANING[p.status] ?? ''}${p.queued ? ' (waiting for a copy slot)' : ''}${tia ? '; Thin Image Advanced (redirect-on-write)' : ''}`;
  const attrs = p.ghost
    ? { 'data-ghost': p.snapshotId }
    : { 'data-pair': p.snapshotId, 'data-status': p.status, 'data-progress': moving ? String(p.progressRate) : undefined, 'data-clone': String(p.isClone),
      'data-shape': shape ?? 'none', 'data-tia': String(tia), ...(followed ? { 'data-followed': '' } : {}) };
  const sv = p.svolLdevId;
  const warn = p.status === 'PFUL' || p.status === 'PFUS';
  const error = p.status === 'PSUE';
  return (
    <g class={`pair${selected ? ' selected' : ''}${p.ghost ? ' ghost' : ''}${TRANSITIONAL.has(p.status) ? ' busy' : ''}${p.isClone ? ' clone' : ''}${followed ? ' followed' : ''}`} {...attrs}>
      {followed && <rect class="follow-ring" x={-6} y={-6} width={PAIR_W + 12} height={H + 12} rx={13} />}
      <rect class="pair-bg" width={PAIR_W} height={H} rx={9} fill={warn ? 'url(#hatch-warn)' : error ? 'url(#hatch-error)' : `${colour}14`} stroke={colour} />
      {error && <rect class="pair-bg-inner" x={3} y={3} width={PAIR_W - 6} height={H - 6} rx={7} stroke={colour} />}
      {flashKey !== null && <rect key={flashKey} class="flash" x={-3} y={-3} width={PAIR_W + 6} height={H + 6} rx={11} stroke={colour} />}
      <g class="pill" role="button" tabIndex={p.ghost ? -1 : 0} aria-label={`pair ${p.snapshotId} ${p.status}`}
        onClick={() => { if (!p.ghost) onSelect({ type: 'pair', id: p.snapshotId }); }}>
        <title>{title}</title>
        <rect class="hit" width={PILL_W} height={NODE_H} rx={9} />
        {shape ? <path class="dot" transform="translate(13,16)" d={shapePath(shape, 6)} fill={colour} /> : <circle class="dot" cx={13} cy={16} r={5} fill={colour} />}
        <text x={24} y={21} class="pair-title">MU {p.muNumber}</text>
        <text x={PILL_W - 5} y={21} class="pair-status" text-anchor="end" fill={colour}>{p.ghost ? 'gone' : p.status}</text>
        <text x={9} y={38} class="pair-sub">{tia ? <tspan class="tia-mark">TIA</tspan> : null}{tia ? ' · ' : p.isClone ? 'clone · ' : p.canCascade ? 'casc · ' : ''}{clip(p.snapshotGroupName, tia ? 10 : p.isClone || p.canCascade ? 9 : 14)}</text>
      </g>
      <line x1={PILL_W} y1={6} x2={PILL_W} y2={NODE_H - 6} class="divider" stroke={colour} />
      <g class={`svol${svolSelected ? ' selected' : ''}`} role={sv !== undefined ? 'button' : undefined} data-svol={sv}
        onClick={() => { if (sv !== undefined && !p.ghost) onSelect({ type: 'ldev', id: sv }); }}>
        <rect class="hit" x={PILL_W} width={PAIR_W - PILL_W} height={NODE_H} rx={9} />
        {sv !== undefined
          ? <><text x={PILL_W + 8} y={21} class="svol-title">LDEV {sv}</text>
            {moving && !p.ghost
              ? <text x={PILL_W + 8} y={38} class="pair-pct">{p.queued ? 'queued' : `${p.isClone && p.status === 'PSUP' ? 'copy ' : ''}${p.progressRate}%`}</text>
              : <text x={PILL_W + 8} y={38} class="vol-sub">{clip(ldev?.label || 'S-VOL', 9)}</text>}</>
          : <text x={PILL_W + 8} y={29} class="vol-sub">no S-VOL</text>}
      </g>
      {notes.length > 0 && <NoteLines p={p} notes={notes} virtualNow={virtualNow} />}
      {moving && !p.ghost && (
        <g class="progress">
          <rect x={8} y={NODE_H - 6} width={PAIR_W - 16} height={3} rx={1.5} class="track" />
          <rect x={8} y={NODE_H - 6} width={((PAIR_W - 16) * (p.progressRate ?? 0)) / 100} height={3} rx={1.5} fill={colour} class="bar" />
        </g>
      )}
    </g>
  );
}

/** One snapshot tree: a card with its summary and the SVG drawing, scaled to fit. */
export function SnapshotTree({ root, laid, scale, ldevs, selection, onSelect, changedAt, now, followed, virtualNow }: TreeProps) {
  const rootId = root.kind === 'vol' ? root.ldevId : -1;
  const rootLdev = ldevs.get(rootId);
  const selLdev = selection?.type === 'ldev' ? selection.id : null;
  const w = Math.floor(laid.width * scale);
  const h = Math.floor(laid.height * scale);
  return (
    <section class="tree-card" data-tree={rootId} data-orientation={laid.orientation} data-scale={scale.toFixed(2)}>
      <header>
        <strong>LDEV {rootId}</strong>{rootLdev?.label ? <span class="muted"> · {rootLdev.label}</span> : null}
        <span class="muted"> · {summary(root)}</span>
      </header>
      <div class="tree-fit">
        <svg width={w} height={h} viewBox={`0 0 ${laid.width} ${laid.height}`} role="img" aria-label={`snapshot tree of LDEV ${rootId}`}>
          {laid.links.map((l) => <path key={l.key} class={`link${l.clone ? ' clone' : ''}${l.vclone ? ' vclone' : ''}`} d={l.d} />)}
          {laid.nodes.map(({ n, x, y }) => {
            const at = `translate(${x},${y})`;
            if (n.kind === 'vol') {
              return <g key={n.key} transform={at}><RootNode ldevId={n.ldevId} ldev={ldevs.get(n.ldevId)} selected={selLdev === n.ldevId} onSelect={onSelect} vcParent={n.vcParent} /></g>;
            }
            if (n.kind === 'vclone') {
              return <g key={n.key} transform={at}><VcloneNode ldevId={n.ldevId} parentLdevId={n.parentLdevId} ldev={ldevs.get(n.ldevId)}
                selected={selLdev === n.ldevId} onSelect={onSelect} vcParent={n.vcParent} /></g>;
            }
            const p = n.pair;
            const changed = changedAt.get(p.snapshotId);
            const flashKey = changed !== undefined && now - changed < 2500 && !p.ghost ? changed : null;
            const selected = selection?.type === 'pair' && selection.id === p.snapshotId && !p.ghost;
            return (
              <g key={n.key} transform={at}>
                <PairNode p={p} ldev={p.svolLdevId !== undefined ? ldevs.get(p.svolLdevId) : undefined} selected={selected}
                  svolSelected={selLdev !== null && selLdev === p.svolLdevId} onSelect={onSelect} flashKey={flashKey}
                  followed={!p.ghost && followed === p.snapshotId} notes={notesOf(n)} virtualNow={virtualNow} />
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}

/** Patterns the nodes use (once per page): hatching for the pool-warning statuses, cross-hatching for PSUE. */
export function TreePatterns() {
  return (
    <svg width="0" height="0" class="defs" aria-hidden="true">
      <defs>
        <pattern id="hatch-warn" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="8" height="8" fill="#fff7e6" /><line x1="0" y1="0" x2="0" y2="8" stroke="#e8a33a" stroke-width="3" stroke-opacity=".45" />
        </pattern>
        <pattern id="hatch-error" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="8" height="8" fill="#fdecea" /><line x1="0" y1="0" x2="0" y2="8" stroke="#b3261e" stroke-width="2" stroke-opacity=".35" />
          <line x1="0" y1="4" x2="8" y2="4" stroke="#b3261e" stroke-width="2" stroke-opacity=".35" />
        </pattern>
      </defs>
    </svg>
  );
}

/** The legend a room can read: every status's shape, colour, name and meaning in words; clone links dashed. */
export function Legend() {
  return (
    <ul class="legend" data-legend="">
      {Object.entries(STATUSES).map(([s, look]) => (
        <li key={s} data-legend-status={s} data-shape={look.shape}>
          <StatusGlyph status={s} size={16} /><strong style={{ color: look.colour }}>{s}</strong><span class="meaning">{look.meaning}</span>
        </li>
      ))}
      <li data-legend-status="clone"><i class="dash" /><strong>clone</strong><span class="meaning">dashed: a clone pair (its S-VOL becomes an independent copy)</span></li>
      <TiaLegend />
    </ul>
  );
}
