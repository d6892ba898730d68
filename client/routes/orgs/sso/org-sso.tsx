import { useState } from 'react';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import { OrgQueryError } from '#client/routes/orgs/org-query-error.tsx';
import { ConnectionCard } from './connection-card.tsx';
import { NewConnection } from './new-connection.tsx';
import { SsoDomains } from './sso-domains.tsx';

/** /orgs/:slug/sso (API.md §15): an organization's SSO connections and domains, for its owners. */
export function OrgSsoPage() {
  const { org } = useOrg();
  const connections = trpc.orgs.sso.list.useQuery({ orgId: org.id });
  const utils = trpc.useUtils();
  const [deleting, setDeleting] = useState<SsoConnection | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = trpc.orgs.sso.delete.useMutation({
    onSuccess: () => {
      setDeleted(deleting?.name ?? null);
      setDeleting(null);
      void utils.orgs.sso.list.invalidate({ orgId: org.id });
    },
  });
  return (
    <div className="stack">
      <PageHeading title={`Single sign-on · ${org.name}`}>Single sign-on</PageHeading>
      <p className="card__lead">
        Let members sign in through your company’s identity provider with SAML 2.0 or OpenID Connect.
      </p>
      <h2 className="section-title">Connections</h2>
      {deleted && <Alert tone="success">{deleted} is deleted. Its members keep their accounts.</Alert>}
      {connections.isPending && <Spinner label="Loading connections…" />}
      {connections.isError && (
        <OrgQueryError what="the connections" error={connections.error} onRetry={() => void connections.refetch()} />
      )}
      {connections.data?.length === 0 && <p className="empty">No connections yet. Add one below.</p>}
      {connections.data && connections.data.length > 0 && (
        <ul className="sso-list" aria-label="Connections">
          {connections.data.map((connection) => (
            <ConnectionCard
              key={connection.id}
              connection={connection}
              onDelete={(chosen) => {
                remove.reset();
                setDeleted(null);
                setDeleting(chosen);
              }}
            />
          ))}
        </ul>
      )}
      <NewConnection />
      <SsoDomains />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? 'this connection'}?`}
        confirmLabel="Delete connection"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? toProblem(remove.error).message : null}
        onConfirm={() => deleting && remove.mutate({ orgId: org.id, connectionId: deleting.id })}
        onCancel={() => setDeleting(null)}
      >
        <p>
          Nobody can sign in through it any more. Members keep their accounts and memberships; those without a password
          or passkey can set one through “Forgot your password?”.
        </p>
      </ConfirmDialog>
    </div>
  );
}
