#!/usr/bin/env node
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { parseCli, usage } from './cli.js';
import { tlsMaterial } from './tls.js';
import { VERSION } from './version.js';

const started = performance.now();

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(usage());
    return;
  }
  if (cli.version) {
    process.stdout.write(`vsp-emulator ${VERSION}\n`);
    return;
  }
  const dataDir = cli.db === ':memory:' ? join(process.cwd(), 'data') : dirname(cli.db);
  const tlsPromise = cli.httpsPort === null ? null : tlsMaterial(cli.tlsCert, cli.tlsKey, dataDir);
  tlsPromise?.catch(() => undefined); // its failure is reported where it is awaited, not as an unhandled rejection meanwhile
  const { app, engine, close } = await buildApp({
    db: cli.db, fixture: cli.fixture, fixturesDir: cli.fixturesDir, timing: cli.timing, clock: cli.clock, speed: cli.speed, seed: cli.seed,
    logger: { level: cli.logLevel },
    controlPlane: cli.controlPlane, controlToken: cli.controlToken, allowedHosts: cli.allowedHosts,
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
  // One line, whatever the cause (a multi-line library message included).
  process.stderr.write(`vsp-emulator: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(1);
});
