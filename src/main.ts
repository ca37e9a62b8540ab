#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, usage, type CliOptions } from './cli.js';
import { describeCounts } from './engine/context.js';
import { startEmulator, type Emulator } from './index.js';
import { VERSION } from './version.js';

const started = performance.now();

/** The ready line: where it listens, and the truth about the state it started from. */
function readyLine(cli: CliOptions, emu: Emulator): string {
  const s = emu.start;
  return `vsp-emulator ${VERSION} ready ${emu.url}` + (emu.httpsUrl ? ` ${emu.httpsUrl}` : '') +
    (cli.controlPlane ? ` ui=${emu.url}/emulator/ui/` : '') +
    ` arrays=${emu.storageDeviceIds.join(',')} state=${s.state}${s.fresh ? '(fresh)' : ''} fixture=${s.fixture ?? 'unrecorded'}` +
    ` ldevs=${s.counts.ldevs} pairs=${s.counts.pairs} db=${cli.db} clock=${s.clock} timing=${s.timing}` +
    ` startup_ms=${Math.round(performance.now() - started)}\n`;
}

/**
 * `vsp-emulator health [options]`: the Docker HEALTHCHECK. Reads the same flags and environment as the server, asks
 * its /emulator/v1/health (with the control token if one is set), and falls back to the API's version endpoint (no
 * auth) when the control plane is off or answers 404. Exit 0 when ready, 1 otherwise, with one line saying why.
 */
async function health(cli: CliOptions): Promise<number> {
  const host = cli.host === '0.0.0.0' || cli.host === '::' ? '127.0.0.1' : cli.host.includes(':') ? `[${cli.host}]` : cli.host;
  const base = `http://${host}:${cli.httpPort}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers, signal: AbortSignal.timeout(4000) });
  try {
    if (cli.controlPlane) {
      const r = await get('/emulator/v1/health', cli.controlToken ? { authorization: `Bearer ${cli.controlToken}` } : {});
      if (r.status !== 404) {
        const body = await r.json().catch(() => ({})) as { status?: string; start?: { state?: string } };
        process.stdout.write(`vsp-emulator health: ${r.status} ${body.status ?? ''}\n`);
        return r.ok ? 0 : 1;
      }
    }
    const r = await get('/ConfigurationManager/configuration/version');
    process.stdout.write(`vsp-emulator health: ${r.status} (API version endpoint)\n`);
    return r.ok ? 0 : 1;
  } catch (e) {
    process.stdout.write(`vsp-emulator health: ${base} unreachable (${(e as Error).message})\n`);
    return 1;
  }
}

/**
 * The flags a running server was started with, read from /proc/<pid>/cmdline (Linux): the arguments after its
 * `main.js` or `vsp-emulator`. A Docker HEALTHCHECK runs beside the server, not under it, so this is how `docker run
 * image --http-port 8080` reaches the check (`--server-pid 1`; with `docker run --init` the server is found in the
 * init's command line the same way).
 */
function serverArgs(pid: string): string[] {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch (e) {
    throw new Error(`--server-pid ${pid}: cannot read its command line (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const i = args.findIndex((a) => /(?:^|\/)(?:main\.js|vsp-emulator)$/.test(a));
  if (i < 0) throw new Error(`--server-pid ${pid}: not a vsp-emulator (${args.slice(0, 3).join(' ')})`);
  return args.slice(i + 1);
}

async function main(): Promise<void> {
  let argv = process.argv.slice(2);
  const subcommand = argv[0] === 'health' ? 'health' : null;
  if (subcommand) {
    argv = argv.slice(1);
    // `health --server-pid N`: the server's own flags first, then the check's (which win), env for both.
    const at = argv.indexOf('--server-pid');
    if (at >= 0) {
      const pid = argv[at + 1] ?? '';
      if (!/^\d+$/.test(pid)) throw new Error('--server-pid needs a process id (see --help)');
      argv = [...serverArgs(pid), ...argv.slice(0, at), ...argv.slice(at + 2)];
    }
  }
  const cli = parseCli(argv, process.env);
  if (cli.help) {
    process.stdout.write(usage());
    return;
  }
  if (cli.version) {
    process.stdout.write(`vsp-emulator ${VERSION}\n`);
    return;
  }
  if (subcommand === 'health') process.exit(await health(cli));

  const emu = await startEmulator({
    db: cli.db, fresh: cli.fresh, fixture: cli.fixtureGiven ? cli.fixture : undefined, fixturesDir: cli.fixturesDir,
    timing: cli.timing, clock: cli.clock, speed: cli.speed, seed: cli.seed,
    httpPort: cli.httpPort, https: cli.httpsPort !== null, httpsPort: cli.httpsPort ?? undefined, host: cli.host,
    tlsCert: cli.tlsCert, tlsKey: cli.tlsKey,
    // With :memory: the self-signed certificate is still kept (in ./data), so restarts present the same one.
    tlsDir: cli.db === ':memory:' ? join(process.cwd(), 'data') : undefined,
    // Beside it, the loaded images of big fixtures, so a restart from the same fixture skips the load (store/image.ts).
    imageCacheDir: cli.db === ':memory:' ? join(process.cwd(), 'data') : undefined,
    logLevel: cli.logLevel as never, logFormat: cli.logFormat,
    controlPlane: cli.controlPlane, controlToken: cli.controlToken, allowedHosts: cli.allowedHosts,
  });
  const s = emu.start;
  if (s.state === 'resumed') {
    process.stderr.write(`vsp-emulator: resumed ${cli.db} (fixture ${s.fixture ?? 'unrecorded'}: ${describeCounts(s.counts)}); --fresh starts over from the fixture\n`);
  }
  if (s.note) process.stderr.write(`vsp-emulator: ${s.note}\n`);
  process.stdout.write(readyLine(cli, emu));

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await emu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  // One line, whatever the cause (a multi-line library message included).
  process.stderr.write(`vsp-emulator: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(1);
});
