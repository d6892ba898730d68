import { useState } from 'react';
import type { SsoDomain } from '#shared/schemas/sso.ts';
import { CopyableValues } from '#client/components/copyable-values.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import { OrgQueryError } from '#client/routes/orgs/org-query-error.tsx';

/** The connections' domains: each counts only once the organization proves it holds it (a TXT record). */
export function SsoDomains() {
  const { org } = useOrg();
  const domains = trpc.orgs.sso.domains.useQuery({ orgId: org.id });
  // The page's own list of connections (one query): a domain no connection lists signs nobody in.
  const connections = trpc.orgs.sso.list.useQuery({ orgId: org.id });
  const listed = new Set(connections.data?.flatMap((connection) => connection.domains));
  return (
    <section className="stack" aria-labelledby="sso-domains-title">
      <h2 id="sso-domains-title" className="section-title">
        Domains
      </h2>
      <p className="field__hint">
        Prove that {org.name} holds each domain: publish the TXT record shown with it at your DNS provider, then choose
        Verify. A domain belongs to one organization at most.
      </p>
      {domains.isPending && <Spinner label="Loading domains…" />}
      {domains.isError && (
        <OrgQueryError what="the domains" error={domains.error} onRetry={() => void domains.refetch()} />
      )}
      {domains.data?.length === 0 && <p className="empty">No domains yet. Add them to a connection above.</p>}
      {domains.data && domains.data.length > 0 && (
        <ul className="sso-list" aria-label="Domains">
          {domains.data.map((domain) => (
            <DomainItem
              key={domain.domain}
              domain={domain}
              unused={connections.isSuccess && !listed.has(domain.domain)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function DomainItem({ domain, unused }: { domain: SsoDomain; unused: boolean }) {
  const { org } = useOrg();
  const utils = trpc.useUtils();
  const formatDate = useDateFormatter();
  const verify = trpc.orgs.sso.verifyDomain.useMutation({
    onSuccess: (verified) =>
      utils.orgs.sso.domains.setData({ orgId: org.id }, (list) =>
        list?.map((item) => (item.domain === verified.domain ? verified : item)),
      ),
  });
  const [confirming, setConfirming] = useState(false);
  const remove = trpc.orgs.sso.removeDomain.useMutation({
    onSuccess: () => {
      setConfirming(false);
      void utils.orgs.sso.domains.invalidate({ orgId: org.id });
      void utils.orgs.sso.list.invalidate({ orgId: org.id });
    },
  });
  const problem = verify.error ? toProblem(verify.error) : null;
  const errorId = `domain-${domain.domain}-error`;
  return (
    <li className="card stack sso-domain" aria-label={domain.domain}>
      <div className="sso-connection__header">
        <h3 className="item-list__title">{domain.domain}</h3>
        {domain.verifiedAt ? (
          <span className="badge badge--success">Verified</span>
        ) : (
          <span className="badge badge--warning">Not verified</span>
        )}
      </div>
      {unused && (
        <p className="field__hint">
          No connection lists this domain now: add it to one for its members to sign in through SSO.
        </p>
      )}
      {domain.verifiedAt ? (
        <p className="field__hint">Verified {formatDate(domain.verifiedAt)}. You may remove the TXT record now.</p>
      ) : (
        <>
          <p className="field__hint">Publish this TXT record, then verify:</p>
          <CopyableValues
            values={[
              { label: 'TXT record name', value: domain.recordName },
              { label: 'TXT record value', value: domain.recordValue },
            ]}
          />
          {problem && (
            <p className="field__error" id={errorId} role="alert">
              {(problem.fieldErrors.domain ?? [problem.message]).join(' ')}
            </p>
          )}
        </>
      )}
      <div className="row">
        {!domain.verifiedAt && (
          <Button
            variant="secondary"
            size="small"
            busy={verify.isPending}
            busyLabel="Looking the record up…"
            aria-label={`Verify ${domain.domain}`}
            aria-describedby={problem ? errorId : undefined}
            onClick={() => verify.mutate({ orgId: org.id, domain: domain.domain })}
          >
            Verify
          </Button>
        )}
        <Button
          variant="ghost"
          size="small"
          aria-label={`Remove ${domain.domain}`}
          onClick={() => {
            remove.reset();
            setConfirming(true);
          }}
        >
          Remove
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${domain.domain}?`}
        confirmLabel="Remove domain"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? toProblem(remove.error).message : null}
        onConfirm={() => remove.mutate({ orgId: org.id, domain: domain.domain })}
        onCancel={() => setConfirming(false)}
      >
        <p>
          People with an address at {domain.domain} will no longer sign in through {org.name}&rsquo;s SSO, and its
          connections stop listing it. {domain.verifiedAt ? 'Another organization could then verify it.' : ''}
        </p>
      </ConfirmDialog>
    </li>
  );
}
