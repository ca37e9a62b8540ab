import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkJsonBody, controlErrorOf } from '../control/errors.js';
import type { ControlPlane } from '../control/index.js';
import type { Engine } from '../engine/context.js';
import { contentSecurityPolicy, loadAssets, webRoot, type Asset } from './assets.js';
import { createUiAuth, loginPage, UI_HEADER } from './auth.js';
import { createChangeFeed, type ChangeFeed } from './changes.js';
import { listScenarios } from './scenarios.js';
import { buildView } from './view.js';

/**
 * The web view under /emulator/ui/, server side: a page that shows one array live and lets an instructor drive it.
 * The page itself (what runs in the browser) is the top-level `ui/` folder, built into dist/web.
 *
 * - `GET /emulator/ui/` the page; its files (dist/web, built by `npm run build`) below it.
 * - `GET /emulator/ui/api/view?storageDeviceId=&since=` one JSON document with everything the page draws.
 * - `GET /emulator/ui/api/events` Server-Sent Events: `change` whenever the model may have changed (see changes.ts).
 *   SSE rather than WebSockets: one-way is all the page needs, the browser's EventSource reconnects by itself, and
 *   it is plain HTTP (no upgrade, no extra dependency on either side).
 * - `GET /emulator/ui/api/scenarios` the fixtures that can be loaded.
 * - `/emulator/ui/api/control/<path>` the control plane (/emulator/v1/<path>) on behalf of the page.
 * - `POST /emulator/ui/login`, `POST /emulator/ui/logout` (only meaningful with a control token, see auth.ts).
 *
 * The page's pair operations do not come here: it logs in to the REST API and calls it as a client does.
 * A control-plane feature: absent with `--no-control-plane`, protected by `--control-token`.
 */

export const UI_PREFIX = '/emulator/ui';
const CONTROL_PREFIX = '/emulator/v1';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Open event streams at once (each holds a socket and a listener). */
export const MAX_STREAMS = 256;

export interface UiOptions { token?: string; version: string }
export interface WebView { feed: ChangeFeed; assetsLoaded: boolean }

const pathOf = (url: string) => url.split('?')[0]!;

export async function registerUi(app: FastifyInstance, engine: Engine, control: ControlPlane, opts: UiOptions): Promise<WebView> {
  const feed = createChangeFeed(engine);
  const auth = createUiAuth(opts.token);
  const root = webRoot();
  const assets: Map<string, Asset> = root ? loadAssets(root) : new Map();
  const index = assets.get('index.html');
  const csp = index ? contentSecurityPolicy(index.body.toString('utf8')) : "default-src 'none'";
  const streams = new Set<ServerResponse>();
  const deps = { engine, control, feed, version: opts.version };

  // Every response of the arrays and of the control plane may change what the page shows (the journal at least);
  // the page's own reads do not, or each refresh would announce the next one.
  app.addHook('onResponse', (req, _reply, done) => {
    if (!req.url.startsWith(UI_PREFIX) && !(req.method === 'GET' && req.headers[UI_HEADER] === '1')) feed.bump();
    done();
  });
  // Open event streams would keep the server from closing.
  app.addHook('preClose', (done) => {
    for (const s of streams) s.end();
    streams.clear();
    feed.close();
    done();
  });

  const isPage = (path: string) => path === UI_PREFIX || path === `${UI_PREFIX}/` || path === `${UI_PREFIX}/index.html`;

  /** The page's URL without `token` (other query parameters, such as storageDeviceId, kept). */
  const cleanUrl = (req: FastifyRequest) => {
    const q = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    q.delete('token');
    const rest = q.toString();
    return `${UI_PREFIX}/${rest ? `?${rest}` : ''}`;
  };

  const sendLogin = (reply: FastifyReply, message: string | null) =>
    reply.code(401).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
      .send(loginPage(message, opts.version));

  await app.register(async (scope) => {
    // Not part of the VSP REST API's OpenAPI document (@fastify/swagger lists every route that is not hidden).
    scope.addHook('onRoute', (route) => { route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema; });
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    // The control plane's error shape: bad JSON, a bad query, a body too large or of another type are 4xx.
    scope.setErrorHandler((error: Error, _req, reply) => {
      const known = controlErrorOf(error);
      if (known) return reply.code(known.status).send({ error: known.code, message: known.message });
      engine.log.error({ err: error }, 'web view error');
      return reply.code(500).send({ error: 'internal', message: error.message });
    });
    scope.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'notFound', message: `no web view resource ${pathOf(req.url)}` }));

    scope.addHook('onRequest', async (req, reply) => {
      const path = pathOf(req.url);
      if (path === `${UI_PREFIX}/login` || path === `${UI_PREFIX}/logout`) return;
      const token = (req.query as { token?: unknown } | undefined)?.token;
      if (isPage(path) && req.method === 'GET' && token !== undefined) {
        // `?token=` once: a cookie instead, and the token leaves the address bar (and the browser history).
        if (auth.required && !auth.matches(token)) return sendLogin(reply, 'That is not the control token.');
        auth.setCookie(req, reply);
        return reply.code(303).header('location', cleanUrl(req)).send();
      }
      const credential = auth.credential(req);
      if (credential === null) {
        if (isPage(path) && req.method === 'GET') return sendLogin(reply, null);
        return reply.code(401).header('www-authenticate', 'Bearer realm="vsp-emulator"')
          .send({ error: 'unauthorized', message: 'the web view needs the control token: open /emulator/ui/?token=<token> or send Authorization: Bearer <token>' });
      }
      if (credential === 'cookie' && !SAFE.has(req.method) && req.headers[UI_HEADER] !== '1') {
        return reply.code(403).send({ error: 'forbidden', message: `a cookie-authenticated change needs the ${UI_HEADER}: 1 header` });
      }
    });

    // ---- sign in and out ----
    scope.post('/login', { bodyLimit: 64 * 1024 }, async (req, reply) => {
      const body = req.body;
      const token = body !== null && typeof body === 'object' && Object.hasOwn(body, 'token') ? (body as { token: unknown }).token : undefined;
      if (!auth.required) return reply.code(303).header('location', `${UI_PREFIX}/`).send();
      if (!auth.matches(token)) return sendLogin(reply, 'That is not the control token.');
      auth.setCookie(req, reply);
      return reply.code(303).header('location', `${UI_PREFIX}/`).send();
    });
    scope.post('/logout', async (req, reply) => {
      auth.clearCookie(req, reply);
      return reply.code(303).header('location', `${UI_PREFIX}/`).send();
    });

    // ---- the page and its files ----
    const sendAsset = (req: FastifyRequest, reply: FastifyReply, a: Asset) => {
      reply.header('etag', a.etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
      if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    };
    scope.get('/', async (req, reply) => {
      if (pathOf(req.url) === UI_PREFIX) return reply.code(308).header('location', `${UI_PREFIX}/${req.url.slice(UI_PREFIX.length)}`).send();
      if (!index) {
        return reply.code(503).type('text/plain; charset=utf-8')
          .send('The web view is not built: run `npm run build` (npm install and npm test do it), then restart the emulator.\n');
      }
      reply.header('content-security-policy', csp).header('referrer-policy', 'no-referrer');
      return sendAsset(req, reply, index);
    });
    scope.get('/*', async (req, reply) => {
      const a = assets.get((req.params as { '*': string })['*']);
      if (!a) return reply.code(404).send({ error: 'notFound', message: `no web view file ${pathOf(req.url)}` });
      if (a === index) reply.header('content-security-policy', csp);
      return sendAsset(req, reply, a);
    });

    // ---- data ----
    scope.get('/api/view', {
      schema: {
        querystring: {
          type: 'object',
          properties: { storageDeviceId: { type: 'string', maxLength: 64 }, since: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    }, async (req, reply) => {
      const q = req.query as { storageDeviceId?: string; since?: number };
      // An array that is gone (deleted, or not in the scenario just loaded) falls back to the first one.
      const sid = q.storageDeviceId !== undefined && engine.arrays.has(q.storageDeviceId) ? q.storageDeviceId : engine.defaultSid();
      reply.header('cache-control', 'no-store');
      return buildView(deps, sid, q.since ?? 0);
    });

    scope.get('/api/scenarios', async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { data: listScenarios(engine.fixturesDir) };
    });

    scope.get('/api/events', (req, reply) => {
      if (streams.size >= MAX_STREAMS) {
        return reply.code(409).send({ error: 'limitReached', message: `at most ${MAX_STREAMS} event streams are open at once: close a page` });
      }
      const head = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-vsp-emulator': opts.version };
      // HEAD (Fastify's automatic twin of GET) learns the headers; a stream it could never read would stay open.
      if (req.method === 'HEAD') return reply.code(200).headers(head).send();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...head, connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const send = (seq: number) => { res.write(`id: ${seq}\nevent: change\ndata: {"seq":${seq},"epoch":${feed.epoch}}\n\n`); };
      res.write('retry: 1000\n\n');
      send(feed.seq);
      const unsubscribe = feed.subscribe(send);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      streams.add(res);
      const end = () => { unsubscribe(); clearInterval(ping); streams.delete(res); };
      res.on('close', end);
    });

    // ---- the control plane, for the page ----
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/control/*',
      // The control plane's own rules for a body: JSON only; its size is checked again by the route it goes to.
      preParsing: async (req, _reply, payload) => { checkJsonBody(req.headers); return payload; },
      handler: async (req, reply) => {
        const rest = (req.params as { '*': string })['*'];
        if (rest.split('/').some((s) => s === '..' || s === '.') || rest.startsWith('/')) {
          return reply.code(400).send({ error: 'badRequest', message: 'bad control-plane path' });
        }
        // The router decoded the path: encode each segment again so any name reaches the control plane as it was meant.
        const path = rest.split('/').map(encodeURIComponent).join('/');
        const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        const headers: Record<string, string> = { [UI_HEADER]: '1' };
        if (opts.token) headers.authorization = `Bearer ${opts.token}`;
        if (req.body !== undefined) headers['content-type'] = 'application/json';
        const res = await app.inject({
          method: req.method as 'GET', url: `${CONTROL_PREFIX}/${path}${query}`, headers,
          ...(req.body !== undefined ? { payload: JSON.stringify(req.body) } : {}),
        });
        const type = res.headers['content-type'];
        if (type) reply.type(String(type));
        return reply.code(res.statusCode).send(res.rawPayload);
      },
    });
  }, { prefix: UI_PREFIX });

  return { feed, assetsLoaded: Boolean(index) };
}
