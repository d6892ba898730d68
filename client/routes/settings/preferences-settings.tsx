import { useId, useMemo } from 'react';
import type { Preferences, PreferencesUpdateInput, Theme } from '#shared/schemas/preferences.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { SaveStatus } from '#client/components/save-status.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { Switch } from '#client/components/ui/switch.tsx';
import { usePreferences } from '#client/lib/preferences.ts';
import { applyTheme } from '#client/lib/theme.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useLocalCopy } from '#client/lib/use-local-copy.ts';

const THEME_OPTIONS: { value: Theme; label: string; hint: string }[] = [
  { value: 'system', label: 'System', hint: 'Follow this device' },
  { value: 'light', label: 'Light', hint: 'Always light' },
  { value: 'dark', label: 'Dark', hint: 'Always dark' },
];

const LOCALES = [
  'en',
  'en-GB',
  'en-US',
  'de',
  'es',
  'fr',
  'it',
  'ja',
  'ko',
  'nl',
  'pl',
  'pt',
  'pt-BR',
  'sv',
  'tr',
  'uk',
  'zh-CN',
];

function languageName(locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}

function timeZones(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  zones.add(current);
  return [...zones].sort();
}

export function PreferencesSettingsPage() {
  const utils = trpc.useUtils();
  const preferences = usePreferences();
  const update = trpc.preferences.update.useMutation({
    onSuccess: (data) => utils.preferences.get.setData(undefined, data),
    // The form shows the change before the server answers: on failure, go back to what it holds.
    onError: () => void utils.preferences.get.refetch(),
  });

  return (
    <div className="stack">
      <PageHeading title="Preferences" />
      <p className="card__lead">
        How Latchkey looks and speaks to you, on every device you sign in on. Changes are saved as you make them.
      </p>
      {preferences.isPending && <Spinner label="Loading your preferences…" />}
      {preferences.isError && <LoadError what="your preferences" onRetry={() => void preferences.refetch()} />}
      {preferences.data && (
        <PreferencesForm
          preferences={preferences.data}
          onChange={(change) => {
            if (change.theme) applyTheme(change.theme);
            update.mutate(change);
          }}
        />
      )}
      <SaveStatus mutation={update} />
    </div>
  );
}

function PreferencesForm({
  preferences: saved,
  onChange: save,
}: {
  preferences: Preferences;
  onChange: (change: PreferencesUpdateInput) => void;
}) {
  const id = useId();
  const [preferences, setPreferences] = useLocalCopy(saved);
  const onChange = (change: PreferencesUpdateInput) => {
    setPreferences({
      ...preferences,
      ...change,
      emailNotifications: { ...preferences.emailNotifications, ...change.emailNotifications },
    });
    save(change);
  };
  const zones = useMemo(() => timeZones(preferences.timeZone), [preferences.timeZone]);
  const locales = LOCALES.includes(preferences.locale) ? LOCALES : [preferences.locale, ...LOCALES];
  const deviceZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const example = new Intl.DateTimeFormat(preferences.locale, {
    timeZone: preferences.timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(new Date());

  return (
    <>
      <section className="card stack">
        <fieldset className="choice-group">
          <legend>
            <h2>Theme</h2>
          </legend>
          <div className="choice-group__options">
            {THEME_OPTIONS.map((option) => (
              <label key={option.value} className="choice">
                <input
                  type="radio"
                  name={`${id}-theme`}
                  value={option.value}
                  checked={preferences.theme === option.value}
                  onChange={() => onChange({ theme: option.value })}
                />
                <span className="choice__label">{option.label}</span>
                <span className="choice__hint">{option.hint}</span>
              </label>
            ))}
          </div>
        </fieldset>
      </section>

      <section className="card stack">
        <h2>Language and time</h2>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-locale`}>
            Language and region
          </label>
          <p className="field__hint">Latchkey speaks English for now: this sets how dates and times are written.</p>
          <select
            id={`${id}-locale`}
            className="field__input"
            value={preferences.locale}
            onChange={(event) => onChange({ locale: event.target.value })}
          >
            {locales.map((locale) => (
              <option key={locale} value={locale}>
                {languageName(locale)} ({locale})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-zone`}>
            Time zone
          </label>
          <select
            id={`${id}-zone`}
            className="field__input"
            value={preferences.timeZone}
            aria-describedby={`${id}-example`}
            onChange={(event) => onChange({ timeZone: event.target.value })}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
          <p className="field__hint" id={`${id}-example`}>
            Dates will look like this: {example}
          </p>
        </div>
        {deviceZone && deviceZone !== preferences.timeZone && (
          <div>
            <Button variant="secondary" size="small" onClick={() => onChange({ timeZone: deviceZone })}>
              Use this device’s time zone ({deviceZone.replaceAll('_', ' ')})
            </Button>
          </div>
        )}
      </section>

      <section className="card stack">
        <h2>Email notifications</h2>
        <Switch
          label="Security alerts"
          description="A mail each time your account is signed in to. Changes to your password, email address or two-factor codes are always mailed, whatever this says."
          checked={preferences.emailNotifications.securityAlerts}
          onChange={(securityAlerts) => onChange({ emailNotifications: { securityAlerts } })}
        />
        <Switch
          label="Product updates"
          description="Occasional news about new Latchkey features, when there is any."
          checked={preferences.emailNotifications.productUpdates}
          onChange={(productUpdates) => onChange({ emailNotifications: { productUpdates } })}
        />
      </section>
    </>
  );
}
