/**
 * The WebAssembly module of the CPU backend: everything it runs in WebAssembly, one file each —
 * the float32 GEMM (gemm.ts), conv2d's column matrices (im2col.ts), the elementwise loops of a
 * training step (elementwise.ts), sigmoid, tanh, exp and erf (transcendental.ts), column sums
 * (reduce.ts) and the fused Adam step (adam.ts). scripts/build-wasm.mjs compiles this entry.
 */
export { gemm, scratchBytes } from './gemm';
export { col2im, im2col } from './im2col';
export { binary, binaryRuns, maxPool2x2, poolScatter, relu, select } from './elementwise';
export { activation } from './transcendental';
export { sumColumns, sumRuns } from './reduce';
export { adam } from './adam';
