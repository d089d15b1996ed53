/**
 * A sum over leading axes — every bias gradient: [B, F] over B, [B, T, D] over B and T — as
 * column sums of a float32 matrix [rows, cols] into float64 accumulators, four columns at a time.
 * Each column is still added up in row order, one float64 addition per element, exactly as the
 * JS loop (../src/backends/cpu/kernels/reduce.ts) does, so the sums have the same bits; only the
 * columns run side by side.
 */

/**
 * acc[j] = from[j] + Σᵢ x[i·cols + j] (i < rows, in order), j < cols; x float32, from and acc
 * float64 (byte addresses; a chunk's sums start from the previous chunk's).
 */
export function sumColumns(x: usize, rows: i32, cols: i32, from: usize, acc: usize): void {
  memory.copy(acc, from, <usize>cols << 3);
  for (let i = 0; i < rows; i++) {
    const row = x + ((<usize>i * <usize>cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))));
    }
    for (; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
    }
  }
}
