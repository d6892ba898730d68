// Operations command (API.md §10):
//   npm run admin -- promote <email>   make an existing member an administrator
//   npm run admin -- create <email>    create a confirmed administrator; the password is read from
//                                      standard input (hidden and asked twice on a terminal)
// Same environment as the server (DATABASE_URL, DATA_DIR). Exits non-zero with one line on failure.
import { checkPassword } from '#shared/password-policy.ts';
import { EmailSchema } from '#shared/schemas/common.ts';
import { ConfigError, loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { hashPassword } from '#server/lib/passwords.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { createUser, findUserByEmail } from '#server/modules/users/users.service.ts';
import { StartupError } from '#server/lib/startup-failure.ts';
import { readPassword } from './read-password.ts';

class CommandError extends Error {}

/** How the security log shows a change made with this command. */
const OPERATOR = { ip: 'command line', userAgent: 'npm run admin' };

const USAGE = 'Usage: npm run admin -- promote <email> | create <email>';

async function run(args: string[]): Promise<string> {
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
