import { useState } from 'react';
import { CreateInvitationInputSchema, type Invitation } from '#shared/schemas/admin.ts';
import { InviteSomeone } from '#client/components/invite-someone.tsx';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';

const STATUS_LABEL: Record<Invitation['status'], string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function AdminInvitationsPage() {
  const utils = trpc.useUtils();
  const invitations = trpc.admin.invitations.list.useQuery();
  const create = trpc.admin.invitations.create.useMutation({
    onSuccess: () => utils.admin.invitations.list.invalidate(),
  });
  const revoke = trpc.admin.invitations.revoke.useMutation({
    onSuccess: () => {
      setRevoking(null);
      void utils.admin.invitations.list.invalidate();
    },
  });
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const formatDate = useDateFormatter();

  return (
    <div className="stack">
      <PageHeading title="Invitations" />
      <InviteSomeone
        schema={CreateInvitationInputSchema}
        hint="They get a link, valid for 7 days, to choose a name and password. Their email is confirmed by the link itself."
        busy={create.isPending}
        send={(input) => create.mutateAsync(input)}
        fields={(email) => (
          <>
            {email}
            <div className="field">
              <label className="field__label" htmlFor="invite-role">
                Role
              </label>
              <select id="invite-role" name="role" className="field__input" defaultValue="user">
                <option value="user">Member</option>
                <option value="admin">Administrator</option>
              </select>
            </div>
          </>
        )}
      />

      <h2 className="section-title">Sent invitations</h2>
      {invitations.isPending && <Spinner label="Loading invitations…" />}
      {invitations.isError && <LoadError what="the invitations" onRetry={() => void invitations.refetch()} />}
      {invitations.data?.length === 0 && <p className="empty">No invitations yet.</p>}
      {invitations.data && invitations.data.length > 0 && (
        <ul className="card item-list" aria-label="Sent invitations">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="item-list__item">
              <div>
                <p className="item-list__title">
                  {invitation.email}{' '}
                  <span className={`badge${invitation.status === 'accepted' ? ' badge--success' : ''}`}>
                    {STATUS_LABEL[invitation.status]}
                  </span>
                </p>
                <p className="field__hint">
                  {invitation.role === 'admin' ? 'Administrator' : 'Member'} · sent {formatDate(invitation.createdAt)}
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
                  aria-label={`Revoke the invitation to ${invitation.email}`}
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
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
        onCancel={() => setRevoking(null)}
      >
        <p>The link sent to {revoking?.email} stops working at once.</p>
      </ConfirmDialog>
    </div>
  );
}
