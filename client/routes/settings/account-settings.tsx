import { Link, useNavigate } from 'react-router';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { signOut, useSession } from '#client/lib/session.ts';
import { ChangeEmailForm } from './change-email-form.tsx';
import { ChangePasswordForm } from './change-password-form.tsx';

export function AccountSettingsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const formatDate = useDateFormatter();
  if (session.status !== 'signed_in') return null;
  const user = session.user;

  return (
    <div className="stack">
      <PageHeading title="Account" />
      <p className="card__lead">The details that identify your account. Only you can see them.</p>
      <section className="card">
        <dl className="details">
          <div>
            <dt>Email</dt>
            <dd>
              {user.email}{' '}
              <span className={`badge${user.emailVerified ? ' badge--success' : ''}`}>
                {user.emailVerified ? 'Confirmed' : 'Not confirmed'}
              </span>
            </dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>
              <time dateTime={user.createdAt}>{formatDate(user.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Two-factor codes</dt>
            <dd>{user.mfaEnabled ? 'On' : 'Off'}</dd>
          </div>
        </dl>
      </section>
      <ChangeEmailForm email={user.email} hasPassword={user.hasPassword} />
      {user.hasPassword ? (
        <ChangePasswordForm email={user.email} />
      ) : (
        <section className="card stack" aria-labelledby="no-password-title">
          <h2 id="no-password-title">Password</h2>
          <p className="field__hint">Your account has no password yet: you sign in with a linked account.</p>
          <div>
            <Link to="/settings/security" className="button button--secondary">
              Set a password
            </Link>
          </div>
        </section>
      )}
      <section className="card stack">
        <h2>This device</h2>
        <p className="field__hint">Signing out ends your session on this device only.</p>
        <div>
          <Button
            variant="secondary"
            onClick={async () => {
              await signOut();
              navigate('/');
            }}
          >
            Log out of this device
          </Button>
        </div>
      </section>
    </div>
  );
}
