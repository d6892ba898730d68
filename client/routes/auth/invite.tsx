import { Link, useNavigate, useSearchParams } from 'react-router';
import { AcceptInvitationInputSchema } from '#shared/schemas/auth.ts';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signedIn } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

export function InvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const form = useSchemaForm(AcceptInvitationInputSchema);
  const accept = trpc.auth.acceptInvitation.useMutation();

  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title="Accept your invitation" />
        {!token ? (
          <Alert tone="error">This link is incomplete. Open the link from the invitation email again.</Alert>
        ) : (
          <>
            <p className="card__lead">Choose how you appear and a password, and you are in.</p>
            <form
              noValidate
              className="stack"
              onSubmit={form.onSubmit((input, formElement) =>
                accept.mutate(input, {
                  onSuccess: (session) => {
                    signedIn(session);
                    navigate('/', { replace: true, state: { notice: 'Welcome to Latchkey! Your account is ready.' } });
                  },
                  onError: (error) => form.showError(formElement, error),
                }),
              )}
            >
              {form.formError && <Alert tone="error">{form.formError}</Alert>}
              <input type="hidden" name="token" value={token} />
              <Field
                label="Name"
                name="name"
                autoComplete="name"
                optional
                errors={form.fieldErrors.name}
                onInput={() => form.clearField('name')}
              />
              <NewPasswordField
                email=""
                errors={form.fieldErrors.password}
                onInput={() => form.clearField('password')}
              />
              <Button type="submit" block busy={accept.isPending} busyLabel="Creating your account…">
                Join Latchkey
              </Button>
            </form>
          </>
        )}
        <p className="card__footer">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </div>
    </div>
  );
}
