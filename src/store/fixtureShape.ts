import { modelFacts } from '../domain/models.js';
import { parseByteFormat } from '../domain/format.js';
import { defaultFidelity } from '../domain/fidelity.js';
import { HOST_FIDELITY } from '../domain/hosts.js';
import { checkTiming } from '../domain/timing.js';
import { FixtureError, type ArraySpec, type Fixture } from './fixture.js';

/**
 * The fixture checker (moved out of fixture.ts, which re-exports it): known keys at every level, models, serial
 * numbers and capacities. Errors are FixtureErrors naming where, the path and the key, never the content.
 */

// ---- known keys at every level: a typo (`ldevz:`) is an error naming the file, the path and the key ----

type ObjShape = { obj: Record<string, Shape | null> };
type Shape = ObjShape | { list: Shape } | { map: Shape | null };
const obj = (keys: string[], nested: Record<string, Shape> = {}): ObjShape =>
  ({ obj: Object.fromEntries(keys.map((k) => [k, Object.hasOwn(nested, k) ? nested[k]! : null])) });
const USER = obj(['userId', 'password']);
const HOST_GROUP = obj(['hostGroupNumber', 'hostGroupName', 'hostMode', 'hostModeOptions', 'iscsiName', 'wwns', 'iscsiNames']);
const ARRAY = obj([
  'storageDeviceId', 'model', 'serialNumber', 'svpIp', 'ctl1Ip', 'ctl2Ip', 'dkcMicroVersion', 'modelFacts', 'users', 'pools', 'ldevs',
  'ports', 'luns', 'pairs',
], {
  modelFacts: obj(['family', 'prefix', 'jobRetention', 'maxLdevId', 'dkcMicroVersion', 'snapshotReplications', 'maxSessions',
    'thinImageStandard', 'thinImageAdvanced', 'retention', 'virtualClone', 'simpleApi', 'garbageDataDelete']),
  users: { list: USER },
  pools: { list: obj(['poolId', 'poolName', 'poolType', 'capacity', 'warningThreshold', 'depletionThreshold', 'virtualVolumeCapacityRate',
    'numOfLdevs', 'firstLdevId', 'usedCapacity', 'isMainframe']) },
  ldevs: { list: obj(['ldevId', 'capacity', 'poolId', 'label', 'dataReductionMode', 'isFullAllocationEnabled', 'usedCapacity', 'attributes',
    'emulationType', 'isDataReductionSharedVolumeEnabled', 'parentLdevId']) },
  ports: { list: obj(['portId', 'portType', 'lunSecuritySetting', 'wwn', 'portSpeed', 'portAttributes', 'ipv4Address', 'ipv4Subnetmask',
    'tcpPort', 'hostGroups'], { hostGroups: { list: HOST_GROUP } }) },
  luns: { list: obj(['portId', 'hostGroupNumber', 'lun', 'ldevId']) },
  pairs: { list: obj(['pvolLdevId', 'muNumber', 'svolLdevId', 'snapshotGroupName', 'snapshotPoolId', 'status', 'isClone', 'canCascade',
    'isConsistencyGroup', 'autoSplit', 'clonesAutomation', 'copySpeed', 'isDataReductionForceCopy', 'splitTime', 'retentionPeriod']) },
});
const CATALOG_FIELDS = ['status', 'messageId', 'message', 'cause', 'solution', 'solutionType', 'ssb1', 'ssb2', 'returnCode', 'certainty', 'source'];
const FIXTURE = obj([
  'name', 'description', 'users', 'arrays', 'errors', 'fidelity', 'timing',
  // a state export (GET /emulator/v1/state) is also a fixture
  'format', 'formatVersion', 'emulatorVersion', 'schemaVersion', 'exportedTime', 'tables',
], {
  users: { list: USER }, errors: { map: obj(CATALOG_FIELDS) },
  fidelity: obj([...Object.keys(defaultFidelity), ...Object.keys(HOST_FIDELITY)]),
});
/** Keys no map may hold: they would reach an object's prototype. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `path` names where `value` is; a list element's path is a function, made into text only when a message or a nested
 * path needs it (a fixture of 100,000 pairs would otherwise build 100,000 path strings that no message uses).
 */
function checkShape(value: unknown, shape: Shape, path: string | (() => string), fail: (msg: string) => never): void {
  const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
  if ('list' in shape) {
    if (!Array.isArray(value)) fail(`${text(path)} must be a list`);
    const list = value as unknown[];
    const base = text(path);
    const el = shape.list;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      // 165,000 LDEVs and pairs: an element whose keys are all known and hold no nested section is checked here,
      // without a path closure or a key array; anything else (and every error) takes the full check.
      if ('obj' in el && v !== null && typeof v === 'object' && !Array.isArray(v) && flatKnown(v as Record<string, unknown>, el.obj)) continue;
      checkShape(v, el, () => `${base}[${i}]`, fail);
    }
    return;
  }
  if (!isObj) fail(`${text(path)} must be an object`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if ('map' in shape) {
      if (FORBIDDEN.has(k)) fail(`key "${k}" is not allowed at ${child(path, k)}`);
      if (shape.map && v !== undefined) checkShape(v, shape.map, child(path, k), fail);
      continue;
    }
    if (!Object.hasOwn(shape.obj, k)) fail(`unknown key "${k}" at ${child(path, k)} (known: ${Object.keys(shape.obj).join(', ')})`);
    const nested = shape.obj[k];
    if (nested && v !== undefined && v !== null) checkShape(v, nested, child(path, k), fail);
  }
}
/** Whether every own key of `o` is one of `known` with no nested shape to check under it. */
function flatKnown(o: Record<string, unknown>, known: Record<string, Shape | null>): boolean {
  for (const k in o) {
    if (!Object.hasOwn(o, k) || !Object.hasOwn(known, k)) return false;
    if (known[k] !== null && o[k] !== undefined && o[k] !== null) return false;
  }
  return true;
}
const text = (path: string | (() => string)) => (typeof path === 'string' ? path : path());
const child = (path: string | (() => string), k: string) => { const p = text(path); return p ? `${p}.${k}` : k; };

/**
 * Checks a fixture (file, inline object or state export): the shape and known keys at every level (errors name
 * `where`, the path like `arrays[0].ldevz` and the key), the models, serial numbers and capacities. Throws FixtureError.
 */
export function validateFixture(doc: Fixture, where = 'fixture'): void {
  const fail = (msg: string): never => { throw new FixtureError(`${where}: ${msg}`); };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.arrays) || doc.arrays.length === 0) fail('needs a non-empty "arrays" list');
  checkShape(doc, FIXTURE, '', fail);
  if (doc.timing !== undefined && doc.timing !== null) {
    try { checkTiming(doc.timing, where); } catch (e) { throw new FixtureError((e as Error).message); }
  }
  doc.arrays.forEach((a, i) => validateArraySpec(a, where, `arrays[${i}]`));
}

/** Checks one array section (also the `array` of POST /emulator/v1/arrays) as validateFixture does. */
export function validateArraySpec(a: ArraySpec, where: string, path = 'array'): void {
  const fail = (msg: string): never => { throw new FixtureError(`${where}: ${msg}`); };
  checkShape(a, ARRAY, path, fail);
  if (typeof a.model !== 'string' || !a.model) fail(`${path}: an array needs "model"`);
  try { modelFacts(a.model, a.modelFacts); } catch (e) { fail((e as Error).message); }
  if (!Number.isInteger(a.serialNumber) || a.serialNumber < 0 || a.serialNumber > 999999) fail(`array ${a.model}: serialNumber must be 0..999999`);
  for (const p of a.pools ?? []) if (parseByteFormat(p.capacity) === null) fail(`pool ${p.poolId}: capacity "${p.capacity}" is not a size like 10T`);
  const sized = new Map<unknown, boolean>(); // 65,280 LDEVs share a few capacities
  for (const l of a.ldevs ?? []) {
    let ok = sized.get(l.capacity);
    if (ok === undefined) sized.set(l.capacity, (ok = parseByteFormat(l.capacity) !== null));
    if (!ok) fail(`ldev ${l.ldevId}: capacity "${l.capacity}" is not a size like 10G`);
  }
}
