import { useEffect, useState } from 'react';
import type { PasswordVerdict } from '#shared/password-policy.ts';
import { clientConfig } from '#client/lib/client-config.ts';
import { Field } from './ui/field.tsx';
import { PasswordInput } from './password-input.tsx';

type Props = { label?: string; name?: string; email: string; errors?: string[]; onInput?: () => void };

const SCORE_WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

// The policy module carries large dictionaries: load it once, on first use, not with the page.
let policy: Promise<typeof import('#shared/password-policy.ts')> | undefined;
const loadPolicy = () => (policy ??= import('#shared/password-policy.ts'));

/** A new password with the live verdict of the same policy the server applies (API.md §4). */
export function NewPasswordField({ label = 'Password', name = 'password', email, errors, onInput }: Props) {
  const [value, setValue] = useState('');
  const [verdict, setVerdict] = useState<PasswordVerdict | null>(null);
  const [suggested, setSuggested] = useState(false);

  useEffect(() => {
    let current = true;
    if (!value) {
      setVerdict(null);
      return;
    }
    void loadPolicy().then(({ checkPassword }) => {
      if (current) setVerdict(checkPassword(value, { minLength: clientConfig.passwordMinLength, email }));
    });
    return () => {
      current = false;
    };
  }, [value, email]);

  const change = (next: string) => {
    setValue(next);
    onInput?.();
  };

  const score = verdict ? (verdict.ok ? Math.max(verdict.score, 3) : Math.min(verdict.score, 2)) : null;
  return (
    <Field
      label={label}
      name={name}
      autoComplete="new-password"
      required
      errors={errors}
      value={value}
      onChange={(event) => {
        setSuggested(false);
        change(event.target.value);
      }}
      hint={
        <div className="strength">
          {score !== null && (
            <div className="strength__bar" data-score={score} aria-hidden="true">
              <span />
              <span />
              <span />
              <span />
              <span />
            </div>
          )}
          <p className="strength__text" aria-live="polite">
            {verdict === null &&
              `At least ${clientConfig.passwordMinLength} characters. A few random words make a strong, memorable passphrase.`}
            {verdict?.ok && `${SCORE_WORDS[verdict.score]}: good to go.`}
            {verdict && !verdict.ok && verdict.reason}
            {suggested && ' Write it down or save it in your password manager.'}
          </p>
          <button
            type="button"
            className="link-button"
            onClick={async () => {
              const { suggestPassphrase } = await loadPolicy();
              setSuggested(true);
              change(suggestPassphrase());
            }}
          >
            Suggest a passphrase
          </button>
        </div>
      }
      renderInput={(props) => <PasswordInput {...props} revealed={suggested} />}
    />
  );
}
