import { webcrypto } from 'node:crypto';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { createJWTSignatureMessage, parseJWT } from '@oslojs/jwt';
import { SIGNING_ALGORITHMS, type KeyRing } from './signing-keys.ts';

const ascii = new TextDecoder();

/** RFC 9068 access tokens and our refresh tokens: never accepted in each other's place. */
export type TokenType = 'at+jwt' | 'refresh+jwt';

export type JwtClaims = {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  [claim: string]: unknown;
};

export async function signJwt(keys: KeyRing, typ: TokenType, claims: JwtClaims): Promise<string> {
  const { kid, alg, privateKey, signParams } = keys.current;
  const payloadJSON = JSON.stringify(claims);
  const message = createJWTSignatureMessage(JSON.stringify({ alg, typ, kid }), payloadJSON);
  // Web Crypto's ECDSA signature is r||s (IEEE P1363), exactly what JWS ES256 wants; its
  // RSASSA-PKCS1-v1_5 signature is the octet string RS256 wants.
  const signature = new Uint8Array(await webcrypto.subtle.sign(signParams, privateKey, message));
  // The message is the encoded header and payload already: encode only the signature.
  const token = `${ascii.decode(message)}.${encodeBase64urlNoPadding(signature)}`;
  // A token signed here is valid by construction: its first use needs no signature check. The
  // claims are remembered as a verification would read them back.
  if (typ === 'at+jwt') remember(keys, token, kid, JSON.parse(payloadJSON) as JwtClaims);
  return token;
}

type Expectations = { typ: TokenType; issuer: string; audience: string; now: Date };

const isSigningAlgorithm = (alg: unknown): boolean => (SIGNING_ALGORITHMS as readonly unknown[]).includes(alg);

function isClaims(value: unknown): value is JwtClaims {
  const c = value as Record<string, unknown>;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.iss === 'string' &&
    typeof c.aud === 'string' &&
    typeof c.sub === 'string' &&
    typeof c.sid === 'string' &&
    typeof c.iat === 'number' &&
    typeof c.exp === 'number'
  );
}

// Clients present the same access token on every request until it expires, so a verified one is
// remembered by its exact text and its signature checked once per key ring (docs/benchmarks.md).
// Refresh tokens are presented once: never remembered.
const REMEMBERED_ACCESS_TOKENS = 16_384;
type Remembered = Map<string, { kid: string; claims: JwtClaims }>;
const verifiedByRing = new WeakMap<KeyRing, Remembered>();

function rememberedBy(keys: KeyRing): Remembered {
  let remembered = verifiedByRing.get(keys);
  if (!remembered) verifiedByRing.set(keys, (remembered = new Map()));
  return remembered;
}

function remember(keys: KeyRing, token: string, kid: string, claims: JwtClaims): void {
  const remembered = rememberedBy(keys);
  if (remembered.size >= REMEMBERED_ACCESS_TOKENS) remembered.delete(remembered.keys().next().value!);
  remembered.set(token, { kid, claims: Object.freeze(claims) });
}

function acceptable(claims: JwtClaims, expected: Expectations): JwtClaims | null {
  if (claims.iss !== expected.issuer || claims.aud !== expected.audience) return null;
  if (claims.exp * 1000 <= expected.now.getTime()) return null;
  return claims;
}

/** The claims of a valid token of the expected type, or null for anything else. Never throws. */
export async function verifyJwt(keys: KeyRing, token: string, expected: Expectations): Promise<JwtClaims | null> {
  const known = expected.typ === 'at+jwt' ? rememberedBy(keys).get(token) : undefined;
  if (known) return keys.byKid.has(known.kid) ? acceptable(known.claims, expected) : null;

  let parsed: ReturnType<typeof parseJWT>;
  try {
    parsed = parseJWT(token);
  } catch {
    return null;
  }
  const [header, payload, signature, message] = parsed as [Record<string, unknown>, unknown, Uint8Array, Uint8Array];
  // An algorithm we never sign with (none, HS256 with the public key as its secret...) is refused
  // before any key is looked up: an unknown kid would reload the ring.
  if (!isSigningAlgorithm(header.alg) || header.typ !== expected.typ || typeof header.kid !== 'string') return null;
  const key = await keys.find(header.kid);
  // The key decides the algorithm, never the token: an ES256 header on an RSA key's kid (or the
  // other way round) is refused (RFC 8725 §2.1, §3.1).
  if (!key || header.alg !== key.alg || signature.length !== key.signatureLength) return null;
  const valid = await webcrypto.subtle.verify(key.signParams, key.publicKey, signature, message);
  if (!valid || !isClaims(payload)) return null;
  if (expected.typ === 'at+jwt') remember(keys, token, header.kid, payload);
  return acceptable(payload, expected);
}
