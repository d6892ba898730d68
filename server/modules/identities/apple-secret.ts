import { createPrivateKey, sign } from 'node:crypto';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import type { OidcProviderConfig } from './provider-config.ts';

const LIFETIME_SECONDS = 5 * 60; // 5 minutes: made for one token request

/**
 * Apple's client secret is a JWT signed ES256 with the key Apple issued to the team
 * (developer.apple.com, "Creating a client secret"), made afresh for each token request.
 */
export function appleClientSecret(provider: OidcProviderConfig, now: Date): string {
  const apple = provider.appleKey!;
  const iat = Math.floor(now.getTime() / 1000);
  const header = JSON.stringify({ alg: 'ES256', kid: apple.keyId });
  const payload = JSON.stringify({
    iss: apple.teamId,
    iat,
    exp: iat + LIFETIME_SECONDS,
    aud: provider.issuer,
    sub: provider.clientId,
  });
  const signature = sign('sha256', createJWTSignatureMessage(header, payload), {
    key: createPrivateKey(apple.privateKeyPem),
    dsaEncoding: 'ieee-p1363',
  });
  return encodeJWT(header, payload, signature);
}
