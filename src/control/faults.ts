import { createRng, type Rng } from '../engine/rng.js';
import { badRequest } from './errors.js';

/**
 * Fault rules: off by default, scoped by a match, limited by `times`, thinned by a seeded `probability`, so the
 * same run of requests meets the same faults every time. This module is pure bookkeeping (parse, match, decide);
 * applying an effect is the wire hooks' and effects.ts's business.
 */

export type EffectType = 'http' | 'latency' | 'transport' | 'job' | 'pair' | 'pool';
export const EFFECT_TYPES: EffectType[] = ['http', 'latency', 'transport', 'job', 'pair', 'pool'];

export interface FaultMatch {
  method?: string | string[];
  /** A path prefix (`/ConfigurationManager/v1/objects/pools`), a glob with `*` / `**`, or a regex starting with `^`. */
  path?: string;
  /** Job operation(s) (`ldev.create`, `snapshot.*`): the rule is checked when the request submits its job. */
  operation?: string | string[];
  storageDeviceId?: string;
  ldevId?: number; pvolLdevId?: number; svolLdevId?: number; muNumber?: number; poolId?: number; snapshotGroupName?: string;
  userId?: string;
  /** Request headers that must be present with these values (case-insensitive names). */
  headers?: Record<string, string>;
}

export interface FaultEffect {
  type: EffectType;
  // http and job
  status?: number; error?: string; messageId?: string; message?: string; cause?: string; solution?: string;
  solutionType?: 'SEE_ERROR_DETAIL' | 'RETRY'; ssb1?: string; ssb2?: string; returnCode?: string;
  vars?: Record<string, string | number>; retryAfter?: number; expireSession?: boolean;
  // latency
  ms?: number; seconds?: number; clock?: 'virtual' | 'wall' | 'advance';
  // transport
  kind?: 'reset' | 'empty' | 'malformed' | 'garbage'; when?: 'before' | 'after';
  // pair and pool targets
  storageDeviceId?: string; pvolLdevId?: number; muNumber?: number; svolLdevId?: number; snapshotGroupName?: string;
  poolId?: number; usedRate?: number;
}

export interface FaultRuleInput {
  match?: FaultMatch; effect: FaultEffect; times?: number | null; probability?: number; seed?: number;
  description?: string; afterSeconds?: number;
}

export interface FaultRule {
  id: string;
  description: string | null;
  match: FaultMatch | null;
  effect: FaultEffect;
  /** How many times the rule may apply; null = until deleted. */
  times: number | null;
  probability: number;
  seed: number;
  /** `request`: checked on arrival; `submit`: when the request submits a job; `immediate`/`scheduled`: no request. */
  phase: 'request' | 'submit' | 'immediate' | 'scheduled';
  /** Virtual time (ms) a scheduled rule fires at. */
  dueAt: number | null;
  matched: number;
  applied: number;
  createdAt: number;
}

/** The facts of one request (or one submitted job) that rules match against. */
export interface RequestFacts {
  method: string;
  path: string;
  storageDeviceId: string | null;
  userId: string | null;
  operation: string | null;
  headers: Record<string, string | string[] | undefined>;
  /** ldevId, pvolLdevId, muNumber, poolId, snapshotGroupName… from the URL, query, body and job parameters. */
  ids: Record<string, string>;
}

const MATCH_KEYS = new Set(['method', 'path', 'operation', 'storageDeviceId', 'ldevId', 'pvolLdevId', 'svolLdevId', 'muNumber', 'poolId',
  'snapshotGroupName', 'userId', 'headers']);
export const ID_KEYS = ['ldevId', 'pvolLdevId', 'svolLdevId', 'muNumber', 'poolId', 'snapshotGroupName'] as const;

const EFFECT_KEYS: Record<EffectType, string[]> = {
  http: ['status', 'error', 'messageId', 'message', 'cause', 'solution', 'solutionType', 'ssb1', 'ssb2', 'returnCode', 'vars', 'retryAfter', 'expireSession'],
  job: ['error', 'messageId', 'message', 'cause', 'solution', 'solutionType', 'ssb1', 'ssb2', 'returnCode', 'vars'],
  latency: ['ms', 'seconds', 'clock'],
  transport: ['kind', 'when'],
  pair: ['storageDeviceId', 'pvolLdevId', 'muNumber', 'svolLdevId', 'snapshotGroupName', 'poolId'],
  pool: ['storageDeviceId', 'poolId', 'usedRate'],
};

/** The storage-scoped URL forms seen as their embedded twins, so one rule path covers both forms. */
export function embeddedPath(path: string): string {
  return path
    .replace(/^(\/ConfigurationManager\/v1\/objects)\/storages\/[^/]+(?=\/)/, '$1')
    .replace(/^(\/ConfigurationManager\/v1)\/\d{12}(?=\/services\/)/, '$1');
}

/** A path test from a prefix (segment-aligned), a glob (`*` within a segment, `**` across) or a regex starting with `^`. */
export function pathMatcher(spec: string): (path: string) => boolean {
  let test: (p: string) => boolean;
  if (spec.startsWith('^')) {
    let r: RegExp;
    try { r = new RegExp(spec); } catch (e) { throw badRequest(`match.path: invalid regular expression (${(e as Error).message})`); }
    test = (p) => r.test(p);
  } else if (spec.includes('*')) {
    const src = spec.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
    const r = new RegExp(`^${src}/?$`);
    test = (p) => r.test(p);
  } else {
    const prefix = spec.replace(/\/+$/, '');
    test = (p) => prefix === '' || p === prefix || p.startsWith(prefix + '/');
  }
  return (path) => test(path) || test(embeddedPath(path));
}

function globTest(spec: string): (v: string) => boolean {
  if (!spec.includes('*')) return (v) => v === spec;
  const r = new RegExp(`^${spec.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (v) => r.test(v);
}

const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** Validates a rule as posted and fixes its phase; throws a 400 ControlError naming the bad field. */
export function parseRule(input: FaultRuleInput, id: string, seed: number, now: number): FaultRule {
  if (!input || typeof input !== 'object') throw badRequest('a fault rule is an object with "effect" (and usually "match")');
  const effect = input.effect;
  if (!effect || typeof effect !== 'object' || !EFFECT_TYPES.includes(effect.type)) {
    throw badRequest(`effect.type must be one of ${EFFECT_TYPES.join(', ')}`);
  }
  for (const k of Object.keys(effect)) {
    if (k !== 'type' && !EFFECT_KEYS[effect.type].includes(k)) throw badRequest(`effect.${k} is not a field of a ${effect.type} effect (fields: ${EFFECT_KEYS[effect.type].join(', ')})`);
  }
  const match = input.match ?? null;
  if (match !== null) {
    if (typeof match !== 'object') throw badRequest('match must be an object');
    for (const k of Object.keys(match)) if (!MATCH_KEYS.has(k)) throw badRequest(`match.${k} is not a match field (fields: ${[...MATCH_KEYS].join(', ')})`);
    if (match.path !== undefined) pathMatcher(match.path);
  }
  const times = input.times ?? null;
  if (times !== null && !(Number.isInteger(times) && times >= 1)) throw badRequest('times must be a whole number >= 1 (omit it for no limit)');
  const probability = input.probability ?? 1;
  if (!(isNum(probability) && probability > 0 && probability <= 1)) throw badRequest('probability must be a number in (0, 1]');
  if (input.afterSeconds !== undefined && !(isNum(input.afterSeconds) && input.afterSeconds >= 0)) throw badRequest('afterSeconds must be >= 0');

  switch (effect.type) {
    case 'http':
      if (effect.status !== undefined && !(Number.isInteger(effect.status) && effect.status >= 400 && effect.status <= 599)) {
        throw badRequest('effect.status must be an HTTP error status 400-599');
      }
      if (effect.retryAfter !== undefined && !(Number.isInteger(effect.retryAfter) && effect.retryAfter >= 0)) throw badRequest('effect.retryAfter must be whole seconds >= 0');
      break;
    case 'latency': {
      const ms = effect.ms ?? (effect.seconds !== undefined ? effect.seconds * 1000 : undefined);
      if (!(isNum(ms) && ms! >= 0)) throw badRequest('a latency effect needs "ms" or "seconds" >= 0');
      if (effect.clock !== undefined && !['virtual', 'wall', 'advance'].includes(effect.clock)) throw badRequest('effect.clock must be virtual, wall or advance');
      if ((effect.clock ?? 'virtual') === 'wall' && ms! > 600_000) throw badRequest('a wall-clock latency is limited to 600 s');
      break;
    }
    case 'transport':
      if (!['reset', 'empty', 'malformed', 'garbage'].includes(effect.kind ?? '')) throw badRequest('effect.kind must be reset, empty, malformed or garbage');
      if (effect.when !== undefined && !['before', 'after'].includes(effect.when)) throw badRequest('effect.when must be before or after');
      break;
    case 'pool':
      if (!Number.isInteger(effect.poolId)) throw badRequest('a pool effect needs "poolId"');
      if (effect.usedRate !== undefined && !(isNum(effect.usedRate) && effect.usedRate >= 0 && effect.usedRate <= 100)) throw badRequest('effect.usedRate must be 0-100');
      break;
    default:
      break;
  }
  const domain = effect.type === 'pair' || effect.type === 'pool';
  let phase: FaultRule['phase'];
  if (match === null && domain) phase = input.afterSeconds !== undefined ? 'scheduled' : 'immediate';
  else if (input.afterSeconds !== undefined) throw badRequest('afterSeconds is for pair and pool effects without "match"');
  else if (match === null) throw badRequest(`a ${effect.type} effect needs "match" (use {} to match every request)`);
  else phase = match.operation !== undefined || effect.type === 'job' ? 'submit' : 'request';

  return {
    id, description: input.description ?? null, match, effect, times, probability,
    seed: input.seed ?? seed, phase, dueAt: phase === 'scheduled' ? now + input.afterSeconds! * 1000 : null,
    matched: 0, applied: 0, createdAt: now,
  };
}

/** Whether a rule's match accepts a request's facts. */
export function matches(m: FaultMatch, f: RequestFacts): boolean {
  const methods = list(m.method);
  if (methods && !methods.some((x) => x.toUpperCase() === f.method.toUpperCase())) return false;
  if (m.path !== undefined && !pathMatcher(m.path)(f.path)) return false;
  const ops = list(m.operation);
  if (ops && (f.operation === null || !ops.some((o) => globTest(o)(f.operation!)))) return false;
  if (m.storageDeviceId !== undefined && f.storageDeviceId !== m.storageDeviceId) return false;
  if (m.userId !== undefined && f.userId !== m.userId) return false;
  for (const k of ID_KEYS) {
    const want = m[k];
    if (want !== undefined && f.ids[k] !== String(want)) return false;
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const got = f.headers[name.toLowerCase()];
    if (got === undefined || String(got).toLowerCase() !== String(value).toLowerCase()) return false;
  }
  return true;
}

/** The rule set, in creation order; the first rule that matches and wins its probability draw applies. */
export class FaultSet {
  private rules: FaultRule[] = [];
  private rngs = new Map<string, Rng>();
  private counter = 0;

  constructor(private baseSeed: () => number) {}

  nextId(): string { return `f${++this.counter}`; }
  defaultSeed(): number { return (Math.imul(this.baseSeed() >>> 0, 0x9e3779b1) + this.counter) >>> 0; }

  add(rule: FaultRule): void {
    this.rules.push(rule);
    this.rngs.set(rule.id, createRng(rule.seed));
  }

  all(): FaultRule[] { return [...this.rules]; }
  /** Whether any rule of this phase is still active (a cheap test before building a request's facts). */
  has(phase: 'request' | 'submit'): boolean { return this.rules.some((r) => r.phase === phase && this.active(r)); }
  get(id: string): FaultRule | undefined { return this.rules.find((r) => r.id === id); }
  active(r: FaultRule): boolean { return r.times === null || r.applied < r.times; }
  remaining(r: FaultRule): number | null { return r.times === null ? null : Math.max(0, r.times - r.applied); }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.rngs.delete(id);
    return this.rules.length < before;
  }

  clear(): number {
    const n = this.rules.length;
    this.rules = [];
    this.rngs.clear();
    return n;
  }

  /** The rule that applies to this request in this phase, counting the match and the application. */
  decide(phase: 'request' | 'submit', facts: RequestFacts): FaultRule | null {
    for (const r of this.rules) {
      if (r.phase !== phase || !this.active(r) || r.match === null || !matches(r.match, facts)) continue;
      r.matched++;
      if (r.probability < 1 && this.rngs.get(r.id)!.next() >= r.probability) continue;
      r.applied++;
      return r;
    }
    return null;
  }

  /** Counts an application of an immediate or scheduled rule. */
  consume(r: FaultRule): void {
    r.matched++;
    r.applied++;
  }
}
