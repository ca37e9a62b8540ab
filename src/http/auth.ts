import type { FastifyRequest } from 'fastify';
import type { Engine } from '../engine/context.js';
import { readCache } from '../engine/readCache.js';
import type { SessionRow } from '../store/sessions.js';
import { OBJECTS, fail } from './vsp.js';

/**
 * Resolves the array from the URL form of an API route, then authenticates by route config: none, Basic, or Session
 * token. `mode` defaults to the route's config; the server's hook passes it (it has read the config already).
 */
export function authenticate(engine: Engine, req: FastifyRequest, mode: 'none' | 'basic' | 'session' = req.routeOptions.config?.auth ?? 'session'): void {
  const sidParam = (req.params as { storageDeviceId?: string } | undefined)?.storageDeviceId;
  let sid: string;
  if (sidParam !== undefined) {
    if (!engine.arrays.has(sidParam)) fail('objectNotFound', { object: `storages/${sidParam}` });
    sid = sidParam;
  } else {
    sid = engine.defaultSid();
  }
  req.vsp = { sid, objectsPrefix: sidParam !== undefined ? `${OBJECTS}/storages/${sid}` : OBJECTS, userId: '' };
  if (mode === 'none') return;

  const header = String(req.headers.authorization ?? '');
  const basic = /^basic\s+(.+)$/i.exec(header);
  if (basic) {
    if (mode === 'session' && !engine.fidelity.basicAuthOnEveryRequest) fail('authRequired');
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
    const stored = engine.res.userPassword(sid, user);
    if (stored === undefined || stored !== pass) fail('invalidCredentials');
    req.vsp.userId = user;
    return;
  }
  if (mode === 'basic') fail('authRequired');
  const session = /^session\s+(\S+)\s*$/i.exec(header);
  if (!session) fail('authRequired');
  const token = session[1]!;
  const row = readCache(engine).space<string, SessionRow | undefined>('token').get(token, () => engine.sessions.byToken(token));
  const now = engine.clock.now();
  if (!row || row.sid !== sid) fail('invalidToken', { token });
  if (now >= row.lastAccess + row.aliveTime * 1000) {
    engine.sessions.delete(row.sid, row.sessionId);
    fail('invalidToken', { token });
  }
  // Idle expiry counts from the last use; writing it at most once a second keeps reads cheap.
  if (now - row.lastAccess >= 1000) engine.sessions.touch(row.sid, row.sessionId, now);
  req.vsp.userId = row.userId;
  req.vsp.session = row;
}
