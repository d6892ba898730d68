// Operations command (API.md §10):
//   npm run admin -- promote <email>   make an existing member an administrator
//   npm run admin -- create <email>    create a confirmed administrator; the password is read from
//                                      standard input (hidden and asked twice on a terminal)
//   npm run admin -- rotate-keys       add a signing key: published at once, signing 6 minutes later
// Same environment as the server (DATABASE_URL, DATA_DIR, MASTER_KEY). Exits non-zero with one line on failure.
import { checkPassword } from '#shared/password-policy.ts';
import { EmailSchema } from '#shared/schemas/common.ts';
import { ConfigError, loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { hashPassword } from '#server/lib/passwords.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { createUser, findUserByEmail } from '#server/modules/users/users.service.ts';
import { BREACHED_PASSWORD_REASON, createBreachCheck } from '#server/modules/passwords/breached-passwords.ts';
import { StartupError } from '#server/lib/startup-failure.ts';
import { addSigningKey, openInstallKeys } from '#server/modules/keys/install-keys.ts';
import { SIGNING_KEY_ACTIVATION_DELAY_MS } from '#server/modules/keys/signing-keys.ts';
import { readPassword } from './read-password.ts';

class CommandError extends Error {}

/** How the security log shows a change made with this command. */
const OPERATOR = { ip: 'command line', userAgent: 'npm run admin' };

const USAGE = 'Usage: npm run admin -- promote <email> | create <email> | rotate-keys';

/** API.md §11: the new key is in every instance's JWKS before any token is signed with it. */
async function rotateKeys(): Promise<string> {
  const config = loadConfig();
  const orm = await openDatabase(config);
  try {
    // Whatever else the install holds, its keys must open with this MASTER_KEY.
    await openInstallKeys(orm, config, () => new Date());
    const now = new Date();
    const activatesAt = new Date(now.getTime() + SIGNING_KEY_ACTIVATION_DELAY_MS);
    const kid = await addSigningKey(orm, config, now, activatesAt);
    return `Added the signing key ${kid}: published now, signing from ${activatesAt.toISOString()}.`;
  } finally {
    await orm.close();
  }
}

async function run(args: string[]): Promise<string> {
  if (args.length === 1 && args[0] === 'rotate-keys') return rotateKeys();
  const [command, rawEmail, ...extra] = args;
  if (!command || !rawEmail || extra.length > 0 || !['promote', 'create'].includes(command))
    throw new CommandError(USAGE);
  const parsed = EmailSchema.safeParse(rawEmail);
  if (!parsed.success) throw new CommandError(`"${rawEmail}" is not an email address.`);
  const email = parsed.data;
  const config = loadConfig();

  let password = '';
  if (command === 'create') {
    password = await readPassword(`Password for ${email}: `);
    if (process.stdin.isTTY && (await readPassword('Once more: ')) !== password)
      throw new CommandError('The two passwords differ.');
    const verdict = checkPassword(password, { minLength: config.passwordMinLength, email });
    if (!verdict.ok) throw new CommandError(`Weak password: ${verdict.reason}`);
    if (config.pwnedPasswords.enabled) {
      // API.md §16 as on the server: an unreachable service is a warning, not a failure.
      const log = { warn: (_details: object, message: string) => console.error(`Warning: ${message}`) };
      const check = createBreachCheck({ url: config.pwnedPasswords.url, log });
      if (await check.isBreached(password)) throw new CommandError(`Weak password: ${BREACHED_PASSWORD_REASON}`);
    }
  }

  const orm = await openDatabase(config);
  try {
    const em = orm.em.fork();
    const existing = await findUserByEmail(em, email);
    if (command === 'promote') {
      if (!existing) throw new CommandError(`There is no account with the email ${email}.`);
      existing.role = 'admin';
      recordSecurityEvent(em, { user: existing, type: 'role.changed', client: OPERATOR, at: new Date() });
      await em.flush();
      return `${existing.email} is now an administrator.`;
    }
    if (existing) throw new CommandError(`An account with the email ${email} already exists: use "promote".`);
    const now = new Date();
    const user = createUser(em, { email, passwordHash: await hashPassword(password), now });
    user.role = 'admin';
    user.emailVerifiedAt = now;
    await em.flush();
    return `Created the administrator ${user.email}.`;
  } finally {
    await orm.close();
  }
}

try {
  console.log(await run(process.argv.slice(2)));
} catch (error) {
  if (error instanceof CommandError || error instanceof ConfigError || error instanceof StartupError)
    console.error(error.message);
  else console.error(`Failed: ${String((error as Error).message).split('\n')[0]}`);
  process.exitCode = 1;
}
