#!/usr/bin/env node
// Conformance run: for each protocol, start a fresh emulator (built dist/, cinder fixture, realistic timing at
// 10x speed) and drive it with the real OpenStack Cinder Hitachi driver through harness.py. Prints the harness's
// PASS/FAIL line per operation and a closing "N passed, M failed" line; exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const PYTHON = '/usr/bin/python3';

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'main.js'), '--db', ':memory:', '--fixture', 'cinder',
      '--http-port', '0', '--https-port', '0', '--host', '127.0.0.1', '--timing', 'realistic', '--speed', '10',
      '--log-level', process.env.CONFORMANCE_LOG_LEVEL ?? 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const timer = setTimeout(() => reject(new Error('emulator did not print its ready line within 20 s')), 20000);
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const m = /ready http:\/\/[^:]+:(\d+) https:\/\/[^:]+:(\d+)(?: ui=\S+)? arrays=(\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.on('data', (x) => process.stderr.write(x));
        resolve({ child, httpPort: Number(m[1]), httpsPort: Number(m[2]), sid: m[3] });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited with ${code}`)); });
  });
}

function runHarness(args) {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [join(here, 'harness.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60 * 1000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

if (!existsSync(PYTHON) || !existsSync('/usr/lib/python3/dist-packages/cinder/volume/drivers/hitachi/hbsd_rest.py')) {
  console.error('python3-cinder is not installed: apt-get install -y --no-install-recommends python3-cinder');
  process.exit(2);
}

let passed = 0;
let failed = 0;
for (const protocol of ['fc', 'iscsi']) {
  const emu = await startEmulator();
  const work = mkdtempSync(join(tmpdir(), `cinder-${protocol}-`));
  const res = await runHarness(['--port', String(emu.httpsPort), '--storage-id', emu.sid, '--protocol', protocol, '--workdir', work,
    ...(process.env.CONFORMANCE_VERBOSE ? ['--verbose'] : [])]);
  emu.child.removeAllListeners('exit');
  emu.child.kill('SIGTERM');
  const m = /^(\d+) passed, (\d+) failed$/m.exec(res.out);
  if (m) { passed += Number(m[1]); failed += Number(m[2]); } else { failed += 1; }
  if (res.code !== 0) {
    process.stderr.write(res.err.split('\n').filter((l) => !/^\s*$/.test(l)).slice(-40).join('\n') + '\n');
  }
}
console.log(`cinder conformance: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
