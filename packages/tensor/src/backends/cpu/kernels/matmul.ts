import { matMulGeometry } from '../../../kernel_geometry';
import type { KernelFunc } from '../../../kernel_registry';
import { MatMul, type MatMulAttrs } from '../../../kernels';
import { broadcastStrides, sizeOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { gemm } from '../gemm';
import { useWasmGemm, wasmGemmBatch } from './gemm_wasm';

/**
 * Batched matrix product: a [..., M, K] · b [..., K, N] → [..., M, N], where the last two dims
 * of a (b) are read swapped when `transposeA` (`transposeB`). Batch dims broadcast; every batch
 * entry is one gemm call on offsets into the inputs, so nothing is copied or expanded.
 *
 * float32 products go to the WebAssembly SIMD gemm (./gemm_wasm.ts) when it is available and the
 * product is large enough (or `setCpuKernels` says so); everything else, and any product the wasm
 * side declines, runs on the JS gemm.
 */
export const matMulKernel: KernelFunc<MatMulAttrs, CpuBackend> = ({ inputs: [a, b], attrs, backend }) => {
  const { transposeA, transposeB } = attrs;
  const { m, k, n, batchShape, outShape } = matMulGeometry(a.shape, b.shape, attrs);
  // Both gemms write every element of C (they do not accumulate here): no zero-fill needed.
  const y = backend.empty(a.dtype, sizeOf(outShape));

  // Batch strides counted in whole matrices; a broadcast batch dim has stride 0.
  const aStrides = broadcastStrides(a.shape.slice(0, -2), batchShape);
  const bStrides = broadcastStrides(b.shape.slice(0, -2), batchShape);
  const av = backend.values(a);
  const bv = backend.values(b);
  const aSize = m * k;
  const bSize = k * n;
  const ySize = m * n;
  const batches = sizeOf(batchShape);
  const rank = batchShape.length;
  const index = new Array<number>(rank).fill(0);
  // Each batch entry's matrix index into a and into b.
  const aIndex = new Array<number>(batches);
  const bIndex = new Array<number>(batches);
  let ai = 0;
  let bi = 0;
  for (let t = 0; t < batches; t++) {
    aIndex[t] = ai;
    bIndex[t] = bi;
    // Advance the batch odometer, moving each input's matrix index along with it.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      ai += aStrides[d];
      bi += bStrides[d];
      if (index[d] < batchShape[d]) break;
      ai -= aStrides[d] * batchShape[d];
      bi -= bStrides[d] * batchShape[d];
      index[d] = 0;
    }
  }
  if (
    av instanceof Float32Array &&
    bv instanceof Float32Array &&
    y instanceof Float32Array &&
    useWasmGemm(m, n, k, batches) &&
    wasmGemmBatch(av, bv, y, aIndex, bIndex, m, n, k, transposeA, transposeB)
  ) {
    return backend.output(y, outShape, a.dtype);
  }
  for (let t = 0; t < batches; t++) {
    gemm(av, aIndex[t] * aSize, bv, bIndex[t] * bSize, y, t * ySize, m, n, k, transposeA, transposeB);
  }
  return backend.output(y, outShape, a.dtype);
};

export const matMulConfig = { kernelName: MatMul, kernelFunc: matMulKernel };
