import { initials } from '#shared/text.ts';

type Props = { name: string; avatarUrl: string | null; size: 'sm' | 'lg' };

/** The picture, or initials on a tinted disc; decorative: the surrounding link or heading names it. */
export function Avatar({ name, avatarUrl, size }: Props) {
  const letters = initials(name) || '?';
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true">
      {avatarUrl ? <img src={avatarUrl} alt="" /> : letters}
    </span>
  );
}
