import { useEffect, useRef, useState } from 'react';
import { browserSupportsWebAuthn, startRegistration, WebAuthnAbortService } from '@simplewebauthn/browser';
import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import type { Me } from '#shared/schemas/auth.ts';
import { RenamePasskeyInputSchema, type Passkey } from '#shared/schemas/passkeys.ts';
import { CurrentPasswordField } from '#client/components/current-password-field.tsx';
import { LoadError } from '#client/components/load-error.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { ceremonyOutcome, creationOptions, toWire } from '#client/lib/passkeys.ts';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { signOut } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

type Notice = { tone: 'error' | 'info'; message: string; reauth?: boolean };

const CANCELLED: Notice = {
  tone: 'info',
  message: 'Cancelled: no passkey was added. Try again when you are ready.',
};
const ALREADY_THERE: Notice = {
  tone: 'info',
  message: 'This device or password manager already has a passkey for your account: you can sign in with it.',
};
const BROWSER_FAILED: Notice = {
  tone: 'error',
  message: 'Your browser could not make a passkey. Try again, or try another device or password manager.',
};

/** Passkeys that sign the member in (API.md §13): add one, rename one, delete one. */
export function Passkeys({ user }: { user: Me }) {
  const utils = trpc.useUtils();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const supported = browserSupportsWebAuthn();
  const passkeys = trpc.auth.passkeys.list.useQuery();
  const remove = trpc.auth.passkeys.delete.useMutation();
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Passkey | null>(null);
  const sectionRef = useRef<HTMLElement>(null);
  // The Rename button to give the focus back to once its row is drawn again.
  const [refocus, setRefocus] = useState<string | null>(null);
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();

  // A ceremony still open in the browser when the member leaves the page is stopped.
  useEffect(() => () => WebAuthnAbortService.cancelCeremony(), []);
  useEffect(() => {
    if (refocus === null) return;
    sectionRef.current?.querySelector<HTMLButtonElement>(`[data-rename="${CSS.escape(refocus)}"]`)?.focus();
    setRefocus(null);
  }, [refocus]);

  const changed = async (message: string) => {
    await Promise.all([utils.auth.passkeys.list.invalidate(), utils.auth.securityEvents.invalidate()]);
    setAnnouncement(message);
  };
  const focusTitle = () => titleRef.current?.focus();
  const closeDialog = () => {
    setDeleting(null);
    remove.reset();
  };
  const deleteError = (() => {
    if (!remove.error) return null;
    const problem = toProblem(remove.error);
    return problem.reason === 'LAST_SIGN_IN_METHOD'
      ? 'This passkey is the only way left to sign in to this account. Set a password, link another account or add another passkey first, then delete it.'
      : problem.message;
  })();

  return (
    <section className="card stack" aria-labelledby="passkeys-title" ref={sectionRef}>
      <h2 id="passkeys-title" ref={titleRef} tabIndex={-1}>
        Passkeys
      </h2>
      <p className="field__hint">
        Sign in with your fingerprint, face or screen lock instead of your password. A passkey stays on your device or
        in your password manager, and works only on Latchkey, so it cannot be phished.
      </p>
      <div className="live-region" aria-live="polite">
        {announcement && (
          <Alert tone="success" inLiveRegion>
            {announcement}
          </Alert>
        )}
      </div>
      {passkeys.isPending && <Spinner label="Loading your passkeys…" />}
      {passkeys.isError && <LoadError what="your passkeys" onRetry={() => void passkeys.refetch()} />}
      {passkeys.data?.length === 0 && <p className="empty">No passkeys yet.</p>}
      {passkeys.data && passkeys.data.length > 0 && (
        <ul className="item-list">
          {passkeys.data.map((passkey) =>
            renaming === passkey.id ? (
              <li key={passkey.id} className="item-list__item">
                <RenameForm
                  passkey={passkey}
                  onDone={(renamed) => {
                    setRenaming(null);
                    setRefocus(passkey.id);
                    if (!renamed) return;
                    utils.auth.passkeys.list.setData(undefined, (list) =>
                      list?.map((item) => (item.id === renamed.id ? renamed : item)),
                    );
                    void changed(`Your passkey is renamed to ${renamed.name}.`);
                  }}
                />
              </li>
            ) : (
              <li key={passkey.id} className="item-list__item passkey">
                <div className="passkey__info">
                  <p className="item-list__title passkey__name">
                    <span>{passkey.name}</span>{' '}
                    {passkey.backedUp && <span className="badge badge--success">Synced</span>}
                  </p>
                  <p className="field__hint" id={`passkey-${passkey.id}`}>
                    added {formatDate(passkey.createdAt)} ·{' '}
                    {passkey.lastUsedAt ? `last used ${ago(passkey.lastUsedAt)}` : 'not used to sign in yet'}
                  </p>
                </div>
                <div className="row passkey__actions">
                  <Button
                    variant="secondary"
                    size="small"
                    data-rename={passkey.id}
                    aria-label={`Rename ${passkey.name}`}
                    aria-describedby={`passkey-${passkey.id}`}
                    onClick={() => {
                      setAnnouncement(null);
                      setRenaming(passkey.id);
                    }}
                  >
                    Rename
                  </Button>
                  <Button
                    variant="secondary"
                    size="small"
                    aria-label={`Delete ${passkey.name}`}
                    aria-describedby={`passkey-${passkey.id}`}
                    onClick={() => {
                      remove.reset();
                      setDeleting(passkey);
                    }}
                  >
                    Delete
                  </Button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      {!supported ? (
        <Alert tone="info">
          This browser cannot make or use passkeys. Use an up-to-date browser to add one; you can still rename or delete
          the passkeys listed here.
        </Alert>
      ) : adding ? (
        <AddPasskey
          user={user}
          onCancel={() => {
            setAdding(false);
            focusTitle();
          }}
          onAdded={async (passkey) => {
            setAdding(false);
            // The form leaves with the focus in it: keep the focus in this section, not on the page.
            focusTitle();
            await changed(`Passkey added as ${passkey.name}. You can rename it below.`);
          }}
        />
      ) : (
        <div>
          <Button
            variant="secondary"
            onClick={() => {
              setAnnouncement(null);
              setAdding(true);
            }}
          >
            Add a passkey
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete ${deleting.name}?` : 'Delete the passkey?'}
        confirmLabel="Delete"
        tone="danger"
        busy={remove.isPending}
        error={deleteError}
        onCancel={closeDialog}
        onConfirm={() => {
          if (!deleting) return;
          const { name } = deleting;
          remove.mutate(
            { id: deleting.id },
            {
              onSuccess: async () => {
                closeDialog();
                await changed(`${name} is deleted.`);
                // The button that opened the dialog left with its row: keep the focus in this section.
                focusTitle();
              },
            },
          );
        }}
      >
        <p>
          You will no longer be able to sign in with this passkey. Your device or password manager may still show it:
          remove it there too.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/**
 * Adding a passkey: the current password first when the account has one (API.md §13), then the
 * browser's own prompt. The server names the passkey after the device; it can be renamed after.
 */
function AddPasskey({
  user,
  onAdded,
  onCancel,
}: {
  user: Me;
  onAdded: (passkey: Passkey) => void;
  onCancel: () => void;
}) {
  const form = useSchemaForm(PasswordConfirmationInputSchema);
  const registrationOptions = trpc.auth.passkeys.registrationOptions.useMutation();
  const register = trpc.auth.passkeys.register.useMutation();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<'options' | 'browser' | 'saving' | null>(null);

  const add = async (password: string | undefined, formElement: HTMLFormElement | null) => {
    setNotice(null);
    setBusy('options');
    try {
      const options = await registrationOptions.mutateAsync(password === undefined ? {} : { password });
      setBusy('browser');
      let response: Awaited<ReturnType<typeof startRegistration>>;
      try {
        response = await startRegistration({ optionsJSON: creationOptions(options) });
      } catch (error) {
        const outcome = ceremonyOutcome(error);
        if (outcome === 'cancelled') setNotice(CANCELLED);
        else if (outcome === 'exists') setNotice(ALREADY_THERE);
        else if (outcome === 'failed') setNotice(BROWSER_FAILED);
        return;
      }
      setBusy('saving');
      onAdded(await register.mutateAsync({ response: toWire(response) }));
    } catch (error) {
      const problem = form.showError(formElement, error);
      // The form shows field errors (a wrong password) under their field, anything else in its own alert.
      if (problem.reason === 'REAUTH_REQUIRED') setNotice({ tone: 'error', message: problem.message, reauth: true });
      else if (!Object.keys(problem.fieldErrors).length) setNotice({ tone: 'error', message: problem.message });
    } finally {
      setBusy(null);
    }
  };
  const busyLabel = busy === 'browser' ? 'Waiting for your passkey…' : busy === 'saving' ? 'Saving…' : 'Preparing…';

  const noticeView = notice && (
    <Alert tone={notice.tone}>
      {notice.reauth ? (
        <>
          <p>
            For your safety, a passkey can be added only within 10 minutes of signing in. Log out, sign in again, then
            add your passkey here.
          </p>
          {/* Signed out, the settings send the member to /login, and back here after signing in. */}
          <Button variant="secondary" size="small" onClick={() => void signOut()}>
            Log out and sign in again
          </Button>
        </>
      ) : (
        <p>{notice.message}</p>
      )}
    </Alert>
  );

  if (!user.hasPassword) {
    return (
      <div className="stack">
        {noticeView}
        <p>Your browser will ask you to make a passkey, with your fingerprint, face, screen lock or security key.</p>
        <div className="row">
          <Button busy={busy !== null} busyLabel={busyLabel} autoFocus onClick={() => void add(undefined, null)}>
            Continue
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) => void add(input.password, formElement))}
    >
      <p>
        Enter your password to add a passkey. Your browser then asks you to make one, with your fingerprint, face,
        screen lock or security key.
      </p>
      {noticeView}
      <CurrentPasswordField form={form} label="Current password" />
      <div className="row">
        <Button type="submit" busy={busy !== null} busyLabel={busyLabel}>
          Continue
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** The name field in place of a passkey's row: Save keeps it, Cancel or Escape goes back. */
function RenameForm({ passkey, onDone }: { passkey: Passkey; onDone: (renamed: Passkey | null) => void }) {
  const form = useSchemaForm(RenamePasskeyInputSchema);
  const rename = trpc.auth.passkeys.rename.useMutation();
  return (
    <form
      noValidate
      className="stack passkey__rename"
      onSubmit={form.onSubmit((input, formElement) =>
        rename.mutate(input, {
          onSuccess: (renamed) => onDone(renamed),
          onError: (error) => form.showError(formElement, error),
        }),
      )}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onDone(null);
        }
      }}
    >
      <input type="hidden" name="id" value={passkey.id} />
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <Field
        label="Passkey name"
        name="name"
        defaultValue={passkey.name}
        autoComplete="off"
        autoFocus
        onFocus={(event) => event.currentTarget.select()}
        errors={form.fieldErrors.name}
        onInput={() => form.clearField('name')}
      />
      <div className="row">
        <Button type="submit" size="small" busy={rename.isPending} busyLabel="Saving…">
          Save
        </Button>
        <Button variant="ghost" size="small" onClick={() => onDone(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
