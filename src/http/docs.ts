import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { controlDocumentOf } from '../control/openapi.js';

/**
 * GET /docs: the emulator's two OpenAPI documents rendered by Swagger UI, its assets served from the
 * @fastify/swagger-ui package (no CDN, works offline), a selector in the top bar to switch between the VSP REST API
 * and the control plane. Both documents are copies of /openapi.json and /emulator/v1/openapi.json whose server is
 * the page's own origin (so "Try it out" reaches this emulator by whatever name the browser used) and readable
 * without the control token (the document is no secret; its operations still need the token, entered with
 * "Authorize"). Hidden from both documents. Outside /emulator, so the gate checks the Host name only when a browser
 * talks, as for /openapi.json.
 */

export const DOCS_PREFIX = '/docs';

/**
 * Everything from this origin, nothing inline but styles (Swagger UI's React sets some element styles), no other
 * host: the page works offline and a document cannot make it load or send anything elsewhere.
 */
export const DOCS_CSP = [
  "default-src 'self'", "base-uri 'self'", "connect-src 'self'", "font-src 'self' data:", "form-action 'self'", "frame-ancestors 'self'",
  "img-src 'self' data:", "object-src 'none'", "script-src 'self'", "script-src-attr 'none'", "style-src 'self' 'unsafe-inline'",
].join('; ');

/** A document as /docs serves it: the same, but its server is the page's origin. */
function forThisOrigin(text: string): Record<string, unknown> {
  const doc = JSON.parse(text) as Record<string, unknown>;
  doc.servers = [{ url: '/', description: 'this emulator' }];
  return doc;
}

const json = (reply: FastifyReply, body: unknown) => reply.header('cache-control', 'no-store').type('application/json').send(body);

/** Registers /docs; `control` is the control plane's controller (absent with --no-control-plane: the API document only). */
export async function registerDocs(app: FastifyInstance, control?: object): Promise<void> {
  await app.register(async (docs) => {
    const urls = [{ url: `${DOCS_PREFIX}/vsp-rest-api.json`, name: 'VSP Configuration Manager REST API' }];
    if (control) urls.push({ url: `${DOCS_PREFIX}/control-plane.json`, name: 'vsp-emulator control plane (/emulator/v1)' });
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      staticCSP: DOCS_CSP,
      theme: { title: 'vsp-emulator API documentation' },
      uiConfig: { urls, deepLinking: true, displayOperationId: true, tryItOutEnabled: false },
      validatorUrl: false, // no badge fetched from the online validator
    });

    // The API document as GET /openapi.json serves it (whoever builds it), read once: routes do not change after start.
    let api: Record<string, unknown> | undefined;
    docs.get(`${DOCS_PREFIX}/vsp-rest-api.json`, { schema: { hide: true } }, async (_req, reply) => {
      api ??= forThisOrigin((await app.inject({ method: 'GET', url: '/openapi.json' })).body);
      return json(reply, api);
    });
    if (control) {
      docs.get(`${DOCS_PREFIX}/control-plane.json`, { schema: { hide: true } }, async (_req, reply) => json(reply, forThisOrigin(controlDocumentOf(control)!)));
    }
  });
}
