import { createBrowserRouter, Navigate } from 'react-router';
import { Layout } from './components/layout.tsx';
import { CheckEmailPage } from './routes/auth/check-email.tsx';
import { LoginPage } from './routes/auth/login.tsx';
import { SignupPage } from './routes/auth/signup.tsx';
import { VerifyEmailPage } from './routes/auth/verify-email.tsx';
import { MyFlyersPage } from './routes/flyers/my-flyers.tsx';
import { HomePage } from './routes/home.tsx';
import { NotFoundPage } from './routes/not-found.tsx';
import { PublicProfilePage } from './routes/profile/public-profile.tsx';
import { AccountSettingsPage } from './routes/settings/account-settings.tsx';
import { PreferencesSettingsPage } from './routes/settings/preferences-settings.tsx';
import { PrivacySettingsPage } from './routes/settings/privacy-settings.tsx';
import { ProfileSettingsPage } from './routes/settings/profile-settings.tsx';
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
      { path: '/u/:userId', element: <PublicProfilePage /> },
      { path: '/flyers', element: <MyFlyersPage /> },
      {
        path: '/settings',
        element: <SettingsLayout />,
        children: [
          { index: true, element: <Navigate to="/settings/profile" replace /> },
          { path: 'profile', element: <ProfileSettingsPage /> },
          { path: 'account', element: <AccountSettingsPage /> },
          { path: 'privacy', element: <PrivacySettingsPage /> },
          { path: 'preferences', element: <PreferencesSettingsPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
