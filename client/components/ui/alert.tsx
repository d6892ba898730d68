import type { ReactNode } from 'react';

type Props = { tone: 'error' | 'success' | 'info'; title?: string; children?: ReactNode };

/** Errors interrupt (role=alert); success and info wait their turn (role=status). */
export function Alert({ tone, title, children }: Props) {
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert__title">{title}</p>}
      {children}
    </div>
  );
}
