import { useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Me } from '#shared/schemas/auth.ts';
import { SetPasswordInputSchema } from '#shared/schemas/identities.ts';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signedIn, signOut } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

/** A first password for an account made through a provider (API.md §12); nothing once it has one. */
export function SetPasswordForm({ user }: { user: Me }) {
  const form = useSchemaForm(SetPasswordInputSchema);
  const setPassword = trpc.auth.password.set.useMutation();
  const utils = trpc.useUtils();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const [done, setDone] = useState(false);
  const [reauth, setReauth] = useState(false);
  if (user.hasPassword && !done) return null;
  return (
    <section className="card stack" aria-labelledby="set-password-title">
      <h2 id="set-password-title" ref={titleRef} tabIndex={-1}>
        Set a password
      </h2>
      {done ? (
        <Alert tone="success">Your password is set. You can also log in with your email and password now.</Alert>
      ) : (
        <>
          <p className="field__hint">
            You sign in with a linked account. A password lets you sign in without it, and it is asked for before
            changing your email, turning off two-factor codes or leaving.
          </p>
          <form
            noValidate
            className="stack"
            onSubmit={form.onSubmit((input, formElement) => {
              setReauth(false);
              setPassword.mutate(input, {
                onSuccess: (session) => {
                  signedIn(session);
                  setDone(true);
                  void utils.auth.securityEvents.invalidate();
                  // The form leaves with the focus in it: keep the focus in this section, not on the page.
                  titleRef.current?.focus();
                },
                onError: (error) => {
                  if (form.showError(formElement, error).reason === 'REAUTH_REQUIRED') setReauth(true);
                },
              });
            })}
          >
            {reauth ? (
              <Alert tone="error">
                <p>
                  For your safety, a password can be set only within 10 minutes of signing in. Log out, sign in again
                  with your linked account, then set your password here.
                </p>
                {/* Signed out, the settings send the member to /login, and back here after signing in. */}
                <Button variant="secondary" size="small" onClick={() => void signOut()}>
                  Log out and sign in again
                </Button>
              </Alert>
            ) : (
              form.formError && <Alert tone="error">{form.formError}</Alert>
            )}
            <NewPasswordField
              label="New password"
              name="newPassword"
              email={user.email}
              errors={form.fieldErrors.newPassword}
              onInput={() => form.clearField('newPassword')}
            />
            <div>
              <Button type="submit" busy={setPassword.isPending} busyLabel="Saving…">
                Save
              </Button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

/** For a form that asks for the password, on an account that has none yet. */
export function SetPasswordFirst({ action }: { action: string }) {
  return (
    <p className="field__hint">
      Set a password first, in <Link to="/settings/security">Security</Link>: {action} asks for it.
    </p>
  );
}
