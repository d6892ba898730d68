import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { ResendVerificationInputSchema } from '#shared/schemas/auth.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';

/** After sign-up, or when a link expired: explains what to do and offers to send the link again. */
export function CheckEmailPage() {
  const location = useLocation();
  const knownEmail = (location.state as { email?: string } | null)?.email ?? '';
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useSchemaForm(ResendVerificationInputSchema);
  const resend = trpc.auth.resendVerification.useMutation();

  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title="Check your email" />
        <p className="card__lead">
          {knownEmail ? (
            <>
              We sent a confirmation link to <strong>{knownEmail}</strong>.
            </>
          ) : (
            'We sent you a confirmation link.'
          )}{' '}
          Open it to finish: the device you open it on is signed in. It expires in 24 hours.
        </p>
        <form
          noValidate
          className="stack"
          onSubmit={form.onSubmit((input, formElement) =>
            resend.mutate(input, {
              onSuccess: () => setSentTo(input.email),
              onError: (error) => form.showError(formElement, error),
            }),
          )}
        >
          <h2 className="subheading">No mail?</h2>
          <p className="field__hint">Check your spam folder, or send the link again.</p>
          {sentTo && (
            <Alert tone="success">If {sentTo} has an account waiting for confirmation, a new link is on its way.</Alert>
          )}
          {form.formError && <Alert tone="error">{form.formError}</Alert>}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            defaultValue={knownEmail}
            errors={form.fieldErrors.email}
          />
          <Button type="submit" variant="secondary" busy={resend.isPending} busyLabel="Sending…">
            Send the link again
          </Button>
        </form>
        <p className="card__footer">
          Already confirmed? <Link to="/login">Log in</Link>
        </p>
      </div>
    </div>
  );
}
