import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user gets: `npm pack` (of the dist/ that `npm test` built), installed into an empty folder from the npm cache
 * (`--prefer-offline`: the project's own `npm install` filled it), then run with npx and imported by name.
 * better-sqlite3's native build is not repeated: the install skips scripts and takes this checkout's addon (same Node).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'vsp-pack-'));
const app = join(dir, 'app');
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSP_EMULATOR_') && !k.startsWith('npm_'))), NO_COLOR: '1' };
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env, maxBuffer: 32 << 20 });

let files: string[] = [];
let installLog = '';
const timings: Record<string, number> = {};

beforeAll(async () => {
  let t = performance.now();
  const packed = JSON.parse((await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)).stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = packed[0]!.files.map((f) => f.path);
  timings.pack = performance.now() - t;

  t = performance.now();
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  const out = await npm(['install', join(dir, packed[0]!.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  installLog = out.stdout + out.stderr;
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(app, 'node_modules/better-sqlite3/build'), { recursive: true });
  timings.install = performance.now() - t;
}, 300_000);
afterAll(() => {
  console.log(`pack ${timings.pack?.toFixed(0)} ms, install ${timings.install?.toFixed(0)} ms, ${files.length} files${/EBADENGINE/.test(installLog) ? '; install warned EBADENGINE' : ''}`);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the packed package', () => {
  it('holds what runs: dist (with declarations and the web view), fixtures, OpenAPI documents, README, LICENSE', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/client.d.ts',
      'dist/web/index.html', 'dist/web/app/main.js', 'fixtures/default.yaml', 'openapi/vsp-rest-api.json', 'openapi/control-plane.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|examples|bench|ui|\.ci)\//.test(f) || /^dist\/(bench|tools)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('npx vsp-emulator --version, and a start that prints the ready line', async () => {
    const v = await run('npx', ['--no-install', 'vsp-emulator', '--version'], { cwd: app, env });
    expect(v.stdout).toBe(`vsp-emulator ${pkg.version}\n`);
    const child = spawn('npx', ['--no-install', 'vsp-emulator', '--http-port', '0', '--https-port', '0'], { cwd: app, env });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => { out += d; const m = /^vsp-emulator .* ready .*$/m.exec(out); if (m) resolve(m[0]); });
        child.stderr.on('data', (d) => { err += d; });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      expect(line).toMatch(new RegExp(`^vsp-emulator ${pkg.version} ready http://127\\.0\\.0\\.1:\\d+ https://127\\.0\\.0\\.1:\\d+ .* arrays=936000123456 state=loaded fixture=default `));
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);

  it("import { startEmulator } from 'vsp-emulator' works by name, with type declarations", async () => {
    const script = "import { startEmulator } from 'vsp-emulator'; const e = await startEmulator({ https: false }); " +
      "const r = await fetch(e.apiUrl + '/storages').then((x) => x.json()); console.log(e.storageDeviceId, r.data.length); await e.close();";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env });
    expect(stdout).toBe('936000123456 1\n');
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/vsp-emulator/package.json'), 'utf8')) as { exports: Record<string, { types: string }> };
    expect(installed.exports['.']!.types).toBe('./dist/index.d.ts');
    // A user's TypeScript file type-checks against the shipped declarations.
    writeFileSync(join(app, 'use.ts'), "import { startEmulator, type Emulator } from 'vsp-emulator';\n" +
      "const e: Emulator = await startEmulator({ timing: 'instant', clock: 'manual' });\nawait e.control.clock.advance(5);\n" +
      "const a = await e.createArray();\nawait a.dispose();\nawait e.close();\n");
    const tsc = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', join(root, 'node_modules/@types'), '--types', 'node', 'use.ts'],
    { cwd: app, env }).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }));
    expect(tsc.stdout).toBe('');
  }, 120_000);
});
