import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { loadOrCreateKey } from '#server/lib/key-file.ts';

/** Encrypts small secrets (TOTP keys) at rest with AES-256-GCM. */
export type SecretBox = { seal(plain: Uint8Array): string; open(sealed: string): Uint8Array };

const VERSION = 'v1';

function secretBox(key: Buffer): SecretBox {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const [version, payload = ''] = sealed.split('.');
      if (version !== VERSION) throw new Error('Unknown sealed-secret format');
      const raw = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return new Uint8Array(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]));
    },
  };
}

/**
 * The key lives in DATA_DIR/keys/secret-box.key, apart from the database: a copy of the database
 * alone (a leaked backup, say) reveals no TOTP secret.
 */
export async function loadSecretBox(dataDir: string): Promise<SecretBox> {
  return secretBox(await loadOrCreateKey(dataDir, 'secret-box.key'));
}
