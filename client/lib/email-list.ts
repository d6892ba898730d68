/**
 * The addresses in pasted text or a CSV file: words with an @, separated by commas, semicolons,
 * spaces or line breaks, with quotes and angle brackets dropped, so that a CSV header, name columns
 * and "Ada Lovelace <ada@example.com>" as mail programs copy it give just the address; each once,
 * whatever its case. The form shows how many it found, so nothing vanishes unseen.
 */
export function addressesIn(text: string): string[] {
  const seen = new Set<string>();
  const addresses: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const cell = raw.replace(/^["'<(]+|["'>)]+$/g, '').replace(/^mailto:/i, '');
    if (!cell.includes('@')) continue;
    const key = cell.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    addresses.push(cell);
  }
  return addresses;
}
