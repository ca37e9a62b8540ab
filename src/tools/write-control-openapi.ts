#!/usr/bin/env node
/**
 * Writes the control plane's OpenAPI document to openapi/control-plane.json (`npm run openapi:control`). Generated
 * without a control token, so bearer is declared optional; deterministic (sorted keys, version from package.json, no
 * timestamps), so the committed file changes only when the routes do. test/control/openapi.test.ts fails when it has
 * drifted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONTROL_OPENAPI_FILE = resolve(root, 'openapi', 'control-plane.json');

const { app, close } = await buildApp({ db: ':memory:', clock: 'manual', startTime: 0, seed: 1, logger: false });
try {
  const res = await app.inject({ method: 'GET', url: '/emulator/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /emulator/v1/openapi.json answered ${res.statusCode}: ${res.body}`);
  const text = res.body;
  let previous = '';
  try { previous = readFileSync(CONTROL_OPENAPI_FILE, 'utf8'); } catch { /* first run */ }
  mkdirSync(dirname(CONTROL_OPENAPI_FILE), { recursive: true });
  writeFileSync(CONTROL_OPENAPI_FILE, text);
  const doc = JSON.parse(text) as { paths: Record<string, object> };
  const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  process.stdout.write(`${previous === text ? 'unchanged' : 'wrote'} ${CONTROL_OPENAPI_FILE} (${Object.keys(doc.paths).length} paths, ${operations} operations)\n`);
} finally {
  await close();
}
