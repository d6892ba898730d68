import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `vite build --ssr` builds the server (npm start runs it without a TypeScript loader: less memory).
const server = {
  root: '.',
  publicDir: false,
  build: {
    ssr: 'server/index.ts',
    outDir: 'dist/server',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
  },
} as const;

export default defineConfig(({ isSsrBuild }) => (isSsrBuild ? server : {
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
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
}));
