/**
 * Where a sign-in may return to (API.md §12): a path of this site, never another origin. Judged
 * after the URL parser has tidied it: `/.//evil.example` and `/x/..//evil.example` become
 * `//evil.example`, which a browser reads as another host.
 */
export function safeReturnTo(value: string | undefined | null, publicUrl: string): string {
  if (!value || !value.startsWith('/') || value.length > 2048) return '/';
  const origin = new URL(publicUrl).origin;
  try {
    const url = new URL(value, origin);
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (url.origin !== origin || path.startsWith('//') || path.startsWith('/\\')) return '/';
    return path;
  } catch {
    return '/';
  }
}
