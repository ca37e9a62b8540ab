import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import { createControlClient, type ArrayInfo, type ControlClient, type CreateArrayOptions } from './client.js';
import type { ClockMode } from './engine/clock.js';
import type { StartInfo } from './engine/context.js';
import type { TimingProfile } from './domain/timing.js';
import { DEFAULT_USER, type Fixture } from './store/fixture.js';
import { processCertificate, tlsMaterial, type TlsMaterial } from './tls.js';

/**
 * The public entry of the package: start the emulator from your own code (a vitest globalSetup, a node:test file, a
 * script), talk to it over real HTTP(S), drive it with a typed control client, and close it.
 *
 *   import { startEmulator } from 'vsp-emulator';
 *   const emu = await startEmulator({ timing: 'instant' });
 *   // emu.apiUrl, emu.httpsUrl, emu.storageDeviceId, emu.control.clock.advance(5) …
 *   await emu.close();
 */

export { createControlClient, ControlClientError } from './client.js';
export type * from './client.js';
export type { StartInfo } from './engine/context.js';
export type { StateCounts } from './store/origin.js';
export type { Fixture, ArraySpec } from './store/fixture.js';
export type { TimingProfile } from './domain/timing.js';
export { VERSION } from './version.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The CLI's flags as options; in-process defaults suit test suites: nothing kept, any free port, silent. */
export interface EmulatorOptions {
  /** Fixture name in the fixtures folder, a path to a YAML/JSON file, or a fixture object (default `default`). */
  fixture?: string | Fixture;
  /** Folder fixture names resolve in (default: the shipped fixtures). */
  fixturesDir?: string;
  /** `realistic` (default), `instant`, a timing profile JSON file, or a partial profile merged over realistic. */
  timing?: 'realistic' | 'instant' | (string & {}) | Partial<TimingProfile>;
  /** Virtual clock: `real` (wall time × speed, default) or `manual` (moves only when told: `control.clock.advance`). */
  clock?: ClockMode;
  speed?: number;
  /** Where virtual time starts (default: now). */
  startTime?: Date | string | number;
  /** HTTP port (default 0: any free port). */
  httpPort?: number;
  /** HTTPS port (default 0: any free port); ignored with `https: false`. */
  httpsPort?: number;
  /** Serve HTTPS too (default true: every real client builds https:// URLs). */
  https?: boolean;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** SQLite file to keep state in (default `:memory:`: nothing kept). */
  db?: string;
  /** Discard the `db` file first. */
  fresh?: boolean;
  /** PEM files for HTTPS; otherwise a self-signed certificate (kept beside a `db` file, else in memory). */
  tlsCert?: string;
  tlsKey?: string;
  /** Folder to keep the self-signed certificate in (default: beside a `db` file; in memory with `:memory:`). */
  tlsDir?: string;
  /** Folder that keeps loaded images of big fixtures across starts (see `EngineOptions.imageCacheDir`; default: none). */
  imageCacheDir?: string;
  /** Seed tokens, job ids and generated names (repeatable runs). */
  seed?: number | null;
  /** Serve the control plane `/emulator/v1/` and the web view (default true). */
  controlPlane?: boolean;
  /** Require `Authorization: Bearer <token>` on the control plane (the returned client sends it). */
  controlToken?: string;
  /** Host header names browsers may use besides localhost names and IP literals (`--allowed-host`). */
  allowedHosts?: string[];
  /** Log level (default `silent`); logs go to stdout. */
  logLevel?: LogLevel;
  /** `json` (default) or `pretty` (pino-pretty, for people). */
  logFormat?: 'json' | 'pretty';
  /** A Fastify logger option instead of logLevel/logFormat (e.g. `{ level: 'debug', stream }`). */
  logger?: FastifyServerOptions['logger'];
}

/** An array made for one test file: its own storage id, deleted by dispose(). */
export interface EmulatedArray extends ArrayInfo {
  /** Storage-scoped objects URL over HTTP: `http://…/ConfigurationManager/v1/objects/storages/<id>`. */
  apiUrl: string;
  /** The same over HTTPS (null without HTTPS). */
  httpsApiUrl: string | null;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  httpUrl: string;
  /** `https://127.0.0.1:<port>` (self-signed unless tlsCert/tlsKey), null with `https: false`. */
  httpsUrl: string | null;
  /** `<url>/ConfigurationManager/v1/objects` */
  apiUrl: string;
  /** `<url>/emulator/v1` */
  controlUrl: string;
  httpPort: number;
  httpsPort: number | null;
  /** Storage device ids of the arrays at start; the first is `storageDeviceId`. */
  storageDeviceIds: string[];
  storageDeviceId: string;
  /** The fixture's first user (`maintenance` / `raid-maintenance` in the shipped fixtures). */
  credentials: { userId: string; password: string };
  /** What the state came from (loaded from a fixture, or resumed from the database), with counts. */
  start: StartInfo & { timing: string; clock: ClockMode };
  /** Typed client of the control plane (reset, checkpoints, clock, timing, faults, journal, seed, io, arrays). */
  control: ControlClient;
  /** A fresh array of its own for one test file (a copy of a fixture's array section); `dispose()` deletes it. */
  createArray(opts?: CreateArrayOptions): Promise<EmulatedArray>;
  /** The Fastify instance (for `inject` without sockets). */
  app: FastifyInstance;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const toMs = (t: Date | string | number) => (t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t);

/** The Fastify logger option for a level and format. */
async function loggerFor(o: EmulatorOptions): Promise<FastifyServerOptions['logger']> {
  if (o.logger !== undefined) return o.logger;
  const level = o.logLevel ?? 'silent';
  if (level === 'silent') return false;
  if (o.logFormat !== 'pretty') return { level };
  const pretty = (await import('pino-pretty')).default;
  return {
    level,
    stream: pretty({ sync: true, colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  };
}

function tlsFor(o: EmulatorOptions): Promise<TlsMaterial> {
  if (o.tlsCert !== undefined || o.tlsKey !== undefined) return tlsMaterial(o.tlsCert, o.tlsKey);
  const dir = o.tlsDir ?? (o.db && o.db !== ':memory:' ? dirname(o.db) : undefined);
  return dir ? tlsMaterial(undefined, undefined, dir) : processCertificate();
}

/** Starts an emulator and resolves once it listens (HTTP, and HTTPS unless `https: false`). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const o = options;
  const host = o.host ?? '127.0.0.1';
  const wantHttps = o.https !== false;
  const tlsPromise = wantHttps ? tlsFor(o) : null;
  tlsPromise?.catch(() => undefined); // reported where it is awaited
  const built = await buildApp({
    db: o.db ?? ':memory:', fresh: o.fresh, fixture: o.fixture, fixturesDir: o.fixturesDir, timing: o.timing, clock: o.clock, speed: o.speed,
    imageCacheDir: o.imageCacheDir,
    ...(o.startTime !== undefined ? { startTime: toMs(o.startTime) } : {}),
    seed: o.seed ?? null, logger: await loggerFor(o), controlPlane: o.controlPlane, controlToken: o.controlToken, allowedHosts: o.allowedHosts,
  });
  const { app, engine } = built;
  let httpsServer: HttpsServer | null = null;
  try {
    await app.listen({ port: o.httpPort ?? 0, host });
    if (tlsPromise) {
      const tls = await tlsPromise;
      const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => app.routing(req, res));
      httpsServer = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.httpsPort ?? 0, host, () => { server.off('error', reject); resolve(); });
      });
    }
  } catch (e) {
    httpsServer?.close();
    await built.close();
    throw e;
  }
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const httpPort = (app.server.address() as AddressInfo).port;
  const httpsPort = httpsServer ? (httpsServer.address() as AddressInfo).port : null;
  const url = `http://${shown}:${httpPort}`;
  const httpsUrl = httpsPort === null ? null : `https://${shown}:${httpsPort}`;
  const control = createControlClient(url, { token: o.controlToken });
  const user = engine.fixture.users?.[0] ?? (engine.fixture.arrays?.[0] as { users?: typeof DEFAULT_USER[] } | undefined)?.users?.[0] ?? DEFAULT_USER;

  let closing: Promise<void> | null = null;
  const close = () => (closing ??= (async () => {
    if (httpsServer) {
      httpsServer.closeAllConnections();
      await new Promise<void>((resolve) => httpsServer!.close(() => resolve()));
    }
    await built.close();
  })());

  const storageDeviceIds = [...engine.arrays.keys()];
  const emulator: Emulator = {
    url, httpUrl: url, httpsUrl, apiUrl: `${url}/ConfigurationManager/v1/objects`, controlUrl: `${url}/emulator/v1`,
    httpPort, httpsPort, storageDeviceIds, storageDeviceId: storageDeviceIds[0]!,
    credentials: { userId: user.userId, password: user.password },
    start: { ...engine.startInfo, timing: engine.timing.name, clock: engine.clock.state().mode },
    control, app,
    async createArray(opts = {}) {
      const info = await control.arrays.create(opts);
      let disposed: Promise<void> | null = null;
      const dispose = () => (disposed ??= closing ? Promise.resolve() : control.arrays.delete(info.storageDeviceId).then(() => undefined));
      const scoped = (base: string) => `${base}/ConfigurationManager/v1/objects/storages/${info.storageDeviceId}`;
      return { ...info, apiUrl: scoped(url), httpsApiUrl: httpsUrl && scoped(httpsUrl), dispose, [Symbol.asyncDispose]: dispose };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return emulator;
}
