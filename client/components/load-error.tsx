import { Alert } from './ui/alert.tsx';
import { Button } from './ui/button.tsx';

/** A failed load, with the way out: try again. */
export function LoadError({ what, onRetry }: { what: string; onRetry: () => void }) {
  return (
    <Alert tone="error">
      <p>We could not load {what}. Check your connection and try again.</p>
      <Button variant="secondary" size="small" onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
