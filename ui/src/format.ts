/** Small display helpers shared by the page's components. */

/** Colour of each pair status (also used by the legend); transitional statuses are drawn striped. */
export const STATUS_COLOURS: Record<string, string> = {
  COPY: '#2563eb', PAIR: '#16a34a', PSUS: '#7c3aed', PFUL: '#ea580c', PFUS: '#c2410c', PSUE: '#dc2626',
  RCPY: '#0891b2', PSUP: '#d97706', SMPP: '#6b7280', CPYP: '#0d9488',
};
export const STATUS_MEANING: Record<string, string> = {
  COPY: 'copying (create or resync)', PAIR: 'paired, no snapshot data', PSUS: 'split: snapshot data stored',
  PFUL: 'paired, pool over its warning threshold', PFUS: 'split, pool over its warning threshold', PSUE: 'suspended by a failure',
  RCPY: 'restoring the P-VOL', PSUP: 'clone copy running', SMPP: 'being deleted', CPYP: 'assigning or releasing the S-VOL',
};
export const TRANSITIONAL = new Set(['COPY', 'RCPY', 'PSUP', 'SMPP', 'CPYP']);

export const statusColour = (s: string | null | undefined) => (s && STATUS_COLOURS[s]) || '#64748b';

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
