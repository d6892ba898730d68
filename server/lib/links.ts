import type { Deps } from '#server/deps.ts';

/** A link into the SPA for a mail: PUBLIC_URL plus a route of API.md §9. */
export function appLink(deps: Pick<Deps, 'config'>, route: string): string {
  return `${deps.config.publicUrl}${route}`;
}
