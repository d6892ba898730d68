import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { linesOf, runAdminCommand, type CommandResult } from '#tests/helpers/admin-command.ts';
import { invitedAccount, refreshInto, signIn } from '#tests/helpers/admin.ts';
import { sharedDataDir, type SharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import {
  decodeJwt,
  expectReason,
  startTestServer,
  strongPassword,
  uniqueEmail,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// One data directory for the server and the command, as on a real host: the command writes to the
// SQLite file while the server runs on it. The server is invite-only, where the command is how the
// first administrator comes to be.
let data: SharedDataDir;
let server: TestServer;

const bossEmail = uniqueEmail('boss');
// Spaces and a non-ASCII letter: the whole line is the password, taken as typed.
const bossPassword = `Zürich ${randomBytes(9).toString('base64url')} Tq7`;
let boss: TestClient;

beforeAll(async () => {
  data = await sharedDataDir();
  server = await startTestServer({ ...data.env, REGISTRATION_MODE: 'invite_only' });
});
afterAll(async () => {
  await server?.close();
  await data?.remove();
});

const admin = (args: string[], stdin?: string) =>
  runAdminCommand(args, { env: data.env, ...(stdin === undefined ? {} : { stdin }) });

function expectOneLineFailure(name: string, result: CommandResult) {
  expect({
    name,
    code: result.code === 0 ? 0 : 'non-zero',
    stdout: result.stdout,
    stderrLines: linesOf(result.stderr).length,
  }).toEqual({
    name,
    code: 'non-zero',
    stdout: '',
    stderrLines: 1,
  });
}

/** A member invited by the boss: the only way to get one in invite-only mode. */
const invitedMember = () => invitedAccount(server, boss, { name: 'Invited Member' });

test('the admin command create <email> makes a verified admin from the password on stdin, who signs in over HTTP and uses admin procedures', async () => {
  const result = await admin(['create', bossEmail], `${bossPassword}\n`);
  expect(result.code).toBe(0);
  expect(linesOf(result.stdout)).toHaveLength(1);
  expect(result.stdout).toContain(bossEmail);
  expect(result.stderr).toBe('');
  // Never echoed, in whole or in part.
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toContain(bossPassword);
    expect(text).not.toContain(bossPassword.split(' ')[1]);
  }

  boss = await signIn(server, bossEmail, bossPassword);
  const me = await boss.trpc.auth.me.query();
  expect(me).toMatchObject({ email: bossEmail, role: 'admin', emailVerified: true, mfaEnabled: false });
  expect(decodeJwt(boss.bearer!).payload.role).toBe('admin');
  const page = await boss.trpc.admin.users.list.query({ query: bossEmail });
  expect(page.items).toEqual([
    expect.objectContaining({ id: me.id, role: 'admin', emailVerified: true, disabled: false }),
  ]);
  expect(Array.isArray(await boss.trpc.admin.invitations.list.query())).toBe(true);
});

test('auth.register is refused with REGISTRATION_CLOSED in invite-only mode, while an invitation from that admin still works', async () => {
  const uninvited = uniqueEmail('uninvited');
  await expectReason(
    server.client().trpc.auth.register.mutate({ email: uninvited, password: strongPassword() }),
    'FORBIDDEN',
    'REGISTRATION_CLOSED',
  );
  expect(server.mail.mailsTo(uninvited)).toEqual([]);

  const member = await invitedMember();
  expect(await member.client.trpc.auth.me.query()).toMatchObject({
    email: member.email,
    role: 'user',
    emailVerified: true,
    profile: { name: 'Invited Member' },
  });
  expect((await signIn(server, member.email, member.password)).bearer).toBeTruthy();
  const listed = await boss.trpc.admin.invitations.list.query();
  expect(listed.find((invitation) => invitation.email === member.email)?.status).toBe('accepted');
});

test('the admin command refuses a weak password, an existing email, a malformed email, a missing argument, an unknown command and promote of an unknown email, each exiting non-zero with one line on stderr', async () => {
  const weakEmail = uniqueEmail('weak');
  const weakPassword = 'password1234';
  const secondPassword = strongPassword();
  const unknownEmail = uniqueEmail('nobody');
  const cases: Array<[string, string[], string?]> = [
    ['weak password', ['create', weakEmail], `${weakPassword}\n`],
    ['password of a megabyte', ['create', weakEmail], `${'Tq7-'.repeat(250_000)}\n`],
    ['existing email', ['create', bossEmail.toUpperCase()], `${secondPassword}\n`],
    ['malformed email', ['create', 'not-an-email'], `${strongPassword()}\n`],
    ['missing email for create', ['create'], `${strongPassword()}\n`],
    ['unknown command', ['demote', bossEmail]],
    ['promote of an unknown email', ['promote', unknownEmail]],
  ];
  const results = await Promise.all(cases.map(([, args, stdin]) => admin(args, stdin)));
  cases.forEach(([name], index) => expectOneLineFailure(name, results[index]!));
  const [weak, existing] = results;
  expect(`${weak!.stdout}${weak!.stderr}`).not.toContain(weakPassword);
  expect(`${existing!.stdout}${existing!.stderr}`).not.toContain(secondPassword);

  // Nothing changed: no account for the weak or unknown address, the boss keeps the password and role.
  for (const email of [weakEmail, unknownEmail]) {
    expect((await boss.trpc.admin.users.list.query({ query: email })).items).toEqual([]);
  }
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: bossEmail, password: secondPassword }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  expect((await (await signIn(server, bossEmail, bossPassword)).trpc.auth.me.query()).role).toBe('admin');
}, 90_000); // six start-ups of the command, in parallel on what may be a small machine

test('the admin command promote <email> makes an existing member an admin: their old token is refused and the next refresh says admin', async () => {
  const member = await invitedMember();
  expect((await member.client.trpc.auth.me.query()).role).toBe('user');

  // Any case of the address finds the account.
  const result = await admin(['promote', member.email.toUpperCase()]);
  expect(result.code).toBe(0);
  expect(linesOf(result.stdout)).toHaveLength(1);
  expect(result.stderr).toBe('');

  await expectReason(member.client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  await refreshInto(member.client);
  expect(decodeJwt(member.client.bearer!).payload.role).toBe('admin');
  expect((await member.client.trpc.auth.me.query()).role).toBe('admin');
  const page = await member.client.trpc.admin.users.list.query({ query: member.email });
  expect(page.items).toEqual([expect.objectContaining({ email: member.email, role: 'admin' })]);
  expect((await boss.trpc.admin.users.list.query({ query: member.email })).items[0]?.role).toBe('admin');
});
