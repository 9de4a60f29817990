import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The holder portal, served by the node at /portal/ from dist-web/portal/ (src/server/web-apps.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  plugins: [vue()],
  build: { outDir: fileURLToPath(new URL('../../dist-web/portal/', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
