import { z } from 'zod';

export const THEMES = ['system', 'light', 'dark'] as const;
export const ThemeSchema = z.enum(THEMES);
export type Theme = z.infer<typeof ThemeSchema>;

/** A BCP-47 tag in its canonical form ("en-gb" becomes "en-GB"), or null for anything else. */
function canonicalLocale(value: string): string | null {
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}

let listedZones: Map<string, string> | undefined;

/**
 * A valid IANA name, in the engine's spelling when it lists the zone ("europe/paris" becomes
 * "Europe/Paris"), otherwise as given; null for anything else. Not resolved further: ICU would
 * turn some names into older aliases (America/Argentina/Buenos_Aires into America/Buenos_Aires).
 */
function canonicalTimeZone(value: string): string | null {
  // Names only (Area/Location, or UTC): offsets like "+01:00" are not names.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    return null;
  }
  listedZones ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]));
  return listedZones.get(value.toLowerCase()) ?? value;
}

export const LocaleSchema = z
  .string()
  .max(35, 'Choose a language tag like en or en-GB.')
  .transform((value, ctx) => {
    const locale = canonicalLocale(value);
    if (locale) return locale;
    ctx.addIssue({ code: 'custom', message: 'Choose a language tag like en or en-GB.' });
    return z.NEVER;
  });
export const TimeZoneSchema = z
  .string()
  .max(64, 'Choose a time zone like Europe/Paris.')
  .transform((value, ctx) => {
    const timeZone = canonicalTimeZone(value);
    if (timeZone) return timeZone;
    ctx.addIssue({ code: 'custom', message: 'Choose a time zone like Europe/Paris.' });
    return z.NEVER;
  });

export const PreferencesSchema = z.object({
  theme: ThemeSchema,
  locale: LocaleSchema,
  timeZone: TimeZoneSchema,
  emailNotifications: z.object({ securityAlerts: z.boolean(), productUpdates: z.boolean() }),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const PreferencesUpdateInputSchema = z
  .object({
    theme: ThemeSchema,
    locale: LocaleSchema,
    timeZone: TimeZoneSchema,
    emailNotifications: z.object({ securityAlerts: z.boolean(), productUpdates: z.boolean() }).partial().strict(),
  })
  .partial()
  .strict();
export type PreferencesUpdateInput = z.infer<typeof PreferencesUpdateInputSchema>;
