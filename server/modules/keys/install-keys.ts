import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '#server/config.ts';
import type { Orm } from '#server/db/orm.ts';
import { executeSql } from '#server/lib/sql.ts';
import { StartupError } from '#server/lib/startup-failure.ts';
import type { SecretBox } from '#server/modules/mfa/secret-box.ts';
import { keySealer, loadMasterKey } from './master-key.ts';
import {
  SIGNING_KEY_ACTIVATION_DELAY_MS,
  algorithmOf,
  createKeyRing,
  generateSigningKey,
  retiredSigningKeys,
  type KeyRing,
  type SigningKeyRecord,
} from './signing-keys.ts';
import { StoredKeyEntity, type KeyPurpose } from './stored-key.entity.ts';

export type InstallKeys = { keys: KeyRing; secretBoxKey: Buffer; deviceCookieKey: Buffer };

// Instances starting at once on an empty table race to add the first keys: each insert names a
// unique slot, so exactly one of each survives, and every instance then reads the same rows.
const INSERT_KEY = `insert into keys (id, purpose, slot, sealed, created_at, activates_at)
  values (?, ?, ?, ?, ?, ?) on conflict do nothing`;

async function insertKey(
  em: EntityManager,
  sealer: SecretBox,
  key: { id: string; purpose: KeyPurpose; slot: string | null; secret: Buffer; createdAt: Date; activatesAt: Date },
): Promise<void> {
  const sealed = sealer.seal(key.secret);
  await executeSql(em, INSERT_KEY, [key.id, key.purpose, key.slot, sealed, key.createdAt, key.activatesAt], 'run');
}

/** A signing key as a row: its private JWK is the sealed secret, its kid the id. */
function insertSigningKey(
  em: EntityManager,
  sealer: SecretBox,
  record: SigningKeyRecord,
  row: { slot: string | null; createdAt: Date },
): Promise<void> {
  return insertKey(em, sealer, {
    id: record.kid,
    purpose: 'signing',
    secret: Buffer.from(JSON.stringify(record.privateJwk)),
    activatesAt: record.activatesAt,
    ...row,
  });
}

const readIfThere = (file: string) => fs.readFile(file, 'utf8').catch(() => null);

/** The key files an install before keys-in-the-database kept in DATA_DIR/keys: imported once. */
async function keyFilesOf(dataDir: string): Promise<{ signing: SigningKeyRecord[]; raw: Map<string, Buffer> }> {
  const dir = path.join(dataDir, 'keys');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const signing: SigningKeyRecord[] = [];
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    const stored = JSON.parse((await readIfThere(path.join(dir, name))) ?? '{}') as {
      kid?: string;
      createdAt?: string;
      privateJwk?: JsonWebKey;
    };
    if (stored.kid && stored.privateJwk && stored.createdAt) {
      signing.push({ kid: stored.kid, privateJwk: stored.privateJwk, activatesAt: new Date(stored.createdAt) });
    }
  }
  signing.sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
  const raw = new Map<string, Buffer>();
  for (const purpose of ['secret-box', 'device-cookie'] as const) {
    const text = await readIfThere(path.join(dir, `${purpose}.key`));
    if (text !== null) raw.set(purpose, Buffer.from(text.trim(), 'base64'));
  }
  return { signing, raw };
}

/**
 * The install's keys from the database (API.md §11), sealed with the key derived from MASTER_KEY.
 * On an empty table, the key files of an earlier install are imported (nobody is signed out, no
 * two-factor set-up is lost), else new keys are made.
 */
export async function openInstallKeys(
  orm: Orm,
  config: Pick<Config, 'masterKey' | 'dataDir' | 'accessTokenAlg'>,
  now: () => Date,
): Promise<InstallKeys> {
  const sealer = keySealer(await loadMasterKey(config));
  const em = orm.em.fork();
  const kept = await em.find(StoredKeyEntity, {});
  const has = (purpose: KeyPurpose) => kept.some((row) => row.purpose === purpose);
  const missing = (['signing', 'secret-box', 'device-cookie'] as const).filter((purpose) => !has(purpose));
  if (missing.length > 0) {
    const files = await keyFilesOf(config.dataDir);
    // Real time, not the ring's clock: the ring is read only once built.
    const createdAt = new Date();
    if (missing.includes('signing')) {
      const signing =
        files.signing.length > 0 ? files.signing : [await generateSigningKey(config.accessTokenAlg, createdAt)];
      for (const [index, record] of signing.entries()) {
        await insertSigningKey(em, sealer, record, { slot: index === 0 ? 'signing-first' : null, createdAt });
      }
    }
    for (const purpose of ['secret-box', 'device-cookie'] as const) {
      if (!missing.includes(purpose)) continue;
      const secret = files.raw.get(purpose) ?? randomBytes(32);
      await insertKey(em, sealer, { id: purpose, purpose, slot: purpose, secret, createdAt, activatesAt: createdAt });
    }
  }

  const open = (sealed: string): Buffer => {
    try {
      return Buffer.from(sealer.open(sealed));
    } catch {
      throw new StartupError(
        'MASTER_KEY does not open the keys kept in the database: it is not the master key this install was started with.',
      );
    }
  };
  const rawKey = async (purpose: 'secret-box' | 'device-cookie') => {
    const row = await orm.em.fork().findOneOrFail(StoredKeyEntity, { id: purpose });
    return open(row.sealed);
  };
  const loadSigning = async (): Promise<SigningKeyRecord[]> =>
    (await orm.em.fork().find(StoredKeyEntity, { purpose: 'signing' })).map((row) => ({
      kid: row.id,
      privateJwk: JSON.parse(open(row.sealed).toString('utf8')) as JsonWebKey,
      activatesAt: row.activatesAt,
    }));
  await switchAlgorithmIfAsked(em, sealer, await loadSigning(), config.accessTokenAlg);
  return {
    keys: await createKeyRing(loadSigning, now),
    secretBoxKey: await rawKey('secret-box'),
    deviceCookieKey: await rawKey('device-cookie'),
  };
}

/**
 * ACCESS_TOKEN_ALG changed (API.md §16): a key of the new algorithm is added as `rotate-keys` adds
 * one, published at once and signing after the activation delay, so verifiers holding the JWKS
 * of five minutes ago still know every token's key, and the old key's tokens stay valid. The
 * newest key counts, not yet active or not: instances restarted one after another during the
 * delay add nothing more, and those starting at once claim the same slot, so one key is added.
 */
async function switchAlgorithmIfAsked(
  em: EntityManager,
  sealer: SecretBox,
  kept: SigningKeyRecord[],
  wanted: Config['accessTokenAlg'],
): Promise<void> {
  const newest = kept.reduce((a, b) => (b.activatesAt.getTime() > a.activatesAt.getTime() ? b : a));
  if (algorithmOf(newest.privateJwk) === wanted) return;
  const createdAt = new Date();
  const record = await generateSigningKey(wanted, new Date(createdAt.getTime() + SIGNING_KEY_ACTIVATION_DELAY_MS));
  await insertSigningKey(em, sealer, record, { slot: `after:${newest.kid}`, createdAt });
}

/**
 * `npm run admin -- rotate-keys`: a new signing key, published at once, signing from
 * SIGNING_KEY_ACTIVATION_DELAY_MS on. The others stay until their last token has expired.
 */
export async function addSigningKey(
  orm: Orm,
  config: Pick<Config, 'masterKey' | 'dataDir' | 'accessTokenAlg'>,
  now: Date,
  activatesAt: Date,
): Promise<string> {
  const sealer = keySealer(await loadMasterKey(config));
  const record = await generateSigningKey(config.accessTokenAlg, activatesAt);
  await insertSigningKey(orm.em.fork(), sealer, record, { slot: null, createdAt: now });
  return record.kid;
}

/** Housekeeping: signing keys none of whose tokens can still be valid leave the ring and the JWKS. */
export async function pruneRetiredSigningKeys(em: EntityManager, now: Date): Promise<void> {
  const rows = await em.find(StoredKeyEntity, { purpose: 'signing' }, { fields: ['id', 'activatesAt'] });
  const retired = retiredSigningKeys(
    rows.map((row) => ({ kid: row.id, activatesAt: row.activatesAt })),
    now,
  );
  if (retired.length > 0) await em.nativeDelete(StoredKeyEntity, { id: { $in: retired } });
}
