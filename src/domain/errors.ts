/**
 * The one error catalog. Every error the emulator can produce is a row here: HTTP status (for synchronous
 * errors) or the job-failure form, messageId, message, cause, solution, solutionType, SSB1/SSB2 and the
 * RAID-Manager return code. Rows marked certainty 'I' are our best reading of public material; a fixture can
 * override any row (`errors:` in the fixture file), see README "Fidelity notes".
 */

export type Certainty = 'C' | 'L' | 'I';

export interface CatalogEntry {
  /** HTTP status when the error is answered synchronously; jobs carry it inside `error` regardless. */
  status: number;
  messageId: string;
  /** `{name}` placeholders are filled from the vars given when the error is raised. */
  message: string;
  cause?: string;
  solution: string;
  solutionType: 'SEE_ERROR_DETAIL' | 'RETRY';
  ssb1?: string;
  ssb2?: string;
  /** RAID-Manager style return code placed at errorCode.errorCode (Cinder reads it). */
  returnCode?: string;
  certainty: Certainty;
  /** Where the fact comes from (reference section). */
  source: string;
}

const STORAGE_CAUSE = 'An error occurred during execution of a RAID Manager command.';
const STORAGE_MESSAGE = 'An error occurred in the storage system. (message = {detail})';

function storage(detail: string, ssb1: string, ssb2: string, certainty: Certainty, source: string,
  extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    status: 409,
    messageId: 'KART30000-E',
    message: STORAGE_MESSAGE.replace('{detail}', detail),
    cause: STORAGE_CAUSE,
    solution: 'Check the status of the storage system and the specified resources, and then try again.',
    solutionType: 'SEE_ERROR_DETAIL',
    ssb1,
    ssb2,
    certainty,
    source,
    ...extra,
  };
}

export const defaultCatalog = {
  // ---- request validation (synchronous 400) ----
  unknownAttribute: {
    status: 400, messageId: 'KART40038-E',
    message: 'An unsupported parameter is specified in the request body, or the hierarchy of the specified parameter is invalid (attribute = {attribute})',
    solution: 'Check whether the specified attribute is correct, and whether the attribute is specified in the correct hierarchy.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.1 (tf comment), 4.3',
  },
  requiredParameter: {
    status: 400, messageId: 'KART20008-E', message: 'Required parameters are not specified. (parameter = {attribute})',
    solution: 'Check parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.1 (HCSR0079)',
  },
  requiredQuery: {
    status: 400, messageId: 'KART40044-E', message: 'Required parameters are not specified. (parameter = {attribute})',
    solution: 'Specify the required query parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3',
  },
  invalidCombination: {
    status: 400, messageId: 'KART40046-E',
    message: 'Required parameters are not specified, or the combination of the specified parameters is invalid. ({detail})',
    solution: 'Check the parameters and their combination.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3',
  },
  invalidParameterCombination: {
    status: 400, messageId: 'KART20016-E', message: 'The combination of the specified parameters is invalid. ({detail})',
    solution: 'Check the combination of the parameters.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'L', source: 'ref 4.3 (pve-FCLU)',
  },
  invalidValue: {
    status: 400, messageId: 'KART40039-E', message: 'The specified value is invalid. (attribute = {attribute}, value = {value})',
    solution: 'Specify a valid value.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'inferred: KART400xx family',
  },
  invalidJson: {
    status: 400, messageId: 'KART40040-E', message: 'The request body is not in the correct format. ({detail})',
    solution: 'Specify the request body in JSON format.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'inferred',
  },
  unsupportedMediaType: {
    status: 415, messageId: 'KART40041-E', message: 'The specified Content-Type is not supported. (Content-Type = {value})',
    solution: 'Specify application/json.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2',
  },
  // ---- auth / sessions ----
  authRequired: {
    status: 401, messageId: 'KART40005-E', message: 'Authentication failed. The Authorization header is not specified or is invalid.',
    cause: 'The user could not be authenticated.', solution: 'Specify valid authentication information.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (401)',
  },
  invalidCredentials: {
    status: 401, messageId: 'KART40005-E', message: 'Authentication failed. The user ID or password is incorrect.',
    cause: 'The user could not be authenticated.', solution: 'Specify a valid user ID and password.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (401)',
  },
  invalidToken: {
    status: 401, messageId: 'KART40006-E', message: 'The specified token is invalid. (token = {token})',
    cause: 'The session has expired or has been discarded.', solution: 'Generate a session again, and then retry.',
    solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 2.1 (ansible matches the text; cinder reacts to 401)',
  },
  tooManySessions: {
    status: 503, messageId: 'KART40062-E', message: 'The maximum number of sessions ({limit}) has been reached.',
    solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', certainty: 'C', source: 'ref 2.1 (64 sessions, 503)',
  },
  // ---- routing ----
  objectNotFound: {
    status: 404, messageId: 'KART30013-E', message: 'Specified object does not exist. (object = {object})',
    cause: 'The specified object does not exist in the storage system.', solution: 'Specify an existing object.',
    solutionType: 'SEE_ERROR_DETAIL', returnCode: 'EX_ENOOBJ', certainty: 'I', source: 'ref 4.3, 12.2 (substring matched by ansible)',
  },
  noResource: {
    status: 404, messageId: 'KART20009-E', message: 'No resource exists at the specified URL. (URL = {url})',
    solution: 'Check the URL.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'C', source: 'ref 4.3',
  },
  methodNotAllowed: {
    status: 405, messageId: 'KART20010-E', message: 'The specified method is not supported for this URL. (method = {method})',
    solution: 'Specify a supported HTTP method.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'ref 4.2 (405)',
  },
  serverBusy: {
    status: 503, messageId: 'KART00003-E', message: 'The REST server is busy.',
    solution: 'Wait a while and then run the request again.', solutionType: 'RETRY', certainty: 'C', source: 'ref 4.3',
  },
  internal: {
    status: 500, messageId: 'KART00001-E', message: 'An internal error occurred in the REST API server. ({detail})',
    solution: 'Contact the emulator maintainers with the log.', solutionType: 'SEE_ERROR_DETAIL', certainty: 'I', source: 'never expected',
  },
  // ---- storage-side rejections (Failed jobs, KART30000-E + SSB) ----
  ldevAlreadyDefined: storage('The specified LDEV is already defined.', '2E22', '0001', 'C', 'ref 4.4 (cinder LDEV_ALREADY_DEFINED)'),
  noFreeLdevId: storage('There is no free LDEV ID in the specified range.', '2E11', '2209', 'C', 'ref 4.4 (cinder NO_AVAILABLE_LDEV_ID)'),
  ldevNotDefined: storage('The specified LDEV is not installed.', '2E20', '0000', 'C', 'ref 4.4 (cinder-horcm INVALID_LUN_SSB)'),
  poolNotFound: storage('The specified pool does not exist or is not a pool that can be used.', '2E10', '9700', 'I', 'inferred'),
  poolCapacityExhausted: storage('The pool capacity is insufficient, or the subscription limit of the pool is exceeded.', '2E30', '0007', 'I',
    'inferred: 2E30,0007 is in cinder REST_NO_RETRY_ERRORS'),
  capacityOutOfRange: storage('The specified capacity is out of range.', '2E10', '9705', 'I', 'inferred: 2E10,9705 is in cinder REST_NO_RETRY_ERRORS; E590H rejects <= 46 MiB [L]'),
  ldevHasLuPaths: storage('The LDEV cannot be deleted because LU paths are defined for it.', '2E10', '9706', 'I', 'ref 7.1 [L] refusal; SSB inferred'),
  ldevInPair: storage('The LDEV cannot be deleted or changed because it is assigned to a pair.', '2E10', '9707', 'I', 'ref 7.1 [L] refusal; SSB inferred'),
  ldevHasPairsExpand: storage('The LDEV cannot be expanded because it is used by a copy pair.', 'B96B', 'AF2E', 'I', 'ref 4.1 (SAE HSAE0118)'),
  luPathAlreadyDefined: storage('The LU path is already defined.', 'B958', '015A', 'C', 'ref 4.4 (cinder _LU_PATH_DEFINED)'),
  lunInUse: storage('Another LDEV is already mapped to the specified LUN.', 'B958', '0947', 'C', 'ref 4.4 (cinder ANOTHER_LDEV_MAPPED)'),
  noFreeLun: storage('There is no free LUN in the host group.', 'B958', '0201', 'I', 'inferred'),
  lastPathOfSnapshotPvol: storage('The last LU path of a Thin Image P-VOL cannot be deleted while the volume has snapshot pairs.', 'B958', '020A', 'I',
    'ref 4.4 (cinder-horcm SNAP_LAST_PATH_SSB)'),
  hostGroupNameInUse: storage('The specified host group name is already used on the port.', 'B957', '4186', 'I', 'inferred'),
  noFreeHostGroup: storage('There is no free host group number on the port.', 'B957', '4187', 'I', 'inferred'),
  hostGroupHasLuns: storage('The host group cannot be deleted because LU paths are defined in it.', 'B957', '4189', 'I', 'inferred'),
  hostGroupZero: storage('Host group 0 cannot be deleted.', 'B957', '418A', 'I', 'inferred'),
  wwnAlreadyRegistered: storage('The WWN is already registered in a host group of the port.', 'B957', '4185', 'I', 'inferred'),
  exceedWwnMax: storage('The maximum number of WWNs has been exceeded.', 'B957', '4184', 'C', 'ref 4.4 (cinder EXCEED_WWN_MAX)'),
  portTypeMismatch: storage('The operation is not supported for the type of the specified port.', 'B957', '4100', 'I', 'inferred'),
  parityGroupNotEmulated: storage('The specified parity group does not exist.', '2E10', '0100', 'I', 'parity groups are not emulated'),
  resourceLocked: storage('The resource is locked by another session.', '2E11', '2205', 'C', 'ref 4.4 (cinder _REST_LOCKED_ERRORS)',
    { returnCode: 'EX_EACCES' }),
} satisfies Record<string, CatalogEntry>;

export type ErrorKey = keyof typeof defaultCatalog | (string & {});
export type Catalog = Record<string, CatalogEntry>;

/** An error raised by domain or engine code; the wire layer renders it, the job layer stores it. */
export class VspError extends Error {
  constructor(readonly key: ErrorKey, readonly vars: Record<string, string | number> = {}, readonly statusOverride?: number) {
    super(`${key}`);
  }
}

export function vspError(key: ErrorKey, vars: Record<string, string | number> = {}): VspError {
  return new VspError(key, vars);
}

export interface ErrorBody {
  errorSource?: string;
  messageId: string;
  message: string;
  cause?: string;
  solution: string;
  solutionType: string;
  errorCode?: { SSB1?: string; SSB2?: string; errorCode?: string };
  detailCode: string;
}

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** `KART40038-E` → `40038E-0`, the array's detailCode shape. */
export function detailCodeOf(messageId: string): string {
  const m = /^KART(\d+)-([A-Z])$/.exec(messageId);
  return m ? `${m[1]}${m[2]}-0` : '00000E-0';
}

/** Renders a catalog row into the VSP error object a client reads. */
export function renderError(catalog: Catalog, err: VspError, errorSource?: string): { status: number; body: ErrorBody } {
  const entry = catalog[err.key] ?? catalog.internal!;
  const body: ErrorBody = {
    ...(errorSource ? { errorSource } : {}),
    messageId: entry.messageId,
    message: fill(entry.message, err.vars),
    ...(entry.cause ? { cause: fill(entry.cause, err.vars) } : {}),
    solution: fill(entry.solution, err.vars),
    solutionType: entry.solutionType,
    detailCode: detailCodeOf(entry.messageId),
  };
  if (entry.ssb1 || entry.returnCode) {
    body.errorCode = {
      ...(entry.ssb1 ? { SSB1: entry.ssb1, SSB2: entry.ssb2 ?? '0000' } : {}),
      ...(entry.returnCode ? { errorCode: entry.returnCode } : {}),
    };
  }
  return { status: err.statusOverride ?? entry.status, body };
}

/** Merges fixture overrides (partial rows) over the default catalog. */
export function buildCatalog(overrides: Record<string, Partial<CatalogEntry>> = {}): Catalog {
  const out: Catalog = { ...defaultCatalog };
  for (const [k, v] of Object.entries(overrides)) {
    const base = out[k];
    out[k] = { ...(base ?? defaultCatalog.internal), ...v } as CatalogEntry;
  }
  return out;
}
