import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/context.js';
import { renderJob } from '../../engine/jobs.js';
import { fail, intParam, objectRoutes } from '../vsp.js';
import Type from 'typebox';
import { pathInt, readResponses } from '../schemas/common.js';

const tags = ['jobs'];

/** Job objects, in both URL forms; job ids are global to the REST server. */
export function jobRoutes(app: FastifyInstance, engine: Engine): void {
  objectRoutes(app, (r) => {
    r.get('/jobs/:jobId', {
      schema: {
        tags, operationId: 'getJob', summary: 'Get a job', params: Type.Object({ jobId: pathInt('The jobId of a 202 answer.') }),
        response: readResponses('Job', 'The job.'),
      },
    }, async (req) => {
      const id = intParam((req.params as { jobId: string }).jobId, 'jobId');
      const job = engine.jobs.get(id);
      const scoped = (req.params as { storageDeviceId?: string }).storageDeviceId !== undefined;
      if (!job || (scoped && job.sid !== req.vsp.sid)) fail('objectNotFound', { object: `jobs/${id}` });
      return renderJob(job, engine.clock.now());
    });
  });
}
