import { createRng, type Rng } from '../engine/rng.js';
import { badRequest, LIMITS } from './errors.js';

/**
 * Fault rules: off by default, scoped by a match, limited by `times`, thinned by a seeded `probability`, so the
 * same run of requests meets the same faults every time. This module is pure bookkeeping (parse, match, decide);
 * applying an effect is the wire hooks' and effects.ts's business.
 */

export type EffectType = 'http' | 'latency' | 'transport' | 'job' | 'pair' | 'pool';
export const EFFECT_TYPES: EffectType[] = ['http', 'latency', 'transport', 'job', 'pair', 'pool'];

export interface FaultMatch {
  method?: string | string[];
  /** A path prefix (`/ConfigurationManager/v1/objects/pools`) or a glob: `*` within a segment, `**` across (no regexes). */
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
  /** The match, compiled once when the rule is added (null: no match, an immediate or scheduled rule). */
  test: ((f: RequestFacts) => boolean) | null;
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

let lastPath = '';
let lastEmbedded = '';

/** The storage-scoped URL forms seen as their embedded twins, so one rule path covers both forms. */
export function embeddedPath(path: string): string {
  // Every rule asks for the same request's twin: the last answer is kept.
  if (path === lastPath) return lastEmbedded;
  lastPath = path;
  return lastEmbedded = path
    .replace(/^(\/ConfigurationManager\/v1\/objects)\/storages\/[^/]+(?=\/)/, '$1')
    .replace(/^(\/ConfigurationManager\/v1)\/\d{12}(?=\/services\/)/, '$1');
}

/** Longest path or operation pattern, and most wildcards in one: keeps every match a small, linear amount of work. */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_PATTERN_WILDCARDS = 16;

const STAR = 1; // any run of characters but the separator
const ANY = 2; // any run of characters at all

/**
 * A glob test in linear time: `*` matches any run of characters other than `sep` (with no `sep`: any run), `**` any
 * run at all, everything else itself. It runs the pattern's automaton over the input as a set of positions (at most
 * one per wildcard and one literal each step), so no input makes it backtrack; no user text ever becomes a RegExp.
 */
export function globMatcher(pattern: string, sep: string | null): (s: string) => boolean {
  const toks: Array<string | number> = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '*') { toks.push(pattern[i]!); continue; }
    let kind = sep === null ? ANY : STAR;
    if (pattern[i + 1] === '*') { kind = ANY; while (pattern[i + 1] === '*') i++; }
    const last = toks[toks.length - 1];
    if (last === STAR || last === ANY) toks[toks.length - 1] = Math.max(last, kind); // `*` next to `**` is `**`
    else toks.push(kind);
  }
  const m = toks.length;
  const lit = toks.map((t) => (typeof t === 'string' ? t.charCodeAt(0) : -t)); // wildcards as -STAR / -ANY
  const sepCode = sep === null ? -1 : sep.charCodeAt(0);
  const mark = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  let next = new Int32Array(m + 1);
  let gen = 0;
  /** Adds state i (and the states after the wildcards at i, which may match nothing) to `set`; returns its new size. */
  const add = (set: Int32Array, n: number, i: number): number => {
    for (; ;) {
      if (mark[i] === gen) return n;
      mark[i] = gen;
      set[n++] = i;
      if (i === m || lit[i]! >= 0) return n;
      i++;
    }
  };
  return (s) => {
    gen++;
    let n = add(cur, 0, 0);
    for (let k = 0; k < s.length && n > 0; k++) {
      const c = s.charCodeAt(k);
      gen++;
      let nn = 0;
      for (let j = 0; j < n; j++) {
        const i = cur[j]!;
        if (i === m) continue;
        const t = lit[i]!;
        if (t === c) nn = add(next, nn, i + 1);
        else if (t === -ANY || (t === -STAR && c !== sepCode)) nn = add(next, nn, i);
      }
      const done = cur;
      cur = next;
      next = done;
      n = nn;
    }
    for (let j = 0; j < n; j++) if (cur[j] === m) return true;
    return false;
  };
}

/** Refuses a pattern that is too long, has too many wildcards, or is written as a regular expression. */
function checkPattern(spec: unknown, what: string): string {
  if (typeof spec !== 'string') throw badRequest(`${what} must be a string`);
  if (spec.length > MAX_PATTERN_LENGTH) throw badRequest(`${what} is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (spec.startsWith('^') || spec.endsWith('$') || spec.includes('\\')) {
    throw badRequest(`${what}: regular expressions are not supported; give a path prefix or a glob (* within a segment, ** across segments)`);
  }
  if ((spec.match(/\*+/g) ?? []).length > MAX_PATTERN_WILDCARDS) throw badRequest(`${what} has more than ${MAX_PATTERN_WILDCARDS} wildcards`);
  return spec;
}

/**
 * A path test from a prefix (segment-aligned) or a glob (`*` within a segment, `**` across segments, matching the
 * whole path), checked against the path and its embedded twin. Throws a 400 naming `what` for a bad pattern.
 */
export function pathMatcher(spec: string, what = 'match.path'): (path: string) => boolean {
  checkPattern(spec, what);
  let test: (p: string) => boolean;
  if (spec.includes('*')) {
    const glob = globMatcher(spec, '/');
    const head = spec.slice(0, spec.indexOf('*')); // a cheap refusal of most paths before the automaton runs
    test = (p) => p.startsWith(head) && (glob(p) || (p.length > 1 && p.endsWith('/') && glob(p.slice(0, -1))));
  } else {
    const prefix = spec.replace(/\/+$/, '');
    test = (p) => prefix === '' || p === prefix || p.startsWith(prefix + '/');
  }
  return (path) => {
    if (test(path)) return true;
    const twin = embeddedPath(path);
    return twin !== path && test(twin);
  };
}

/** An operation test: the name itself, or a glob where `*` matches anything (`snapshot.*`). */
function operationMatcher(spec: string): (v: string) => boolean {
  checkPattern(spec, 'match.operation');
  if (!spec.includes('*')) return (v) => v === spec;
  return globMatcher(spec, null);
}

const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const inRange = (v: unknown, min: number, max: number) => isNum(v) && (v as number) >= min && (v as number) <= max;

/** Validates a rule as posted, fixes its phase and compiles its match; throws a 400 ControlError naming the bad field. */
export function parseRule(input: FaultRuleInput, id: string, seed: number, now: number): FaultRule {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('a fault rule is an object with "effect" (and usually "match")');
  const effect = input.effect;
  if (!effect || typeof effect !== 'object' || !EFFECT_TYPES.includes(effect.type)) {
    throw badRequest(`effect.type must be one of ${EFFECT_TYPES.join(', ')}`);
  }
  for (const k of Object.keys(effect)) {
    if (k !== 'type' && !EFFECT_KEYS[effect.type].includes(k)) throw badRequest(`effect.${k} is not a field of a ${effect.type} effect (fields: ${EFFECT_KEYS[effect.type].join(', ')})`);
  }
  const match = input.match ?? null;
  let test: FaultRule['test'] = null;
  if (match !== null) {
    if (typeof match !== 'object' || Array.isArray(match)) throw badRequest('match must be an object');
    for (const k of Object.keys(match)) if (!MATCH_KEYS.has(k)) throw badRequest(`match.${k} is not a match field (fields: ${[...MATCH_KEYS].join(', ')})`);
    test = compileMatch(match);
  }
  const times = input.times ?? null;
  if (times !== null && !(Number.isInteger(times) && times >= 1 && times <= LIMITS.faultTimes)) {
    throw badRequest(`times must be a whole number from 1 to ${LIMITS.faultTimes} (omit it for no limit)`);
  }
  const probability = input.probability ?? 1;
  if (!(isNum(probability) && probability > 0 && probability <= 1)) throw badRequest('probability must be a number in (0, 1]');
  if (input.seed !== undefined && !(Number.isInteger(input.seed) && inRange(input.seed, 0, 0xffffffff))) throw badRequest('seed must be a whole number from 0 to 4294967295');
  if (input.afterSeconds !== undefined && !inRange(input.afterSeconds, 0, LIMITS.spanMs / 1000)) {
    throw badRequest(`afterSeconds must be from 0 to ${LIMITS.spanMs / 1000} (100 years)`);
  }

  switch (effect.type) {
    case 'http':
      if (effect.status !== undefined && !(Number.isInteger(effect.status) && effect.status >= 400 && effect.status <= 599)) {
        throw badRequest('effect.status must be an HTTP error status 400-599');
      }
      if (effect.retryAfter !== undefined && !(Number.isInteger(effect.retryAfter) && inRange(effect.retryAfter, 0, LIMITS.retryAfterSeconds))) {
        throw badRequest(`effect.retryAfter must be whole seconds from 0 to ${LIMITS.retryAfterSeconds}`);
      }
      break;
    case 'latency': {
      const ms = effect.ms ?? (effect.seconds !== undefined ? effect.seconds * 1000 : undefined);
      if (!(isNum(ms) && ms! >= 0)) throw badRequest('a latency effect needs "ms" or "seconds" >= 0');
      if (effect.clock !== undefined && !['virtual', 'wall', 'advance'].includes(effect.clock)) throw badRequest('effect.clock must be virtual, wall or advance');
      if ((effect.clock ?? 'virtual') === 'wall' && ms! > 600_000) throw badRequest('a wall-clock latency is limited to 600 s');
      if (ms! > LIMITS.spanMs) throw badRequest(`a latency is limited to ${LIMITS.spanMs / 1000} s of virtual time (100 years)`);
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
    matched: 0, applied: 0, createdAt: now, test,
  };
}

/** Compiles a rule's match once: the test every request's facts go through. */
export function compileMatch(m: FaultMatch): (f: RequestFacts) => boolean {
  const methods = list(m.method)?.map((x) => String(x).toUpperCase());
  const path = m.path === undefined ? null : pathMatcher(m.path);
  const ops = list(m.operation)?.map(operationMatcher);
  const ids = ID_KEYS.filter((k) => m[k] !== undefined).map((k) => [k, String(m[k])] as const);
  const headers = Object.entries(m.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value).toLowerCase()] as const);
  return (f) => {
    if (methods && !methods.includes(f.method.toUpperCase())) return false;
    if (path && !path(f.path)) return false;
    if (ops && (f.operation === null || !ops.some((o) => o(f.operation!)))) return false;
    if (m.storageDeviceId !== undefined && f.storageDeviceId !== m.storageDeviceId) return false;
    if (m.userId !== undefined && f.userId !== m.userId) return false;
    for (const [k, want] of ids) if (f.ids[k] !== want) return false;
    for (const [name, want] of headers) {
      const got = Object.hasOwn(f.headers, name) ? f.headers[name] : undefined;
      if (got === undefined || String(got).toLowerCase() !== want) return false;
    }
    return true;
  };
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
  get size(): number { return this.rules.length; }
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
      if (r.phase !== phase || !this.active(r) || r.test === null || !r.test(facts)) continue;
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
