import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ClockMode } from './engine/clock.js';

export interface CliOptions {
  httpPort: number; httpsPort: number | null; host: string; db: string; fixture: string; timing: string;
  clock: ClockMode; speed: number; logLevel: string; tlsCert?: string; tlsKey?: string; seed: number | null;
  controlPlane: boolean; controlToken?: string; help: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const FLAGS = {
  'http-port': { type: 'string', default: '23450', doc: 'HTTP port (0 = any free port)' },
  'https-port': { type: 'string', default: '23451', doc: 'HTTPS port (0 = any free port, "off" = no HTTPS)' },
  host: { type: 'string', default: '0.0.0.0', doc: 'address to listen on' },
  db: { type: 'string', default: './data/vsp-emulator.sqlite', doc: 'SQLite file, or :memory: to keep nothing' },
  fixture: { type: 'string', default: 'default', doc: 'fixture name in fixtures/ or a path (used when the database is empty)' },
  timing: { type: 'string', default: 'realistic', doc: 'timing profile: realistic, instant, or a JSON file' },
  clock: { type: 'string', default: 'real', doc: 'virtual clock mode: real or manual' },
  speed: { type: 'string', default: '1', doc: 'virtual clock speed factor in real mode' },
  'log-level': { type: 'string', default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  'tls-cert': { type: 'string', doc: 'PEM certificate for HTTPS (self-signed when omitted)' },
  'tls-key': { type: 'string', doc: 'PEM key for HTTPS' },
  seed: { type: 'string', doc: 'seed for tokens and generated names (repeatable runs)' },
  'no-control-plane': { type: 'boolean', doc: 'disable /emulator/v1/' },
  'control-token': { type: 'string', doc: 'require "Authorization: Bearer <token>" on /emulator/v1/' },
  help: { type: 'boolean', doc: 'show this help' },
} as const;

/** The usage text of `vsp-emulator --help`. */
export function usage(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => {
    const env = `VSP_EMULATOR_${name.replace(/-/g, '_').toUpperCase()}`;
    const def = 'default' in f ? ` (default ${f.default})` : '';
    return `  --${name.padEnd(18)} ${f.doc}${def}\n  ${''.padEnd(20)} env ${env}`;
  });
  return `vsp-emulator: Hitachi VSP Configuration Manager REST API emulator\n\nUsage: vsp-emulator [options]\n\n${lines.join('\n')}\n`;
}

function fail(msg: string): never {
  throw new Error(`${msg} (see --help)`);
}

function port(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) fail(`--${name} must be a port number 0-65535, got "${value}"`);
  return Number(value);
}

/** Parses flags, each with an environment twin VSP_EMULATOR_<NAME>; flags win over the environment. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type }])) as Record<string, { type: 'string' | 'boolean' }>;
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const get = (name: keyof typeof FLAGS): string | boolean | undefined => {
    if (values[name] !== undefined) return values[name];
    const e = env[`VSP_EMULATOR_${name.replace(/-/g, '_').toUpperCase()}`];
    if (e !== undefined && e !== '') return FLAGS[name].type === 'boolean' ? /^(1|true|yes)$/i.test(e) : e;
    const f = FLAGS[name];
    return 'default' in f ? f.default : undefined;
  };
  const clock = String(get('clock'));
  if (clock !== 'real' && clock !== 'manual') fail(`--clock must be real or manual, got "${clock}"`);
  const speed = Number(get('speed'));
  if (!(speed > 0)) fail('--speed must be a positive number');
  const logLevel = String(get('log-level'));
  if (!LOG_LEVELS.includes(logLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const timing = String(get('timing'));
  if (timing !== 'realistic' && timing !== 'instant' && !existsSync(timing)) {
    fail(`--timing must be realistic, instant or a timing profile JSON file, got "${timing}" (no such file)`);
  }
  const httpsRaw = String(get('https-port'));
  const seedRaw = get('seed');
  if (seedRaw !== undefined && !/^\d+$/.test(String(seedRaw))) fail('--seed must be a whole number');
  return {
    httpPort: port(String(get('http-port')), 'http-port'),
    httpsPort: httpsRaw === 'off' ? null : port(httpsRaw, 'https-port'),
    host: String(get('host')),
    db: String(get('db')),
    fixture: String(get('fixture')),
    timing,
    clock,
    speed,
    logLevel,
    tlsCert: get('tls-cert') as string | undefined,
    tlsKey: get('tls-key') as string | undefined,
    seed: seedRaw === undefined ? null : Number(seedRaw),
    controlPlane: !get('no-control-plane'),
    controlToken: get('control-token') as string | undefined,
    help: Boolean(get('help')),
  };
}
