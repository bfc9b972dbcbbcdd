import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built into studio/dist by studio/build/build-studio.ts (npm start, npm test, npm run studio:build)
// and served by the Cloud API at /studio (api/http/serve-studio.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/studio/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every browser Studio supports has native module preload: no polyfill code in the entry.
    modulePreload: { polyfill: false },
    // Studio's CSP forbids inline script and style, so nothing may be inlined as a data: URL script.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
