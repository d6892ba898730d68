import { describe, expect, test } from 'vitest';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { indexDictionaryMatching } from '#shared/indexed-dictionary-match.ts';

// The policy's own options (shared/password-policy.ts), so the matcher is compared where it runs.
const factory = new ZxcvbnFactory({
  dictionary: { ...commonDictionary, ...englishDictionary },
  graphs: adjacencyGraphs,
  translations,
  l33tMaxSubstitutions: 4,
  maxLength: 64,
});
indexDictionaryMatching(factory);
const prototype = Object.getPrototypeOf(
  (factory as unknown as { matching: { matchers: { dictionary: object } } }).matching.matchers.dictionary,
) as { match: unknown; originalMatch: unknown };

/** The estimate with zxcvbn-ts's own dictionary matcher, for comparison. */
function withOriginal<T>(run: () => T): T {
  const filtered = prototype.match;
  prototype.match = prototype.originalMatch;
  try {
    return run();
  } finally {
    prototype.match = filtered;
  }
}

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

describe('indexDictionaryMatching', () => {
  test('indexDictionaryMatching gives the estimate zxcvbn-ts gives: same matches, guesses, score and feedback', () => {
    for (const { password, inputs } of corpus()) {
      const { calcTime: _a, ...filtered } = factory.check(password, inputs);
      const { calcTime: _b, ...original } = withOriginal(() => factory.check(password, inputs));
      expect(filtered, password).toEqual(original);
    }
  });

  test('indexDictionaryMatching finds words of the dictionaries and of the user inputs', () => {
    const result = factory.check('Xqalicevqz#password', ['alice']);
    const names = result.sequence.map((match) => ('dictionaryName' in match ? match.dictionaryName : match.pattern));
    expect(names).toContain('userInputs');
    expect(names).toContain('passwords-common');
  });
});
