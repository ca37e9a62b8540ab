import { afterAll } from 'vitest';
import { serializationProbe } from '../../src/http/schemas/document.js';
import { createChecker, takeRecorded, type Problem } from './contract.js';

/**
 * The contract test (vitest setup file): after each test file, every answer its emulators gave under
 * /ConfigurationManager is checked against openapi/vsp-rest-api.json (test/contract/contract.ts), and every answer
 * serialised from a schema is compared with the object the handler sent. A problem fails the file.
 */

/** JSON text with object keys sorted: two renderings of the same value compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]])) : x));
}

/** The first place two JSON values differ, as a path (`.data[0].naaId`), or null. */
function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (a === b) return null;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return at || '(root)';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
    if (d) return d;
  }
  return null;
}

const serialization: Problem[] = [];
serializationProbe.observe = (url, status, input, output) => {
  let parsed: unknown;
  try { parsed = JSON.parse(output); } catch { parsed = output; }
  const expected = JSON.parse(JSON.stringify(input)) as unknown;
  if (canonical(parsed) !== canonical(expected) && serialization.length < 20) {
    const at = firstDifference(parsed, expected);
    serialization.push({ request: url, status: Number(status), problem: `the schema serializer changed the answer at ${at}: sent ${JSON.stringify(expected)?.slice(0, 160)}` });
  }
};

afterAll(() => {
  const answers = takeRecorded();
  if (process.env.CONTRACT_DEBUG) console.log('contract: answers checked', answers.length);
  const problems = [...serialization.splice(0), ...(answers.length ? createChecker()(answers) : [])];
  if (problems.length === 0) return;
  const lines = problems.slice(0, 15).map((p) => `  ${p.request} → ${p.status}: ${p.problem}`);
  throw new Error(`${problems.length} answer(s) break the API contract (openapi/vsp-rest-api.json):\n${lines.join('\n')}`);
});
