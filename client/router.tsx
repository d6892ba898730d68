import { createBrowserRouter, Navigate } from 'react-router';
import { Layout } from './components/layout.tsx';
import { AdminInvitationsPage } from './routes/admin/admin-invitations.tsx';
import { AdminLayout } from './routes/admin/admin-layout.tsx';
import { AdminSecurityEventsPage } from './routes/admin/admin-security-events.tsx';
import { AdminUsersPage } from './routes/admin/admin-users.tsx';
import { CheckEmailPage } from './routes/auth/check-email.tsx';
import { ConfirmEmailPage } from './routes/auth/confirm-email.tsx';
import { ForgotPasswordPage } from './routes/auth/forgot-password.tsx';
import { InvitePage } from './routes/auth/invite.tsx';
import { LoginPage } from './routes/auth/login.tsx';
import { ResetPasswordPage } from './routes/auth/reset-password.tsx';
import { SignupPage } from './routes/auth/signup.tsx';
import { VerifyEmailPage } from './routes/auth/verify-email.tsx';
import { MyFlyersPage } from './routes/flyers/my-flyers.tsx';
import { HomePage } from './routes/home.tsx';
import { OrgInvitationsPage } from './routes/orgs/org-invitations.tsx';
import { OrgLayout } from './routes/orgs/org-layout.tsx';
import { OrgLogPage } from './routes/orgs/org-log.tsx';
import { OrgMembersPage } from './routes/orgs/org-members.tsx';
import { OrgNoticesPage } from './routes/orgs/org-notices.tsx';
import { OrgSettingsPage } from './routes/orgs/org-settings.tsx';
import { OrgsPage } from './routes/orgs/orgs-list.tsx';
import { OrgSsoPage } from './routes/orgs/sso/org-sso.tsx';
import { NotFoundPage } from './routes/not-found.tsx';
import { PublicProfilePage } from './routes/profile/public-profile.tsx';
import { AccountSettingsPage } from './routes/settings/account-settings.tsx';
import { PreferencesSettingsPage } from './routes/settings/preferences-settings.tsx';
import { PrivacySettingsPage } from './routes/settings/privacy-settings.tsx';
import { ProfileSettingsPage } from './routes/settings/profile-settings.tsx';
import { SecuritySettingsPage } from './routes/settings/security-settings.tsx';
import { SettingsLayout } from './routes/settings/settings-layout.tsx';

// API.md §9. Later features add their routes here.
export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/signup', element: <SignupPage /> },
      { path: '/login', element: <LoginPage /> },
      { path: '/check-email', element: <CheckEmailPage /> },
      { path: '/verify-email', element: <VerifyEmailPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      { path: '/reset-password', element: <ResetPasswordPage /> },
      { path: '/confirm-email', element: <ConfirmEmailPage /> },
      { path: '/invite', element: <InvitePage /> },
      { path: '/u/:userId', element: <PublicProfilePage /> },
      { path: '/flyers', element: <MyFlyersPage /> },
      {
        path: '/settings',
        element: <SettingsLayout />,
        children: [
          { index: true, element: <Navigate to="/settings/profile" replace /> },
          { path: 'profile', element: <ProfileSettingsPage /> },
          { path: 'account', element: <AccountSettingsPage /> },
          { path: 'security', element: <SecuritySettingsPage /> },
          { path: 'privacy', element: <PrivacySettingsPage /> },
          { path: 'preferences', element: <PreferencesSettingsPage /> },
        ],
      },
      { path: '/orgs', element: <OrgsPage /> },
      {
        path: '/orgs/:slug',
        element: <OrgLayout />,
        children: [
          { index: true, element: <Navigate to="members" replace /> },
          { path: 'members', element: <OrgMembersPage /> },
          { path: 'invitations', element: <OrgInvitationsPage /> },
          { path: 'notices', element: <OrgNoticesPage /> },
          { path: 'settings', element: <OrgSettingsPage /> },
          { path: 'sso', element: <OrgSsoPage /> },
          { path: 'log', element: <OrgLogPage /> },
        ],
      },
      {
        path: '/admin',
        element: <AdminLayout />,
        children: [
          { index: true, element: <Navigate to="/admin/users" replace /> },
          { path: 'users', element: <AdminUsersPage /> },
          { path: 'invitations', element: <AdminInvitationsPage /> },
          { path: 'security-events', element: <AdminSecurityEventsPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
