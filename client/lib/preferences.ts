import { useEffect } from 'react';
import { useSession } from './session.ts';
import { applyTheme } from './theme.ts';
import { trpc } from './trpc.ts';

/** The signed-in member's preferences, loaded once per session and shared through the query cache. */
export function usePreferences() {
  const session = useSession();
  return trpc.preferences.get.useQuery(undefined, { enabled: session.status === 'signed_in', staleTime: Infinity });
}

/** Keeps the page in the member's theme on every device they sign in on. */
export function useSyncedTheme(): void {
  const preferences = usePreferences();
  const theme = preferences.data?.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
}

type DateStyle = 'date' | 'dateTime';

/** Formats instants in the member's locale and time zone, or the browser's for visitors. */
export function useDateFormatter(): (iso: string, style?: DateStyle) => string {
  const preferences = usePreferences().data;
  return (iso, style = 'date') =>
    new Intl.DateTimeFormat(preferences?.locale, {
      timeZone: preferences?.timeZone,
      dateStyle: 'long',
      ...(style === 'dateTime' ? { timeStyle: 'short' } : {}),
    }).format(new Date(iso));
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "yesterday", in the member's language. */
export function useRelativeTimeFormatter(): (iso: string) => string {
  const locale = usePreferences().data?.locale;
  return (iso) => {
    const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(0, 'minute');
  };
}
