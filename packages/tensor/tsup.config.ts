import { copyFile } from 'node:fs/promises';
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
  // The bundles carry the WebAssembly GEMM embedded (src/backends/cpu/kernels/gemm_wasm_bytes.ts,
  // written by scripts/build-wasm.mjs, which `pnpm build` runs first); the .wasm file itself ships
  // beside them for anyone who wants to inspect or load it on their own.
  onSuccess: async () => {
    await copyFile('wasm/build/gemm.wasm', 'dist/gemm.wasm');
  },
});
