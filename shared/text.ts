/** Length in Unicode code points, the unit every limit in API.md counts in. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Normalised form used for uniqueness and lookups; the address is stored as given. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.slice(0, 2).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase();
}
