import { useState } from 'react';
import { useNavigate } from 'react-router';
import { orgCan } from '#shared/roles.ts';
import { OrgDeleteInputSchema, OrgUpdateInputSchema, type Org } from '#shared/schemas/orgs.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { CurrentPasswordField } from '#client/components/current-password-field.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ConfirmDialog } from '#client/components/ui/confirm-dialog.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { SetPasswordFirst } from '#client/routes/settings/set-password-form.tsx';
import { useOrg } from './org-context.ts';
import { OrgFields } from './org-fields.tsx';

export function OrgSettingsPage() {
  const { org, role } = useOrg();
  return (
    <div className="stack">
      <PageHeading title={`Settings · ${org.name}`}>Settings</PageHeading>
      {orgCan(role, 'org:update') && <RenameOrg key={org.id} org={org} />}
      <LeaveOrg org={org} />
      {orgCan(role, 'org:delete') && <DeleteOrg org={org} />}
    </div>
  );
}

/** After leaving or deleting: the organization is gone from the list before /orgs shows it. */
function useGoneFrom(org: Org) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  return (notice: string) => {
    void navigate('/orgs', { replace: true, state: { notice } });
    utils.orgs.mine.setData(undefined, (list) => list?.filter((item) => item.org.id !== org.id));
    void utils.orgs.mine.invalidate();
  };
}

function RenameOrg({ org }: { org: Org }) {
  const form = useSchemaForm(OrgUpdateInputSchema);
  const update = trpc.orgs.update.useMutation();
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  return (
    <section className="card stack" aria-labelledby="org-name-title">
      <h2 id="org-name-title">Name and address</h2>
      <p className="field__hint">Changing the address changes every link to these pages; old links stop working.</p>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          update.mutate(input, {
            onSuccess: (updated) => {
              // The layout finds the organization by its address: the list must know the new one before we go there.
              utils.orgs.mine.setData(undefined, (list) =>
                list?.map((item) => (item.org.id === updated.id ? { ...item, org: updated } : item)),
              );
              void utils.orgs.mine.invalidate();
              if (updated.slug !== org.slug) navigate(`/orgs/${updated.slug}/settings`, { replace: true });
            },
            onError: (error) => form.showError(formElement, error),
          }),
        )}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <input type="hidden" name="orgId" value={org.id} />
        <OrgFields form={form} initial={{ name: org.name, slug: org.slug }} />
        <div className="row">
          <Button type="submit" busy={update.isPending} busyLabel="Saving…">
            Save
          </Button>
          <p className="saved-note" role="status">
            {update.isSuccess && 'Saved'}
          </p>
        </div>
      </form>
    </section>
  );
}

function LeaveOrg({ org }: { org: Org }) {
  const [asking, setAsking] = useState(false);
  const leave = trpc.orgs.leave.useMutation();
  const goneFrom = useGoneFrom(org);
  return (
    <section className="card stack" aria-labelledby="leave-title">
      <h2 id="leave-title">Leave organization</h2>
      <p className="field__hint">
        You lose access to {org.name} at once. To come back, you need a new invitation. The last owner cannot leave:
        make someone else an owner first.
      </p>
      <div>
        <Button
          variant="secondary"
          onClick={() => {
            leave.reset();
            setAsking(true);
          }}
        >
          Leave organization…
        </Button>
      </div>
      <ConfirmDialog
        open={asking}
        title={`Leave ${org.name}?`}
        confirmLabel="Leave organization"
        tone="danger"
        busy={leave.isPending}
        error={leave.error ? toProblem(leave.error).message : null}
        onConfirm={() => leave.mutate({ orgId: org.id }, { onSuccess: () => goneFrom(`You left ${org.name}.`) })}
        onCancel={() => setAsking(false)}
      >
        <p>You will no longer see its members or notices.</p>
      </ConfirmDialog>
    </section>
  );
}

function DeleteOrg({ org }: { org: Org }) {
  const session = useSession();
  const noPassword = session.status === 'signed_in' && !session.user.hasPassword;
  const [open, setOpen] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  return (
    <section className="card stack" aria-labelledby="delete-org-title">
      <h2 id="delete-org-title">Delete organization</h2>
      <p className="field__hint">
        {org.name}, its memberships, invitations, notices and activity log are erased for good. Members’ own accounts
        stay.
      </p>
      {noPassword && <SetPasswordFirst action="deleting an organization" />}
      {open ? (
        <DeleteForm
          org={org}
          onCancel={() => {
            setOpen(false);
            setCancelled(true);
          }}
        />
      ) : (
        <div>
          <Button variant="danger" autoFocus={cancelled} onClick={() => setOpen(true)}>
            Delete organization…
          </Button>
        </div>
      )}
    </section>
  );
}

function DeleteForm({ org, onCancel }: { org: Org; onCancel: () => void }) {
  const form = useSchemaForm(OrgDeleteInputSchema);
  const remove = trpc.orgs.delete.useMutation();
  const goneFrom = useGoneFrom(org);
  return (
    <form
      noValidate
      className="stack"
      onSubmit={form.onSubmit((input, formElement) =>
        remove.mutate(input, {
          onSuccess: () => goneFrom(`${org.name} is deleted.`),
          onError: (error) => form.showError(formElement, error),
        }),
      )}
    >
      <Alert tone="error" title="This cannot be undone">
        <p>Enter your password to delete {org.name}.</p>
      </Alert>
      {form.formError && <Alert tone="error">{form.formError}</Alert>}
      <input type="hidden" name="orgId" value={org.id} />
      <CurrentPasswordField form={form} />
      <div className="row">
        <Button type="submit" variant="danger" busy={remove.isPending} busyLabel="Deleting…">
          Delete for good
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
