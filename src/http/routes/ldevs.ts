import type { FastifyInstance } from 'fastify';
import { DATA_REDUCTION_MODES, renderUndefinedLdev } from '../../domain/ldev.js';
import { parseByteFormat } from '../../domain/format.js';
import type { Engine } from '../../engine/context.js';
import { ldevJson, renderDefined, type CreateLdevParams } from '../../engine/ldevs.js';
import type { LdevRow } from '../../store/resources.js';
import { fail, intParam, objectRoutes, submitJob } from '../vsp.js';

const tags = ['ldevs'];
const int = { type: ['integer', 'null'] } as const;
const bool = { type: ['boolean', 'null'] } as const;
const str = { type: ['string', 'null'] } as const;

// Bodies accept no bytes or `null` (Terraform, Ansible): the handler then names the missing parameter.
const createBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    ldevId: int, isParallelExecutionEnabled: bool, startLdevId: int, endLdevId: int, poolId: int,
    parityGroupId: str, externalParityGroupId: str, byteFormatCapacity: str, blockCapacity: int,
    dataReductionMode: { type: ['string', 'null'], enum: [...DATA_REDUCTION_MODES, null] },
    dataReductionProcessMode: { type: ['string', 'null'], enum: ['inline', 'post_process', null] },
    isDataReductionSharedVolumeEnabled: bool, isCompressionAccelerationEnabled: bool,
    isFullAllocationEnabled: bool, isAluaEnabled: bool, isTierRelocationEnabled: bool,
    emulationType: str, label: { type: ['string', 'null'], maxLength: 32 }, ssid: str, mpBladeId: int, clprId: int,
  },
} as const;

const modifyBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    label: { type: ['string', 'null'], maxLength: 32 },
    dataReductionMode: { type: ['string', 'null'], enum: [...DATA_REDUCTION_MODES, null] },
    dataReductionProcessMode: { type: ['string', 'null'], enum: ['inline', 'post_process', null] },
    isCompressionAccelerationEnabled: bool, isRelocationEnabled: bool, isFullAllocationEnabled: bool, isAluaEnabled: bool,
    clprId: int, mpBladeId: int, ssid: str,
  },
} as const;

const expandBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: {
    parameters: {
      type: ['object', 'null'], additionalProperties: false,
      properties: { additionalByteFormatCapacity: str, additionalBlockCapacity: int, enhancedExpansion: bool },
    },
  },
} as const;

const deleteBody = { type: ['object', 'null'], additionalProperties: false, properties: { isDataReductionDeleteForceExecute: bool } } as const;

const listQuery = {
  type: 'object',
  properties: {
    headLdevId: { type: 'integer', minimum: 0 }, count: { type: 'integer', minimum: 1, maximum: 16384 },
    ldevOption: { type: 'string', enum: ['defined', 'undefined', 'dpVolume', 'luMapped', 'luUnmapped', 'externalVolume', 'mappedNamespace', 'unmappedNamespace'] },
    poolId: { type: 'integer', minimum: 0 }, resourceGroupId: { type: 'integer' }, journalId: { type: 'integer' },
    parityGroupId: { type: 'string' }, detailInfoType: { type: 'string' },
  },
} as const;

type Query = { headLdevId?: number; count?: number; ldevOption?: string; poolId?: number; resourceGroupId?: number; journalId?: number; parityGroupId?: string };
const clean = <T extends object>(o: T | undefined | null): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

/** LDEVs: list windows, get (200 even for free slots), create, change, expand, delete. */
export function ldevRoutes(app: FastifyInstance, engine: Engine): void {
  const maxId = (sid: string) => engine.arrays.get(sid)!.facts.maxLdevId;
  const ldevIdOf = (sid: string, raw: unknown) => intParam(raw, 'ldevId', 0, maxId(sid));

  objectRoutes(app, (r) => {
    r.get('/ldevs', { schema: { tags, summary: 'List LDEVs (a window of slots, or filtered)', querystring: listQuery } }, async (req) => {
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

    r.get('/ldevs/:ldevId', { schema: { tags, summary: 'Get an LDEV (200 with NOT DEFINED for a free slot)' } }, async (req, reply) =>
      reply.type('application/json; charset=utf-8').send(ldevJson(engine, req.vsp.sid, ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId))));

    r.post('/ldevs', { schema: { tags, summary: 'Create an LDEV', body: createBody } }, async (req, reply) => {
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
      method: ['PATCH', 'PUT'], url: '/ldevs/:ldevId', schema: { tags, summary: 'Change LDEV settings (label, data reduction…)', body: modifyBody },
      handler: async (req, reply) => {
        const ldevId = ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId);
        const b = clean(req.body as Record<string, unknown>);
        if (Object.keys(b).length === 0) fail('requiredParameter', { attribute: 'label' });
        return submitJob(engine, req, reply, 'ldev.modify', { ldevId, ...b });
      },
    });

    r.route({
      method: ['POST', 'PUT'], url: '/ldevs/:ldevId/actions/expand/invoke', schema: { tags, summary: 'Expand a DP volume', body: expandBody },
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

    r.delete('/ldevs/:ldevId', { schema: { tags, summary: 'Delete an LDEV', body: deleteBody } }, async (req, reply) => {
      const ldevId = ldevIdOf(req.vsp.sid, (req.params as { ldevId: string }).ldevId);
      return submitJob(engine, req, reply, 'ldev.delete', { ldevId });
    });
  });
}
