import { defineConfig } from 'tsup';

// ESM only: `bin.ts` is the `axon` executable (its `#!/usr/bin/env node` line is kept, and tsup
// marks the file executable); `index.ts` exports `main` for programs and tests. The workspace
// packages stay external, so the bin loads their built `dist/` through their `exports`, never
// their TypeScript sources. The gpu backend is an optional dependency, imported only for
// `--backend gpu`.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Classes keep their names in the bundle (esbuild would rename some to _Name), so summaries and
  // error messages that print constructor.name read the same built as from the sources.
  keepNames: true,
  external: ['@axon/backend-gpu'],
});
