// zxcvbn-ts's dictionary matcher looks every substring of the password up in each of its 20
// dictionaries and runs again for the reversed password, each l33t spelling and the word-sequence
// matcher: about 80% of a strength estimate (issue 20, docs/benchmarks.md), nearly all of it
// lookups that find nothing. This puts a filter of 1 MiB in front of them: a bit per hash of
// every dictionary word, the substrings' hashes computed as the substring grows by one character,
// so a substring no dictionary holds costs one bit test and no string. A substring whose bit is
// set goes through the original steps, dictionary by dictionary, so the matches and their order
// are the original's (tests/unit/indexed-dictionary-match.test.ts compares both). Decision 0028.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

type RankedDictionaries = Record<string, Record<string, number>>;
type DictionaryMatch = {
  pattern: 'dictionary';
  i: number;
  j: number;
  token: string;
  matchedWord: string;
  rank: number;
  dictionaryName: string;
  reversed: false;
  l33t: false;
};
type MatchOptions = { password: string; userInputsOptions?: unknown; useLevenshtein?: boolean };
type DictionaryMatcher = {
  options: { rankedDictionaries: RankedDictionaries; useLevenshteinDistance: boolean };
  getRangedDictionaries(userInputs: unknown): {
    rankedDictionaries: RankedDictionaries;
    rankedDictionariesMaxWordSize: Record<string, number>;
  };
  match(options: MatchOptions): DictionaryMatch[];
};

const FILTER_BITS = 23; // 2^23 bits = 1 MiB; ~240k words leave ~3% of the missing substrings to look up
const FILTER_MASK = (1 << FILTER_BITS) - 1;
// The dictionaries are plain objects: the original finds these in every one (inherited
// properties). A password holding one keeps the original matcher, quirk included.
const INHERITED = ['constructor', '__proto__'];

/** One step of the substring hash: FNV-1a over UTF-16 units, so it can grow a character at a time. */
const step = (hash: number, unit: number) => Math.imul(hash ^ unit, 0x01000193);
const SEED = 0x811c9dc5 | 0;

function hashOf(word: string): number {
  let hash = SEED;
  for (let k = 0; k < word.length; k += 1) hash = step(hash, word.charCodeAt(k));
  return hash;
}

function filterOf(dictionaries: RankedDictionaries): Uint8Array {
  const bits = new Uint8Array((FILTER_MASK + 1) / 8);
  for (const dictionary of Object.values(dictionaries)) {
    for (const word of Object.keys(dictionary)) {
      const bit = hashOf(word) & FILTER_MASK;
      bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return bits;
}

const mayHold = (bits: Uint8Array, hash: number) => {
  const bit = hash & FILTER_MASK;
  return (bits[bit >>> 3]! & (1 << (bit & 7))) !== 0;
};

/**
 * Replaces the dictionary matcher's `match` (shared by the plain, reversed, l33t and word-sequence
 * matchers, which all call it) with the filtered one. With Levenshtein distance on, it keeps the
 * original (that looks up every whole password).
 */
export function indexDictionaryMatching(factory: ZxcvbnFactory): void {
  const matchers = (factory as unknown as { matching: { matchers: { dictionary: DictionaryMatcher } } }).matching
    .matchers;
  const prototype = Object.getPrototypeOf(matchers.dictionary) as DictionaryMatcher & {
    originalMatch?: DictionaryMatcher['match'];
  };
  if (prototype.originalMatch) return;
  const original = prototype.match;
  // One filter per set of static dictionaries (one per factory), built on its first check.
  const filters = new WeakMap<RankedDictionaries, Uint8Array>();

  prototype.match = function filteredMatch(this: DictionaryMatcher, options: MatchOptions): DictionaryMatch[] {
    const passwordLower = options.password.toLowerCase();
    if (this.options.useLevenshteinDistance || INHERITED.some((name) => passwordLower.includes(name)))
      return original.call(this, options);
    const statics = this.options.rankedDictionaries;
    let bits = filters.get(statics);
    if (!bits) filters.set(statics, (bits = filterOf(statics)));
    const { rankedDictionaries, rankedDictionariesMaxWordSize } = this.getRangedDictionaries(options.userInputsOptions);
    const names = Object.keys(rankedDictionaries);
    // Dictionaries other than the static ones (the user's inputs, made per call) are not in the
    // filter: their words' hashes are, per call.
    const perCall = new Set<number>();
    for (const name of names) {
      if (rankedDictionaries[name] === statics[name]) continue;
      for (const word of Object.keys(rankedDictionaries[name]!)) perCall.add(hashOf(word));
    }
    const { password } = options;
    const length = password.length;
    const maxSearchWidth = Math.max(0, ...Object.values(rankedDictionariesMaxWordSize));
    const matches: DictionaryMatch[] = [];
    for (let i = 0; i < length; i += 1) {
      let hash = SEED;
      for (let j = i; j < length; j += 1) {
        const isFullPassword = i === 0 && j === length - 1;
        // The original's own bound: longer than every dictionary's longest word, not the whole password.
        if (j - i + 1 > maxSearchWidth && !isFullPassword) break;
        hash = step(hash, passwordLower.charCodeAt(j));
        if (!mayHold(bits, hash) && !perCall.has(hash)) continue;
        // From here on the original's steps for this substring, dictionary by dictionary.
        const usedPassword = passwordLower.slice(i, j + 1);
        for (const dictionaryName of names) {
          if (j - i + 1 > rankedDictionariesMaxWordSize[dictionaryName]! && !isFullPassword) continue;
          const rank = rankedDictionaries[dictionaryName]![usedPassword];
          if (rank === undefined) continue;
          matches.push({
            pattern: 'dictionary',
            i,
            j,
            token: password.slice(i, j + 1),
            matchedWord: usedPassword,
            rank,
            dictionaryName,
            reversed: false,
            l33t: false,
          });
        }
      }
    }
    return matches;
  };
  prototype.originalMatch = original;
}
