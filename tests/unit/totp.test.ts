import { describe, expect, test } from 'vitest';
import { matchTotp, totpCode, totpStep } from '#server/modules/mfa/totp.ts';
import { hotp } from '#tests/helpers/totp.ts';

// RFC 6238 Appendix B, SHA-1 column: the ASCII seed "12345678901234567890", 30-second steps, 8 digits.
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const RFC_VECTORS: Array<[seconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const at = (seconds: number) => new Date(seconds * 1000);

describe('totpCode', () => {
  test.each(RFC_VECTORS)('totpCode matches RFC 6238 Appendix B (SHA-1) at T = %i', (seconds, code) => {
    expect(totpCode(RFC_KEY, totpStep(at(seconds)), 8)).toBe(code);
  });

  test('totpCode gives 6 digits by default, the last 6 of the 8-digit code, leading zeros kept', () => {
    // T = 1111111109 gives 07081804: its 6-digit form is 081804.
    expect(totpCode(RFC_KEY, totpStep(at(1111111109)))).toBe('081804');
    for (const [seconds, code] of RFC_VECTORS) expect(totpCode(RFC_KEY, totpStep(at(seconds)))).toBe(code.slice(2));
  });

  test('the tests’ own authenticator agrees with RFC 6238 too, so it can judge the server', () => {
    for (const [seconds, code] of RFC_VECTORS) expect(hotp(RFC_KEY, Math.floor(seconds / 30), 8)).toBe(code);
  });
});

describe('totpStep', () => {
  test('totpStep counts 30-second steps from the Unix epoch', () => {
    expect(totpStep(at(0))).toBe(0);
    expect(totpStep(at(29.999))).toBe(0);
    expect(totpStep(at(30))).toBe(1);
    expect(totpStep(at(1111111111))).toBe(37037037);
    expect(totpStep(at(20000000000))).toBe(666666666);
  });
});

describe('matchTotp', () => {
  const key = new Uint8Array(20).map((_, index) => (index * 37 + 11) % 256);
  const now = at(1_700_000_015); // the middle of a step
  const current = totpStep(now);
  const code = (step: number) => hotp(key, step);

  test('matchTotp accepts the current step and one step either way, and answers which step matched', () => {
    expect(matchTotp(key, code(current), now, null)).toBe(current);
    expect(matchTotp(key, code(current - 1), now, null)).toBe(current - 1);
    expect(matchTotp(key, code(current + 1), now, null)).toBe(current + 1);
  });

  test('matchTotp refuses a code two steps old or two steps ahead', () => {
    // The four codes must differ from the three in the window, or the test proves nothing.
    const window = new Set([code(current - 1), code(current), code(current + 1)]);
    for (const step of [current - 2, current + 2, current - 10, current + 10]) {
      expect(window.has(code(step))).toBe(false);
      expect(matchTotp(key, code(step), now, null)).toBeNull();
    }
  });

  test('matchTotp refuses a code of a step at or before lastUsedStep', () => {
    expect(matchTotp(key, code(current), now, current)).toBeNull();
    expect(matchTotp(key, code(current - 1), now, current - 1)).toBeNull();
    expect(matchTotp(key, code(current - 1), now, current)).toBeNull();
    expect(matchTotp(key, code(current), now, current + 1)).toBeNull();
    expect(matchTotp(key, code(current + 1), now, current + 1)).toBeNull();
  });

  test('matchTotp accepts a later step than lastUsedStep, the next one after drift included', () => {
    expect(matchTotp(key, code(current), now, current - 1)).toBe(current);
    expect(matchTotp(key, code(current + 1), now, current)).toBe(current + 1);
    expect(matchTotp(key, code(current), now, undefined)).toBe(current);
  });

  test('matchTotp refuses a code from another key, a wrong length and garbage', () => {
    const otherKey = new Uint8Array(20).fill(7);
    expect(matchTotp(key, hotp(otherKey, current), now, null)).toBeNull();
    expect(matchTotp(key, hotp(key, current, 8), now, null)).toBeNull();
    expect(matchTotp(key, code(current).slice(1), now, null)).toBeNull();
    expect(matchTotp(key, '', now, null)).toBeNull();
    expect(matchTotp(key, 'abcdef', now, null)).toBeNull();
  });

  test('matchTotp follows the clock it is given across a step boundary', () => {
    const boundary = at((current + 1) * 30); // the first instant of the next step
    expect(matchTotp(key, code(current - 1), boundary, null)).toBeNull();
    expect(matchTotp(key, code(current), boundary, null)).toBe(current);
    expect(matchTotp(key, code(current + 2), boundary, null)).toBe(current + 2);
  });
});
