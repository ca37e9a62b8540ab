import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CERT_DAYS, selfSignedCertificate, tlsMaterial } from '../../src/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'vsp-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 24 * 60 * 60 * 1000;

describe('self-signed certificate', () => {
  it(`is valid ${CERT_DAYS} days from now, for localhost and 127.0.0.1, with an EC P-256 key`, async () => {
    const now = new Date(Date.UTC(2026, 0, 5, 10, 0, 0));
    const { cert, key } = await selfSignedCertificate(now);
    const x = new X509Certificate(cert);
    expect(CERT_DAYS).toBe(365);
    expect(Date.parse(x.validFrom)).toBe(now.getTime());
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBe(365 * DAY);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(createPrivateKey(key).asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
  });

  it('is kept beside the database (key 0600), reused, and made again when less than a day is left', async () => {
    const cache = join(dir, 'data');
    const first = await tlsMaterial(undefined, undefined, cache);
    expect(statSync(join(cache, 'tls-key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cache, 'tls-cert.pem'), 'utf8')).toBe(first.cert);
    expect((await tlsMaterial(undefined, undefined, cache)).cert).toBe(first.cert);
    const nearEnd = new Date(Date.parse(new X509Certificate(first.cert).validTo) - 12 * 60 * 60 * 1000);
    const renewed = await tlsMaterial(undefined, undefined, cache, nearEnd);
    expect(renewed.cert).not.toBe(first.cert);
    expect(Date.parse(new X509Certificate(renewed.cert).validFrom)).toBe(Math.floor(nearEnd.getTime() / 1000) * 1000);
    expect(statSync(join(cache, 'tls-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('the operator\'s PEM files are read as given, only as a pair', async () => {
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    expect(await tlsMaterial(join(dir, 'c.pem'), join(dir, 'k.pem'))).toEqual({ cert: 'CERT', key: 'KEY' });
    await expect(tlsMaterial(join(dir, 'c.pem'), undefined)).rejects.toThrow('--tls-cert and --tls-key go together');
    await expect(tlsMaterial(join(dir, 'c.pem'), join(dir, 'none.pem'))).rejects.toThrow(`${join(dir, 'none.pem')}: cannot be read (ENOENT)`);
  });
});
