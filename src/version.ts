import { readFileSync } from 'node:fs';

/** The emulator's version, from package.json (sent as `x-vsp-emulator`). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try { return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version; } catch { /* next */ }
  }
  return '0.0.0';
})();
