import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine, type EngineOptions } from './engine/context.js';
import { registerLdevCommands } from './engine/ldevs.js';
import { registerHostCommands } from './engine/hosts.js';
import { registerLunCommands } from './engine/luns.js';
import { registerPairModule } from './engine/pairs/index.js';
import { registerIoModule } from './engine/io.js';
import { registerSimpleModule } from './engine/simple.js';
import { registerVcloneModule } from './engine/vclone/index.js';
import { registerGarbageModule } from './engine/garbage.js';
import { createServer, type ServerOptions } from './http/server.js';
import { registerControlPlane, type ControlPlane } from './control/index.js';
import { registerUi } from './ui/index.js';
import { registerDocs } from './http/docs.js';
import { jobRoutes } from './http/routes/jobs.js';
import { ldevRoutes } from './http/routes/ldevs.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { portRoutes } from './http/routes/ports.js';
import { hostGroupRoutes } from './http/routes/hostGroups.js';
import { hostInitiatorRoutes } from './http/routes/hostInitiators.js';
import { lunRoutes } from './http/routes/luns.js';
import { poolRoutes } from './http/routes/pools.js';
import { sessionRoutes } from './http/routes/sessions.js';
import { snapshotGroupRoutes } from './http/routes/snapshotGroups.js';
import { snapshotRoutes } from './http/routes/snapshots.js';
import { snapshotTreeRoutes } from './http/routes/snapshotTree.js';
import { simpleRoutes } from './http/simple/routes.js';
import { vcloneRoutes } from './http/routes/vclone.js';
import { storageRoutes } from './http/routes/storages.js';
import { VERSION } from './version.js';

export interface AppOptions extends EngineOptions, ServerOptions {
  /** Serve /emulator/v1/ (default true). */
  controlPlane?: boolean;
  /** When set, /emulator/v1/ requires `Authorization: Bearer <token>`. */
  controlToken?: string;
  /**
   * Host header names accepted besides localhost names and IP literals (`--allowed-host`), against DNS rebinding;
   * `['*']` accepts any.
   */
  allowedHosts?: string[];
}

export interface App {
  app: FastifyInstance; engine: Engine;
  /** The control plane's controller (absent with `controlPlane: false`), for in-process tests and the bench. */
  control?: ControlPlane;
  close(): Promise<void>;
}

/** Every module that adds commands to the engine; order matters only for hooks that wrap earlier ones. */
const engineModules: Array<(engine: Engine) => void> = [
  registerLdevCommands, registerHostCommands, registerLunCommands, registerPairModule, registerIoModule,
  registerVcloneModule, registerGarbageModule,
];

/** Modules whose commands run other modules' handlers (the simple API runs the LDEV and pair commands): registered last. */
const composingModules: Array<(engine: Engine) => void> = [registerSimpleModule];

/** Every route module of the VSP REST API. */
const routeModules: Array<(app: FastifyInstance, engine: Engine) => void> = [
  storageRoutes, sessionRoutes, jobRoutes, poolRoutes, ldevRoutes,
  portRoutes, hostGroupRoutes, hostInitiatorRoutes, lunRoutes,
  snapshotRoutes, snapshotGroupRoutes, snapshotTreeRoutes,
  vcloneRoutes,
  simpleRoutes,
  openApiRoutes,
];

/** The composition root: an engine (store, clock, jobs) and a Fastify server over it. */
export async function buildApp(opts: AppOptions = {}): Promise<App> {
  const engine = createEngine(opts);
  for (const m of engineModules) m(engine);
  for (const m of composingModules) m(engine);
  const app = await createServer(engine, { logger: opts.logger, https: opts.https, version: opts.version ?? VERSION, allowedHosts: opts.allowedHosts });
  // Jobs and pair transitions log through the server's logger (job ids, end states, from/to at virtual time).
  if (!opts.log) engine.setLog(app.log.child({ component: 'engine' }));
  for (const m of routeModules) m(app, engine);
  const control = opts.controlPlane === false ? undefined
    : await registerControlPlane(app, engine, { token: opts.controlToken, seed: opts.seed ?? null, version: opts.version ?? VERSION });
  // The web view (/emulator/ui/) is a control-plane feature: gone with it, behind the same token.
  if (control) await registerUi(app, engine, control, { token: opts.controlToken, version: opts.version ?? VERSION });
  await registerDocs(app, control); // GET /docs: both OpenAPI documents in Swagger UI
  await app.ready();
  return {
    app, engine, control,
    async close() {
      control?.releaseHeld();
      engine.jobs.releaseWaiters();
      await app.close();
      engine.close();
    },
  };
}
