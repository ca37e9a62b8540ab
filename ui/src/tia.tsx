import type { UiPair, UiTransition, UiVclone, UiView } from '../../src/ui/wire.js';
import type { Actions } from './controls.js';

/**
 * What the page shows of Thin Image Advanced (VSP One B): the TIA mark of a redirect-on-write pair (TIA ref 2), the
 * snapshot-data retention countdown and its lock (TIA ref 3), and virtual clones drawn under their parent (TIA ref 4).
 * Said in words everywhere, with a shape, never by colour alone.
 */

const HOUR_MS = 3_600_000;

/** Whole hours left, rounded up as the array reports `retentionPeriod` (TIA ref 3.2); 0 once it has ended. */
export function hoursLeft(endIso: string | null | undefined, nowMs: number): number {
  if (!endIso) return 0;
  const end = Date.parse(endIso);
  return end > nowMs ? Math.ceil((end - nowMs) / HOUR_MS) : 0;
}

/** `2026-01-06T10:00:00.000Z` → `2026-01-06 10:00` (virtual time, UTC like the header clock). */
export const endText = (iso: string) => iso.replace('T', ' ').slice(0, 16);

/** A padlock, centred on (0, 0): shackle and body, so "locked" is a shape as well as a word. */
export function lockPath(r: number): string {
  const w = r * 0.95; const top = -r * 0.1; const s = r * 0.55;
  return `M${-w},${top}H${w}V${r}H${-w}Z M${-s},${top}V${-r * 0.45}A${s},${s} 0 0 1 ${s},${-r * 0.45}V${top}`;
}

export function LockGlyph({ size = 14 }: { size?: number }) {
  return (
    <svg class="glyph lock" width={size} height={size} viewBox="-8 -8 16 16" aria-hidden="true" data-shape="lock">
      <path d={lockPath(6.5)} fill="none" stroke="currentColor" stroke-width={2} />
    </svg>
  );
}

/**
 * The retention line of a pair's details, or null when none holds at `nowMs`. A retention lesson waits hours (24 in
 * training-tia-vclone): the clock bar's steps stop at +10 min, so the line offers the jump to one second past its end.
 */
export function RetentionFact({ end, nowMs, act }: { end: string | undefined; nowMs: number; act?: Actions }) {
  const h = hoursLeft(end, nowMs);
  if (h === 0 || !end) return null;
  const seconds = Math.ceil((Date.parse(end) - nowMs) / 1000) + 1;
  return (
    <div class="retention small" data-retention={h} data-retention-end={end}>
      <p><LockGlyph /> <strong>locked by retention</strong>: {h} h left, until {endText(end)} (virtual time). The array
        refuses to delete or resync this pair until then.</p>
      {act && <button data-action="clock-to-retention-end" title="advance the virtual clock to one second past the end of retention"
        onClick={() => act.control(`step to retention end (+${h} h)`, 'POST', 'clock/advance', { seconds }, { quiet: true })}>
        Skip to its end (+{h} h)</button>}
    </div>
  );
}

/** The pair's kind in words: TIA (redirect-on-write, no concordance rate) or Thin Image standard; clone; cascade. */
export function kindText(p: UiPair): string {
  const base = p.isRedirectOnWrite ? 'TIA · redirect-on-write snapshot' : p.isClone ? 'clone' : 'snapshot';
  return `${base}${p.canCascade && !p.isRedirectOnWrite ? ', cascade' : ''}`;
}

/** A pair from a vClone's parent back to it (Terraform's pair-back, TIA ref 4.4): both VSP One B flags are true. */
export const pairedBack = (p: UiPair) => p.isVirtualCloneVolume === true && p.isVirtualCloneParentVolume === true;

/** vClone buttons on a TIA pair: create from PAIR, convert from PSUS/PFUS, restore a paired-back pair (TIA ref 4.2-4.4). */
export function VcloneButtons({ pair, act }: { pair: UiPair; act: Actions }) {
  if (!pair.isRedirectOnWrite) return null;
  const run = (operationType: string) => act.rest(`vClone ${operationType} ${pair.snapshotId}`, 'POST',
    `snapshots/${pair.snapshotId}/actions/virtual-clone/invoke`, { parameters: { operationType } });
  return (
    <div class="buttons">
      <button data-action="vclone-create" disabled={pair.status !== 'PAIR'} title="the pair goes; its S-VOL becomes a vClone of the P-VOL"
        onClick={() => run('create')}>vClone create</button>
      <button data-action="vclone-convert" disabled={pair.status !== 'PSUS' && pair.status !== 'PFUS'} title="the stored snapshot becomes a vClone"
        onClick={() => run('convert')}>vClone convert</button>
      {pairedBack(pair) && <button data-action="vclone-restore" onClick={() => run('restore')}>vClone restore</button>}
    </div>
  );
}

/** The vClone lines of a volume's details: whose vClone it is, and which vClones it has. */
export function VcloneFacts({ ldevId, view }: { ldevId: number; view: UiView }) {
  const own = view.vclones.find((v) => v.ldevId === ldevId);
  const children = view.vclones.filter((v) => v.parentLdevId === ldevId);
  if (!own && children.length === 0) return null;
  return (
    <p class="small vclone-facts" data-vclone-facts={ldevId}>
      {own && <>vClone of LDEV {own.parentLdevId} (virtual clone, attribute VC). </>}
      {children.length > 0 && <>vClone parent (VCP) of LDEV {children.map((c) => c.ldevId).join(', ')}.</>}
    </p>
  );
}

/**
 * vClones that appeared or went between two views, except those the server's record already tells (a pair that
 * became that vClone): the page's own lines for the narration, stamped with the view's virtual time. Numbered
 * below zero so that they never collide with the server's sequence.
 */
export function vcloneChanges(before: UiVclone[], after: UiVclone[], told: Set<number>, time: string, nextSeq: () => number): UiTransition[] {
  const key = (v: UiVclone) => `${v.ldevId}>${v.parentLdevId}`;
  const was = new Set(before.map(key));
  const is = new Set(after.map(key));
  const line = (v: UiVclone, change: 'appeared' | 'gone'): UiTransition => ({
    seq: nextSeq(), time, snapshotId: `vclone:${v.ldevId}`, pvolLdevId: v.parentLdevId, muNumber: -1, isClone: false, from: null, to: null,
    vclone: { ldevId: v.ldevId, parentLdevId: v.parentLdevId, change },
  });
  return [
    ...before.filter((v) => !is.has(key(v))).map((v) => line(v, 'gone')),
    ...after.filter((v) => !was.has(key(v)) && !told.has(v.ldevId)).map((v) => line(v, 'appeared')),
  ];
}

/** A vClone change in words for the narration (the transition feed). */
export function narrateVclone(t: UiTransition): string | null {
  if (t.becameVclone !== undefined) {
    return `turned into a vClone: the pair is gone and LDEV ${t.becameVclone} is now a vClone of LDEV ${t.pvolLdevId}`;
  }
  if (t.vclone) {
    return t.vclone.change === 'appeared'
      ? `LDEV ${t.vclone.ldevId} appeared as a vClone of LDEV ${t.vclone.parentLdevId}`
      : `LDEV ${t.vclone.ldevId} is no longer a vClone of LDEV ${t.vclone.parentLdevId}`;
  }
  return null;
}

/** The legend's lines for TIA: its mark, the lock, and the vClone link. */
export function TiaLegend() {
  return (
    <>
      <li data-legend-mark="tia"><span /><strong>TIA</strong><span class="meaning">Thin Image Advanced: a redirect-on-write snapshot (VSP One B); no concordance rate</span></li>
      <li data-legend-mark="retention"><LockGlyph size={16} /><strong>locked</strong><span class="meaning">retention: the snapshot is kept until the time shown; delete and resync are refused</span></li>
      <li data-legend-mark="vclone"><i class="dots" /><strong>vClone</strong><span class="meaning">dotted: a virtual clone (VC) of the volume it hangs from, its vClone parent (VCP)</span></li>
    </>
  );
}
