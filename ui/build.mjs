// Lays out dist/web, the folder the emulator serves at /emulator/ui/ (src/ui/assets.ts): the page's static files
// from ui/static/, and the browser builds of its two libraries copied from node_modules to vendor/ with their
// licences, so the page needs no network and no bundler. `tsc -p ui/tsconfig.json` then compiles the page into
// dist/web/app/. Run by `npm run build` (and so by `npm install` and `npm test`).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'web');
const require = createRequire(import.meta.url);
/** The folder of an installed package: up from its entry point to its own package.json (not every package exports it). */
function pkg(name) {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`cannot find the folder of ${name}: run npm install`);
}

const VENDOR = {
  preact: ['dist/preact.mjs', 'hooks/dist/hooks.mjs', 'jsx-runtime/dist/jsxRuntime.mjs', 'LICENSE'],
  'd3-hierarchy': ['dist/d3-hierarchy.min.mjs', 'LICENSE'],
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(here, 'static'), out, { recursive: true });
for (const [name, files] of Object.entries(VENDOR)) {
  for (const file of files) {
    const target = join(out, 'vendor', name, file.split('/').pop());
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(pkg(name), file), target);
  }
}
