import { useId, useState } from 'react';
import type { OrgRole } from '#shared/roles.ts';
import type { AdminUser } from '#shared/schemas/admin.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { useDateFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { AdminVerifyDomain } from './admin-verify-domain.tsx';

const ROLE_LABEL: Record<OrgRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** A user's organizations on the admin users page, read only when the admin opens them. */
export function AdminUserOrgs({ user }: { user: AdminUser }) {
  const [open, setOpen] = useState(false);
  const regionId = useId();
  const orgs = trpc.admin.users.orgs.useQuery({ userId: user.id }, { enabled: open });
  const formatDate = useDateFormatter();
  return (
    <div>
      <Button
        variant="ghost"
        size="small"
        aria-expanded={open}
        aria-controls={regionId}
        aria-label={`Organizations: ${user.email}`}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide organizations' : 'Organizations'}
      </Button>
      <div id={regionId} hidden={!open}>
        {open && orgs.isPending && <Spinner label="Loading organizations…" />}
        {open && orgs.isError && <LoadError what="the organizations" onRetry={() => void orgs.refetch()} />}
        {orgs.data && orgs.data.length === 0 && <p className="field__hint">Not in any organization</p>}
        {orgs.data && orgs.data.length > 0 && (
          <ul className="item-list" aria-label={`Organizations of ${user.email}`}>
            {orgs.data.map(({ org, role, joinedAt }) => (
              <li key={org.id} className="item-list__item">
                <div>
                  <p className="item-list__title">{org.name}</p>
                  <p className="field__hint">
                    /orgs/{org.slug} · {ROLE_LABEL[role]} · joined {formatDate(joinedAt)}
                  </p>
                  <AdminVerifyDomain org={org} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
