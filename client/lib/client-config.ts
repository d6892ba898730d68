import { DEFAULT_PASSWORD_MIN_LENGTH } from '#shared/constants.ts';

export type ClientConfig = { passwordMinLength: number; registrationMode: 'open' | 'invite_only' };

/** Settings the server writes into index.html (server/http/spa.ts), read once. */
function readClientConfig(): ClientConfig {
  const fallback: ClientConfig = { passwordMinLength: DEFAULT_PASSWORD_MIN_LENGTH, registrationMode: 'open' };
  const content = document.querySelector<HTMLMetaElement>('meta[name="latchkey-config"]')?.content;
  if (!content) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(content) as Partial<ClientConfig>) };
  } catch {
    return fallback;
  }
}

export const clientConfig = readClientConfig();
