/**
 * The CPU kernels' one way of walking a strided, possibly broadcast, iteration space: in rows.
 *
 * Why rows: a kernel's inner loop should be a plain `for` over one run of the innermost axis,
 * with each input's position a base plus `i * stride` (stride 0 for a broadcast input), and all the
 * odometer bookkeeping outside it. Why coalescing first: a bias [1, C, 1, 1] added to [N, C, H, W]
 * walked naively has N·C·H rows of W elements; merging H and W (contiguous for every operand)
 * gives N·C rows of H·W, so per-row overhead is paid a W-th as often and the run with the bias
 * constant (stride 0) is long.
 */

/**
 * Drops size-1 axes and merges each pair of neighbouring axes that every operand steps through
 * contiguously (stride[d] = stride[d + 1] · size[d + 1], which includes both being 0). The output,
 * being dense row-major, is contiguous across any such merge. Returns the merged sizes and the
 * strides per operand; `null` when some axis has size 0 (nothing to visit).
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { dims: number[]; strides: number[][] } | null {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 0) return null;
    if (n === 1) continue;
    const k = dims.length - 1;
    let merge = k >= 0;
    for (let t = 0; merge && t < strides.length; t++) merge = out[t][k] === strides[t][d] * n;
    if (merge) {
      dims[k] *= n;
      for (let t = 0; t < strides.length; t++) out[t][k] = strides[t][d];
    } else {
      dims.push(n);
      for (let t = 0; t < strides.length; t++) out[t].push(strides[t][d]);
    }
  }
  return { dims, strides: out };
}

/**
 * Calls `inner(outOffset, offsets, n, innerStrides)` once per run of the innermost (coalesced)
 * output axis, with the offset of each operand at the start of that run; the output is dense
 * row-major over `outShape`. Iterates the other axes odometer-style. A scalar (rank 0, or all
 * axes of size 1) is one run of length 1.
 */
export function forEachRow(
  outShape: readonly number[],
  inStrides: readonly (readonly number[])[],
  inner: (outOffset: number, offsets: number[], n: number, strides: number[]) => void,
): void {
  const c = coalesce(outShape, inStrides);
  if (c === null) return;
  const { dims, strides } = c;
  const rank = dims.length;
  if (rank === 0) {
    inner(
      0,
      strides.map(() => 0),
      1,
      strides.map(() => 0),
    );
    return;
  }
  const n = dims[rank - 1];
  const last = strides.map((s) => s[rank - 1]);
  const offsets = strides.map(() => 0);
  const index = new Array<number>(rank - 1).fill(0);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= dims[d];
  for (let r = 0; r < rows; r++) {
    inner(r * n, offsets, n, last);
    // advance the odometer over the outer axes
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (index[d] < dims[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * dims[d];
      index[d] = 0;
    }
  }
}
