import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Classes keep their names in the bundle (esbuild would rename some to _Name), so summaries and
  // error messages that print constructor.name read the same built as from the sources.
  keepNames: true,
});
