import { expect, test } from 'vitest';
import { checkPassword } from '#shared/password-policy.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from '#server/lib/passwords.ts';

test('on the password threads, a hash verifies its own password only, and a stored value that is no hash matches nothing', async () => {
  const hash = await hashPassword('violet tractor quietly hums');
  expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  // NFKC: the full-width form of the same text is the same password.
  const [same, fullWidth, wrong, notAHash] = await Promise.all([
    verifyPassword(hash, 'violet tractor quietly hums'),
    verifyPassword(hash, 'ｖiolet tractor quietly hums'),
    verifyPassword(hash, 'violet tractor quietly hum'),
    verifyPassword('not-a-hash', 'violet tractor quietly hums'),
  ]);
  expect([same, fullWidth, wrong, notAHash]).toEqual([true, true, false, false]);
});

test('the strength thread gives the policy’s own verdicts', async () => {
  const context = { minLength: 12, email: 'marguerite@example.com' };
  for (const password of [
    'password1234',
    'marguerite-2024!',
    'Tr0ub4dor&3xyz',
    'violet tractor quietly hums',
    'x'.repeat(300),
  ])
    expect(await checkPasswordStrength(password, context)).toEqual(checkPassword(password, context));
});
