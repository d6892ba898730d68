/** Passwords are compared and hashed in NFKC so that the same typed text always matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}
