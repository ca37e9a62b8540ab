import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** The built CLI (`npm test` builds first): the ready line tells the truth, health reads the server's flags. */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'vsp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) c.kill('SIGKILL'); });

/** Env without the caller's VSP_EMULATOR_* (flags under test only). */
const cleanEnv = (extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSP_EMULATOR_'))), ...extra,
});

interface Started { child: ChildProcess; line: string; port: number; out: () => string; err: () => string; stop(): Promise<void> }

/** Starts the CLI in `dir` and resolves at its ready line (rejects with stderr if it exits first). */
function start(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, '--http-port', '0', ...args], { cwd: dir, env: cleanEnv(env) });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^vsp-emulator \S+ ready http:\/\/127\.0\.0\.1:(\d+).*$/m.exec(out);
      if (m) {
        resolve({
          child, line: m[0], port: Number(m[1]), out: () => out, err: () => err,
          stop: () => new Promise<void>((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

/** Runs the CLI to its end: exit code, stdout, stderr. */
async function once(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: dir, env: cleanEnv(env) });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe.concurrent('the ready line says where the state came from', () => {
  it('by default nothing is kept: loaded from the default fixture, in memory', async () => {
    const s = await start(['--https-port', 'off']);
    expect(s.line).toMatch(/ arrays=936000123456 state=loaded fixture=default ldevs=4 pairs=0 db=:memory: clock=real timing=realistic startup_ms=\d+$/);
    await s.stop();
  });

  it('a database file: loaded, then resumed (with counts); another --fixture is one clear line and exit 1; --fresh starts over', async () => {
    const db = join(dir, 'kept.sqlite');
    const first = await start(['--https-port', 'off', '--db', db, '--fixture', 'training-first-snapshot']);
    expect(first.line).toContain(' state=loaded fixture=training-first-snapshot ldevs=6 pairs=1 ');
    await first.stop();

    const again = await start(['--https-port', 'off', '--db', db]);
    expect(again.line).toContain(' state=resumed fixture=training-first-snapshot ldevs=6 pairs=1 ');
    // stderr and stdout are two pipes: the note written before the ready line may be read after it.
    for (let i = 0; i < 100 && !again.err().includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(again.err()).toBe(`vsp-emulator: resumed ${db} (fixture training-first-snapshot: 1 array, 6 LDEVs, 1 pair); --fresh starts over from the fixture\n`);
    const health = await fetch(`http://127.0.0.1:${again.port}/emulator/v1/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ready', fixture: 'training-first-snapshot' });
    await again.stop();

    const refused = await once(['--https-port', 'off', '--http-port', '0', '--db', db, '--fixture', 'default']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`vsp-emulator: database ${db} holds state loaded from fixture "training-first-snapshot" (1 array, 6 LDEVs, 1 pair), ` +
      'not "default": start over from "default" with --fresh (discards the database), use another --db file, or --db :memory: (keeps nothing); ' +
      'or leave out --fixture to resume it\n');
    // The environment twin counts as asking for a fixture too.
    expect((await once(['--https-port', 'off', '--http-port', '0', '--db', db], { VSP_EMULATOR_FIXTURE: 'g900' })).code).toBe(1);

    const fresh = await start(['--https-port', 'off', '--db', db, '--fixture', 'default', '--fresh']);
    expect(fresh.line).toContain(' state=loaded(fresh) fixture=default ldevs=4 pairs=0 ');
    await fresh.stop();
  }, 60_000);
});

describe.concurrent('vsp-emulator health (the Docker HEALTHCHECK)', () => {
  it('reads the same flags and environment as the server: 0 when ready, 1 when nothing answers', async () => {
    const s = await start(['--https-port', 'off']);
    const byFlag = await once(['health', '--http-port', String(s.port)]);
    expect(byFlag).toMatchObject({ code: 0, stdout: 'vsp-emulator health: 200 ready\n' });
    expect((await once(['health'], { VSP_EMULATOR_HTTP_PORT: String(s.port) })).code).toBe(0);
    await s.stop();
    const gone = await once(['health', '--http-port', String(s.port)]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/^vsp-emulator health: http:\/\/127\.0\.0\.1:\d+ unreachable/);
  }, 60_000);

  it('--server-pid N takes the flags of the running server (docker run image --http-port 8080), the check\'s own flags winning', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as AddressInfo).port; srv.close(() => resolve(p)); });
    });
    const s = await start(['--https-port', 'off', '--http-port', String(port)]);
    expect(await once(['health', '--server-pid', String(s.child.pid)])).toMatchObject({ code: 0, stdout: 'vsp-emulator health: 200 ready\n' });
    expect((await once(['health', '--server-pid', String(s.child.pid), '--http-port', '1'])).code).toBe(1);
    const notOurs = await once(['health', '--server-pid', String(process.pid)]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toMatch(new RegExp(`^vsp-emulator: --server-pid ${process.pid}: not a vsp-emulator`));
    await s.stop();
  }, 60_000);

  it('falls back to the API version endpoint without a control plane, and sends the control token when set', async () => {
    const lean = await start(['--https-port', 'off', '--no-control-plane']);
    expect(await once(['health', '--http-port', String(lean.port), '--no-control-plane'])).toMatchObject({ code: 0, stdout: 'vsp-emulator health: 200 (API version endpoint)\n' });
    // Told the control plane is on while it is off: the 404 sends it to the fallback too.
    expect((await once(['health', '--http-port', String(lean.port)])).code).toBe(0);
    await lean.stop();
    const locked = await start(['--https-port', 'off'], { VSP_EMULATOR_CONTROL_TOKEN: 'sesame' });
    expect((await once(['health', '--http-port', String(locked.port)], { VSP_EMULATOR_CONTROL_TOKEN: 'sesame' })).code).toBe(0);
    await locked.stop();
  }, 60_000);
});

describe.concurrent('logs', () => {
  it('--log-format pretty prints lines for people: each job and each pair transition', async () => {
    const s = await start(['--https-port', 'off', '--timing', 'instant', '--log-level', 'debug', '--log-format', 'pretty']);
    const auth = `Basic ${Buffer.from('maintenance:raid-maintenance').toString('base64')}`;
    const r = await fetch(`http://127.0.0.1:${s.port}/ConfigurationManager/v1/objects/ldevs`, {
      method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ ldevId: 10, poolId: 0, byteFormatCapacity: '10G' }),
    }).then((x) => x.json()) as { jobId: number };
    await fetch(`http://127.0.0.1:${s.port}/ConfigurationManager/v1/objects/snapshots`, {
      method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ snapshotGroupName: 'g', snapshotPoolId: 1, pvolLdevId: 0, svolLdevId: 10, canCascade: true, isDataReductionForceCopy: true }),
    });
    await new Promise((done) => setTimeout(done, 300)); // let the child flush its log lines
    await s.stop();
    const out = s.out();
    expect(out).not.toMatch(/^\{"level"/m);
    expect(out).toMatch(new RegExp(`DEBUG.*job ${r.jobId} ldev\\.create accepted`));
    expect(out).toMatch(new RegExp(`INFO.*job ${r.jobId} ldev\\.create Succeeded`));
    expect(out).toMatch(/pair 0,0 COPY -> PAIR/);
    expect(out).toMatch(/virtualTime: "\d{4}-\d\d-\d\dT/);
  }, 60_000);
});

describe.concurrent('README "A first session with curl"', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## A first session with curl\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

  it('works on every run of the default start (nothing kept between runs)', async () => {
    expect(block).toContain('curl');
    for (let round = 1; round <= 2; round++) {
      const s = await start(['--https-port', 'off', '--http-port', '0']);
      const script = block.replaceAll('127.0.0.1:23450', `127.0.0.1:${s.port}`);
      const { stdout } = await run('bash', ['-e', '-c', script], { cwd: dir });
      await s.stop();
      expect(stdout, `round ${round}`).not.toMatch(/already (defined|used)/);
      expect(stdout.match(/"state":"Succeeded"/g)?.length, `round ${round}: ${stdout}`).toBe(2);
    }
  }, 60_000);
});
