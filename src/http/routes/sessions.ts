import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rfc3339 } from '../../domain/format.js';
import type { Engine } from '../../engine/context.js';
import type { SessionRow } from '../../store/sessions.js';
import { fail, intParam, objectRoutes } from '../vsp.js';
import Type from 'typebox';
import { answer, bool, errorResponses, nullable, pathInt, readResponses } from '../schemas/common.js';

const tags = ['sessions'];
const createBody = Type.Unsafe<{ aliveTime?: number | null; authenticationTimeout?: number | null } | null>({
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    aliveTime: nullable<number>('integer', { minimum: 1, maximum: 300, description: 'Idle seconds before the session expires (default 300).' }),
    authenticationTimeout: nullable<number>('integer', { minimum: 1, maximum: 900, description: 'Default 120.' }),
  },
  examples: [{ aliveTime: 300 }],
});
const deleteBody = Type.Unsafe({ type: ['object', 'null'], additionalProperties: false, properties: { force: bool } });
const params = Type.Object({ sessionId: pathInt('The sessionId of POST sessions.') });

function render(s: SessionRow) {
  return { sessionId: s.sessionId, userId: s.userId, ipAddress: s.ip, createdTime: rfc3339(s.createdAt), lastAccessTime: rfc3339(s.lastAccess) };
}

/**
 * A new session for the Basic-authenticated caller of `POST sessions` (CM and simple API alike: one session table, so
 * a token works on both): purges expired ones, refuses beyond the model's limit (503, Retry-After), stores it.
 */
export function openSession(engine: Engine, req: FastifyRequest, reply: FastifyReply): SessionRow {
  const body = (req.body ?? {}) as { aliveTime?: number | null; authenticationTimeout?: number | null };
  const { sid, userId } = req.vsp;
  const now = engine.clock.now();
  engine.sessions.purgeExpired(now);
  const limit = engine.arrays.get(sid)!.facts.maxSessions;
  if (engine.sessions.count(sid) >= limit) {
    reply.header('retry-after', '30');
    fail('tooManySessions', { limit });
  }
  // A seeded generator repeats its tokens after a reseed (reset) while a kept or restored session may still
  // hold one: skip tokens in use (deterministically, the same run skips the same ones).
  let token = engine.rng.hex(16);
  while (engine.sessions.byToken(token)) token = engine.rng.hex(16);
  const row: SessionRow = {
    sessionId: engine.sessions.freeId(sid), sid, token, userId, ip: req.ip,
    createdAt: now, lastAccess: now, aliveTime: body.aliveTime ?? 300, authTimeout: body.authenticationTimeout ?? 120,
  };
  engine.sessions.insert(row);
  return row;
}

/** Sessions: Basic auth creates a token; `Session <token>` authenticates everything else. */
export function sessionRoutes(app: FastifyInstance, engine: Engine): void {
  objectRoutes(app, (r) => {
    r.post('/sessions', {
      config: { auth: 'basic' },
      schema: {
        tags, operationId: 'createSession', summary: 'Generate a session', body: createBody,
        response: { 200: answer('The token (synchronous, no job).', 'SessionToken'), ...errorResponses() },
      },
    }, async (req, reply) => {
      const row = openSession(engine, req, reply);
      return reply.code(200).send({ token: row.token, sessionId: row.sessionId });
    });

    r.get('/sessions', { schema: { tags, operationId: 'listSessions', summary: 'List sessions', response: readResponses('SessionList', 'The live sessions.') } }, async (req) => {
      engine.sessions.purgeExpired(engine.clock.now());
      return { data: engine.sessions.list(req.vsp.sid).map(render) };
    });

    const one = (sid: string, id: unknown) => {
      const row = engine.sessions.byId(sid, intParam(id, 'sessionId'));
      if (!row || engine.clock.now() >= row.lastAccess + row.aliveTime * 1000) fail('objectNotFound', { object: `sessions/${String(id)}` });
      return row;
    };
    r.get('/sessions/:sessionId', { schema: { tags, operationId: 'getSession', summary: 'Get a session', params, response: readResponses('Session', 'The session.') } }, async (req) =>
      render(one(req.vsp.sid, (req.params as { sessionId: string }).sessionId)));

    // Keep-alive: PATCH (pve) or PUT refreshes the idle timer [I: not in the docs, ref 2.1].
    r.route({
      method: ['PATCH', 'PUT'], url: '/sessions/:sessionId',
      schema: { tags, operationId: 'keepSessionAlive', summary: 'Keep a session alive (resets its idle timer)', params, response: readResponses('Session', 'The session (synchronous, no job).') },
      handler: async (req) => {
        const row = one(req.vsp.sid, (req.params as { sessionId: string }).sessionId);
        const now = engine.clock.now();
        engine.sessions.touch(row.sid, row.sessionId, now);
        return render({ ...row, lastAccess: now });
      },
    });

    r.delete('/sessions/:sessionId', {
      schema: { tags, operationId: 'discardSession', summary: 'Discard a session', params, body: deleteBody, response: readResponses('Session', 'The discarded session (synchronous, no job).') },
    }, async (req) => {
      const row = one(req.vsp.sid, (req.params as { sessionId: string }).sessionId);
      engine.sessions.delete(row.sid, row.sessionId);
      return render(row);
    });
  });
}
