import type { ButtonHTMLAttributes, ReactNode } from 'react';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'normal' | 'small';
  block?: boolean;
  /** Shows a spinner, keeps the label for screen readers, and blocks a second submit. */
  busy?: boolean;
  busyLabel?: string;
  children: ReactNode;
};

export function Button({
  variant = 'primary',
  size = 'normal',
  block,
  busy,
  busyLabel,
  children,
  className,
  disabled,
  ...rest
}: Props) {
  const classes = [
    'button',
    `button--${variant}`,
    size === 'small' && 'button--small',
    block && 'button--block',
    className,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <button type="button" className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
