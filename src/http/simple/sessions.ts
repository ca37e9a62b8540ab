import Type from 'typebox';
import type { Engine } from '../../engine/context.js';
import { openSession } from '../routes/sessions.js';
import { answer, errorResponses, nullable } from '../schemas/common.js';
import type { ApiScope } from '../vsp.js';

const createBody = Type.Unsafe<{ aliveTime?: number | null; authenticationTimeout?: number | null } | null>({
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    aliveTime: nullable<number>('integer', { minimum: 1, maximum: 300, description: 'Idle seconds before the session expires (default 300) [I: as the CM API].' }),
    authenticationTimeout: nullable<number>('integer', { minimum: 1, maximum: 900, description: 'Default 120.' }),
  },
  description: 'Clients send no body (Terraform: an empty one).',
});

/**
 * `POST /simple/v1/objects/sessions` (with or without the trailing slash Terraform sends): Basic credentials make a
 * session in the one session table, so its token works on both APIs and a CM token works here (TIA ref 6.1).
 */
export function simpleSessionRoutes(r: ApiScope, engine: Engine): void {
  r.post('/sessions', {
    config: { auth: 'basic' },
    schema: {
      tags: ['simple-sessions'], operationId: 'simpleCreateSession', summary: 'Generate a session (token valid on both APIs)', body: createBody,
      response: { 200: answer('The token, with sessionId the same string (synchronous).', 'SimpleSessionToken'), ...errorResponses() },
    },
  }, async (req, reply) => {
    const { token } = openSession(engine, req, reply);
    // Terraform parses only `sessionId`, into a Go string, and sends it as the token [I, TIA ref 6.1].
    return reply.code(200).send({ sessionId: token, token });
  });
}
