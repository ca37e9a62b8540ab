/** Small display helpers shared by the page's components. */

/**
 * Each pair status as a class sees it: a colour, a shape (so no status is told by colour alone: colour-blind viewers
 * and a washed-out projector still tell them apart) and its meaning in words. Colours are from the Okabe–Ito palette
 * (distinct under deuteranopia and protanopia), darkened where text on white needs the contrast.
 */
export type Shape = 'circle' | 'square' | 'triangle-right' | 'triangle-left' | 'diamond' | 'triangle-up' | 'cross' | 'hourglass' | 'bar' | 'hexagon';
export interface StatusLook { colour: string; shape: Shape; meaning: string }
export const STATUSES: Record<string, StatusLook> = {
  PAIR: { colour: '#007a5a', shape: 'circle', meaning: 'paired: no snapshot data yet' },
  PSUS: { colour: '#0072b2', shape: 'square', meaning: 'split: the snapshot is stored' },
  COPY: { colour: '#3a8fc4', shape: 'triangle-right', meaning: 'copying (create or resync)' },
  RCPY: { colour: '#a8538a', shape: 'triangle-left', meaning: 'restoring the P-VOL from the snapshot' },
  PFUL: { colour: '#b98600', shape: 'diamond', meaning: 'paired, pool over its warning threshold' },
  PFUS: { colour: '#b84f00', shape: 'triangle-up', meaning: 'split, pool over its warning threshold' },
  PSUE: { colour: '#b3261e', shape: 'cross', meaning: 'suspended by an error (pool full): takes no new data' },
  PSUP: { colour: '#6d4c9f', shape: 'hourglass', meaning: 'clone copy running' },
  SMPP: { colour: '#5b6472', shape: 'bar', meaning: 'being deleted' },
  CPYP: { colour: '#2f6f6f', shape: 'hexagon', meaning: 'assigning or releasing the S-VOL' },
};
export const STATUS_COLOURS: Record<string, string> = Object.fromEntries(Object.entries(STATUSES).map(([k, v]) => [k, v.colour]));
export const STATUS_MEANING: Record<string, string> = Object.fromEntries(Object.entries(STATUSES).map(([k, v]) => [k, v.meaning]));
export const TRANSITIONAL = new Set(['COPY', 'RCPY', 'PSUP', 'SMPP', 'CPYP']);

export const statusColour = (s: string | null | undefined) => (s && STATUS_COLOURS[s]) || '#64748b';
export const statusShape = (s: string | null | undefined): Shape | null => (s && STATUSES[s]?.shape) || null;

/** SVG path of a status shape, centred on (0, 0), about `r` in radius. */
export function shapePath(shape: Shape, r: number): string {
  const h = r * 0.87;
  switch (shape) {
    case 'circle': return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    case 'square': return `M${-h},${-h}H${h}V${h}H${-h}Z`;
    case 'triangle-right': return `M${-h},${-r}L${r},0L${-h},${r}Z`;
    case 'triangle-left': return `M${h},${-r}L${-r},0L${h},${r}Z`;
    case 'triangle-up': return `M0,${-r}L${r},${h}H${-r}Z`;
    case 'diamond': return `M0,${-r * 1.15}L${r * 1.05},0L0,${r * 1.15}L${-r * 1.05},0Z`;
    case 'cross': { const w = r * 0.38; return `M${-r},${-r + w}L${-r + w},${-r}L0,${-w}L${r - w},${-r}L${r},${-r + w}L${w},0L${r},${r - w}L${r - w},${r}L0,${w}L${-r + w},${r}L${-r},${r - w}L${-w},0Z`; }
    case 'hourglass': return `M${-r},${-r}H${r}L${r * 0.15},0L${r},${r}H${-r}L${-r * 0.15},0Z`;
    case 'bar': return `M${-r},${-r * 0.38}H${r}V${r * 0.38}H${-r}Z`;
    case 'hexagon': return `M${-r},0L${-r / 2},${-h}H${r / 2}L${r},0L${r / 2},${h}H${-r / 2}Z`;
  }
}

/** What the array did, in words, when a pair moved from `from` to `to` (null: created / gone). */
export function narrate(from: string | null, to: string | null, isClone: boolean): string {
  if (to === null) return isClone ? 'clone pair gone: its S-VOL is an independent volume' : 'pair deleted';
  if (from === null) return to === 'COPY' ? 'pair created, copying' : `pair created in ${to}`;
  if (to === 'PSUS' && (from === 'PAIR' || from === 'PFUL')) return 'split: snapshot data stored';
  if (to === 'PSUS' && from === 'PFUS') return 'pool back under its warning threshold';
  if (to === 'PAIR' && from === 'PFUL') return 'pool back under its warning threshold';
  if (to === 'PAIR' && from === 'COPY') return 'copy done: paired';
  if (to === 'PAIR' && from === 'RCPY') return 'restore done: the P-VOL holds the snapshot\'s data';
  if (to === 'PSUS' && from === 'RCPY') return 'restore done, split again';
  if (to === 'PSUS' && from === 'COPY') return 'copy done, split at once (autoSplit)';
  if (to === 'COPY') return from === 'PSUE' ? 'resync after the error: copying' : 'resync started: the snapshot data is released';
  if (to === 'RCPY') return 'restore started: the P-VOL gets the snapshot\'s data';
  if (to === 'PFUL') return 'pool over its warning threshold';
  if (to === 'PFUS') return 'pool over its warning threshold: the snapshot is kept, new pairs are refused';
  if (to === 'PSUE') return 'suspended: the pool is full (or a failure); the snapshot takes no new data';
  if (to === 'PSUP') return isClone ? 'clone copy started' : 'copying';
  if (to === 'SMPP') return isClone && from === 'PSUP' ? 'clone copy done: the S-VOL is being released' : 'being deleted';
  if (to === 'CPYP') return 'assigning or releasing the S-VOL';
  return STATUS_MEANING[to] ?? to;
}

/** `2026-01-05T10:00:03.250Z` → `10:00:03`. */
export function hms(iso: string | undefined | null): string {
  if (!iso) return '';
  const m = /T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? m[1]! : iso;
}

/** Virtual time as the header shows it: `2026-01-05 10:00:03`. */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** MiB → a short human size. */
export function mib(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} TiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n >= 10 * 1024 ? 0 : 1)} GiB`;
  return `${Math.round(n)} MiB`;
}

/** Blocks of 512 bytes → a short human size. */
export const blocks = (n: number) => mib(n / 2048);

/** The last part of a REST URL, for compact lists: `/ConfigurationManager/v1/objects/storages/x/snapshots/1,0` → `snapshots/1,0`. */
export function shortPath(path: string | null | undefined): string {
  if (!path) return '';
  return path.replace(/^\/ConfigurationManager\/v1\/(objects\/storages\/\d+\/|objects\/|\d+\/)?/, '').replace(/^\/ConfigurationManager\//, '');
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
