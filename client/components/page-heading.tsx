import { useEffect, useRef, type ReactNode } from 'react';
import { PRODUCT_NAME } from '#shared/constants.ts';

type Props = { title: string; children?: ReactNode; className?: string };

/**
 * The page's h1. Sets the document title and takes focus when the page opens, so a screen reader
 * announces the new page after a client-side navigation.
 */
export function PageHeading({ title, children, className }: Props) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${PRODUCT_NAME}`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className={className}>
      {children ?? title}
    </h1>
  );
}
