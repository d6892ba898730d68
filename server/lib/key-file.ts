import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A 32-byte secret kept in DATA_DIR/keys/<name> (mode 0600), created on first start. Several
 * processes starting at once agree on one key: each writes its candidate to a file of its own and
 * links it into place, which succeeds for one; so no one ever reads a key file half written.
 */
export async function loadOrCreateKey(dataDir: string, name: string): Promise<Buffer> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, name);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const candidate = `${file}.${randomBytes(8).toString('hex')}.new`;
  await fs.writeFile(candidate, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(candidate, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(candidate, { force: true });
  }
  const key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes, base64-encoded`);
  return key;
}
