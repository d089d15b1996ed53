/**
 * Calls `inner(outOffset, offsets, n, innerStrides)` once per run of the innermost output axis,
 * with the offset of each input at the start of that run. Iterates the other axes odometer-style.
 */
export function forEachRow(
  outShape: readonly number[],
  inStrides: readonly (readonly number[])[],
  inner: (outOffset: number, offsets: number[], n: number, strides: number[]) => void,
): void {
  const rank = outShape.length;
  if (rank === 0) {
    inner(
      0,
      inStrides.map(() => 0),
      1,
      inStrides.map(() => 0),
    );
    return;
  }
  const n = outShape[rank - 1];
  const last = inStrides.map((s) => s[rank - 1]);
  const offsets = inStrides.map(() => 0);
  const index = new Array<number>(rank - 1).fill(0);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= outShape[d];
  if (n === 0) return;
  for (let r = 0; r < rows; r++) {
    inner(r * n, offsets, n, last);
    // advance the odometer over the outer axes
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += inStrides[k][d];
      if (index[d] < outShape[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= inStrides[k][d] * outShape[d];
      index[d] = 0;
    }
  }
}
