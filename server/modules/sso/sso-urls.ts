import type { Deps } from '#server/deps.ts';

/** A connection's URLs, built from PUBLIC_URL (never the Host header), as the IdP is told them. */
export function ssoUrls(deps: Pick<Deps, 'config'>, connection: { id: string }) {
  const base = `${deps.config.publicUrl}/auth`;
  const id = encodeURIComponent(connection.id);
  return {
    /** Where a sign-in through the connection begins, whatever its protocol. */
    startPath: `/auth/sso/${id}/start`,
    oidcRedirectUrl: `${base}/sso/${id}/callback`,
    spEntityId: `${base}/saml/${id}/metadata`,
    metadataUrl: `${base}/saml/${id}/metadata`,
    acsUrl: `${base}/saml/${id}/acs`,
  };
}

/** The provider id sign-ins and identities of a connection are recorded under (fits the 32-character column). */
export const ssoProviderId = (connectionId: string) => `sso:${connectionId}`;
