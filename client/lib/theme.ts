import type { Theme } from '#shared/schemas/preferences.ts';

const STORAGE_KEY = 'latchkey-theme';

/** Applies the theme now; the copy in localStorage lets the next page load start in it before sign-in. */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage can be unavailable (private mode): the theme still applies to this page.
  }
}

export function applyStoredTheme(): void {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
  } catch {
    // See applyTheme.
  }
}
