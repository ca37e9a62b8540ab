import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Days a self-signed certificate is valid; one is made again when the cached one has less than a day left. */
export const CERT_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TlsMaterial { key: string; cert: string }

/** An EC P-256 certificate for `localhost` and 127.0.0.1, valid from `now` for CERT_DAYS days. */
export async function selfSignedCertificate(now = new Date()): Promise<TlsMaterial> {
  const selfsigned = await import('selfsigned');
  const gen = (selfsigned.default ?? selfsigned) as unknown as {
    generate: (attrs: unknown, opts: unknown) => Promise<{ private: string; cert: string }>;
  };
  // selfsigned 5 ignores `days`: the validity is notBeforeDate..notAfterDate (default one year).
  const pems = await gen.generate([{ name: 'commonName', value: 'vsp-emulator' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: now, notAfterDate: new Date(now.getTime() + CERT_DAYS * DAY_MS),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The HTTPS key and certificate: the operator's PEM files (both, or neither), else a self-signed certificate made
 * at first start and kept in `cacheDir` (key 0600) so restarts reuse it until it nears its end.
 */
export async function tlsMaterial(certPath?: string, keyPath?: string, cacheDir?: string, now = new Date()): Promise<TlsMaterial> {
  if (certPath !== undefined || keyPath !== undefined) {
    if (!certPath || !keyPath) throw new Error('--tls-cert and --tls-key go together');
    return { cert: readPem(certPath), key: readPem(keyPath) };
  }
  const cached = cacheDir ? { cert: join(cacheDir, 'tls-cert.pem'), key: join(cacheDir, 'tls-key.pem') } : null;
  if (cached && existsSync(cached.cert) && existsSync(cached.key)) {
    try {
      const cert = readFileSync(cached.cert, 'utf8');
      if (Date.parse(new X509Certificate(cert).validTo) - now.getTime() > DAY_MS) return { cert, key: readFileSync(cached.key, 'utf8') };
    } catch { /* unreadable or not a certificate: made again */ }
  }
  const made = await selfSignedCertificate(now);
  if (cached) {
    try {
      mkdirSync(dirname(cached.cert), { recursive: true, mode: 0o700 });
      writeFileSync(cached.key, made.key, { mode: 0o600 });
      chmodSync(cached.key, 0o600); // an older file keeps its mode through writeFileSync
      writeFileSync(cached.cert, made.cert);
    } catch { /* a read-only data folder only costs a new certificate next time */ }
  }
  return made;
}

function readPem(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch (e) {
    throw new Error(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

let inMemory: Promise<TlsMaterial> | null = null;
/**
 * One self-signed certificate per process, kept in memory only: what emulators started in-process without a database
 * folder use (made once, ~70 ms; every later start in the same process reuses it).
 */
export function processCertificate(): Promise<TlsMaterial> {
  inMemory ??= selfSignedCertificate();
  inMemory.catch(() => { inMemory = null; });
  return inMemory;
}
