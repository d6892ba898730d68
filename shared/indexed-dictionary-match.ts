// zxcvbn-ts's dictionary matcher looks every substring of the password up in each of its 20
// dictionaries and runs again for the reversed password, each l33t spelling and the word-sequence
// matcher: about 80% of a strength estimate (issue 20, docs/benchmarks.md), nearly all of it
// lookups that find nothing. And its ranked dictionaries, a plain object of word → rank per list,
// hold 236,000 entries: 12.6 MB of heap beside the lists themselves, marked by every full GC.
//
// Here the words live in one open-addressed table of 4 MiB (a typed array, outside the heap) that
// points into the lists the language packages already hold. A substring's hash grows a character
// at a time and it is compared in place, so a lookup makes no string; the matches, their order
// and their fields are the original's (tests/unit/indexed-dictionary-match.test.ts compares a
// plain factory's results). Decisions 0028 and 0030.
import { ZxcvbnFactory, type OptionsType } from '@zxcvbn-ts/core';

type Lists = Record<string, readonly (string | number)[]>;
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
type FactoryOptions = {
  rankedDictionaries: RankedDictionaries;
  rankedDictionariesMaxWordSize: Record<string, number>;
};
type DictionaryMatcher = {
  options: FactoryOptions;
  getRangedDictionaries(userInputs: unknown): FactoryOptions;
  match(options: MatchOptions): DictionaryMatch[];
};

const TABLE_BITS = 20; // 2^20 slots for ~236k words: a quarter full, a miss mostly meets an empty slot
const TABLE_MASK = (1 << TABLE_BITS) - 1;
// A slot holds its list's number (6 bits) and the word's rank (26 bits), 0 when empty.
const RANK_BITS = 26;
const RANK_MASK = (1 << RANK_BITS) - 1;
const MAX_LISTS = 1 << (32 - RANK_BITS);

/** One step of the substring hash: FNV-1a over UTF-16 units, so it can grow a character at a time. */
const step = (hash: number, unit: number) => Math.imul(hash ^ unit, 0x01000193);
const SEED = 0x811c9dc5 | 0;

function hashOf(word: string): number {
  let hash = SEED;
  for (let k = 0; k < word.length; k += 1) hash = step(hash, word.charCodeAt(k));
  return hash;
}

// A ranked dictionary is a plain object, so the original also "finds" these lower-case names of
// Object.prototype in every one of them (with the inherited value as the rank): kept, not fixed.
const PLAIN: Record<string, unknown> = {};
const INHERITED = Object.getOwnPropertyNames(Object.prototype).filter((name) => name === name.toLowerCase());
function isInheritedAt(text: string, start: number, length: number): boolean {
  for (const name of INHERITED) if (name.length === length && text.startsWith(name, start)) return true;
  return false;
}

/** zxcvbn-ts's ranked dictionaries (rank = position in the list + 1, the last duplicate winning). */
export class WordIndex {
  readonly names: string[];
  readonly maxWordSize: Record<string, number> = {};
  private readonly lists: string[][];
  private readonly slots = new Uint32Array(TABLE_MASK + 1);

  constructor(dictionaries: Lists) {
    this.names = Object.keys(dictionaries);
    if (this.names.length > MAX_LISTS) throw new Error(`at most ${MAX_LISTS} dictionaries`);
    // The lists as given when they hold only strings (no copy), else as the original keys them.
    this.lists = this.names.map((name) => {
      const list = dictionaries[name]!;
      return list.every((word) => typeof word === 'string') ? (list as string[]) : list.map(String);
    });
    this.lists.forEach((list, number) => {
      if (list.length >= RANK_MASK) throw new Error('a dictionary of more than 2^26 words');
      let longest = 0;
      list.forEach((word, position) => {
        longest = Math.max(longest, word.length);
        // Assigning a number to `__proto__` makes no entry in the original's object.
        if (word !== '__proto__') this.insert(number, word, position + 1);
      });
      this.maxWordSize[this.names[number]!] = longest;
    });
  }

  private insert(number: number, word: string, rank: number): void {
    let slot = hashOf(word) & TABLE_MASK;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (entry >>> RANK_BITS === number && this.wordOf(entry) === word) break;
      slot = (slot + 1) & TABLE_MASK;
    }
    this.slots[slot] = ((number << RANK_BITS) | rank) >>> 0;
  }

  private wordOf(entry: number): string {
    return this.lists[entry >>> RANK_BITS]![(entry & RANK_MASK) - 1]!;
  }

  /**
   * Writes into `ranks` (by list number) the rank of text[start, start + length) in every list that
   * holds it, given its hash; returns whether any does. The caller clears what it reads.
   */
  find(text: string, start: number, length: number, hash: number, ranks: Int32Array): boolean {
    let found = false;
    let slot = hash & TABLE_MASK;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const word = this.wordOf(entry);
      if (word.length === length && text.startsWith(word, start)) {
        ranks[entry >>> RANK_BITS] = entry & RANK_MASK;
        found = true;
      }
      slot = (slot + 1) & TABLE_MASK;
    }
    return found;
  }

  /** The rank of a word in one list, as the original's `rankedDictionary[word]` (own entries only). */
  rank(name: string, word: string): number | undefined {
    const number = this.names.indexOf(name);
    const ranks = new Int32Array(this.names.length);
    return number >= 0 && this.find(word, 0, word.length, hashOf(word), ranks) && ranks[number] !== 0
      ? ranks[number]
      : undefined;
  }
}

const indexes = new WeakMap<object, WordIndex>();

/**
 * A zxcvbn-ts factory whose dictionary matching (shared by its plain, reversed, l33t and
 * word-sequence matchers) goes through a `WordIndex` of `dictionary`. Levenshtein distance, which
 * the policy does not use, needs the original objects and is refused.
 */
export function indexedZxcvbn(options: OptionsType & { dictionary: Lists }): {
  factory: ZxcvbnFactory;
  words: WordIndex;
} {
  const { dictionary, ...rest } = options;
  if (rest.useLevenshteinDistance) throw new Error('indexedZxcvbn does not support Levenshtein distance');
  const factory = new ZxcvbnFactory(rest);
  const words = new WordIndex(dictionary);
  // The matchers read the lists' names and longest words from here; their words from the index.
  const factoryOptions = (factory as unknown as { options: FactoryOptions }).options;
  factoryOptions.rankedDictionaries = Object.fromEntries(words.names.map((name) => [name, {}]));
  factoryOptions.rankedDictionariesMaxWordSize = { ...words.maxWordSize };
  indexes.set(factoryOptions, words);
  patchMatcher(factory);
  return { factory, words };
}

/**
 * Replaces `match` on the dictionary matcher's class, reached through this factory's own matcher
 * (the server's CommonJS and the SPA's ESM build each have theirs). Other factories keep the original.
 */
function patchMatcher(factory: ZxcvbnFactory): void {
  const matchers = (factory as unknown as { matching: { matchers: { dictionary: DictionaryMatcher } } }).matching
    .matchers;
  const prototype = Object.getPrototypeOf(matchers.dictionary) as DictionaryMatcher & { indexed?: true };
  if (prototype.indexed) return;
  const original = prototype.match;
  prototype.match = function match(this: DictionaryMatcher, options: MatchOptions): DictionaryMatch[] {
    const words = indexes.get(this.options);
    return words ? indexedMatch(this, words, options) : original.call(this, options);
  };
  prototype.indexed = true;
}

// The original's loop (zxcvbn-ts 4.2, matcher/dictionary/matching) with its lookups through the index.
function indexedMatch(matcher: DictionaryMatcher, words: WordIndex, options: MatchOptions): DictionaryMatch[] {
  const { rankedDictionaries, rankedDictionariesMaxWordSize } = matcher.getRangedDictionaries(
    options.userInputsOptions,
  );
  const names = Object.keys(rankedDictionaries);
  const statics = matcher.options.rankedDictionaries;
  // For each name: its list's number in the index, or -1 for a dictionary made for this call (the
  // user's inputs), looked up in its own object when one of its words' hashes comes up.
  const numbers = names.map((name) => (rankedDictionaries[name] === statics[name] ? words.names.indexOf(name) : -1));
  const perCall = new Set<number>();
  names.forEach((name, k) => {
    if (numbers[k] === -1) for (const word of Object.keys(rankedDictionaries[name]!)) perCall.add(hashOf(word));
  });
  const ranks = new Int32Array(words.names.length);
  const { password } = options;
  const passwordLower = password.toLowerCase();
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
      const size = j - i + 1;
      const inStatics = words.find(passwordLower, i, size, hash, ranks);
      if (!inStatics && !perCall.has(hash) && !isInheritedAt(passwordLower, i, size)) continue;
      const usedPassword = passwordLower.slice(i, j + 1);
      names.forEach((dictionaryName, k) => {
        if (size > rankedDictionariesMaxWordSize[dictionaryName]! && !isFullPassword) return;
        const number = numbers[k]!;
        const rank =
          number >= 0 ? ranks[number] || PLAIN[usedPassword] : rankedDictionaries[dictionaryName]![usedPassword];
        if (rank === undefined) return;
        matches.push({
          pattern: 'dictionary',
          i,
          j,
          token: password.slice(i, j + 1),
          matchedWord: usedPassword,
          rank: rank as number,
          dictionaryName,
          reversed: false,
          l33t: false,
        });
      });
      if (inStatics) ranks.fill(0);
    }
  }
  return matches;
}
