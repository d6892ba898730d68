/**
 * Where a sign-in may return to (API.md §12): a path of this site, never another origin.
 * `//evil.example`, `/\evil.example` and anything absolute land on `/`.
 */
export function safeReturnTo(value: string | undefined | null, publicUrl: string): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || value.length > 2048) {
    return '/';
  }
  const origin = new URL(publicUrl).origin;
  try {
    const url = new URL(value, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}
