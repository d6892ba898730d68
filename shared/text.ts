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

/** Up to two letters for an avatar placeholder: the first letter or digit of the first two words that have one. */
export function initials(name: string): string {
  const letters = name
    .split(/\s+/u)
    .map((word) => word.match(/[\p{L}\p{N}]/u)?.[0])
    .filter((letter): letter is string => Boolean(letter));
  return letters.slice(0, 2).join('').toUpperCase();
}
