/**
 * Vite for the playground. The workspace packages are bundled from their TypeScript sources (the
 * `source` export condition, as tests and tsx use them), so `pnpm playground` needs no build of
 * the libraries first, and the page gets the same code the tests run. `base: './'` makes the
 * built dist/ work from any folder or static host (and from the browser test's tiny server).
 *
 * The libraries import Node built-ins lazily on their Node-only paths (reading IDX files, writing
 * PNGs, the terminal progress bar) that the page never takes; Vite replaces them with empty
 * modules and says so once per import, which is silenced here as expected noise.
 */
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      onLog(level, log, handler) {
        if (log.message.includes('externalized for browser compatibility')) return;
        handler(level, log);
      },
    },
  },
  server: { host: '127.0.0.1' },
});
