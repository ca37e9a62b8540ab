import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/context.js';
import type { Fixture } from '../store/fixture.js';
import { applyDomainEffect, checkCatalogKey, checkDomainEffect, type DomainResult } from './effects.js';
import { ControlError, limitReached, LIMITS, notFound } from './errors.js';
import { FaultSet, parseRule, type FaultRule, type FaultRuleInput } from './faults.js';
import { Holds, installWireHooks } from './hooks.js';
import { Journal } from './journal.js';
import { createModelControl } from './model.js';

export interface ControlPlaneOptions {
  /** When set, every control route except health needs `Authorization: Bearer <token>`. */
  token?: string;
  /** The `--seed` the emulator started with; reset reseeds with it. */
  seed?: number | null;
  version: string;
  journalCapacity?: number;
}

export interface ResetRequest { fixture?: string | Fixture; storageDeviceId?: string; seed?: number | null; keep?: string[] }

/**
 * The controller behind the control plane: installs the journal and fault hooks on every emulated-array request
 * and offers reset, checkpoints, faults and seeding to the routes (and to in-process callers: tests, the bench).
 */
export function createController(app: FastifyInstance, engine: Engine, opts: ControlPlaneOptions) {
  const journal = new Journal(opts.journalCapacity ?? 1000);
  let seed: number | null = opts.seed ?? null;
  const faults = new FaultSet(() => seed ?? 0);
  const holds = new Holds(engine);
  const scheduled = new Map<string, () => void>();
  const initialTiming = engine.timing;
  const releaseHeld = (sid?: string) => {
    engine.jobs.releaseWaiters(sid === undefined ? undefined : (job) => job.sid === sid);
    holds.release(sid);
  };
  const model = createModelControl({ engine, releaseHeld });
  const log = (obj: object, msg: string) => engine.log.warn(obj, msg);
  installWireHooks(app, { engine, faults, journal, holds, log });

  const targetSid = (rule: FaultRule) => rule.effect.storageDeviceId ?? rule.match?.storageDeviceId;

  /** Applies a pair/pool rule that has no request to ride on (immediate or scheduled) and journals it as an event. */
  function fire(rule: FaultRule): DomainResult | { error: string } {
    scheduled.delete(rule.id);
    const sid = targetSid(rule) ?? engine.defaultSid();
    faults.consume(rule);
    let result: DomainResult | { error: string };
    try {
      result = applyDomainEffect(engine, rule.effect, sid);
    } catch (e) {
      result = { error: e instanceof Error ? e.message : String(e) };
    }
    journal.add({
      kind: 'event', timeMs: engine.clock.now(), method: null, url: null, path: null, storageDeviceId: sid,
      userId: null, requestHeaders: {}, requestBody: null, status: null, responseBody: null, jobId: null, operation: null,
      fault: { id: rule.id, type: rule.effect.type, detail: { ...result } }, pending: false, durationMs: null,
    });
    return result;
  }

  function clearFaults(): number {
    for (const cancel of scheduled.values()) cancel();
    scheduled.clear();
    return faults.clear();
  }

  const ctl = {
    engine, journal, faults, holds, model, releaseHeld,
    get seed() { return seed; },
    ready: false,

    /** Adds a fault rule; a pair/pool rule without `match` applies now (or after `afterSeconds` of virtual time). */
    addFault(input: FaultRuleInput): { rule: FaultRule; applied: DomainResult | { error: string } | null } {
      if (faults.size >= LIMITS.faultRules) {
        throw limitReached(`at most ${LIMITS.faultRules} fault rules at once: delete some (DELETE /emulator/v1/faults/{id}, or all with DELETE /emulator/v1/faults)`);
      }
      const rule = parseRule(input, faults.nextId(), faults.defaultSeed(), engine.clock.now());
      if (rule.effect.type === 'http' || rule.effect.type === 'job') checkCatalogKey(engine, rule.effect);
      if (rule.effect.type === 'pair' || rule.effect.type === 'pool') {
        const sid = targetSid(rule) ?? (rule.match === null ? engine.defaultSid() : undefined);
        checkDomainEffect(engine, rule, sid);
      }
      faults.add(rule);
      let applied: DomainResult | { error: string } | null = null;
      if (rule.phase === 'immediate') {
        applied = fire(rule);
        if ('error' in applied) {
          faults.remove(rule.id);
          throw new ControlError(409, 'faultFailed', `the ${rule.effect.type} fault could not be applied: ${applied.error}`);
        }
      } else if (rule.phase === 'scheduled') {
        scheduled.set(rule.id, engine.clock.at(rule.dueAt!, () => { fire(rule); }));
      }
      return { rule, applied };
    },

    removeFault(id: string): void {
      if (!faults.remove(id)) throw notFound(`no fault ${id}`);
      scheduled.get(id)?.();
      scheduled.delete(id);
    },

    clearFaults,

    setSeed(next: number | null): void {
      seed = next;
      engine.rng.reseed(seed);
    },

    /**
     * Puts the emulator back to a fixture state: the whole model (optionally another fixture), or one array.
     * A whole reset also clears faults and the journal, restores the startup timing profile and reseeds, unless
     * `keep` names them. Checkpoints and the virtual clock are kept.
     */
    reset(r: ResetRequest) {
      const started = performance.now();
      const keep = r.keep ?? [];
      if (r.storageDeviceId !== undefined) {
        if (r.fixture !== undefined) throw new ControlError(400, 'badRequest', 'reset one array (storageDeviceId) or everything (fixture), not both');
        const origin = model.resetArray(r.storageDeviceId, keep);
        return { storageDeviceIds: [r.storageDeviceId], fixture: origin.fixtureName, durationMs: round(performance.now() - started) };
      }
      const timing = engine.timing;
      const fx = model.resetAll({ fixture: r.fixture, keep: keep.filter((k) => !['faults', 'journal', 'timing'].includes(k)) });
      if (keep.includes('timing')) engine.timing = timing;
      else if (r.fixture === undefined || !fx.timing) engine.timing = initialTiming;
      if (!keep.includes('faults')) clearFaults();
      if (!keep.includes('journal')) journal.clear();
      ctl.setSeed(r.seed !== undefined ? r.seed : seed);
      return { storageDeviceIds: [...engine.arrays.keys()], fixture: fx.name ?? null, durationMs: round(performance.now() - started) };
    },
  };

  app.addHook('onReady', async () => { ctl.ready = true; });
  return ctl;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export type ControlPlane = ReturnType<typeof createController>;
