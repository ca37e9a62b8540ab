import type { Engine } from '../../engine/context.js';
import { hostRules, requireHostGroup, requirePort } from '../../engine/hosts.js';
import type { HostGroupRow, PortRow } from '../../store/resources.js';
import { fail, intParam, splitId } from '../vsp.js';
import Type from 'typebox';
import { pathStr } from '../schemas/common.js';

export { bool, int, str } from '../schemas/common.js';
/** DELETE takes no attributes: a body, if any, must be empty (`{}` or `null`), else KART40038-E. */
export const noBody = Type.Unsafe<Record<string, never> | null>({ type: ['object', 'null'], additionalProperties: false, properties: {} });
/** A request body: an object of these attributes and no others, or none at all (`null`, no bytes). */
export const body = (properties: Record<string, unknown>, examples: unknown[]) =>
  Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: false, properties, examples });

/** `{portId},{hostGroupNumber}` and `{portId},{hostGroupNumber},{x}` path parameters. */
export const hostGroupParams = Type.Object({ hostGroupId: pathStr('`{portId},{hostGroupNumber}`, e.g. `CL1-A,1`.', { pattern: '^[^,]+,[0-9]+$', examples: ['CL1-A,0'] }) });
export const tripleParam = (name: string, last: string, example: string) =>
  Type.Object({ [name]: pathStr(`\`{portId},{hostGroupNumber},{${last}}\`, e.g. \`${example}\`.`, { examples: [example] }) });

/** The body without its null/absent attributes. */
export const clean = <T extends object>(o: T | undefined | null): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

/** A host group number from a body, query or object id: 0..maxHostGroupNumber, else 400. */
export function hostGroupNumberOf(engine: Engine, raw: unknown, name = 'hostGroupNumber'): number {
  return intParam(raw, name, 0, hostRules(engine).maxHostGroupNumber);
}

/** `CL1-A,1` (literal comma or %2C) → port and number; a malformed id is a 400. */
export function parseHostGroupId(engine: Engine, raw: string): { portId: string; hostGroupNumber: number } {
  const parts = splitId(raw, 2);
  if (!parts) fail('invalidValue', { attribute: 'hostGroupId', value: raw });
  return { portId: parts[0]!, hostGroupNumber: hostGroupNumberOf(engine, parts[1]) };
}

/** `CL1-A,1,<last>` → port, number and the raw last part (WWN, iSCSI name or LUN). */
export function parseTripleId(engine: Engine, raw: string, attribute: string): { portId: string; hostGroupNumber: number; last: string } {
  const first = raw.indexOf(',');
  const second = first < 0 ? -1 : raw.indexOf(',', first + 1);
  if (first <= 0 || second < 0 || second === first + 1 || second === raw.length - 1) fail('invalidValue', { attribute, value: raw });
  return {
    portId: raw.slice(0, first),
    hostGroupNumber: hostGroupNumberOf(engine, raw.slice(first + 1, second)),
    last: raw.slice(second + 1),
  };
}

/** The port and host group a request names, both required to exist (KART30013-E, 404). */
export function existingHostGroup(engine: Engine, sid: string, portId: string, hg: number): { port: PortRow; group: HostGroupRow } {
  const port = requirePort(engine.res, sid, portId);
  return { port, group: requireHostGroup(engine.res, sid, portId, hg) };
}

/**
 * A boolean query parameter as clients spell it: `true`/`false` in any case (Python's requests sends `False`
 * for Cinder's isBasicLunInformation). Absent → undefined; anything else → 400.
 */
export function boolQuery(raw: unknown, name: string): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const s = String(raw).toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  return fail('invalidValue', { attribute: name, value: String(raw) });
}

/** `hostGroupNumberList=1,2,5` → numbers. */
export function numberList(engine: Engine, raw: string, name: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) fail('invalidValue', { attribute: name, value: raw });
  return [...new Set(parts.map((s) => hostGroupNumberOf(engine, s, name)))].sort((a, b) => a - b);
}

/** `detailInfoType=logins,portMode` → a set of the requested details. */
export function detailTypes(raw: unknown): Set<string> {
  return new Set(String(raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0));
}
