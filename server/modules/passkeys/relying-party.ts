import { PRODUCT_NAME } from '#shared/constants.ts';
import type { Config } from '#server/config.ts';

/** API.md §13: the RP id is PUBLIC_URL's host name, the origin its origin; never the request's Host. */
export function relyingParty(config: Pick<Config, 'publicUrl'>) {
  const url = new URL(config.publicUrl);
  return { id: url.hostname, name: PRODUCT_NAME, origin: url.origin };
}

export const CHALLENGE_TTL_SECONDS = 5 * 60; // 5 minutes
