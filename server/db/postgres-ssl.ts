import fs from 'node:fs';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { StartupError } from '#server/lib/startup-failure.ts';

/**
 * The TLS settings of a postgres:// URL's `sslmode` and `sslrootcert`, as libpq means them:
 * `require` encrypts without checking the certificate, `verify-ca` checks it was issued by the
 * root certificate, `verify-full` also that it names the host. MikroORM reads only the host, port,
 * user, password and database from the URL, so these are passed to the driver separately.
 */
export function postgresSsl(url: string): ConnectionOptions | false {
  const { hostname, searchParams: params } = new URL(url);
  const mode = params.get('sslmode') ?? 'disable';
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  const rootCert = params.get('sslrootcert');
  let ca: string | undefined;
  if (rootCert) {
    try {
      ca = fs.readFileSync(rootCert, 'utf8');
    } catch (error) {
      throw new StartupError(
        `DATABASE_URL's sslrootcert ${rootCert} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    // node-postgres gives TLS no name for an IP address, and Node then checks 'localhost': name the host.
    checkServerIdentity:
      mode === 'verify-ca'
        ? () => undefined
        : (_name, certificate) => checkServerIdentity(hostname.replace(/^\[|\]$/g, ''), certificate),
  };
}
