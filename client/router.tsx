import { createBrowserRouter } from 'react-router';
import { Layout } from './components/layout.tsx';
import { CheckEmailPage } from './routes/auth/check-email.tsx';
import { LoginPage } from './routes/auth/login.tsx';
import { SignupPage } from './routes/auth/signup.tsx';
import { VerifyEmailPage } from './routes/auth/verify-email.tsx';
import { HomePage } from './routes/home.tsx';
import { NotFoundPage } from './routes/not-found.tsx';
import { PublicProfilePage } from './routes/profile/public-profile.tsx';

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
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
