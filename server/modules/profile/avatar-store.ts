import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const FILE_NAME = /^[a-f0-9]{64}\.webp$/;

export function avatarDirectory(dataDir: string): string {
  return path.join(dataDir, 'avatars');
}

export function isAvatarFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** Stores the image under its own SHA-256 (content-addressed) and returns the file name. */
export async function writeAvatarFile(dataDir: string, webp: Buffer): Promise<string> {
  const name = `${createHash('sha256').update(webp).digest('hex')}.webp`;
  const directory = avatarDirectory(dataDir);
  await fs.mkdir(directory, { recursive: true });
  // Write then rename: a reader never sees half a file, and a concurrent identical upload is harmless.
  const temporary = path.join(directory, `.${name}.${process.pid}.${Date.now()}.tmp`);
  await fs.writeFile(temporary, webp);
  await fs.rename(temporary, path.join(directory, name));
  return name;
}

export async function deleteAvatarFile(dataDir: string, name: string): Promise<void> {
  if (!isAvatarFileName(name)) return;
  await fs.rm(path.join(avatarDirectory(dataDir), name), { force: true });
}
