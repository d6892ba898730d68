import type { ReactNode } from 'react';

type Props = {
  tone: 'error' | 'success' | 'info';
  title?: string;
  children?: ReactNode;
  /** Placed in a live region that was on the page before it (.live-region), which announces it instead. */
  inLiveRegion?: boolean;
};

/** Errors interrupt (role=alert); success and info wait their turn (role=status). */
export function Alert({ tone, title, children, inLiveRegion }: Props) {
  return (
    <div className={`alert alert--${tone}`} role={inLiveRegion ? undefined : tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert__title">{title}</p>}
      {children}
    </div>
  );
}
