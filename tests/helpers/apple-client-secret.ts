import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

/**
 * Apple's side of "Sign in with Apple" client authentication: the client secret is not a shared
 * string but a JWT that the relying party signs ES256 with the key Apple issued to the team
 * (developer.apple.com, "Creating a client secret"). oidc-provider knows only shared secrets, so the
 * test OpenID Provider checks this JWT itself before the library sees the request.
 */

/** The team's key as Apple keeps it: its public half (a KeyObject, or SPKI PEM). */
export type AppleTeamKey = { teamId: string; keyId: string; publicKey: KeyObject | string };

/** A P-256 key as Apple hands it out: the private key as PKCS #8 PEM (a .p8 file, APPLE_PRIVATE_KEY). */
export function appleSigningKey(): { privateKeyPem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey };
}

// Apple refuses client secrets valid for longer than 6 months (15,777,000 seconds).
const MAX_LIFETIME_SECONDS = 15_777_000;

/** Why Apple would refuse this client secret, or null when it would accept it. */
export function appleClientSecretProblem(
  secret: string | null,
  expected: AppleTeamKey & { clientId: string; audience: string },
  now = Date.now(),
): string | null {
  const parts = (secret ?? '').split('.');
  if (parts.length !== 3) return 'the client secret is not a JWT';
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'the client secret is not a JWT';
  }
  if (header.alg !== 'ES256') return `alg ${String(header.alg)}, not ES256`;
  if (header.kid !== expected.keyId) return `kid ${String(header.kid)}, not the team's key ${expected.keyId}`;
  const signed = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    {
      key: typeof expected.publicKey === 'string' ? createPublicKey(expected.publicKey) : expected.publicKey,
      dsaEncoding: 'ieee-p1363',
    },
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) return 'the signature does not verify with the team key';
  if (payload.iss !== expected.teamId) return `iss ${String(payload.iss)}, not the team ${expected.teamId}`;
  if (payload.sub !== expected.clientId) return `sub ${String(payload.sub)}, not the client ${expected.clientId}`;
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.includes(expected.audience)) return `aud ${String(payload.aud)}, not ${expected.audience}`;
  const seconds = Math.floor(now / 1000);
  if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return 'iat or exp missing';
  if (payload.exp <= seconds) return 'expired';
  if (payload.iat > seconds + 60) return 'issued in the future';
  if (payload.exp - payload.iat > MAX_LIFETIME_SECONDS) return 'valid for more than 6 months';
  return null;
}
