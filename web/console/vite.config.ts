import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The operator console: served by the node at /console/ from dist-web/console/ (src/server/web-apps.ts). */
export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../../dist-web/console', import.meta.url)),
    emptyOutDir: true,
    // Charts are loaded with the dashboard, not in the initial bundle (test/web/bundle-budget.test.ts).
    chunkSizeWarningLimit: 1500,
  },
});
