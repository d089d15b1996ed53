/**
 * The float32 elementwise loops a training step runs over every activation — relu, its gradient's
 * select, bias adds and the like, the 2×2 max pool — in WebAssembly SIMD, four values at a time.
 * The JS kernels (../src/backends/cpu/kernels/) copy their inputs into the module's memory, call
 * one of these, and copy the result out; they keep their own loops for every other case.
 *
 * Every function gives the same bits as its JS loop: + − × ÷ on f32x4 round the exact result to
 * float32 once, as a Float32Array store of the float64 result does; selects and the pool move
 * values without arithmetic. Addresses are bytes, counts elements.
 */

const NAN_BITS = i32x4.splat(0x7f800000);

/** relu: the bits of x, cleared where x is negative and not NaN (negatives give +0, NaN stays). */
export function relu(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    const negative = i32x4.shr_s(v, 31);
    const nan = i32x4.gt_s(v128.and(v, i32x4.splat(0x7fffffff)), NAN_BITS);
    v128.store(y + at, v128.andnot(v, v128.andnot(negative, nan)));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 || v != v ? v : 0);
  }
}

/**
 * y = c ≠ 0 ? a : b, for a float32 condition (a NaN condition counts as true, −0 as false);
 * `b` full when `bStride` is 1, one value when 0.
 */
export function select(c: usize, a: usize, b: usize, bStride: i32, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const bOne = v128.load32_splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const m = f32x4.ne(v128.load(c + at), zero);
    const other = bStride ? v128.load(b + at) : bOne;
    v128.store(y + at, v128.bitselect(v128.load(a + at), other, m));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const take = load<f32>(c + at) != 0;
    store<i32>(y + at, take ? load<i32>(a + at) : load<i32>(b + (bStride ? at : 0)));
  }
}

/**
 * One run of a binary op: y[i] = a[i·sa] op b[i·sb] for i < n, with sa, sb ∈ {0, 1} (0: the same
 * value throughout). op: 0 add, 1 sub, 2 mul, 3 div.
 */
export function binary(op: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32): void {
  if (op === 0) binaryOp(0, a, sa, b, sb, y, n);
  else if (op === 1) binaryOp(1, a, sa, b, sb, y, n);
  else if (op === 2) binaryOp(2, a, sa, b, sb, y, n);
  else binaryOp(3, a, sa, b, sb, y, n);
}

/**
 * `runs` runs of a binary op (op as in `binary`) between a full operand and a small broadcast
 * one: run r writes y[r·len + i] from the full side's element r·len + i (stride 1) and the small
 * side's element offsets[r] + i·ss (ss 0 or 1). `smallFirst`: the small side is the left operand.
 * One call does a whole chunk of runs (a bias over its planes, a row's constant over each row).
 */
export function binaryRuns(
  op: i32,
  full: usize,
  small: usize,
  ss: i32,
  smallFirst: bool,
  offsets: usize,
  runs: i32,
  len: i32,
  y: usize,
): void {
  for (let r = 0; r < runs; r++) {
    const at = <usize>(r * len) << 2;
    const s = small + (<usize>load<i32>(offsets + (<usize>r << 2)) << 2);
    if (smallFirst) binary(op, s, ss, full + at, 1, y + at, len);
    else binary(op, full + at, 1, s, ss, y + at, len);
  }
}

@inline
function apply4(OP: i32, u: v128, v: v128): v128 {
  if (OP === 0) return f32x4.add(u, v);
  if (OP === 1) return f32x4.sub(u, v);
  if (OP === 2) return f32x4.mul(u, v);
  return f32x4.div(u, v);
}

@inline
function apply1(OP: i32, u: f32, v: f32): f32 {
  if (OP === 0) return u + v;
  if (OP === 1) return u - v;
  if (OP === 2) return u * v;
  return u / v;
}

// Inlined into each branch of `binary` with a constant OP, so that the op test folds away.
@inline
function binaryOp(OP: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32): void {
  const aOne = v128.load32_splat(a);
  const bOne = v128.load32_splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const u = sa ? v128.load(a + at) : aOne;
    const v = sb ? v128.load(b + at) : bOne;
    v128.store(y + at, apply4(OP, u, v));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, apply1(OP, load<f32>(a + (sa ? at : 0)), load<f32>(b + (sb ? at : 0))));
  }
}

/**
 * The 2×2 max (or min) pool with stride 2 and no padding over `planes` planes of h×w (oH×oW
 * whole windows, oH ≤ h/2, oW ≤ w/2): each output
 * gets its window's winner and the winner's flat index h·w + w within the plane. Cells are visited
 * in row-major order with a strict comparison (ties keep the first); a NaN wins and later NaNs
 * replace it, as in the JS kernel (and torch, which propagates NaN).
 */
export function maxPool2x2(
  x: usize,
  planes: i32,
  h: i32,
  w: i32,
  oH: i32,
  oW: i32,
  isMax: bool,
  y: usize,
  idx: usize,
): void {
  const lane = i32x4(0, 2, 4, 6);
  let o: usize = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = x + (<usize>(plane * h * w) << 2);
    for (let oh = 0; oh < oH; oh++) {
      const r0 = 2 * oh * w;
      const r1 = r0 + w;
      let ow = 0;
      for (; ow + 4 <= oW; ow += 4, o += 16) {
        const p0 = base + (<usize>(r0 + 2 * ow) << 2);
        const p1 = base + (<usize>(r1 + 2 * ow) << 2);
        const a0 = v128.load(p0);
        const a1 = v128.load(p0, 16);
        const b0 = v128.load(p1);
        const b1 = v128.load(p1, 16);
        // The four cells of each window, in visiting order: (r0, even), (r0, odd), (r1, even), (r1, odd).
        const c1 = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
        const c2 = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
        const c3 = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
        const at0 = i32x4.add(i32x4.splat(r0 + 2 * ow), lane);
        let best = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
        let at = at0;
        let m = wins(c1, best, isMax);
        best = v128.bitselect(c1, best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(1)), at, m);
        m = wins(c2, best, isMax);
        best = v128.bitselect(c2, best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(w)), at, m);
        m = wins(c3, best, isMax);
        best = v128.bitselect(c3, best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(w + 1)), at, m);
        v128.store(y + o, best);
        v128.store(idx + o, at);
      }
      for (; ow < oW; ow++, o += 4) {
        let at = r0 + 2 * ow;
        let best = load<f32>(base + (<usize>at << 2));
        for (let j = 1; j < 4; j++) {
          const cell = (j < 2 ? r0 : r1) + 2 * ow + (j & 1);
          const v = load<f32>(base + (<usize>cell << 2));
          if ((isMax ? v > best : v < best) || v != v) {
            best = v;
            at = cell;
          }
        }
        store<f32>(y + o, best);
        store<i32>(idx + o, at);
      }
    }
  }
}

/** Lanes where candidate c replaces the best so far: strictly better, or NaN. */
@inline
function wins(c: v128, best: v128, isMax: bool): v128 {
  const better = isMax ? f32x4.gt(c, best) : f32x4.lt(c, best);
  return v128.or(better, f32x4.ne(c, c));
}

/**
 * The max/min pool's gradient: each output's gradient added onto its winner, `planes` planes of
 * `outPlane` outputs (dy, and the winners' flat indices within their plane) onto planes of
 * `inPlane` inputs (dx, zeroed here first). Same order of additions as the JS loop.
 */
export function poolScatter(dy: usize, idx: usize, planes: i32, outPlane: i32, inPlane: i32, dx: usize): void {
  memory.fill(dx, 0, <usize>(planes * inPlane) << 2);
  let o: usize = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = dx + (<usize>(plane * inPlane) << 2);
    for (let k = 0; k < outPlane; k++, o += 4) {
      const at = base + (<usize>load<i32>(idx + o) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dy + o));
    }
  }
}
