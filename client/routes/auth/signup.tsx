import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { RegisterInputSchema } from '#shared/schemas/auth.ts';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { ProviderButtons } from '#client/components/provider-buttons.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { clientConfig } from '#client/lib/client-config.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';

export function SignupPage() {
  const navigate = useNavigate();
  const form = useSchemaForm(RegisterInputSchema);
  const [email, setEmail] = useState('');
  const register = trpc.auth.register.useMutation();

  if (clientConfig.registrationMode === 'invite_only') {
    return (
      <div className="page page--narrow">
        <div className="card">
          <PageHeading title="Sign-up is by invitation" />
          <p className="card__lead">
            Accounts here are created from an invitation. If you received one, open the link in that email. Otherwise,
            ask an administrator to invite you.
          </p>
          <Link to="/login" className="button button--primary">
            Log in
          </Link>
        </div>
      </div>
    );
  }
  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title="Create your account" />
        <p className="card__lead">It takes a minute. We will send you a link to confirm your email.</p>
        <form
          noValidate
          className="stack"
          onSubmit={form.onSubmit((input, formElement) =>
            register.mutate(input, {
              onSuccess: () => navigate('/check-email', { state: { email: input.email } }),
              onError: (error) => form.showError(formElement, error),
            }),
          )}
        >
          {form.formError && <Alert tone="error">{form.formError}</Alert>}
          <Field
            label="Name"
            name="name"
            autoComplete="name"
            optional
            errors={form.fieldErrors.name}
            onInput={() => form.clearField('name')}
          />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            errors={form.fieldErrors.email}
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              form.clearField('email');
            }}
          />
          <NewPasswordField
            email={email}
            errors={form.fieldErrors.password}
            onInput={() => form.clearField('password')}
          />
          <Button type="submit" block busy={register.isPending} busyLabel="Creating your account…">
            Sign up
          </Button>
        </form>
        <ProviderButtons returnTo="/" />
        <p className="card__footer">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </div>
    </div>
  );
}
