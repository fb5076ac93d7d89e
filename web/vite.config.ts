import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
// The dev server forwards API calls to a running `npm start` (PORT, default 3000).
const apiTarget = `http://127.0.0.1:${process.env.PORTIER_API_PORT ?? process.env.PORT ?? 3000}`;

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: 'public',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server sends a strict CSP (script-src 'self'): no inline polyfill script.
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': apiTarget },
  },
});
