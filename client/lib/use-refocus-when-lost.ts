import { useEffect, useRef, type RefObject } from 'react';

/**
 * When a change of `key` removes the focused element (a row's button going with its row, once a
 * dialog has done its work), the browser leaves the focus on the page's body and a keyboard user
 * starts again from the top: `fallback` takes it instead. Only on a change of `key`, not on mount.
 */
export function useRefocusWhenLost(fallback: RefObject<HTMLElement | null>, key: unknown) {
  const previous = useRef(key);
  useEffect(() => {
    if (Object.is(previous.current, key)) return;
    previous.current = key;
    const active = document.activeElement;
    if (active === null || active === document.body) fallback.current?.focus();
  }, [fallback, key]);
}
