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

/**
 * Sums of runs — a layer norm's per-row sums, a batch norm's or a bias's per-channel sums over
 * [N, C, H, W] — into float64 accumulators: acc[idx[r]] += Σᵢ x[r·len + i] (i < len, in order)
 * for each run r < runs, in order, acc starting as a copy of `from` (`accs` values); x float32,
 * idx int32, from and acc float64 (byte addresses; a chunk's sums start from the previous
 * chunk's). Each accumulator adds its elements one at a time in the JS loop's order (the same
 * bits); what runs side by side is two, or four, runs with different accumulators, one float64
 * lane each, so that the additions' latency overlaps instead of adding up.
 */
export function sumRuns(x: usize, runs: i32, len: i32, idx: usize, accs: i32, from: usize, acc: usize): void {
  memory.copy(acc, from, <usize>accs << 3);
  let r = 0;
  while (r < runs) {
    const a0 = acc + (<usize>load<i32>(idx + (<usize>r << 2)) << 3);
    const x0 = x + ((<usize>r * <usize>len) << 2);
    const rowBytes = <usize>len << 2;
    if (r + 1 < runs) {
      const a1 = acc + (<usize>load<i32>(idx + (<usize>(r + 1) << 2)) << 3);
      if (a1 !== a0) {
        if (r + 3 < runs) {
          const a2 = acc + (<usize>load<i32>(idx + (<usize>(r + 2) << 2)) << 3);
          const a3 = acc + (<usize>load<i32>(idx + (<usize>(r + 3) << 2)) << 3);
          if (a2 !== a0 && a2 !== a1 && a3 !== a0 && a3 !== a1 && a3 !== a2) {
            sumFour(x0, rowBytes, len, a0, a1, a2, a3);
            r += 4;
            continue;
          }
        }
        let s = f64x2.replace_lane(f64x2.splat(load<f64>(a0)), 1, load<f64>(a1));
        for (let i = 0; i < len; i++) {
          const at = x0 + (<usize>i << 2);
          const v = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at)), 1, <f64>load<f32>(at + rowBytes));
          s = f64x2.add(s, v);
        }
        store<f64>(a0, f64x2.extract_lane(s, 0));
        store<f64>(a1, f64x2.extract_lane(s, 1));
        r += 2;
        continue;
      }
    }
    let s = load<f64>(a0);
    for (let i = 0; i < len; i++) s += <f64>load<f32>(x0 + (<usize>i << 2));
    store<f64>(a0, s);
    r += 1;
  }
}

/** Four consecutive runs of `len` (rows `rowBytes` apart, from x0) into four different accumulators. */
@inline
function sumFour(x0: usize, rowBytes: usize, len: i32, a0: usize, a1: usize, a2: usize, a3: usize): void {
  let s01 = f64x2.replace_lane(f64x2.splat(load<f64>(a0)), 1, load<f64>(a1));
  let s23 = f64x2.replace_lane(f64x2.splat(load<f64>(a2)), 1, load<f64>(a3));
  for (let i = 0; i < len; i++) {
    const at = x0 + (<usize>i << 2);
    s01 = f64x2.add(s01, f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at)), 1, <f64>load<f32>(at + rowBytes)));
    const at2 = at + (rowBytes << 1);
    s23 = f64x2.add(
      s23,
      f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at2)), 1, <f64>load<f32>(at2 + rowBytes)),
    );
  }
  store<f64>(a0, f64x2.extract_lane(s01, 0));
  store<f64>(a1, f64x2.extract_lane(s01, 1));
  store<f64>(a2, f64x2.extract_lane(s23, 0));
  store<f64>(a3, f64x2.extract_lane(s23, 1));
}
