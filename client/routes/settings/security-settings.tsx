import { PageHeading } from '#client/components/page-heading.tsx';
import { useSession } from '#client/lib/session.ts';
import { LinkedAccounts } from './linked-accounts.tsx';
import { Passkeys } from './passkeys.tsx';
import { SecurityLog } from './security-log.tsx';
import { SessionsList } from './sessions-list.tsx';
import { SetPasswordForm } from './set-password-form.tsx';
import { TwoFactor } from './two-factor.tsx';

export function SecuritySettingsPage() {
  const session = useSession();
  if (session.status !== 'signed_in') return null;
  return (
    <div className="stack">
      <PageHeading title="Security" />
      <p className="card__lead">
        How you sign in, your devices, two-factor codes, and everything that happened to your account.
      </p>
      <SetPasswordForm user={session.user} />
      <Passkeys user={session.user} />
      <LinkedAccounts />
      <SessionsList />
      <TwoFactor user={session.user} />
      <SecurityLog />
    </div>
  );
}
