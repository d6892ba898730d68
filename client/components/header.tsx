import { Link, NavLink, useNavigate } from 'react-router';
import { PRODUCT_NAME } from '#shared/constants.ts';
import { can } from '#shared/roles.ts';
import { signOut, useSession } from '#client/lib/session.ts';
import { Avatar } from './avatar.tsx';
import { OrgSwitcher } from './org-switcher.tsx';
import { Button } from './ui/button.tsx';

export function Header() {
  const session = useSession();
  const navigate = useNavigate();
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" />
          <span className="brand__name">{PRODUCT_NAME}</span>
        </Link>
        <nav className="app-header__actions" aria-label="Account">
          {session.status === 'signed_out' && (
            <>
              <Link to="/login" className="button button--ghost button--small">
                Log in
              </Link>
              <Link to="/signup" className="button button--primary button--small">
                Sign up
              </Link>
            </>
          )}
          {session.status === 'signed_in' && (
            <>
              <OrgSwitcher />
              <NavLink to="/flyers" className="header-link">
                Flyers
              </NavLink>
              <NavLink to="/settings" className="header-link">
                Settings
              </NavLink>
              {can(session.user.role, 'users:read') && (
                <NavLink to="/admin" className="header-link">
                  Admin
                </NavLink>
              )}
              <Button
                variant="ghost"
                size="small"
                onClick={async () => {
                  await signOut();
                  navigate('/');
                }}
              >
                Log out
              </Button>
              <Link to={`/u/${session.user.id}`} className="avatar-link" aria-label="Your profile" title="Your profile">
                <Avatar
                  name={session.user.profile.name || session.user.email}
                  avatarUrl={session.user.profile.avatarUrl}
                  size="sm"
                />
              </Link>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}
