import { initials } from '#shared/text.ts';

type Props = { name: string; avatarUrl: string | null; size: 'sm' | 'lg' };

/**
 * The picture, or initials on a tinted disc; decorative: the surrounding link or heading names it.
 * The initials are drawn by CSS (`data-initials`), not text: text inside a link named "Your
 * profile" would be a label that is not in its name (WCAG 2.5.3), even hidden from screen readers.
 */
export function Avatar({ name, avatarUrl, size }: Props) {
  const letters = initials(name) || '?';
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true" data-initials={avatarUrl ? undefined : letters}>
      {avatarUrl && <img src={avatarUrl} alt="" />}
    </span>
  );
}
