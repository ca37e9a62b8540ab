#!/usr/bin/env node
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { parseCli, usage } from './cli.js';
import { VERSION } from './version.js';

const started = performance.now();

/** A self-signed certificate, made at first start and kept beside the database so restarts reuse it. */
async function tlsMaterial(certPath?: string, keyPath?: string, cacheDir?: string): Promise<{ key: string; cert: string }> {
  if (certPath && keyPath) return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  const cached = cacheDir ? { cert: join(cacheDir, 'tls-cert.pem'), key: join(cacheDir, 'tls-key.pem') } : null;
  if (cached && existsSync(cached.cert) && existsSync(cached.key)) {
    return { cert: readFileSync(cached.cert, 'utf8'), key: readFileSync(cached.key, 'utf8') };
  }
  const selfsigned = await import('selfsigned');
  const gen = (selfsigned.default ?? selfsigned) as unknown as {
    generate: (attrs: unknown, opts: unknown) => Promise<{ private: string; cert: string }>;
  };
  const pems = await gen.generate([{ name: 'commonName', value: 'vsp-emulator' }], {
    keyType: 'ec', curve: 'P-256', days: 3650, algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  if (cached) {
    try {
      mkdirSync(dirname(cached.cert), { recursive: true });
      writeFileSync(cached.cert, pems.cert);
      writeFileSync(cached.key, pems.private, { mode: 0o600 });
    } catch { /* a read-only data folder only costs a new certificate next time */ }
  }
  return { cert: pems.cert, key: pems.private };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(usage());
    return;
  }
  const dataDir = cli.db === ':memory:' ? join(process.cwd(), 'data') : dirname(cli.db);
  const tlsPromise = cli.httpsPort === null ? null : tlsMaterial(cli.tlsCert, cli.tlsKey, dataDir);
  const { app, engine, close } = await buildApp({
    db: cli.db, fixture: cli.fixture, timing: cli.timing, clock: cli.clock, speed: cli.speed, seed: cli.seed,
    logger: { level: cli.logLevel },
    controlPlane: cli.controlPlane, controlToken: cli.controlToken,
  });
  await app.listen({ port: cli.httpPort, host: cli.host });
  const httpPort = (app.server.address() as AddressInfo).port;
  let httpsServer: HttpsServer | null = null;
  let httpsPort: number | null = null;
  if (tlsPromise) {
    const tls = await tlsPromise;
    httpsServer = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => app.routing(req, res));
    await new Promise<void>((resolve, reject) => {
      httpsServer!.once('error', reject);
      httpsServer!.listen(cli.httpsPort!, cli.host, () => resolve());
    });
    httpsPort = (httpsServer.address() as AddressInfo).port;
  }
  const shown = cli.host === '0.0.0.0' || cli.host === '::' ? '127.0.0.1' : cli.host;
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `vsp-emulator ${VERSION} ready http://${shown}:${httpPort}` + (httpsPort !== null ? ` https://${shown}:${httpsPort}` : '') +
    (cli.controlPlane ? ` ui=http://${shown}:${httpPort}/emulator/ui/` : '') +
    ` arrays=${[...engine.arrays.keys()].join(',')} fixture=${engine.fixture.name} db=${cli.db} clock=${cli.clock} timing=${engine.timing.name}` +
    ` startup_ms=${ms}\n`,
  );

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    httpsServer?.closeAllConnections();
    httpsServer?.close();
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  process.stderr.write(`vsp-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
