import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `vite build --ssr` builds the server (npm start runs it without a TypeScript loader: less memory),
// and the password threads' script as a bundle of its own beside it (server/lib/passwords.ts).
const server = {
  root: '.',
  publicDir: false,
  build: {
    ssr: true,
    rolldownOptions: {
      input: { index: 'server/index.ts', 'password-worker': 'server/lib/password-worker.ts' },
      output: { entryFileNames: '[name].js' },
    },
    outDir: 'dist/server',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
  },
} as const;

export default defineConfig(({ isSsrBuild }) =>
  isSsrBuild
    ? server
    : {
        root: 'client',
        publicDir: 'public',
        plugins: [react()],
        build: {
          outDir: '../dist/client',
          emptyOutDir: true,
          // The CSP forbids inline scripts: never inline the module preload polyfill.
          modulePreload: { polyfill: false },
          assetsInlineLimit: 0,
          // The password dictionaries (~1.7 MB, loaded lazily on the sign-up form) are one chunk by design.
          chunkSizeWarningLimit: 1800,
        },
        test: {
          root: '.',
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // Every suite on the embedded SQLite; the API suites again on PostgreSQL (a throwaway cluster,
          // or TEST_DATABASE_URL), where the same promises must hold (API.md §11).
          projects: [
            // One after the other (groupOrder): the browser tests keep the machine to themselves.
            { extends: true, test: { name: 'sqlite', include: ['tests/**/*.test.ts'], sequence: { groupOrder: 0 } } },
            {
              extends: true,
              test: {
                name: 'postgresql',
                sequence: { groupOrder: 1 },
                include: ['tests/api/**/*.test.ts'],
                // Start-up configuration is the same code on both: once is enough.
                exclude: ['tests/api/configuration-errors.test.ts'],
                env: { TEST_DATABASE: 'postgresql' },
                globalSetup: ['tests/helpers/postgres-global-setup.ts'],
              },
            },
          ],
          coverage: {
            provider: 'v8',
            include: ['server/**/*.ts', 'shared/**/*.ts'],
            // Generated; the two entry points run only as child processes (tests/helpers/server-process.ts,
            // tests/helpers/admin-command.ts), and the password threads' script only on worker threads
            // (tests/unit/password-threads.test.ts), where this in-process measurement cannot see them.
            exclude: ['server/db/migrations/**', 'server/index.ts', 'server/cli/**', 'server/lib/password-worker.ts'],
            reporter: ['text-summary', 'html', 'json-summary'],
            reportsDirectory: 'coverage',
            // The floor of issue 13: error paths are where an auth server's bugs live.
            thresholds: {
              lines: 90,
              branches: 85,
              'server/modules/{auth,sessions,mfa,passwords,keys,tokens}/**': { branches: 90 },
            },
          },
        },
      },
);
