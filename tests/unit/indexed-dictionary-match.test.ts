import { describe, expect, test } from 'vitest';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { indexedZxcvbn, WordIndex } from '#shared/indexed-dictionary-match.ts';

// The policy's own options (shared/password-policy.ts), so the matcher is compared where it runs.
const options = {
  dictionary: { ...commonDictionary, ...englishDictionary },
  graphs: adjacencyGraphs,
  translations,
  l33tMaxSubstitutions: 4,
  maxLength: 64,
};
const { factory: indexed } = indexedZxcvbn(options);
// zxcvbn-ts as it comes, built after the indexed one: its matcher's class is the patched one.
const original = new ZxcvbnFactory(options);

const objectsOf = (factory: ZxcvbnFactory) =>
  (factory as unknown as { options: { rankedDictionaries: Record<string, Record<string, number>> } }).options
    .rankedDictionaries;

// A deterministic corpus: common passwords and words, l33t and reversed spellings, passphrases,
// capitals, digits and symbols around them, random strings, the user's inputs inside.
function corpus(): Array<{ password: string; inputs: string[] }> {
  let seed = 20;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const words = [
    ...commonDictionary['passwords-common'].slice(0, 2000),
    ...englishDictionary['commonWords-en'].slice(0, 2000),
    ...englishDictionary['lastnames-en'].slice(0, 500),
    ...commonDictionary['diceware-common'].slice(0, 500),
    'one',
    'two',
    'monday',
    'january',
  ];
  const leet = (word: string) => word.replace(/a/g, '4').replace(/e/g, '3').replace(/o/g, '0').replace(/i/g, '1');
  const shapes = [
    () => pick(words),
    () => `${pick(words)} ${pick(words)} ${pick(words)} ${Math.floor(random() * 100)}`,
    () => leet(`${pick(words)}${pick(words)}`),
    () => [...`${pick(words)}${pick(words)}`].reverse().join(''),
    () => `${pick(words).toUpperCase()}!${pick(words)}${Math.floor(random() * 10000)}`,
    () => Array.from({ length: 8 + Math.floor(random() * 20) }, () => String.fromCharCode(33 + random() * 94)).join(''),
    () => `latchkey${pick(words)}alice`,
    () => `onetwothree${pick(words)}`,
    () => `${pick(words)}constructor${pick(words)}`,
    () => `${pick(words)}${'x'.repeat(40)}${pick(words)}`,
  ];
  return Array.from({ length: 300 }, (_, n) => ({
    password: shapes[n % shapes.length]!(),
    inputs: ['latchkey', 'alice'],
  }));
}

describe('indexedZxcvbn', () => {
  test('gives the estimate zxcvbn-ts gives: same matches, guesses, score and feedback', () => {
    for (const { password, inputs } of corpus()) {
      const { calcTime: _a, ...fromIndex } = indexed.check(password, inputs);
      const { calcTime: _b, ...fromObjects } = original.check(password, inputs);
      expect(fromIndex, password).toEqual(fromObjects);
    }
  });

  test('finds words of the dictionaries and of the user inputs', () => {
    const result = indexed.check('Xqalicevqz#password', ['alice']);
    const names = result.sequence.map((match) => ('dictionaryName' in match ? match.dictionaryName : match.pattern));
    expect(names).toContain('userInputs');
    expect(names).toContain('passwords-common');
  });

  test('compares against zxcvbn-ts own ranked dictionaries, which the indexed factory does not build', () => {
    expect(objectsOf(original)['passwords-common']!['password']).toBeGreaterThan(0);
    expect(Object.keys(objectsOf(indexed)['passwords-common']!)).toHaveLength(0);
  });

  test('WordIndex ranks every word of every list as zxcvbn-ts does', () => {
    const words = new WordIndex(options.dictionary);
    for (const [name, list] of Object.entries(options.dictionary)) {
      const ranked = objectsOf(original)[name]!;
      for (const word of list) expect(words.rank(name, word), `${name}: ${word}`).toBe(ranked[word]);
      expect(words.maxWordSize[name]).toBe(Math.max(...list.map((word) => word.length)));
    }
    expect(words.rank('passwords-common', 'not-a-common-password-xq')).toBeUndefined();
    expect(words.rank('no-such-list', 'password')).toBeUndefined();
  });

  test('WordIndex follows zxcvbn-ts on duplicates, numbers and __proto__', () => {
    const words = new WordIndex({ a: ['x', 'y', 'x', 7, '__proto__'], b: ['y'] });
    expect(words.rank('a', 'x')).toBe(3);
    expect(words.rank('a', 'y')).toBe(2);
    expect(words.rank('b', 'y')).toBe(1);
    expect(words.rank('a', '7')).toBe(4);
    expect(words.rank('a', '__proto__')).toBeUndefined();
    expect(words.maxWordSize).toEqual({ a: 9, b: 1 });
  });
});
