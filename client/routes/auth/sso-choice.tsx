import { useEffect, useRef } from 'react';

/** Where a sign-in through a connection begins, whatever its protocol (the server forwards a SAML one). */
export function ssoStartPath(connectionId: string, returnTo: string): string {
  const path = `/auth/sso/${encodeURIComponent(connectionId)}/start`;
  // Without a page to return to, the server lands the member in the connection's organization.
  return returnTo === '/' ? path : `${path}?returnTo=${encodeURIComponent(returnTo)}`;
}

type Props = {
  connectionId: string;
  /** The connection's name when discovery gave it; SSO_REQUIRED names only the connection's id. */
  name?: string;
  title?: string;
  /** Above the button: why this address signs in through SSO. */
  lead: string;
  returnTo: string;
};

/** "Continue with SSO" for an address whose organization has a connection (API.md §15); it takes the focus. */
export function SsoChoice({ connectionId, name, title, lead, returnTo }: Props) {
  const ref = useRef<HTMLAnchorElement>(null);
  useEffect(() => ref.current?.focus(), [connectionId]);
  return (
    <div className="alert alert--info sso-choice" role="status">
      {title && <p className="alert__title">{title}</p>}
      <p>{lead}</p>
      {/* A full page load, not a router link: the server answers with a redirect to the identity provider. */}
      <a ref={ref} className="button button--primary button--block" href={ssoStartPath(connectionId, returnTo)}>
        Continue with SSO{name ? ` (${name})` : ''}
      </a>
    </div>
  );
}
