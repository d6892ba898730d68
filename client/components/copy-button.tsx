import { useEffect, useState } from 'react';
import { Button } from './ui/button.tsx';

type Props = {
  text: string;
  /** The visible label, "Copy" by default. */
  label?: string;
  /** What is copied, for screen readers: "Copy ACS URL". */
  accessibleName?: string;
};

/** Copies `text` to the clipboard and says so for a moment (in a live region, for screen readers too). */
export function CopyButton({ text, label = 'Copy', accessibleName }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <span className="copy-button">
      <Button
        variant="secondary"
        size="small"
        aria-label={accessibleName}
        onClick={() =>
          // The clipboard needs a secure context; where it is missing the value stays selectable on the page.
          navigator.clipboard?.writeText(text).then(
            () => setState('copied'),
            () => setState('failed'),
          ) ?? setState('failed')
        }
      >
        {label}
      </Button>
      <span className="copy-button__note" role="status">
        {state === 'copied' && 'Copied'}
        {state === 'failed' && 'Select the text to copy it'}
      </span>
    </span>
  );
}
