import { useState } from 'react';
import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { MfaEnableInputSchema, type MfaSetup } from '#shared/schemas/mfa.ts';
import type { Me } from '#shared/schemas/auth.ts';
import { PasswordInput } from '#client/components/password-input.tsx';
import { QrCode } from '#client/components/qr-code.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { updateUser } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

type Step =
  | { kind: 'idle' }
  | { kind: 'setup'; setup: MfaSetup }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'confirm'; action: 'disable' | 'regenerate' };

/** Two-factor codes: set up with a QR code, recovery codes shown once, off with the password. */
export function TwoFactor({ user }: { user: Me }) {
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const utils = trpc.useUtils();
  const setup = trpc.auth.mfa.setup.useMutation({ onSuccess: (data) => setStep({ kind: 'setup', setup: data }) });
  const changed = (mfaEnabled: boolean) => {
    updateUser({ ...user, mfaEnabled });
    void utils.auth.securityEvents.invalidate();
  };

  return (
    <section className="card stack" aria-labelledby="two-factor-title">
      <div className="flyer__header">
        <h2 id="two-factor-title">Two-factor codes</h2>
        <span className={`badge${user.mfaEnabled ? ' badge--success' : ''}`}>{user.mfaEnabled ? 'On' : 'Off'}</span>
      </div>
      <p className="field__hint">
        With two-factor codes on, signing in also asks for a code from an authenticator app on your phone, so your
        password alone is not enough.
      </p>
      {step.kind === 'setup' && (
        <EnableStep
          setup={step.setup}
          onCancel={() => setStep({ kind: 'idle' })}
          onEnabled={(codes) => {
            changed(true);
            setStep({ kind: 'codes', codes });
          }}
        />
      )}
      {step.kind === 'codes' && <RecoveryCodesView codes={step.codes} onDone={() => setStep({ kind: 'idle' })} />}
      {step.kind === 'confirm' && (
        <PasswordStep
          action={step.action}
          onCancel={() => setStep({ kind: 'idle' })}
          onDone={(codes) => {
            if (step.action === 'disable') changed(false);
            setStep(codes ? { kind: 'codes', codes } : { kind: 'idle' });
          }}
        />
      )}
      {step.kind === 'idle' && (
        <>
          {setup.error && <Alert tone="error">{toProblem(setup.error).message}</Alert>}
          {user.mfaEnabled && !user.hasPassword && (
            <p className="field__hint">
              Set a password first, above: turning two-factor codes off and making new recovery codes ask for it.
            </p>
          )}
          <div className="row">
            {user.mfaEnabled ? (
              <>
                <Button variant="secondary" onClick={() => setStep({ kind: 'confirm', action: 'regenerate' })}>
                  New recovery codes
                </Button>
                <Button variant="ghost" onClick={() => setStep({ kind: 'confirm', action: 'disable' })}>
                  Turn off two-factor codes
                </Button>
              </>
            ) : (
              <Button busy={setup.isPending} busyLabel="Preparing…" onClick={() => setup.mutate()}>
                Turn on two-factor codes
              </Button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function EnableStep({
  setup,
  onEnabled,
  onCancel,
}: {
  setup: MfaSetup;
  onEnabled: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const form = useSchemaForm(MfaEnableInputSchema);
  const enable = trpc.auth.mfa.enable.useMutation();
  return (
    <div className="stack">
      <ol className="steps">
        <li>Open an authenticator app (such as 1Password, Google Authenticator or Aegis) and scan this code.</li>
        <li>Enter the 6-digit code it shows.</li>
      </ol>
      <div className="mfa-setup">
        <QrCode value={setup.otpauthUri} label="Image to scan with your authenticator app" />
        <div className="stack">
          <p className="field__hint">Cannot scan? Type this key into the app instead:</p>
          <code className="secret" aria-label="Set-up key">
            {setup.secret.match(/.{1,4}/g)?.join(' ')}
          </code>
        </div>
      </div>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          enable.mutate(input, {
            onSuccess: (result) => onEnabled(result.recoveryCodes),
            onError: (error) => form.showError(formElement, error),
          }),
        )}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <Field
          label="Code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          errors={form.fieldErrors.code}
          onInput={() => form.clearField('code')}
        />
        <div className="row">
          <Button type="submit" busy={enable.isPending} busyLabel="Checking…">
            Turn on
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}

function RecoveryCodesView({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `Latchkey recovery codes\nEach code works once, if you cannot use your authenticator app.\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'latchkey-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="stack">
      <Alert tone="info" title="Save your recovery codes now">
        <p>Each code lets you in once if you lose your phone. This is the only time they are shown.</p>
      </Alert>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <Button
          variant="secondary"
          size="small"
          onClick={async () => {
            await navigator.clipboard.writeText(text);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy codes'}
        </Button>
        <Button variant="secondary" size="small" onClick={download}>
          Download codes
        </Button>
        <Button size="small" onClick={onDone}>
          I have saved them
        </Button>
      </div>
    </div>
  );
}

function PasswordStep({
  action,
  onDone,
  onCancel,
}: {
  action: 'disable' | 'regenerate';
  onDone: (codes?: string[]) => void;
  onCancel: () => void;
}) {
  const form = useSchemaForm(PasswordConfirmationInputSchema);
  const disable = trpc.auth.mfa.disable.useMutation();
  const regenerate = trpc.auth.mfa.regenerateRecoveryCodes.useMutation();
  const busy = disable.isPending || regenerate.isPending;
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) => {
        const onError = (error: unknown) => form.showError(formElement, error);
        if (action === 'disable') disable.mutate(input, { onSuccess: () => onDone(), onError });
        else regenerate.mutate(input, { onSuccess: (result) => onDone(result.recoveryCodes), onError });
      })}
    >
      <p>
        {action === 'disable'
          ? 'Enter your password to turn two-factor codes off.'
          : 'Enter your password to make new recovery codes. The old ones stop working.'}
      </p>
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <Field
        label="Password"
        name="password"
        autoComplete="current-password"
        errors={form.fieldErrors.password}
        onInput={() => form.clearField('password')}
        renderInput={(props) => <PasswordInput {...props} />}
      />
      <div className="row">
        <Button type="submit" variant={action === 'disable' ? 'danger' : 'primary'} busy={busy}>
          {action === 'disable' ? 'Turn off' : 'Make new codes'}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
