import type { WasmExports } from './wasm_module';

/**
 * A convolution's column-matrix work, handed to the GEMM with its product so that whichever thread
 * computes a block of the product also builds (im2col) or scatters (col2im) that block's part of
 * the column matrix (see conv2d.ts).
 *
 * Why: done on the calling thread around a threaded product, the column matrix took as long as
 * the product's own share (a 3×3 convolution of 32 MNIST-sized images: ~2 ms of im2col beside
 * ~2 ms of GEMM on two threads) and then had to travel to the other core's cache; split with the
 * product, each thread makes the columns it multiplies, and every call of im2col or col2im stays
 * whole, so the results keep their bits.
 */
export interface SideWork {
  /** 1: im2col into B before the block's GEMM; 2: col2im out of C after it. */
  readonly kind: 1 | 2;
  /**
   * The product's n is split in multiples of this, so that a block's side work is whole calls:
   * an image's columns (im2col into B, col2im from C), or a channel's rows (im2col into Bᵀ).
   */
  readonly unit: number;
  /** im2col's and col2im's geometry after the channel count: h, w, kH, kW, oH, oW, sH, sW, pT, pL, dH, dW. */
  readonly geometry: readonly number[];
  /** The column matrix's row length (elements). */
  readonly ld: number;
  /** The calls that go with the block [s, s + len) of n (s and len multiples of `unit`, or len reaching n). */
  calls(s: number, len: number): SideCalls;
}

/**
 * `count` calls: f(src + i·srcStep, cg, ...geometry, dst + i·dstStep, ld) for i < count, f being
 * im2col (src the images, dst the column matrix) or col2im (the other way). Byte addresses.
 */
export interface SideCalls {
  readonly src: number;
  readonly srcStep: number;
  readonly cg: number;
  readonly dst: number;
  readonly dstStep: number;
  readonly count: number;
}

/** Runs the calls on this thread's instance (the workers run the same loop in their own source). */
export function runSide(exports: WasmExports, side: SideWork, calls: SideCalls): void {
  const f = side.kind === 1 ? exports.im2col : exports.col2im;
  const g = side.geometry;
  for (let i = 0; i < calls.count; i++) {
    f(calls.src + i * calls.srcStep, calls.cg, ...g, calls.dst + i * calls.dstStep, side.ld);
  }
}

/** `gemm()` with the side work's calls before it (im2col) or after it (col2im); none without a side. */
export function aroundSide(
  exports: WasmExports,
  side: SideWork | undefined,
  calls: SideCalls | undefined,
  gemm: () => void,
): void {
  if (side && calls && side.kind === 1) runSide(exports, side, calls);
  gemm();
  if (side && calls && side.kind === 2) runSide(exports, side, calls);
}

/** The calls of a side work as the task ints the worker threads read (see gemm_threads.ts). */
export function sideInts(side: SideWork | undefined, calls: SideCalls | undefined): number[] {
  if (!side || !calls) return [0, 0, 0, 0, 0, 0, 0];
  return [side.kind, calls.src, calls.srcStep, calls.cg, calls.dst, calls.dstStep, calls.count];
}
