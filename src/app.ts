import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine, type EngineOptions } from './engine/context.js';
import { registerLdevCommands } from './engine/ldevs.js';
import { createServer, type ServerOptions } from './http/server.js';
import { jobRoutes } from './http/routes/jobs.js';
import { ldevRoutes } from './http/routes/ldevs.js';
import { poolRoutes } from './http/routes/pools.js';
import { sessionRoutes } from './http/routes/sessions.js';
import { storageRoutes } from './http/routes/storages.js';
import { VERSION } from './version.js';

export interface AppOptions extends EngineOptions, ServerOptions {
  /** Serve /emulator/v1/ (default true). */
  controlPlane?: boolean;
  /** When set, /emulator/v1/ requires `Authorization: Bearer <token>`. */
  controlToken?: string;
}

export interface App { app: FastifyInstance; engine: Engine; close(): Promise<void> }

/** Every module that adds commands to the engine; order matters only for hooks that wrap earlier ones. */
const engineModules: Array<(engine: Engine) => void> = [registerLdevCommands];

/** Every route module of the VSP REST API. */
const routeModules: Array<(app: FastifyInstance, engine: Engine) => void> = [
  storageRoutes, sessionRoutes, jobRoutes, poolRoutes, ldevRoutes,
];

/** The composition root: an engine (store, clock, jobs) and a Fastify server over it. */
export async function buildApp(opts: AppOptions = {}): Promise<App> {
  const engine = createEngine(opts);
  for (const m of engineModules) m(engine);
  const app = await createServer(engine, { logger: opts.logger, https: opts.https, version: opts.version ?? VERSION });
  for (const m of routeModules) m(app, engine);
  await app.ready();
  return {
    app, engine,
    async close() {
      engine.jobs.releaseWaiters();
      await app.close();
      engine.close();
    },
  };
}
