import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { buildCjkFont } from '../../scripts/web-cjk-font.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const cache = fileURLToPath(new URL('../../node_modules/.cache/zhengzhao-web/', import.meta.url));

/** The operator console: served by the node at /console/ from dist-web/console/ (src/server/web-apps.ts). */
export default defineConfig(async () => ({
  root: here,
  base: '/console/',
  plugins: [vue()],
  resolve: {
    // The bundled Chinese font (scripts/web-cjk-font.mjs), imported by main.ts as a URL.
    alias: [{ find: /^@cjk-font(?=\?|$)/, replacement: await buildCjkFont(fileURLToPath(new URL('./src', import.meta.url)), cache) }],
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist-web/console', import.meta.url)),
    emptyOutDir: true,
    // Charts are loaded with the dashboard, not in the initial bundle (test/web/bundle-budget.test.ts).
    chunkSizeWarningLimit: 1500,
  },
}));
