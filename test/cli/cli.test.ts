import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, usage } from '../../src/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vsp-cli-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
writeFileSync(cert, 'x');
writeFileSync(key, 'x');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fails = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try { parseCli(argv, env); } catch (e) { return (e as Error).message; }
  throw new Error(`parseCli(${argv.join(' ')}) did not fail`);
};

describe('command line', () => {
  it('listens on 127.0.0.1 unless told otherwise; no extra allowed hosts', () => {
    expect(parseCli([], {})).toMatchObject({ host: '127.0.0.1', allowedHosts: [], help: false, version: false, httpPort: 23450, httpsPort: 23451 });
    expect(parseCli(['--host', '0.0.0.0'], {}).host).toBe('0.0.0.0');
    expect(parseCli([], { VSP_EMULATOR_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('-h and --help, --version; they answer whatever else is on the line or in the environment', () => {
    expect(parseCli(['-h'], {}).help).toBe(true);
    expect(parseCli(['--help'], {}).help).toBe(true);
    expect(parseCli(['--version'], {}).version).toBe(true);
    expect(parseCli(['--version', '--tls-cert', '/nope'], {}).version).toBe(true);
    expect(parseCli(['-h'], { VSP_EMULATOR_CLOCK: 'bogus' }).help).toBe(true);
    expect(parseCli([], { VSP_EMULATOR_HELP: '1', VSP_EMULATOR_VERSION: '1' })).toMatchObject({ help: false, version: false });
    const text = usage();
    for (const s of ['-h, --help', '--version', '--allowed-host', 'env VSP_EMULATOR_ALLOWED_HOST', '--fixtures-dir', 'env VSP_EMULATOR_FIXTURES_DIR', '(default 127.0.0.1)']) {
      expect(text).toContain(s);
    }
    expect(text).not.toContain('VSP_EMULATOR_HELP');
  });

  it('--allowed-host repeats; its environment twin is comma-separated; the flag wins', () => {
    expect(parseCli(['--allowed-host', 'emu.example', '--allowed-host', 'CI-Runner.local'], {}).allowedHosts).toEqual(['emu.example', 'ci-runner.local']);
    expect(parseCli([], { VSP_EMULATOR_ALLOWED_HOST: 'a.test, b.test,,' }).allowedHosts).toEqual(['a.test', 'b.test']);
    expect(parseCli(['--allowed-host', 'c.test'], { VSP_EMULATOR_ALLOWED_HOST: 'a.test' }).allowedHosts).toEqual(['c.test']);
    expect(parseCli(['--allowed-host', '*', '--allowed-host', '.corp.example'], {}).allowedHosts).toEqual(['*', '.corp.example']);
    for (const bad of ['evil.test/x', '*.corp.example', 'a..b', 'host:8080']) {
      expect(fails(['--allowed-host', bad])).toBe(`--allowed-host must be a host name (.name for subdomains too, or *), got "${bad}" (see --help)`);
    }
  });

  it('--tls-cert and --tls-key only together, and only files that exist', () => {
    expect(parseCli(['--tls-cert', cert, '--tls-key', key], {})).toMatchObject({ tlsCert: cert, tlsKey: key });
    const together = '--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate (see --help)';
    expect(fails(['--tls-cert', cert])).toBe(together);
    expect(fails([], { VSP_EMULATOR_TLS_KEY: key })).toBe(together);
    expect(fails(['--tls-cert', cert, '--tls-key', join(dir, 'missing.pem')])).toBe(`--tls-key ${join(dir, 'missing.pem')}: no such file (see --help)`);
  });

  it('--fixtures-dir (and VSP_EMULATOR_FIXTURES_DIR) must be a folder', () => {
    expect(parseCli(['--fixtures-dir', dir], {}).fixturesDir).toBe(dir);
    expect(parseCli([], { VSP_EMULATOR_FIXTURES_DIR: dir }).fixturesDir).toBe(dir);
    expect(parseCli([], {}).fixturesDir).toBeUndefined();
    expect(fails(['--fixtures-dir', cert])).toBe(`--fixtures-dir ${cert}: no such folder (see --help)`);
  });

  it('errors are one line naming the flag', () => {
    expect(fails(['--bogus'])).toBe("Unknown option '--bogus' (see --help)");
    expect(fails(['stray'])).not.toContain('\n');
    expect(fails(['--http-port', '70000'])).toBe('--http-port must be a port number 0-65535, got "70000" (see --help)');
    expect(fails(['--speed', 'Infinity'])).toBe('--speed must be a positive number (see --help)');
  });
});
