import { hkdfSync } from 'node:crypto';
import type { Config } from '#server/config.ts';
import { loadOrCreateKey } from '#server/lib/key-file.ts';
import { createSecretBox, type SecretBox } from '#server/modules/mfa/secret-box.ts';

/**
 * MASTER_KEY, or on SQLite without it the one made on first start in DATA_DIR/keys/master.key
 * (mode 0600). Config refuses PostgreSQL without MASTER_KEY: instances share no disk (API.md §11).
 */
export async function loadMasterKey(config: Pick<Config, 'masterKey' | 'dataDir'>): Promise<Buffer> {
  return config.masterKey ?? loadOrCreateKey(config.dataDir, 'master.key');
}

/** Seals the stored keys with a key derived from the master key, never the master key itself. */
export function keySealer(masterKey: Buffer): SecretBox {
  const derived = hkdfSync('sha256', masterKey, Buffer.alloc(0), 'latchkey/stored-keys/v1', 32);
  return createSecretBox(Buffer.from(derived));
}
