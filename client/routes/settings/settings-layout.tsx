import { NavLink, Outlet } from 'react-router';
import { RequireAuth } from '#client/components/require-auth.tsx';

const SECTIONS = [
  { to: '/settings/profile', label: 'Profile' },
  { to: '/settings/account', label: 'Account' },
  { to: '/settings/security', label: 'Security' },
  { to: '/settings/privacy', label: 'Privacy' },
  { to: '/settings/preferences', label: 'Preferences' },
];

export function SettingsLayout() {
  return (
    <RequireAuth>
      <div className="page settings">
        <nav className="settings__nav" aria-label="Settings">
          <p className="settings__nav-title">Settings</p>
          <ul>
            {SECTIONS.map((section) => (
              <li key={section.to}>
                <NavLink to={section.to} className="settings__link">
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings__content">
          <Outlet />
        </div>
      </div>
    </RequireAuth>
  );
}
