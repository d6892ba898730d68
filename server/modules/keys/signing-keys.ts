import { webcrypto } from 'node:crypto';
import { REFRESH_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import { newId } from '#server/lib/ids.ts';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export type SigningKey = {
  kid: string;
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

export async function generateSigningKey(activatesAt: Date): Promise<SigningKeyRecord> {
  const pair = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  return { kid: newId(), privateJwk: await webcrypto.subtle.exportKey('jwk', pair.privateKey), activatesAt };
}

async function importSigningKey(record: SigningKeyRecord): Promise<SigningKey> {
  const { d: _private, key_ops: _ops, ...publicJwk } = record.privateJwk;
  const privateKey = await webcrypto.subtle.importKey('jwk', record.privateJwk, ALGORITHM, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, ALGORITHM, true, ['verify']);
  return {
    kid: record.kid,
    privateKey,
    publicKey,
    activatesAt: record.activatesAt,
    publicJwk: {
      kty: publicJwk.kty,
      crv: publicJwk.crv,
      x: publicJwk.x,
      y: publicJwk.y,
      kid: record.kid,
      use: 'sig',
      alg: 'ES256',
    } as JsonWebKey,
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
