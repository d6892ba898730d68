import { Outlet } from 'react-router';
import { useSyncedTheme } from '#client/lib/preferences.ts';
import { PRODUCT_NAME } from '#shared/constants.ts';
import { Header } from './header.tsx';

export function Layout() {
  useSyncedTheme();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Outlet />
      </main>
      <footer className="app-footer">{PRODUCT_NAME} · Your account, kept safe.</footer>
    </>
  );
}
