export function avatarUrl(avatarFile: string | null | undefined): string | null {
  return avatarFile ? `/media/avatars/${avatarFile}` : null;
}
