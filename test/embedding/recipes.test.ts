import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The recipes of the README's "Use it from your tests" run here as their users run them: a vitest project with a
 * globalSetup, node:test files, a pytest fixture around the CLI. They import 'vsp-emulator' by name (the package's
 * own exports, built into dist/ by `npm test`). The README quotes the recipe files; the last test holds it to them.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const RECIPE_MS = 180_000;

/** Runs a command in the project folder; resolves with its output whatever the exit code. */
async function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, out: (x.stdout ?? '') + (x.stderr ?? '') };
  }
}


describe.concurrent('recipes', () => {
  it('vitest: a globalSetup starts one emulator, each file makes its own array', async () => {
    const r = await sh(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'examples/vitest/vitest.config.ts']);
    expect(r.out).toMatch(/Test Files\s+2 passed/);
    expect(r.code, r.out).toBe(0);
  }, RECIPE_MS);

  it('node:test: node --test examples/node-test/snapshots.test.mjs passes', async () => {
    // TAP whatever Node's default reporter is (22 prints TAP to a pipe, 24 the spec reporter).
    const r = await sh(process.execPath, ['--test', '--test-reporter=tap', 'examples/node-test/snapshots.test.mjs']);
    expect(r.out).toMatch(/# pass 2\n# fail 0/);
    expect(r.code, r.out).toBe(0);
  }, RECIPE_MS);

  // python3 and pytest are what .ci/run installs (python3-pytest); without them this fails, it is not skipped.
  it('pytest: a session fixture starts the CLI and waits for its ready line', async () => {
    const version = await sh('python3', ['-m', 'pytest', '--version']);
    expect(version.code, 'pytest is missing: apt-get install python3-pytest (.ci/run installs it)').toBe(0);
    const r = await sh('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'examples/pytest'],
      { VSP_EMULATOR_CMD: `"${process.execPath}" "${join(root, 'dist/main.js')}"` });
    expect(r.out).toMatch(/2 passed/);
    expect(r.code, r.out).toBe(0);
  }, RECIPE_MS);
});

describe('README "Use it from your tests"', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /\n## Use it from your tests\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  /** Every fenced block whose first line names a recipe file (`// examples/...` or `# examples/...`). */
  const quoted = [...section.matchAll(/```\w*\n(?:\/\/|#) (examples\/\S+)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, text: m[2]! }));

  it('is listed in the contents and quotes every recipe', () => {
    expect(readme).toContain('- [Use it from your tests](#use-it-from-your-tests)');
    expect(quoted.map((q) => q.file).sort()).toEqual([
      'examples/node-test/snapshots.test.mjs', 'examples/pytest/conftest.py', 'examples/testcontainers/global-setup.ts',
      'examples/vitest/global-setup.ts', 'examples/vitest/snapshots.test.ts',
    ]);
  });

  it('quotes each recipe file exactly as it runs here', () => {
    for (const q of quoted) expect(q.text, q.file).toBe(readFileSync(join(root, q.file), 'utf8'));
  });
});
