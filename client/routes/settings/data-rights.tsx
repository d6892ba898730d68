import { useState } from 'react';
import { useNavigate } from 'react-router';
import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { DeleteAccountInputSchema } from '#shared/schemas/privacy.ts';
import { CurrentPasswordField } from '#client/components/current-password-field.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signOut, useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { SetPasswordFirst } from './set-password-form.tsx';

type Open = 'none' | 'deactivate' | 'delete';

/** Export everything, step away for a while, or leave for good. */
export function DataRights() {
  const session = useSession();
  const noPassword = session.status === 'signed_in' && !session.user.hasPassword;
  const [open, setOpen] = useState<Open>('none');
  // After Cancel, the button that opened the form takes the focus back: it would fall to the page otherwise.
  const [cancelled, setCancelled] = useState<Open>('none');
  const cancel = (form: Open) => {
    setOpen('none');
    setCancelled(form);
  };
  return (
    <section className="card stack" aria-labelledby="data-title">
      <h2 id="data-title">Your data</h2>
      <ExportData />
      <hr className="divider" />
      <div className="stack">
        <h3>Deactivate your account</h3>
        <p className="field__hint">
          Your profile is hidden and you are signed out everywhere. Sign in again within 30 days to bring it back; after
          that it is deleted.
        </p>
        {noPassword && <SetPasswordFirst action="deactivating" />}
        {open === 'deactivate' ? (
          <DeactivateForm onCancel={() => cancel('deactivate')} />
        ) : (
          <div>
            <Button variant="secondary" autoFocus={cancelled === 'deactivate'} onClick={() => setOpen('deactivate')}>
              Deactivate…
            </Button>
          </div>
        )}
      </div>
      <hr className="divider" />
      <div className="stack">
        <h3>Delete your account</h3>
        <p className="field__hint">
          Your account, profile, picture, flyers and sessions are erased for good. A record that security events
          happened stays, with nothing that identifies you.
        </p>
        {noPassword && <SetPasswordFirst action="deleting your account" />}
        {open === 'delete' ? (
          <DeleteForm onCancel={() => cancel('delete')} />
        ) : (
          <div>
            <Button variant="danger" autoFocus={cancelled === 'delete'} onClick={() => setOpen('delete')}>
              Delete my account…
            </Button>
          </div>
        )}
      </div>
    </section>
  );
}

function ExportData() {
  const utils = trpc.useUtils();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  return (
    <div className="stack">
      <h3>Download your data</h3>
      <p className="field__hint">
        Everything we hold about you, as a JSON file: account, profile, settings, sessions, security log and flyers.
      </p>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <div>
        <Button
          variant="secondary"
          busy={state.busy}
          busyLabel="Preparing…"
          onClick={async () => {
            setState({ busy: true, error: null });
            try {
              const data = await utils.privacy.exportData.fetch(undefined, { staleTime: 0 });
              const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
              const link = document.createElement('a');
              link.href = url;
              link.download = `latchkey-data-${new Date().toISOString().slice(0, 10)}.json`;
              link.click();
              URL.revokeObjectURL(url);
              setState({ busy: false, error: null });
            } catch (error) {
              setState({ busy: false, error: toProblem(error).message });
            }
          }}
        >
          Download my data
        </Button>
      </div>
    </div>
  );
}

function useLeave(notice: string) {
  const navigate = useNavigate();
  return async () => {
    await signOut();
    navigate('/', { replace: true, state: { notice } });
  };
}

function DeactivateForm({ onCancel }: { onCancel: () => void }) {
  const form = useSchemaForm(PasswordConfirmationInputSchema);
  const deactivate = trpc.privacy.deactivateAccount.useMutation();
  const leave = useLeave('Your account is deactivated. Sign in within 30 days to bring it back.');
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) =>
        deactivate.mutate(input, {
          onSuccess: () => void leave(),
          onError: (error) => form.showError(formElement, error),
        }),
      )}
    >
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <CurrentPasswordField form={form} />
      <div className="row">
        <Button type="submit" busy={deactivate.isPending} busyLabel="Deactivating…">
          Deactivate my account
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function DeleteForm({ onCancel }: { onCancel: () => void }) {
  const session = useSession();
  const mfaEnabled = session.status === 'signed_in' && session.user.mfaEnabled;
  const form = useSchemaForm(DeleteAccountInputSchema);
  const remove = trpc.privacy.deleteAccount.useMutation();
  const [understood, setUnderstood] = useState(false);
  const leave = useLeave('Your account is deleted. Thank you for having been with us.');
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) =>
        remove.mutate(input, { onSuccess: () => void leave(), onError: (error) => form.showError(formElement, error) }),
      )}
    >
      <Alert tone="error" title="This cannot be undone">
        <p>Consider downloading your data first.</p>
      </Alert>
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <CurrentPasswordField form={form} />
      {mfaEnabled && (
        <Field
          label="Code"
          name="code"
          autoComplete="one-time-code"
          hint="From your authenticator app, or a recovery code."
          errors={form.fieldErrors.code}
          onInput={() => form.clearField('code')}
        />
      )}
      <label className="checkbox">
        <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />
        <span>I understand that my account and everything in it will be erased for good.</span>
      </label>
      <div className="row">
        <Button type="submit" variant="danger" disabled={!understood} busy={remove.isPending} busyLabel="Deleting…">
          Delete my account for good
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
