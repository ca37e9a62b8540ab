/**
 * Behaviour the public evidence leaves open, as data. Each row names our choice and why; a fixture's
 * `fidelity:` section (or the control plane) overrides any row. The README's "Fidelity notes" mirror this table.
 */
export interface Fidelity {
  /** Seconds a `Response-Job-Status: Completed` request is held when no `Response-Max-Wait` is sent [I]. */
  responseMaxWaitDefaultSeconds: number;
  /** `self` and `affectedResources` follow the request's URL form ('request') or are always embedded ('embedded') [I, ref 12.6]. */
  jobUrlForm: 'request' | 'embedded';
  /** Basic auth accepted on every request, not only POST sessions [L, ref 2.1 pve on E590H]. */
  basicAuthOnEveryRequest: boolean;
  /** Smallest DP volume the array creates, in MiB: <= 46 MiB fails on the E590H [L]. */
  minDpVolumeMiB: number;
  /** Largest volume, in MiB (256 TiB) [I]. */
  maxVolumeMiB: number;
  /** Largest `count` accepted by GET ldevs [C doc range 1-16384]. */
  ldevListMaxCount: number;
  /** HTTP status of `GET snapshots` with an invalid filter combination [I, ref 5.3]. */
  invalidSnapshotQueryStatus: number;
  [row: string]: unknown;
}

export const defaultFidelity: Fidelity = {
  responseMaxWaitDefaultSeconds: 60,
  jobUrlForm: 'request',
  basicAuthOnEveryRequest: true,
  minDpVolumeMiB: 47,
  maxVolumeMiB: 256 * 1024 * 1024,
  ldevListMaxCount: 16384,
  invalidSnapshotQueryStatus: 400,
};
