import { webcrypto } from 'node:crypto';
import { REFRESH_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import { newId } from '#server/lib/ids.ts';

/** The JWS algorithms an access token may be signed with (ACCESS_TOKEN_ALG, API.md §16). */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

type Suite = {
  generate: EcKeyGenParams | RsaHashedKeyGenParams;
  importParams: EcKeyImportParams | RsaHashedImportParams;
  signParams: EcdsaParams | AlgorithmIdentifier;
  /** JWS fixes it: r||s for ES256 (RFC 7518 §3.4), the modulus length for RS256 (RFC 8017 §8.2.2). */
  signatureLength: number;
  publicMembers: readonly (keyof JsonWebKey)[];
};

const SUITES: Record<SigningAlgorithm, Suite> = {
  ES256: {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    importParams: { name: 'ECDSA', namedCurve: 'P-256' },
    signParams: { name: 'ECDSA', hash: 'SHA-256' },
    signatureLength: 64,
    publicMembers: ['kty', 'crv', 'x', 'y'],
  },
  RS256: {
    // 3072 bits: NIST SP 800-57's size for use beyond 2030 (128-bit security, as P-256).
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 3072,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    signParams: { name: 'RSASSA-PKCS1-v1_5' },
    signatureLength: 384,
    publicMembers: ['kty', 'n', 'e'],
  },
};

/**
 * A kept key's algorithm, read from the key itself: key files of earlier installs and the rows
 * written before RS256 carry no algorithm of their own, and they are all P-256.
 */
export function algorithmOf(jwk: JsonWebKey): SigningAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  throw new Error(`A kept signing key is neither P-256 nor RSA (kty ${String(jwk.kty)})`);
}

export type SigningKey = {
  kid: string;
  /** The only `alg` a token naming this key may carry (RFC 8725 §3.1: no algorithm confusion). */
  alg: SigningAlgorithm;
  signParams: EcdsaParams | AlgorithmIdentifier;
  signatureLength: number;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JsonWebKey;
  /** Signs new tokens from this instant on; published before it. */
  activatesAt: Date;
};

/** A signing key as kept (keys table, or a key file of an earlier install): its private JWK. */
export type SigningKeyRecord = { kid: string; privateJwk: JsonWebKey; activatesAt: Date };

export type KeyRing = {
  /** The newest key whose activation has come: signs every new token. */
  readonly current: SigningKey;
  byKid: Map<string, SigningKey>;
  /** Public keys for /.well-known/jwks.json: every key kept, the not yet active ones included. */
  jwks: { keys: JsonWebKey[] };
  /** A key by kid; an unknown kid reloads the ring first (at most every few seconds). */
  find(kid: string): Promise<SigningKey | undefined>;
  /** Reads the kept keys again: a key added by another instance or a rotation joins the ring. */
  reload(): Promise<void>;
};

// How long a new key is published before it signs: every instance reloads within a minute and
// verifiers may cache the JWKS for five (API.md §11).
export const SIGNING_KEY_ACTIVATION_DELAY_MS = 6 * 60 * 1000; // 6 minutes
const UNKNOWN_KID_RELOAD_MS = 5_000; // 5 seconds

export async function generateSigningKey(alg: SigningAlgorithm, activatesAt: Date): Promise<SigningKeyRecord> {
  const pair = (await webcrypto.subtle.generateKey(SUITES[alg].generate, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { kid: newId(), privateJwk: await webcrypto.subtle.exportKey('jwk', pair.privateKey), activatesAt };
}

async function importSigningKey(record: SigningKeyRecord): Promise<SigningKey> {
  const alg = algorithmOf(record.privateJwk);
  const suite = SUITES[alg];
  const publicMembers = Object.fromEntries(
    suite.publicMembers.map((member) => [member, record.privateJwk[member]]),
  ) as JsonWebKey;
  const privateKey = await webcrypto.subtle.importKey('jwk', record.privateJwk, suite.importParams, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('jwk', publicMembers, suite.importParams, true, ['verify']);
  return {
    kid: record.kid,
    alg,
    signParams: suite.signParams,
    signatureLength: suite.signatureLength,
    privateKey,
    publicKey,
    activatesAt: record.activatesAt,
    publicJwk: { ...publicMembers, kid: record.kid, use: 'sig', alg } as JsonWebKey,
  };
}

/**
 * The keys whose every token has expired: a newer key has been signing for longer than a
 * refresh token lives. The newest active key is never among them.
 */
export function retiredSigningKeys(records: Pick<SigningKeyRecord, 'kid' | 'activatesAt'>[], now: Date): string[] {
  const sorted = [...records].sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
  return sorted
    .filter((_, index) => {
      const successor = sorted[index + 1];
      return (
        successor !== undefined &&
        successor.activatesAt.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000 + 60_000 < now.getTime()
      );
    })
    .map((record) => record.kid);
}

/**
 * A ring over the kept keys, read by `load`. Every kept key verifies and is published, so a key
 * added later does not cut off live tokens; the current one follows the clock.
 */
export async function createKeyRing(load: () => Promise<SigningKeyRecord[]>, now: () => Date): Promise<KeyRing> {
  let keys: SigningKey[] = [];
  let lastReload = 0;
  const imported = new Map<string, SigningKey>();

  const ring: KeyRing = {
    get current() {
      const at = now().getTime();
      const active = keys.filter((key) => key.activatesAt.getTime() <= at);
      return active.at(-1) ?? keys[0]!;
    },
    byKid: new Map(),
    jwks: { keys: [] },
    async find(kid) {
      const known = ring.byKid.get(kid);
      if (known || Date.now() - lastReload < UNKNOWN_KID_RELOAD_MS) return known;
      await ring.reload();
      return ring.byKid.get(kid);
    },
    async reload() {
      lastReload = Date.now();
      const records = await load();
      if (records.length === 0) throw new Error('No signing key is kept');
      const next: SigningKey[] = [];
      for (const record of records) {
        let key = imported.get(record.kid);
        if (!key) imported.set(record.kid, (key = await importSigningKey(record)));
        next.push(key);
      }
      next.sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
      keys = next;
      ring.byKid = new Map(next.map((key) => [key.kid, key]));
      ring.jwks = { keys: next.map((key) => key.publicJwk) };
    },
  };
  await ring.reload();
  return ring;
}
