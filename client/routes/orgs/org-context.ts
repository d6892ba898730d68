import { useOutletContext } from 'react-router';
import type { OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';

/** What every /orgs/:slug page gets from the layout: the organization the slug names, and the caller's role in it. */
export type OrgContext = { org: Org; role: OrgRole };

export function useOrg(): OrgContext {
  return useOutletContext<OrgContext>();
}
