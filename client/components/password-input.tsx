import { useEffect, useState, type InputHTMLAttributes } from 'react';

type Props = InputHTMLAttributes<HTMLInputElement> & { revealed?: boolean };

/** A password input with a show/hide toggle, so people can check what they typed. */
export function PasswordInput({ revealed = false, ...props }: Props) {
  const [visible, setVisible] = useState(revealed);
  // A suggested passphrase is shown so it can be read and written down.
  useEffect(() => {
    if (revealed) setVisible(true);
  }, [revealed]);
  return (
    <div className="password-input">
      <input {...props} type={visible ? 'text' : 'password'} spellCheck={false} autoCapitalize="none" />
      <button
        type="button"
        className="button button--ghost button--small password-input__toggle"
        aria-pressed={visible}
        aria-label={visible ? 'Hide password' : 'Show password'}
        onClick={() => setVisible((value) => !value)}
      >
        {visible ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}
