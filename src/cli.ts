import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ClockMode } from './engine/clock.js';

export interface CliOptions {
  httpPort: number; httpsPort: number | null; host: string; db: string; fixture: string; fixturesDir?: string; timing: string;
  /** Whether --fixture (or its env twin) was given: on a database that holds state, it must then match that state's fixture. */
  fixtureGiven: boolean;
  /** Discard the database before starting (--fresh). */
  fresh: boolean;
  logFormat: 'json' | 'pretty';
  clock: ClockMode; speed: number; logLevel: string; tlsCert?: string; tlsKey?: string; seed: number | null;
  controlPlane: boolean; controlToken?: string; allowedHosts: string[]; help: boolean; version: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

interface Flag { type: 'string' | 'boolean'; default?: string; doc: string; short?: string; multiple?: boolean; noEnv?: boolean }

const FLAGS: Record<string, Flag> = {
  'http-port': { type: 'string', default: '23450', doc: 'HTTP port (0 = any free port)' },
  'https-port': { type: 'string', default: '23451', doc: 'HTTPS port (0 = any free port, "off" = no HTTPS)' },
  host: { type: 'string', default: '127.0.0.1', doc: 'address to listen on (0.0.0.0 = every interface: the control plane too)' },
  'allowed-host': { type: 'string', multiple: true, doc: 'Host header name accepted besides localhost names and IP literals; .example.com for it and its subdomains, * for any (repeatable; env: comma-separated)' },
  db: { type: 'string', default: ':memory:', doc: 'SQLite file to keep state across restarts (e.g. ./data/vsp-emulator.sqlite); :memory: keeps nothing' },
  fresh: { type: 'boolean', doc: 'discard the --db file first and load the fixture' },
  fixture: { type: 'string', default: 'default', doc: 'fixture name in the fixtures folder or a path; loaded into an empty database; on one that holds state it must be the fixture that state came from' },
  'fixtures-dir': { type: 'string', doc: 'folder fixture names resolve in (the control plane reads fixtures only from here; default: the shipped fixtures/)' },
  timing: { type: 'string', default: 'realistic', doc: 'timing profile: realistic, instant, or a JSON file' },
  clock: { type: 'string', default: 'real', doc: 'virtual clock mode: real or manual' },
  speed: { type: 'string', default: '1', doc: 'virtual clock speed factor in real mode' },
  'log-level': { type: 'string', default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  'log-format': { type: 'string', default: 'json', doc: 'json (one pino object a line, for machines) or pretty (for people)' },
  'tls-cert': { type: 'string', doc: 'PEM certificate for HTTPS, with --tls-key (self-signed when both are omitted)' },
  'tls-key': { type: 'string', doc: 'PEM key for HTTPS, with --tls-cert' },
  seed: { type: 'string', doc: 'seed for tokens and generated names (repeatable runs)' },
  'no-control-plane': { type: 'boolean', doc: 'disable /emulator/v1/' },
  'control-token': { type: 'string', doc: 'require "Authorization: Bearer <token>" on /emulator/v1/' },
  version: { type: 'boolean', doc: 'print the version and exit', noEnv: true },
  help: { type: 'boolean', short: 'h', doc: 'show this help', noEnv: true },
};

const envName = (flag: string) => `VSP_EMULATOR_${flag.replace(/-/g, '_').toUpperCase()}`;

/** The usage text of `vsp-emulator --help`. */
export function usage(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => {
    const def = f.default !== undefined ? ` (default ${f.default})` : '';
    const flag = `${f.short ? `-${f.short}, ` : ''}--${name}`;
    return `  ${flag.padEnd(20)} ${f.doc}${def}` + (f.noEnv ? '' : `\n  ${''.padEnd(20)} env ${envName(name)}`);
  });
  return `vsp-emulator: Hitachi VSP Configuration Manager REST API emulator\n\nUsage: vsp-emulator [options]\n` +
    `       vsp-emulator health [--server-pid N] [options]\n` +
    `              exit 0 when the emulator these options and env describe is ready (/emulator/v1/health, else the API's version);\n` +
    `              --server-pid N first takes the flags of the server running as process N (the Docker HEALTHCHECK: 1)\n\n${lines.join('\n')}\n`;
}

function fail(msg: string): never {
  throw new Error(`${msg} (see --help)`);
}

function port(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) fail(`--${name} must be a port number 0-65535, got "${value}"`);
  return Number(value);
}

/** A Host header name: letters, digits, dots, dashes (a leading `.` for the name and its subdomains), or `*` for any. */
const HOST_NAME = /^(\*|\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)$/;

/** Parses flags, each with an environment twin VSP_EMULATOR_<NAME>; flags win over the environment. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, {
    type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}),
  }]));
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    fail((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
  // --help and --version answer whatever else the command line or the environment holds.
  const only = argv.filter((a) => a === '--help' || a === '-h' || a === '--version');
  if (only.length && (only.length !== argv.length || Object.keys(env).some((k) => k.startsWith('VSP_EMULATOR_')))) return parseCli(only, {});
  const get = (name: string): string | boolean | undefined => {
    const v = values[name];
    if (v !== undefined && !Array.isArray(v)) return v;
    const f = FLAGS[name]!;
    const e = f.noEnv ? undefined : env[envName(name)];
    if (e !== undefined && e !== '') return f.type === 'boolean' ? /^(1|true|yes)$/i.test(e) : e;
    return f.default;
  };
  const str = (name: string) => get(name) as string | undefined;
  const clock = String(get('clock'));
  if (clock !== 'real' && clock !== 'manual') fail(`--clock must be real or manual, got "${clock}"`);
  const speed = Number(get('speed'));
  if (!(speed > 0) || !Number.isFinite(speed)) fail('--speed must be a positive number');
  const logFormat = String(get('log-format'));
  if (logFormat !== 'json' && logFormat !== 'pretty') fail(`--log-format must be json or pretty, got "${logFormat}"`);
  const logLevel = String(get('log-level'));
  if (!LOG_LEVELS.includes(logLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const timing = String(get('timing'));
  if (timing !== 'realistic' && timing !== 'instant' && !existsSync(timing)) {
    fail(`--timing must be realistic, instant or a timing profile JSON file, got "${timing}" (no such file)`);
  }
  const httpsRaw = String(get('https-port'));
  const seedRaw = get('seed');
  if (seedRaw !== undefined && !/^\d+$/.test(String(seedRaw))) fail('--seed must be a whole number');
  const tlsCert = str('tls-cert');
  const tlsKey = str('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) fail('--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate');
  for (const [flag, file] of [['tls-cert', tlsCert], ['tls-key', tlsKey]] as const) {
    if (file !== undefined && !isFile(file)) fail(`--${flag} ${file}: no such file`);
  }
  const fixturesDir = str('fixtures-dir');
  if (fixturesDir !== undefined && !isDir(fixturesDir)) fail(`--fixtures-dir ${fixturesDir}: no such folder`);
  const allowedRaw = values['allowed-host'];
  const allowedHosts = (Array.isArray(allowedRaw) && allowedRaw.length ? allowedRaw.map(String) : (env[envName('allowed-host')] ?? '').split(','))
    .map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of allowedHosts) if (!HOST_NAME.test(h)) fail(`--allowed-host must be a host name (.name for subdomains too, or *), got "${h}"`);
  return {
    httpPort: port(String(get('http-port')), 'http-port'),
    httpsPort: httpsRaw === 'off' ? null : port(httpsRaw, 'https-port'),
    host: String(get('host')),
    db: String(get('db')),
    fixture: String(get('fixture')),
    fixtureGiven: values.fixture !== undefined || Boolean(env[envName('fixture')]),
    fresh: Boolean(get('fresh')),
    logFormat,
    ...(fixturesDir !== undefined ? { fixturesDir } : {}),
    timing,
    clock,
    speed,
    logLevel,
    tlsCert,
    tlsKey,
    seed: seedRaw === undefined ? null : Number(seedRaw),
    controlPlane: !get('no-control-plane'),
    controlToken: str('control-token'),
    allowedHosts,
    help: Boolean(get('help')),
    version: Boolean(get('version')),
  };
}

const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };
const isDir = (p: string) => { try { return statSync(p).isDirectory(); } catch { return false; } };
