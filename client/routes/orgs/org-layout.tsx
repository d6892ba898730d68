import { NavLink, Outlet, useLocation, useParams } from 'react-router';
import { orgCan, type OrgPermission } from '#shared/roles.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { RequireAuth } from '#client/components/require-auth.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { ORG_ROLE_LABEL, useMyOrgs } from '#client/lib/orgs.ts';
import { NotFoundPage } from '#client/routes/not-found.tsx';
import type { OrgContext } from './org-context.ts';

type Section = { path: string; label: string; permission?: OrgPermission };

// Settings is for everyone: leaving is there. The server checks every call; this only decides what to show.
const SECTIONS: Section[] = [
  { path: 'members', label: 'Members' },
  { path: 'invitations', label: 'Invitations', permission: 'members:invite' },
  { path: 'notices', label: 'Notices' },
  { path: 'settings', label: 'Settings' },
  { path: 'log', label: 'Activity log', permission: 'members:manage' },
  { path: 'sso', label: 'Single sign-on', permission: 'sso:manage' },
];

export function OrgLayout() {
  return (
    <RequireAuth>
      <OrgArea />
    </RequireAuth>
  );
}

function OrgArea() {
  const { slug } = useParams();
  const location = useLocation();
  const mine = useMyOrgs();
  if (mine.isPending) {
    return (
      <div className="page center">
        <Spinner label="Loading the organization…" />
      </div>
    );
  }
  if (mine.isError) {
    return (
      <div className="page page--narrow">
        <LoadError what="your organizations" onRetry={() => void mine.refetch()} />
      </div>
    );
  }
  const entry = mine.data.find((item) => item.org.slug === slug);
  // One that does not exist and one the caller is not in look the same (API.md §14).
  if (!entry) {
    return (
      <NotFoundPage
        title="Organization not found"
        message="There is no organization at this address, or you are not a member of it. Ask one of its admins for an invitation."
      />
    );
  }
  const context: OrgContext = { org: entry.org, role: entry.role };
  const sections = SECTIONS.filter((section) => !section.permission || orgCan(entry.role, section.permission));
  const here = SECTIONS.find((section) => location.pathname.endsWith(`/${section.path}`));
  const allowed = !here || sections.includes(here);
  return (
    <div className="page settings">
      <nav className="settings__nav" aria-label="Organization">
        <p className="org-nav__name">{entry.org.name}</p>
        <p className="org-nav__role">
          <span className="badge">{ORG_ROLE_LABEL[entry.role]}</span>
        </p>
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <NavLink to={`/orgs/${entry.org.slug}/${section.path}`} className="settings__link">
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings__content">
        {allowed ? (
          <Outlet context={context} />
        ) : (
          <div className="stack">
            <PageHeading title={`${here.label} · ${entry.org.name}`}>{here.label}</PageHeading>
            <Alert tone="info" title="Not for your role">
              <p>
                This page of {entry.org.name} is for its{' '}
                {here.permission && !orgCan('admin', here.permission) ? 'owners' : 'admins and owners'}. Your role is{' '}
                {ORG_ROLE_LABEL[entry.role].toLowerCase()}.
              </p>
            </Alert>
          </div>
        )}
      </div>
    </div>
  );
}
