#!/usr/bin/env node
/**
 * Writes the OpenAPI document of the emulator's REST routes to openapi/vsp-rest-api.json (`npm run openapi`).
 * The output is deterministic (sorted keys, no timestamps, version from package.json) so the committed file
 * changes only when the routes do; test/openapi.test.ts fails when it has drifted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';
import { openApiText } from '../http/routes/openapi.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OPENAPI_FILE = resolve(root, 'openapi', 'vsp-rest-api.json');

const { app, close } = await buildApp({ db: ':memory:', clock: 'manual', startTime: 0, seed: 1, logger: false });
try {
  const text = openApiText(app);
  let previous = '';
  try { previous = readFileSync(OPENAPI_FILE, 'utf8'); } catch { /* first run */ }
  mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
  writeFileSync(OPENAPI_FILE, text);
  const paths = Object.keys((JSON.parse(text) as { paths: object }).paths).length;
  process.stdout.write(`${previous === text ? 'unchanged' : 'wrote'} ${OPENAPI_FILE} (${paths} paths)\n`);
} finally {
  await close();
}
