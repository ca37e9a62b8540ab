#!/usr/bin/env node
/**
 * The baseline of the benchmark: a bare Fastify server (no hooks, no logging, no database) whose routes answer a
 * static JSON body of a given size. Run as a child process by run.ts so that it has a core of its own, like the
 * emulator. Prints `bare ready <port>` once listening.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

// A body too large for an environment variable (Linux caps one at 128 KiB) comes in a file.
// In the form the emulator sends it: a large body from a file (a pair list, which SQLite renders to a Buffer) as
// bytes, a small one (an LDEV, rendered by JSON.stringify) as a string. A 365 KB string made the baseline 18 times
// slower than bytes (its encoding per answer), which flattered the list's ratio.
const readBody: string | Buffer = process.env.BENCH_READ_BODY_FILE ? readFileSync(process.env.BENCH_READ_BODY_FILE)
  : process.env.BENCH_READ_BODY ?? '{}';
const jobBody = process.env.BENCH_JOB_BODY ?? '{}';

const app = Fastify({ logger: false });
// Like the emulator (and the array), an empty body with Content-Type: application/json is "no body".
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
  const text = String(body);
  try { done(null, text.trim() === '' ? undefined : JSON.parse(text)); } catch (e) { done(e as Error, undefined); }
});
app.get('/ConfigurationManager/v1/objects/ldevs/:ldevId', async (_req, reply) => reply.type('application/json').send(readBody));
app.get('/ConfigurationManager/v1/objects/snapshots', async (_req, reply) => reply.type('application/json').send(readBody));
app.post('/ConfigurationManager/v1/objects/ldevs', async (_req, reply) => reply.code(202).type('application/json').send(jobBody));
app.delete('/ConfigurationManager/v1/objects/ldevs/:ldevId', async (_req, reply) => reply.code(202).type('application/json').send(jobBody));

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`bare ready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
