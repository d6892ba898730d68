import fs from 'node:fs/promises';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { newId } from '#server/lib/ids.ts';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export type SigningKey = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JsonWebKey };

export type KeyRing = {
  /** The newest key: signs every new token. */
  current: SigningKey;
  byKid: Map<string, SigningKey>;
  /** Public keys for /.well-known/jwks.json. */
  jwks: { keys: JsonWebKey[] };
};

type StoredKey = { kid: string; createdAt: string; privateJwk: JsonWebKey };

async function importStoredKey(stored: StoredKey): Promise<SigningKey> {
  const { d: _private, key_ops: _ops, ...publicJwk } = stored.privateJwk;
  const privateKey = await webcrypto.subtle.importKey('jwk', stored.privateJwk, ALGORITHM, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, ALGORITHM, true, ['verify']);
  return {
    kid: stored.kid,
    privateKey,
    publicKey,
    publicJwk: {
      kty: publicJwk.kty,
      crv: publicJwk.crv,
      x: publicJwk.x,
      y: publicJwk.y,
      kid: stored.kid,
      use: 'sig',
      alg: 'ES256',
    } as JsonWebKey,
  };
}

async function generateStoredKey(): Promise<StoredKey> {
  const pair = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  return {
    kid: newId(),
    createdAt: new Date().toISOString(),
    privateJwk: await webcrypto.subtle.exportKey('jwk', pair.privateKey),
  };
}

/**
 * Loads the ES256 keys from DATA_DIR/keys, creating the first one (mode 0600) on first start.
 * Every stored key stays verifiable and published, so a key added later does not cut off live tokens.
 */
export async function loadKeyRing(dataDir: string): Promise<KeyRing> {
  const dir = path.join(dataDir, 'keys');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.json'));
  const stored: StoredKey[] = [];
  for (const file of files) {
    stored.push(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as StoredKey);
  }
  if (stored.length === 0) {
    const key = await generateStoredKey();
    // 'wx' fails if another process created the same file first; the kid is random, so it never should.
    await fs.writeFile(path.join(dir, `${key.kid}.json`), JSON.stringify(key), { mode: 0o600, flag: 'wx' });
    stored.push(key);
  }
  stored.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const keys = await Promise.all(stored.map(importStoredKey));
  const current = keys[keys.length - 1]!;
  return {
    current,
    byKid: new Map(keys.map((key) => [key.kid, key])),
    jwks: { keys: keys.map((key) => key.publicJwk) },
  };
}
