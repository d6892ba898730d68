import { Link, useLocation, useNavigate } from 'react-router';
import { OrgCreateInputSchema } from '#shared/schemas/orgs.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { RequireAuth } from '#client/components/require-auth.tsx';
import { LoadError } from '#client/components/load-error.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { ORG_ROLE_LABEL, useMyOrgs } from '#client/lib/orgs.ts';
import { trpc } from '#client/lib/trpc.ts';
import { OrgFields } from './org-fields.tsx';

export function OrgsPage() {
  return (
    <RequireAuth>
      <Orgs />
    </RequireAuth>
  );
}

function Orgs() {
  const mine = useMyOrgs();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <div className="page stack">
      <PageHeading title="Organizations" />
      <p className="card__lead">Work together with others: members, invitations and notices in one place.</p>
      {notice && <Alert tone="success">{notice}</Alert>}
      <h2 className="section-title">Your organizations</h2>
      {mine.isPending && <Spinner label="Loading your organizations…" />}
      {mine.isError && <LoadError what="your organizations" onRetry={() => void mine.refetch()} />}
      {mine.data?.length === 0 && (
        <p className="empty">You are not in any organization yet. Create one below, or ask for an invitation.</p>
      )}
      {mine.data && mine.data.length > 0 && (
        <ul className="card item-list" aria-label="Your organizations">
          {mine.data.map(({ org, role }) => (
            <li key={org.id} className="item-list__item">
              <div className="org-item__text">
                <p className="item-list__title">
                  <Link to={`/orgs/${org.slug}/members`}>{org.name}</Link>
                </p>
                <p className="field__hint org-url">/orgs/{org.slug}</p>
              </div>
              <span className={`badge${role === 'owner' ? ' badge--success' : ''}`}>{ORG_ROLE_LABEL[role]}</span>
            </li>
          ))}
        </ul>
      )}
      <CreateOrg />
    </div>
  );
}

function CreateOrg() {
  const form = useSchemaForm(OrgCreateInputSchema);
  const create = trpc.orgs.create.useMutation();
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  return (
    <section className="card stack" aria-labelledby="create-org-title">
      <h2 id="create-org-title">Create an organization</h2>
      <p className="field__hint">You become its owner, and can invite others once it exists.</p>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          create.mutate(input, {
            onSuccess: async (org) => {
              // The new page resolves its address from this list: fetch it before going there.
              await utils.orgs.mine.invalidate();
              navigate(`/orgs/${org.slug}/members`, {
                state: { notice: `${org.name} is ready. Invite people from Invitations.` },
              });
            },
            onError: (error) => form.showError(formElement, error),
          }),
        )}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <OrgFields form={form} />
        <div>
          <Button type="submit" busy={create.isPending} busyLabel="Creating…">
            Create organization
          </Button>
        </div>
      </form>
    </section>
  );
}
