import { useState } from 'react';
import type { OrgInvitation } from '#shared/schemas/orgs.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { ORG_ROLE_LABEL } from '#client/lib/orgs.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { InviteManyForm } from './invite-many-form.tsx';
import { InviteOneForm } from './invite-one-form.tsx';
import { useOrg } from './org-context.ts';
import { OrgQueryError } from './org-query-error.tsx';

const STATUS: Record<OrgInvitation['status'], { label: string; tone: string }> = {
  pending: { label: 'Pending', tone: '' },
  accepted: { label: 'Accepted', tone: ' badge--success' },
  expired: { label: 'Expired', tone: '' },
  revoked: { label: 'Revoked', tone: ' badge--danger' },
};

export function OrgInvitationsPage() {
  const { org } = useOrg();
  const utils = trpc.useUtils();
  const refresh = () => void utils.orgs.invitations.list.invalidate({ orgId: org.id });
  return (
    <div className="stack">
      <PageHeading title={`Invitations · ${org.name}`}>Invitations</PageHeading>
      <InviteOneForm onSent={refresh} />
      <InviteManyForm onSent={refresh} />
      <SentInvitations />
    </div>
  );
}

function SentInvitations() {
  const { org } = useOrg();
  const utils = trpc.useUtils();
  const invitations = trpc.orgs.invitations.list.useQuery({ orgId: org.id });
  const [revoking, setRevoking] = useState<OrgInvitation | null>(null);
  const revoke = trpc.orgs.invitations.revoke.useMutation({
    onSuccess: () => {
      setRevoking(null);
      void utils.orgs.invitations.list.invalidate({ orgId: org.id });
    },
  });
  const formatDate = useDateFormatter();
  return (
    <>
      <h2 className="section-title">Sent invitations</h2>
      {invitations.isPending && <Spinner label="Loading invitations…" />}
      {invitations.isError && (
        <OrgQueryError what="the invitations" error={invitations.error} onRetry={() => void invitations.refetch()} />
      )}
      {invitations.data?.length === 0 && <p className="empty">No invitations yet. Invite someone above.</p>}
      {invitations.data && invitations.data.length > 0 && (
        <ul className="card item-list" aria-label="Sent invitations">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="item-list__item invitation">
              <div className="org-item__text">
                <p className="item-list__title invitation__email">
                  {invitation.email}{' '}
                  <span className={`badge${STATUS[invitation.status].tone}`}>{STATUS[invitation.status].label}</span>
                </p>
                <p className="field__hint">
                  {ORG_ROLE_LABEL[invitation.role]} · sent {formatDate(invitation.createdAt)}
                  {invitation.invitedBy?.name && ` by ${invitation.invitedBy.name}`}
                  {invitation.status === 'pending' && ` · expires ${formatDate(invitation.expiresAt, 'dateTime')}`}
                </p>
              </div>
              {invitation.status === 'pending' && (
                <Button
                  variant="secondary"
                  size="small"
                  onClick={() => {
                    revoke.reset();
                    setRevoking(invitation);
                  }}
                  aria-label={`Revoke: ${invitation.email}`}
                >
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invitation?"
        confirmLabel="Revoke invitation"
        tone="danger"
        busy={revoke.isPending}
        error={revoke.error ? toProblem(revoke.error).message : null}
        onConfirm={() => revoking && revoke.mutate({ orgId: org.id, id: revoking.id })}
        onCancel={() => setRevoking(null)}
      >
        <p>The link sent to {revoking?.email} stops working at once.</p>
      </ConfirmDialog>
    </>
  );
}
