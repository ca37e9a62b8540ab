import type { FastifyInstance } from 'fastify';
import { DATA_REDUCTION_MODES, renderUndefinedLdev } from '../../domain/ldev.js';
import { parseByteFormat } from '../../domain/format.js';
import type { Engine } from '../../engine/context.js';
import { ldevJson, renderDefined, type CreateLdevParams } from '../../engine/ldevs.js';
import type { LdevRow } from '../../store/resources.js';
import { fail, intParam, objectRoutes, submitJob } from '../vsp.js';
import Type from 'typebox';
import { bool, int, jobHeaders, jobResponses, nullable, pathInt, readResponses, str, strEnum } from '../schemas/common.js';

const tags = ['ldevs'];
const drMode = nullable<string>('string', { enum: [...DATA_REDUCTION_MODES, null] });
const drProcessMode = nullable<string>('string', { enum: ['inline', 'post_process', null] });
const label = nullable<string>('string', { maxLength: 32 });
const params = Type.Object({ ldevId: pathInt('LDEV number (0 to the model\'s last LDEV id; leading zeros accepted).') });

// Bodies accept no bytes or `null` (Terraform, Ansible): the handler then names the missing parameter.
// Bodies accept no bytes or `null` (Terraform, Ansible): the handler then names the missing parameter.
const body = (properties: Record<string, unknown>, examples: unknown[]) =>
  Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: false, properties, examples });

const createBody = body({
  ldevId: int, isParallelExecutionEnabled: bool, startLdevId: int, endLdevId: int, poolId: nullable<number>('integer', { description: 'A DP pool, or -1 for a Thin Image V-VOL.' }),
  parityGroupId: str, externalParityGroupId: str,
  byteFormatCapacity: nullable<string>('string', { description: 'e.g. `10G` (T, G, M, K; base 1024). One of byteFormatCapacity and blockCapacity.' }),
  blockCapacity: nullable<number>('integer', { description: '512-byte blocks.' }),
  dataReductionMode: drMode, dataReductionProcessMode: drProcessMode,
  isDataReductionSharedVolumeEnabled: bool, isCompressionAccelerationEnabled: bool,
  isFullAllocationEnabled: bool, isAluaEnabled: bool, isTierRelocationEnabled: bool,
  emulationType: str, label, ssid: str, mpBladeId: int, clprId: int,
}, [{ ldevId: 10, poolId: 0, byteFormatCapacity: '10G' }, { byteFormatCapacity: '10G', poolId: 0, isParallelExecutionEnabled: true }]);

const modifyBody = body({
  label, dataReductionMode: drMode, dataReductionProcessMode: drProcessMode,
  isCompressionAccelerationEnabled: bool, isRelocationEnabled: bool, isFullAllocationEnabled: bool, isAluaEnabled: bool,
  clprId: int, mpBladeId: int, ssid: str,
}, [{ label: 'db-data' }]);

const expandBody = body({
  parameters: {
    type: ['object', 'null'], additionalProperties: false,
    properties: { additionalByteFormatCapacity: str, additionalBlockCapacity: int, enhancedExpansion: bool },
  },
}, [{ parameters: { additionalByteFormatCapacity: '2G' } }]);

const deleteBody = body({ isDataReductionDeleteForceExecute: bool }, [{ isDataReductionDeleteForceExecute: true }]);

const listQuery = Type.Object({
  headLdevId: Type.Optional(Type.Integer({ minimum: 0, description: 'First slot of the window (default 0).' })),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384, description: 'Slots in the window (default 100).' })),
  ldevOption: Type.Optional(strEnum(['defined', 'undefined', 'dpVolume', 'luMapped', 'luUnmapped', 'externalVolume', 'mappedNamespace', 'unmappedNamespace'] as const)),
  poolId: Type.Optional(Type.Integer({ minimum: 0 })), resourceGroupId: Type.Optional(Type.Integer()), journalId: Type.Optional(Type.Integer()),
  parityGroupId: Type.Optional(Type.String()), detailInfoType: Type.Optional(Type.String()),
});

type Query = { headLdevId?: number; count?: number; ldevOption?: string; poolId?: number; resourceGroupId?: number; journalId?: number; parityGroupId?: string };
const clean = <T extends object>(o: T | undefined | null): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

/** LDEVs: list windows, get (200 even for free slots), create, change, expand, delete. */
export function ldevRoutes(app: FastifyInstance, engine: Engine): void {
  const maxId = (sid: string) => engine.arrays.get(sid)!.facts.maxLdevId;
  const ldevIdOf = (sid: string, raw: unknown) => intParam(raw, 'ldevId', 0, maxId(sid));

  objectRoutes(app, (r) => {
    r.get('/ldevs', {
      schema: { tags, operationId: 'listLdevs', summary: 'List LDEVs (a window of slots, or filtered)', querystring: listQuery, response: readResponses('LdevList', 'The LDEV slots.') },
    }, async (req) => {
      const q = req.query as Query;
      const sid = req.vsp.sid;
      const max = maxId(sid);
      const head = q.headLdevId ?? 0;
      const count = Math.min(q.count ?? 100, engine.fidelity.ldevListMaxCount);
      if (head > max) return { data: [] };
      const hasLuns = (l: LdevRow) => engine.res.countLunsOfLdev(sid, l.ldevId) > 0;
      let filter: ((l: LdevRow) => boolean) | null = null;
      switch (q.ldevOption) {
        case 'defined': filter = () => true; break;
        case 'dpVolume': filter = (l) => l.poolId !== null; break;
        case 'luMapped': filter = hasLuns; break;
        case 'luUnmapped': filter = (l) => !hasLuns(l); break;
        case 'externalVolume': case 'mappedNamespace': case 'unmappedNamespace': return { data: [] };
        case 'undefined': {
          const out: unknown[] = [];
          for (let id = head; id <= max && out.length < count; id += 1024) {
            const defined = new Set(engine.res.definedIdsInRange(sid, id, Math.min(id + 1023, max)));
            for (let i = id; i <= Math.min(id + 1023, max) && out.length < count; i++) if (!defined.has(i)) out.push(renderUndefinedLdev(i));
          }
          return { data: out };
        }
      }
      if (q.poolId !== undefined) {
        const inner = filter ?? (() => true);
        filter = (l) => l.poolId === q.poolId && inner(l);
      }
      if (q.resourceGroupId !== undefined) {
        const inner = filter ?? (() => true);
        filter = (l) => l.resourceGroupId === q.resourceGroupId && inner(l);
      }
      if (q.journalId !== undefined || q.parityGroupId !== undefined) return { data: [] };
      if (!filter) {
        // A window of `count` slots from headLdevId, free slots included (ref 7.1, [L]).
        const end = Math.min(head + count - 1, max);
        const rows = new Map(engine.res.ldevsInRange(sid, head, end).map((l) => [l.ldevId, l]));
        const data: unknown[] = [];
        for (let id = head; id <= end; id++) {
          const row = rows.get(id);
          data.push(row ? renderDefined(engine, row) : renderUndefinedLdev(id));
        }
        return { data };
      }
      const data: unknown[] = [];
      let from = head;
      while (data.length < count) {
        const batch = engine.res.ldevsFrom(sid, from, 1024);
        for (const l of batch) { if (data.length >= count) break; if (filter(l)) data.push(renderDefined(engine, l)); }
        if (batch.length < 1024) break;
        from = batch[batch.length - 1]!.ldevId + 1;
      }
      return { data };
    });

    r.get('/ldevs/:ldevId', {
      schema: { tags, operationId: 'getLdev', summary: 'Get an LDEV (200 with NOT DEFINED for a free slot)', params, response: readResponses('Ldev', 'The LDEV, or its free slot.') },
    // A synchronous handler (reply sent, nothing returned): no promise and no microtask on the hottest read. A
    // thrown catalog error reaches the error handler as from an async one.
    }, (req, reply) => {
      reply.type('application/json; charset=utf-8').send(ldevJson(engine, req.vsp.sid, ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId)));
    });

    r.post('/ldevs', {
      schema: { tags, operationId: 'createLdev', summary: 'Create an LDEV', headers: jobHeaders, body: createBody, response: jobResponses() },
    }, async (req, reply) => {
      const b = clean(req.body as Record<string, unknown>) as Record<string, any>;
      const sid = req.vsp.sid;
      const max = maxId(sid);
      if (b.byteFormatCapacity === undefined && b.blockCapacity === undefined) fail('requiredParameter', { attribute: 'byteFormatCapacity' });
      if (b.byteFormatCapacity !== undefined && b.blockCapacity !== undefined) {
        fail('invalidCombination', { detail: 'byteFormatCapacity and blockCapacity cannot both be specified' });
      }
      let blocks: number;
      if (b.byteFormatCapacity !== undefined) {
        const parsed = parseByteFormat(b.byteFormatCapacity);
        if (parsed === null) fail('invalidValue', { attribute: 'byteFormatCapacity', value: b.byteFormatCapacity });
        blocks = parsed;
      } else {
        if (b.blockCapacity < 1) fail('invalidValue', { attribute: 'blockCapacity', value: b.blockCapacity });
        blocks = b.blockCapacity;
      }
      if (b.poolId === undefined && b.parityGroupId === undefined && b.externalParityGroupId === undefined) {
        fail('requiredParameter', { attribute: 'poolId' });
      }
      if (b.ldevId !== undefined && b.isParallelExecutionEnabled) {
        fail('invalidCombination', { detail: 'ldevId cannot be specified with isParallelExecutionEnabled' });
      }
      if (b.isParallelExecutionEnabled && !(b.poolId >= 0)) {
        fail('invalidCombination', { detail: 'isParallelExecutionEnabled is only for DP volumes' });
      }
      if ((b.startLdevId !== undefined || b.endLdevId !== undefined) && b.ldevId !== undefined) {
        fail('invalidCombination', { detail: 'startLdevId and endLdevId cannot be specified with ldevId' });
      }
      for (const k of ['ldevId', 'startLdevId', 'endLdevId'] as const) {
        if (b[k] !== undefined && (b[k] < 0 || b[k] > max)) fail('invalidValue', { attribute: k, value: b[k] });
      }
      if (b.startLdevId !== undefined && b.endLdevId !== undefined && b.startLdevId > b.endLdevId) {
        fail('invalidCombination', { detail: 'startLdevId must not exceed endLdevId' });
      }
      if (b.poolId !== undefined && b.poolId < -1) fail('invalidValue', { attribute: 'poolId', value: b.poolId });
      if (b.poolId === -1 && (b.dataReductionMode ?? 'disabled') !== 'disabled') {
        fail('invalidCombination', { detail: 'dataReductionMode cannot be specified for a Thin Image virtual volume' });
      }
      const params: CreateLdevParams = {
        ldevId: b.ldevId, startLdevId: b.startLdevId, endLdevId: b.endLdevId, poolId: b.poolId ?? -2, blocks, label: b.label,
        dataReductionMode: b.dataReductionMode, drs: b.isDataReductionSharedVolumeEnabled, fullAlloc: b.isFullAllocationEnabled,
        emulationType: b.emulationType, clprId: b.clprId, mpBladeId: b.mpBladeId, isAluaEnabled: b.isAluaEnabled,
        parityGroupId: b.parityGroupId ?? b.externalParityGroupId,
      };
      return submitJob(engine, req, reply, 'ldev.create', params);
    });

    r.route({
      method: ['PATCH', 'PUT'], url: '/ldevs/:ldevId',
      schema: { tags, operationId: 'modifyLdev', summary: 'Change LDEV settings (label, data reduction…)', params, headers: jobHeaders, body: modifyBody, response: jobResponses() },
      handler: async (req, reply) => {
        const ldevId = ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId);
        const b = clean(req.body as Record<string, unknown>);
        if (Object.keys(b).length === 0) fail('requiredParameter', { attribute: 'label' });
        return submitJob(engine, req, reply, 'ldev.modify', { ldevId, ...b });
      },
    });

    r.route({
      method: ['POST', 'PUT'], url: '/ldevs/:ldevId/actions/expand/invoke',
      schema: { tags, operationId: 'expandLdev', summary: 'Expand a DP volume', params, headers: jobHeaders, body: expandBody, response: jobResponses() },
      handler: async (req, reply) => {
        const ldevId = ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId);
        const body = req.body as { parameters?: Record<string, unknown> | null } | undefined;
        if (!body?.parameters) fail('requiredParameter', { attribute: 'parameters' });
        const p = clean(body.parameters) as Record<string, any>;
        if ((p.additionalByteFormatCapacity === undefined) === (p.additionalBlockCapacity === undefined)) {
          fail('invalidCombination', { detail: 'specify exactly one of additionalByteFormatCapacity and additionalBlockCapacity' });
        }
        const blocks = p.additionalByteFormatCapacity !== undefined ? parseByteFormat(p.additionalByteFormatCapacity) : p.additionalBlockCapacity;
        if (blocks === null || !(blocks > 0)) {
          fail('invalidValue', { attribute: 'additionalByteFormatCapacity', value: String(p.additionalByteFormatCapacity ?? p.additionalBlockCapacity) });
        }
        return submitJob(engine, req, reply, 'ldev.expand', { ldevId, blocks, enhancedExpansion: p.enhancedExpansion ?? false });
      },
    });

    r.delete('/ldevs/:ldevId', {
      schema: { tags, operationId: 'deleteLdev', summary: 'Delete an LDEV (refused while it has LU paths or pairs)', params, headers: jobHeaders, body: deleteBody, response: jobResponses() },
    }, async (req, reply) => {
      const ldevId = ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId);
      return submitJob(engine, req, reply, 'ldev.delete', { ldevId });
    });
  });
}
