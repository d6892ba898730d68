import { describe, expect, test } from 'vitest';
import { normalizePassword } from '#shared/normalize-password.ts';
import { checkPassword, MIN_PASSWORD_SCORE } from '#shared/password-policy.ts';

const DEFAULT = { minLength: 15 };
const reasonOf = (password: string, context: { minLength: number; email?: string } = DEFAULT) => {
  const verdict = checkPassword(password, context);
  return verdict.ok ? null : verdict.reason;
};

describe('checkPassword', () => {
  test('checkPassword accepts a long random password and a long passphrase', () => {
    for (const password of ['Zq8-vrwT-p3xb-Lm', 'correct horse battery staple']) {
      const verdict = checkPassword(password, DEFAULT);
      expect(verdict).toEqual({ ok: true, score: expect.any(Number) });
      expect(verdict.score).toBeGreaterThanOrEqual(MIN_PASSWORD_SCORE);
    }
  });

  test('checkPassword refuses fewer characters than the minimum and says how many are needed', () => {
    expect(reasonOf('Zq8-vrwT-p3xb-')).toBe('Use at least 15 characters.');
    expect(reasonOf('Zq8-vrwT-p3xb-L')).toBeNull();
  });

  test('checkPassword counts length in code points, not UTF-16 units', () => {
    const fourteen = '🦊🐙🦉🐝🦀🐢🦎🐌🦋🐞🦂🐬🦈🐊';
    expect(fourteen.length).toBe(28);
    expect(reasonOf(fourteen)).toBe('Use at least 15 characters.');
    expect(reasonOf(`${fourteen}🦒`)).not.toBe('Use at least 15 characters.');
  });

  test('checkPassword follows PASSWORD_MIN_LENGTH: a short random password passes at 8 but not at 15', () => {
    expect(reasonOf('r7#Kq2!vX9', { minLength: 8 })).toBeNull();
    expect(reasonOf('r7#Kq2!vX9', { minLength: 15 })).toBe('Use at least 15 characters.');
  });

  test('checkPassword refuses more than 128 code points and accepts exactly 128', () => {
    const base = 'Zq8-vrwT-p3xb-Lm/'.repeat(8);
    expect(reasonOf(base.slice(0, 128))).toBeNull();
    expect(reasonOf(base.slice(0, 129))).toBe('Use at most 128 characters.');
    // 128 emoji are 256 UTF-16 units but 128 characters.
    const emoji = '🦊🐙🦉🐝🦀🐢🦎🐌'.repeat(16);
    expect(reasonOf(emoji)).not.toBe('Use at most 128 characters.');
    expect(reasonOf(`${emoji}🦊`)).toBe('Use at most 128 characters.');
  });

  test('checkPassword refuses a megabyte for its length, and counts after NFKC below the 4096-unit bound', () => {
    expect(reasonOf('Zq8-'.repeat(250_000))).toBe('Use at most 128 characters.');
    // 128 ligatures are 128 UTF-16 units, but 384 characters once NFKC has taken them apart.
    expect(reasonOf('ﬃ'.repeat(128))).toBe('Use at most 128 characters.');
    // 4096 units of "e" and a combining accent compose to 2048 characters: still too long.
    expect(reasonOf('e\u0301'.repeat(2048))).toBe('Use at most 128 characters.');
  });

  test('checkPassword normalises to NFKC before checking', () => {
    expect(normalizePassword('ｐａｓｓｗｏｒｄ')).toBe('password');
    expect(normalizePassword('e\u0301')).toBe('é');
    // Full-width letters spell a common password once normalised.
    expect(reasonOf('ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ')).toBe('This is one of the most common passwords.');
    // 15 code points as typed, 14 once the combining accent is composed.
    expect(reasonOf('Zq8-vrwT-p3xbe\u0301')).toBe('Use at least 15 characters.');
  });

  test('checkPassword refuses passwords on the common-password list, whatever their case', () => {
    expect(reasonOf('passwordpassword')).toBe('This is one of the most common passwords.');
    expect(reasonOf('PassWordPassWord')).toBe('This is one of the most common passwords.');
    expect(reasonOf('baseball', { minLength: 8 })).toBe('This is one of the most common passwords.');
  });

  test("checkPassword refuses a password containing the email's local part, in any case", () => {
    const email = 'jonathan.smith@example.com';
    expect(reasonOf('Zq8-JONATHAN.SMITH-vrwT', { minLength: 15, email })).toMatch(/email address/);
    expect(reasonOf('Zq8-JONATHAN.SMITH-vrwT', { minLength: 15, email: 'someone.else@example.com' })).toBeNull();
  });

  test('checkPassword ignores a local part shorter than 3 characters', () => {
    expect(reasonOf('Zq8-jo-vrwT-p3xb-Lm', { minLength: 15, email: 'jo@example.com' })).toBeNull();
  });

  test('checkPassword refuses a password containing the product name', () => {
    expect(reasonOf('Zq8-vrwT-LATCHKEY-p3xb')).toMatch(/Latchkey/);
  });

  test('checkPassword refuses a long but guessable password with zxcvbn feedback as the reason', () => {
    for (const password of ['aaaaaaaaaaaaaaaa', 'qwertyuiopasdfgh', '1234567890123456']) {
      const verdict = checkPassword(password, DEFAULT);
      expect(verdict.ok).toBe(false);
      expect(verdict.score).toBeLessThan(MIN_PASSWORD_SCORE);
      if (!verdict.ok) expect(verdict.reason).toMatch(/^Too easy to guess/);
    }
  });

  test('checkPassword still sees through l33t spellings of common words, and refuses a 128-character run of digits', () => {
    for (const password of ['l3tm31nl3tm31n', 'm0nk3ym0nk3y12', 'p4ssw0rd1234!', 'h3ll0w0rld12345', '1'.repeat(128)]) {
      const verdict = checkPassword(password, { minLength: 12 });
      expect({ password, ok: verdict.ok }).toEqual({ password, ok: false });
      expect(verdict.score).toBeLessThan(MIN_PASSWORD_SCORE);
    }
  });
});
