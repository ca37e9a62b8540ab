import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { COMPONENTS, FAST_SERIALIZED } from './objects.js';

/**
 * How the route declarations become validation, serialization and the OpenAPI 3.1 document of the VSP REST API:
 * the compilers, the @fastify/swagger options, the components. server.ts wires them in.
 */

const CM = '/ConfigurationManager';
const OBJECTS = `${CM}/v1/objects`;
const SCOPED_OBJECTS = `${OBJECTS}/storages/:storageDeviceId/`;
const SCOPED_SERVICES = `${CM}/v1/:storageDeviceId/services/`;

/** Whether a route is the storage-scoped twin of an embedded one (registered by objectRoutes/serviceRoutes). */
export const isScopedUrl = (url: string) => url.startsWith(SCOPED_OBJECTS) || url.startsWith(SCOPED_SERVICES);

type Schema = Record<string, unknown>;
type RouteSchemaDef = { schema: Schema; url: string; method: string; httpPart?: string; httpStatus?: string; contentType?: string };

/**
 * Test seam: the contract test observes every schema-serialised answer and compares it with the object the handler
 * sent, so a field fast-json-stringify dropped or converted fails a test. Unset in production (one property read).
 */
export const serializationProbe: { observe?: (url: string, status: string, input: unknown, output: string) => void } = {};

const buildAjv = AjvCompiler();
const buildFjs = SerializerSelector();
const PASS = () => true;

/** Deep copy without `required`: a serializer must never turn a missing field into a 500 (the contract test reports it instead). */
function withoutRequired(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutRequired);
  if (v && typeof v === 'object') {
    const out: Schema = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'required') out[k] = withoutRequired(x);
    return out;
  }
  return v;
}

/**
 * Validation and serialization compilers. Path parameters and headers of the API are declared for the document but
 * parsed by the handlers (literal commas or %2C, leading zeros, each array's id ranges; any `Response-Max-Wait`), so
 * ajv does not see them. 2xx answers whose component is in FAST_SERIALIZED go through fast-json-stringify,
 * compiled on first use (start-up stays fast); everything else, errors included, through JSON.stringify.
 */
export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator(external: unknown, options: unknown) {
      const compile = (buildAjv as unknown as (e: unknown, o: unknown) => (d: RouteSchemaDef) => unknown)(external, options);
      return (def: RouteSchemaDef) => (def.url.startsWith(`${CM}/`) && (def.httpPart === 'params' || def.httpPart === 'headers') ? PASS : compile(def));
    },
    buildSerializer(external: Record<string, Schema>, options: unknown) {
      const compile = (buildFjs as unknown as (e: unknown, o: unknown) => (d: RouteSchemaDef) => (v: unknown) => string)(
        withoutRequired(external), options);
      return (def: RouteSchemaDef) => {
        const ref = typeof def.schema?.$ref === 'string' ? def.schema.$ref.replace(/#$/, '') : '';
        if (!def.url.startsWith(`${CM}/`) || !String(def.httpStatus).startsWith('2') || !FAST_SERIALIZED.has(ref)) return JSON.stringify;
        let fn: ((v: unknown) => string) | null = null;
        return (v: unknown) => {
          const text = (fn ??= compile({ ...def, schema: withoutRequired(def.schema) as Schema }))(v);
          serializationProbe.observe?.(def.url, def.httpStatus!, v, text);
          return text;
        };
      };
    },
  } as never,
};

/** Registers the components; routes reference them by `$id` (`Type.Ref('Job')`). */
export function addComponents(app: FastifyInstance): void {
  for (const s of COMPONENTS) app.addSchema(s);
}

const TAGS = [
  ['configuration', 'The API version (no credentials).'],
  ['storages', 'Storage systems: the public list, `storages/instance` and one array by its 12-digit id.'],
  ['sessions', 'Basic credentials create a session; `Authorization: Session <token>` authenticates every other request. 64 sessions per array; idle expiry after `aliveTime`.'],
  ['jobs', 'Every mutation answers 202 with a job; jobs move Initializing/Queued → Running/Started → Completed/Succeeded|Failed on the virtual clock.'],
  ['pools', 'HDP and Thin Image pools, capacities computed from the model (MiB).'],
  ['ldevs', 'Logical devices: windows of slots including free ones, create (DP volume or Thin Image V-VOL), change, expand, delete.'],
  ['ports', 'FC and iSCSI ports.'],
  ['host-groups', 'Host groups (FC) and iSCSI targets: `{portId},{hostGroupNumber}`.'],
  ['host-wwns', 'WWNs of the hosts a host group admits.'],
  ['host-iscsis', 'iSCSI names of the hosts an iSCSI target admits.'],
  ['luns', 'LU paths: `{portId},{hostGroupNumber},{lun}`.'],
  ['snapshots', 'Thin Image pairs `{pvolLdevId},{muNumber}`: create, split, resync, restore, clone, assign/unassign the S-VOL, delete.'],
  ['snapshot-groups', 'Snapshot groups (the id is the name): every pair of the group at once; atomic in consistency-group mode.'],
  ['snapshot-tree', 'Delete every cascade pair of a snapshot tree from its root volume.'],
  ['simple-sessions', 'Simple API (`/ConfigurationManager/simple/v1`; VSP E and VSP One, an unknown URL on VSP 5000): Basic credentials make a session whose token also works on /v1, and a /v1 token works here.'],
  ['simple-command-status', 'Simple API: every mutation answers 202 with a statusResource; its command status says unexecuted, processing or completed (normal or error).'],
  ['simple-snapshots', 'Simple API snapshots `{masterVolumeId},{snapshotId}`: the Thin Image pairs of /v1 seen through the simple API (create, map, restore, delete).'],
  ['simple-snapshot-groups', 'Simple API snapshot groups: list, get with paging, delete with all their snapshots.'],
  ['simple-volumes', 'Simple API volumes: get and delete, as the snapshot flows need them.'],
] as const;

const DESCRIPTION = 'The Hitachi VSP Configuration Manager REST API as the vsp-emulator serves it, centred on Thin Image ' +
  'snapshot pairs. Only what the emulator implements is listed.\n\n' +
  '**URL forms.** Every `/ConfigurationManager/v1/objects/...` operation is also served storage-scoped, ' +
  '`/ConfigurationManager/v1/objects/storages/{storageDeviceId}/...` (as Cinder sends it), and every ' +
  '`/v1/services/...` operation as `/v1/{storageDeviceId}/services/...`; the scoped twin has the same operationId ' +
  'with `InStorage` appended (before `ViaPut`). An unknown storage id is 404.\n\n' +
  '**PUT.** PUT is accepted wherever PATCH is (objects) and wherever POST is (`actions/*/invoke`); its operationId ' +
  'ends in `ViaPut`.\n\n' +
  '**Tolerance.** Composite ids take a literal comma or `%2C`; trailing slashes, numeric strings, empty or `null` ' +
  'bodies, `{"parameters":{}}` and JSON `null` for optional attributes are accepted as clients send them.\n\n' +
  '**Asynchronous requests.** Every mutation answers 202 with a job object; `Response-Job-Status: Completed` holds the ' +
  'answer until the job completes (bounded by `Response-Max-Wait`). A storage-side refusal is a Failed job whose ' +
  '`error` carries KART30000-E and the SSB codes.\n\n' +
  '**Errors.** Every error is the VSP error object (`VspError`).';

/** @fastify/swagger options: OpenAPI 3.1, servers, security, tags, and the per-route operationId and security. */
export function swaggerOptions(version: string) {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hitachi VSP Configuration Manager REST API (vsp-emulator)',
        description: DESCRIPTION,
        version,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [
        { url: 'http://127.0.0.1:23450', description: 'The emulator over HTTP (default port).' },
        { url: 'https://127.0.0.1:23451', description: 'The emulator over HTTPS (self-signed unless --tls-cert), as clients of the real array use it.' },
      ],
      tags: TAGS.map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Session <token>` with the token of POST sessions.' },
          basic: { type: 'http', scheme: 'basic', description: 'User and password of the array (fixture users; default maintenance / raid-maintenance). Creates sessions; also accepted on every request, as on the E590H.' },
        },
      },
      security: [{ session: [] }, { basic: [] }],
    },
    hideUntagged: false,
    refResolver: { buildLocalReference: (json: { $id?: string }, _base: unknown, _fragment: unknown, i: number) => json.$id ?? `def-${i}` },
    transform: ({ schema, url, route }: { schema: Schema; url: string; route: { config?: { auth?: string } } }) => {
      if (!schema || schema.hide) return { schema, url };
      const out: Schema = { ...schema };
      const scoped = isScopedUrl(url);
      if (scoped && typeof out.operationId === 'string') out.operationId = `${out.operationId}InStorage`;
      if (scoped) {
        const params = (schema.params ?? { type: 'object', properties: {} }) as { properties?: Schema; required?: string[] };
        out.params = {
          type: 'object',
          properties: { storageDeviceId: { type: 'string', pattern: '^[0-9]{12}$', description: 'The array, e.g. 936000123456.' }, ...params.properties },
          required: ['storageDeviceId', ...(params.required ?? Object.keys(params.properties ?? {}))],
        };
      }
      const auth = route.config?.auth;
      if (auth === 'none') out.security = [];
      if (auth === 'basic') out.security = [{ basic: [] }];
      return { schema: out, url };
    },
    transformObject: ({ openapiObject }: { openapiObject: Schema }) => finishDocument(openapiObject),
  };
}

type Operation = {
  operationId?: string; description?: string; responses?: Record<string, unknown>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
};

const ERROR_NAMES: Record<string, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 412: 'PreconditionFailed', 503: 'ServiceUnavailable',
};

/**
 * What @fastify/swagger cannot say per route: the PUT twin's operationId, whether a body is required, and the error
 * answers (declared once in schemas/common.ts) as shared `components.responses`.
 */
function finishDocument(doc: Schema): Schema {
  const components = doc.components as { responses?: Record<string, unknown> };
  components.responses ??= {};
  for (const ops of Object.values(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const op of Object.values(ops)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const name = ERROR_NAMES[status];
        if (!name) continue;
        const existing = components.responses[name];
        // One text per status: a route that words its error differently keeps its own answer.
        if (existing === undefined) components.responses[name] = response;
        else if (JSON.stringify(existing) !== JSON.stringify(response)) continue;
        op.responses![status] = { $ref: `#/components/responses/${name}` };
      }
    }
    const put = ops.put;
    const twin = ops.patch ?? ops.post;
    if (put && twin && put.operationId === twin.operationId) {
      ops.put = { ...put, operationId: `${put.operationId}ViaPut`,
        description: `${put.description ? `${put.description}\n\n` : ''}PUT is accepted as ${ops.patch ? 'PATCH' : 'POST'} (Cinder sends PUT).` };
    }
    for (const op of Object.values(ops)) {
      const body = op.requestBody?.content?.['application/json']?.schema as { required?: string[] } | undefined;
      if (op.requestBody && body) op.requestBody.required = (body.required?.length ?? 0) > 0;
    }
  }
  return doc;
}
