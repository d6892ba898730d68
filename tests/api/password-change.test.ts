import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import {
  decodeJwt,
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const CHANGED_SUBJECT = 'Your Latchkey password was changed';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function login(email: string, password: string): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email, password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

/** Changes the member's password on their own client and keeps track of the current one. */
async function change(member: SignedUp, newPassword: string): Promise<void> {
  const session = await member.client.trpc.auth.password.change.mutate({
    currentPassword: member.password,
    newPassword,
  });
  member.client.useSession(session);
  member.password = newPassword;
}

async function expectWeak(member: SignedUp, newPassword: string): Promise<string> {
  const error = await expectReason(
    member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword }),
    'BAD_REQUEST',
    'WEAK_PASSWORD',
  );
  const reasons = error.data?.fieldErrors?.newPassword ?? [];
  expect(reasons.length).toBeGreaterThan(0);
  return reasons.join(' ');
}

const codePoints = (value: string) => [...value].length;

describe('auth.password.change', () => {
  test('auth.password.change refuses a wrong current password with UNAUTHORIZED INVALID_CREDENTIALS under currentPassword, and changes nothing', async () => {
    const member = await signUpAndVerify(server);
    const newPassword = strongPassword();
    const error = await expectReason(
      member.client.trpc.auth.password.change.mutate({ currentPassword: strongPassword(), newPassword }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect(error.data?.fieldErrors?.currentPassword?.length).toBeGreaterThan(0);
    expect(error.data?.fieldErrors?.newPassword).toBeUndefined();
    // Still signed in, still the old password.
    expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    await login(member.email, member.password);
    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: newPassword }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
  });

  test('auth.password.change signs every other device out at once and keeps this device signed in with fresh tokens', async () => {
    const member = await signUpAndVerify(server);
    const laptop = member.client;
    const [phone, tablet] = [await login(member.email, member.password), await login(member.email, member.password)];
    const oldAccessToken = laptop.bearer!;
    const oldRefreshToken = laptop.refreshToken();
    const newPassword = strongPassword();

    const session = await laptop.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword });
    expect(session.user.id).toBe(member.session.user.id);
    expect(session.accessToken).not.toBe(oldAccessToken);
    // Same device, same session: only its tokens are new.
    expect(decodeJwt(session.accessToken).payload.sid).toBe(decodeJwt(oldAccessToken).payload.sid);
    const cookie = laptop.lastResponse?.setCookies.find((set) => set.name === 'refresh_token');
    expect(cookie?.value).toBeTruthy();
    expect(cookie?.value).not.toBe(oldRefreshToken);

    for (const other of [phone, tablet]) {
      await expectReason(other.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
      await expectReason(other.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    }

    laptop.useSession(session);
    expect((await laptop.trpc.auth.me.query()).id).toBe(member.session.user.id);
    // Observed and kept: the access token this device held before the change belongs to the same,
    // still-live session, so it keeps working until it expires (at most 15 minutes).
    laptop.setBearer(oldAccessToken);
    expect((await laptop.trpc.auth.me.query()).id).toBe(member.session.user.id);
    // The new refresh cookie works, and what it gives works.
    const refreshed = await laptop.trpc.auth.refresh.mutate();
    laptop.useSession(refreshed);
    expect((await laptop.trpc.auth.me.query()).id).toBe(member.session.user.id);

    await login(member.email, newPassword);
    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: member.password }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
  });

  test('auth.password.change mails the owner a notice that never contains the password', async () => {
    const member = await signUpAndVerify(
      server,
      {},
      { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0' },
    );
    const since = server.mail.mark();
    const newPassword = strongPassword();
    await change(member, newPassword);
    const notice = await server.mail.waitForMail({ to: member.email, subject: CHANGED_SUBJECT, since });
    expect(notice.text).toContain('Firefox on Linux');
    expect(notice.text).toContain(member.client.ip!);
    expect(notice.text).toContain('Every other device');
    expect(linkIn(notice, '/forgot-password').origin).toBe(server.url);
    expect(`${notice.text}${notice.html}`).not.toContain(newPassword);
  });

  test('auth.password.change refuses a caller without a token with UNAUTHENTICATED', async () => {
    await expectReason(
      server
        .client()
        .trpc.auth.password.change.mutate({ currentPassword: strongPassword(), newPassword: strongPassword() }),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
  });
});

describe('password policy', () => {
  test('auth.password.change refuses a password from the common-password list with WEAK_PASSWORD', async () => {
    const member = await signUpAndVerify(server);
    expect(await expectWeak(member, 'passwordpassword')).toMatch(/common/i);
    expect(await expectWeak(member, 'PasswordPassword')).toMatch(/common/i);
  });

  test('auth.password.change refuses one code point short of the minimum and accepts the minimum, counting code points', async () => {
    const member = await signUpAndVerify(server);
    const fourteen = '🦊🐙🦉🐝🦀🐢🦎🐌🦋🐞🦂🐬🦈🐊';
    expect(fourteen.length).toBe(28); // UTF-16 units: a server counting those would let it through
    expect(await expectWeak(member, fourteen)).toContain('15');
    expect(await expectWeak(member, 'Zq8-vrwT-p3xb-')).toContain('15');
    await change(member, 'Zq8-vrwT-p3xb-L');
    await login(member.email, 'Zq8-vrwT-p3xb-L');
  });

  test('auth.password.change refuses 129 characters with WEAK_PASSWORD and accepts 128', async () => {
    const member = await signUpAndVerify(server);
    const long = 'Zq8-vrwT-p3xb-Lm/'.repeat(8);
    expect(await expectWeak(member, long.slice(0, 129))).toContain('128');
    // A megabyte is the same answer, not INVALID_INPUT (API.md §2), and changes nothing.
    expect(await expectWeak(member, 'Zq8-'.repeat(250_000))).toBe('Use at most 128 characters.');
    await login(member.email, member.password);
    await change(member, long.slice(0, 128));
    await login(member.email, long.slice(0, 128));
  });

  test('auth.password.change refuses a password containing the email’s local part or the product’s name with WEAK_PASSWORD', async () => {
    const member = await signUpAndVerify(server);
    const localPart = member.email.split('@')[0]!;
    await expectWeak(member, `Zq8!${localPart}#vX`);
    await expectWeak(member, `Zq8!${localPart.toUpperCase()}#vX`);
    await expectWeak(member, 'Zq8!LatchKey#vX-p3xb');
  });

  test('auth.password.change accepts a 64-character passphrase with emoji and CJK, and login takes it back', async () => {
    const member = await signUpAndVerify(server);
    const passphrase = '🦊 月光の下で river 🐙 東京タワー lantern 🌙 静かな夜 quietly 🍵 緑茶と桜 dancing 🚲 go';
    expect(codePoints(passphrase)).toBe(64);
    expect(passphrase.normalize('NFKC')).toBe(passphrase);
    await change(member, passphrase);
    await login(member.email, passphrase);
  });

  test('auth.password.change keeps all of a 100-character password: logging in with its first 64 or 72 characters fails', async () => {
    const member = await signUpAndVerify(server);
    const password =
      `${strongPassword()}${strongPassword()}${strongPassword()}${strongPassword()}${strongPassword()}`.slice(0, 100);
    expect(codePoints(password)).toBe(100);
    await change(member, password);
    for (const prefix of [password.slice(0, 64), password.slice(0, 72), password.slice(0, 99)]) {
      await expectReason(
        server.client().trpc.auth.login.mutate({ email: member.email, password: prefix }),
        'UNAUTHORIZED',
        'INVALID_CREDENTIALS',
      );
    }
    await login(member.email, password);
  });

  test('auth.password.change refuses the current and the previous 4 passwords with PASSWORD_REUSED and allows the 6th-last again', async () => {
    const member = await signUpAndVerify(server);
    const passwords = [member.password];
    for (let round = 1; round <= 4; round++) {
      const next = strongPassword();
      await change(member, next);
      passwords.push(next);
    }
    // passwords[4] is current; [0] (the sign-up password) is the 5th-last: all five are refused.
    for (const [index, old] of passwords.entries()) {
      const error = await expectReason(
        member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword: old }),
        'BAD_REQUEST',
        'PASSWORD_REUSED',
      );
      expect({ index, fieldErrors: error.data?.fieldErrors?.newPassword?.length }).toEqual({ index, fieldErrors: 1 });
    }

    const fifth = strongPassword();
    await change(member, fifth);
    // Now the sign-up password is the 6th-last: it may be chosen again; the 5 since are still refused.
    await expectReason(
      member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword: passwords[1]! }),
      'BAD_REQUEST',
      'PASSWORD_REUSED',
    );
    await change(member, passwords[0]!);
    await login(member.email, passwords[0]!);
  });
});
