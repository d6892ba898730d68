import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { AcceptInvitationInputSchema } from '#shared/schemas/auth.ts';
import type { InvitationDetails } from '#shared/schemas/orgs.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { reasonOf, toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { ORG_ROLE_IN_SENTENCE } from '#client/lib/orgs.ts';
import { signedIn, signOut, useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

type Organization = NonNullable<InvitationDetails['organization']>;

// One /invite?token= link for both kinds (API.md §14): the details say which, and to whom.
export function InvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const details = trpc.auth.invitationDetails.useQuery(
    { token },
    {
      enabled: token !== '',
      staleTime: Infinity,
      retry: (failures, error) => reasonOf(error) === 'NETWORK' && failures < 2,
    },
  );
  // A malformed token is as dead as a used one to the person holding the link.
  const unusable = ['INVALID_TOKEN', 'INVALID_INPUT'].includes(reasonOf(details.error));
  const organization = details.data?.organization;

  return (
    <div className="page page--narrow">
      <div className="card">
        {!token ? (
          <>
            <PageHeading title="Accept your invitation" />
            <Alert tone="error">This link is incomplete. Open the link from the invitation email again.</Alert>
          </>
        ) : details.isPending ? (
          <div className="center">
            <Spinner label="Opening your invitation…" />
          </div>
        ) : unusable ? (
          <>
            <PageHeading title="This invitation cannot be used" />
            <p className="card__lead">
              It has expired, was revoked, or was already accepted. Ask the person who invited you for a new one.
            </p>
            <Link to="/" className="button button--secondary">
              Go to the home page
            </Link>
          </>
        ) : details.isError ? (
          <>
            <PageHeading title="Accept your invitation" />
            <LoadError what="your invitation" onRetry={() => void details.refetch()} />
          </>
        ) : organization ? (
          <JoinOrganization
            token={token}
            email={details.data.email}
            accountExists={details.data.accountExists}
            organization={organization}
          />
        ) : (
          <NewAccountForm token={token} email={details.data.email} />
        )}
      </div>
    </div>
  );
}

function JoinOrganization({
  token,
  email,
  accountExists,
  organization,
}: {
  token: string;
  email: string;
  accountExists: boolean;
  organization: Organization;
}) {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const accept = trpc.orgs.invitations.accept.useMutation();
  const lead = (
    <p className="card__lead">
      You are invited to join <strong>{organization.name}</strong> as {ORG_ROLE_IN_SENTENCE[organization.role]}.
    </p>
  );
  const landing = `/orgs/${organization.slug}/members`;
  const welcome = { notice: `Welcome to ${organization.name}!` };

  if (session.status === 'loading') {
    return (
      <div className="center">
        <Spinner label="Loading your account…" />
      </div>
    );
  }
  if (session.status === 'signed_in') {
    const isInvitee = session.user.email.toLowerCase() === email.toLowerCase();
    return (
      <>
        <PageHeading title={`Join ${organization.name}`} />
        {lead}
        {isInvitee ? (
          <div className="stack">
            {accept.isError && <Alert tone="error">{toProblem(accept.error).message}</Alert>}
            <Button
              block
              busy={accept.isPending}
              busyLabel="Joining…"
              onClick={() =>
                accept.mutate(
                  { token },
                  {
                    onSuccess: async () => {
                      await utils.orgs.mine.invalidate();
                      navigate(landing, { replace: true, state: welcome });
                    },
                  },
                )
              }
            >
              Join {organization.name}
            </Button>
          </div>
        ) : (
          <div className="stack">
            <Alert tone="info">
              <p>
                This invitation is for <strong>{email}</strong>, and you are signed in as{' '}
                <strong>{session.user.email}</strong>. Sign out, then sign in or sign up with {email} to join.
              </p>
            </Alert>
            <Button variant="secondary" block onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        )}
      </>
    );
  }
  if (accountExists) {
    return (
      <>
        <PageHeading title={`Join ${organization.name}`} />
        {lead}
        <p>
          There is already an account for <strong>{email}</strong>. Sign in with it to join.
        </p>
        <Link
          to="/login"
          state={{ from: `${location.pathname}${location.search}` }}
          className="button button--primary button--block"
        >
          Sign in to join
        </Link>
      </>
    );
  }
  return <NewAccountForm token={token} email={email} organization={organization} />;
}

/** An account made with what the invitation carries, email confirmed by the link itself; then signed in. */
function NewAccountForm({ token, email, organization }: { token: string; email: string; organization?: Organization }) {
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const form = useSchemaForm(AcceptInvitationInputSchema);
  const accept = trpc.auth.acceptInvitation.useMutation();
  const joinLabel = organization ? `Join ${organization.name}` : 'Join Latchkey';
  return (
    <>
      <PageHeading title={organization ? `Join ${organization.name}` : 'Accept your invitation'} />
      <p className="card__lead">
        {organization ? (
          <>
            Create your account to join <strong>{organization.name}</strong> as{' '}
            {ORG_ROLE_IN_SENTENCE[organization.role]}: choose how you appear and a password.
          </>
        ) : (
          'Choose how you appear and a password, and you are in.'
        )}
      </p>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          accept.mutate(input, {
            onSuccess: async (session) => {
              signedIn(session);
              if (organization) {
                await utils.orgs.mine.invalidate();
                navigate(`/orgs/${organization.slug}/members`, {
                  replace: true,
                  state: { notice: `Welcome to ${organization.name}! Your account is ready.` },
                });
              } else {
                navigate('/', { replace: true, state: { notice: 'Welcome to Latchkey! Your account is ready.' } });
              }
            },
            onError: (error) => form.showError(formElement, error),
          }),
        )}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <input type="hidden" name="token" value={token} />
        <p className="field__hint">
          Your account’s email: <strong>{email}</strong>
        </p>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          optional
          errors={form.fieldErrors.name}
          onInput={() => form.clearField('name')}
        />
        <NewPasswordField
          email={email}
          errors={form.fieldErrors.password}
          onInput={() => form.clearField('password')}
        />
        <Button type="submit" block busy={accept.isPending} busyLabel="Creating your account…">
          {joinLabel}
        </Button>
      </form>
      <p className="card__footer">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </>
  );
}
