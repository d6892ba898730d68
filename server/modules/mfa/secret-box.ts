import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

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
 * The key lives in DATA_DIR/keys/secret-box.key (mode 0600), created on first start. The database
 * alone (a leaked backup, say) then reveals no TOTP secret.
 */
export async function loadSecretBox(dataDir: string): Promise<SecretBox> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'secret-box.key');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes, base64-encoded`);
  return secretBox(key);
}
