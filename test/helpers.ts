import request from 'supertest';
import { buildApp, type App, type AppOptions } from '../src/app.js';
import { recordServer } from './contract/contract.js';

export const SID = '936000123456';
export const V1 = '/ConfigurationManager/v1';
export const OBJ = `${V1}/objects`;
export const SCOPED = `${OBJ}/storages/${SID}`;

export interface TestApp extends App {
  http: ReturnType<typeof request>;
  /** Session token of maintenance on the default array. */
  token: string;
  auth: { Authorization: string };
  /** Moves the virtual clock forward by seconds (manual clock). */
  advance(seconds: number): void;
}

/**
 * An emulator in memory with a manual clock (nothing moves unless the test advances time) and the default
 * fixture, plus a logged-in session. Pass `timing: 'instant'` for jobs that complete inside the request.
 */
export async function startApp(opts: AppOptions = {}): Promise<TestApp> {
  const built = await buildApp({ db: ':memory:', clock: 'manual', startTime: Date.UTC(2026, 0, 5, 10, 0, 0), seed: 1, ...opts });
  // Every answer is held to the OpenAPI document after the test file (test/contract/setup.ts).
  recordServer(built.app.server);
  const http = request(built.app.server);
  const login = await http.post(`${OBJ}/sessions`).auth('maintenance', 'raid-maintenance').set('Content-Type', 'application/json');
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.token as string;
  return {
    ...built, http, token, auth: { Authorization: `Session ${token}` },
    advance: (seconds: number) => built.engine.clock.advance(seconds * 1000),
  };
}

/** Header set Cinder sends on every mutating request. */
export const CINDER_WAIT = { 'Response-Job-Status': 'Completed;', 'Response-Max-Wait': '1800', 'Content-Type': 'application/json' };
