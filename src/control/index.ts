import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/context.js';
import { createController, type ControlPlaneOptions } from './controller.js';
import { CONTROL_PREFIX } from './hooks.js';
import { controlRoutes } from './routes.js';

export { CONTROL_PREFIX, FAULT_HEADER } from './hooks.js';
export type { ControlPlane, ControlPlaneOptions, ResetRequest } from './controller.js';

/**
 * The control plane: journal and fault hooks on every emulated-array request, and the routes under
 * /emulator/v1/ (own OpenAPI document, optional Bearer token). Returns the controller so in-process callers
 * (tests, the bench) can drive it without HTTP.
 */
export async function registerControlPlane(app: FastifyInstance, engine: Engine, opts: ControlPlaneOptions) {
  const ctl = createController(app, engine, opts);
  await app.register(controlRoutes(ctl, opts), { prefix: CONTROL_PREFIX });
  return ctl;
}
