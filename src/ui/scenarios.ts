import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_DIR } from '../store/fixture.js';
import type { UiScenario } from './wire.js';

/**
 * The fixtures an instructor can load from the page (a control-plane reset with `{"fixture": name}`): every file
 * of fixtures/, the `training-*` ones first. Read on each request, so a fixture added while the emulator runs shows.
 */
export function listScenarios(dir = FIXTURES_DIR): UiScenario[] {
  let files: string[];
  try { files = readdirSync(dir); } catch { return []; }
  const out: UiScenario[] = [];
  for (const file of files) {
    const ext = extname(file);
    if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') continue;
    const name = file.slice(0, -ext.length);
    let description: string | null = null;
    try {
      const text = readFileSync(join(dir, file), 'utf8');
      const doc = (ext === '.json' ? JSON.parse(text) : parseYaml(text)) as { description?: unknown } | null;
      if (typeof doc?.description === 'string') description = doc.description;
    } catch { /* listed without a description; loading it will say what is wrong */ }
    out.push({ name, description, training: name.startsWith('training-') });
  }
  return out.sort((a, b) => Number(b.training) - Number(a.training) || a.name.localeCompare(b.name));
}
