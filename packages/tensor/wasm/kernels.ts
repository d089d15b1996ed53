/**
 * The WebAssembly module of the CPU backend: everything it runs in WebAssembly, one file each —
 * the float32 GEMM (gemm.ts) and the fused Adam step (adam.ts). scripts/build-wasm.mjs compiles
 * this entry.
 */
export { gemm, scratchBytes } from './gemm';
export { adam } from './adam';
