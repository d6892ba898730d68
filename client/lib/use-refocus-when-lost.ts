import { useEffect, useRef, type RefObject } from 'react';

/**
 * When a change of `key` removes the focused element (a row's button going with its row, once a
 * dialog has done its work), the browser leaves the focus on the page's body and a keyboard user
 * starts again from the top: `fallback` takes it instead. Not on the first render.
 */
export function useRefocusWhenLost(fallback: RefObject<HTMLElement | null>, key: unknown) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const active = document.activeElement;
    if (active === null || active === document.body) fallback.current?.focus();
  }, [fallback, key]);
}
