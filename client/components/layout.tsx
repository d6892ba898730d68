import { Outlet } from 'react-router';
import { PRODUCT_NAME } from '#shared/constants.ts';
import { Header } from './header.tsx';

export function Layout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Outlet />
      </main>
      <footer className="app-footer">
        {PRODUCT_NAME} · Your account, kept safe.
      </footer>
    </>
  );
}
