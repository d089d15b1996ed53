import { matMulGeometry } from '../../../kernel_geometry';
import type { KernelFunc } from '../../../kernel_registry';
import { MatMul, type MatMulAttrs } from '../../../kernels';
import { broadcastStrides, sizeOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { gemm } from '../gemm';

/**
 * Batched matrix product: a [..., M, K] · b [..., K, N] → [..., M, N], where the last two dims
 * of a (b) are read swapped when `transposeA` (`transposeB`). Batch dims broadcast; every batch
 * entry is one gemm call on offsets into the inputs, so nothing is copied or expanded.
 */
export const matMulKernel: KernelFunc<MatMulAttrs, CpuBackend> = ({ inputs: [a, b], attrs, backend }) => {
  const { transposeA, transposeB } = attrs;
  const { m, k, n, batchShape, outShape } = matMulGeometry(a.shape, b.shape, attrs);
  const y = backend.alloc(a.dtype, sizeOf(outShape));

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
  let ai = 0;
  let bi = 0;
  for (let t = 0; t < batches; t++) {
    gemm(av, ai * aSize, bv, bi * bSize, y, t * ySize, m, n, k, transposeA, transposeB);
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
  return backend.output(y, outShape, a.dtype);
};

export const matMulConfig = { kernelName: MatMul, kernelFunc: matMulKernel };
