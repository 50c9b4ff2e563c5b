// Static build of the console. @vitejs/plugin-react is not a dependency of this repo, so JSX goes
// through Vite's built-in Oxc transform with the automatic runtime (no fast refresh; not needed for a
// build that instance-service serves).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The console must work offline: everything it needs is bundled, nothing loads from a CDN.
    assetsInlineLimit: 0,
  },
  server: { port: 5173, strictPort: false },
});
