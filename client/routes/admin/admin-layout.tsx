import { NavLink, Outlet } from 'react-router';
import { can } from '#shared/roles.ts';
import { RequireAuth } from '#client/components/require-auth.tsx';
import { useSession } from '#client/lib/session.ts';
import { NotFoundPage } from '#client/routes/not-found.tsx';

/** The admin console. The server checks every call; the role here only decides what to show. */
export function AdminLayout() {
  return (
    <RequireAuth>
      <AdminArea />
    </RequireAuth>
  );
}

function AdminArea() {
  const session = useSession();
  if (session.status !== 'signed_in' || !can(session.user.role, 'users:read')) {
    return (
      <NotFoundPage
        title="Administrators only"
        message="This part of Latchkey is for administrators. Ask one if you need access."
      />
    );
  }
  return (
    <div className="page settings">
      <nav className="settings__nav" aria-label="Administration">
        <p className="settings__nav-title">Administration</p>
        <ul>
          <li>
            <NavLink to="/admin/users" className="settings__link">
              Users
            </NavLink>
          </li>
          {can(session.user.role, 'invitations:manage') && (
            <li>
              <NavLink to="/admin/invitations" className="settings__link">
                Invitations
              </NavLink>
            </li>
          )}
          <li>
            <NavLink to="/admin/security-events" className="settings__link">
              Security events
            </NavLink>
          </li>
        </ul>
      </nav>
      <div className="settings__content">
        <Outlet />
      </div>
    </div>
  );
}
