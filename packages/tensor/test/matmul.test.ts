import { readFileSync } from 'node:fs';
import { type DType, dot, matmul, ShapeError, type Tensor, tensor, zeros } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { gemm } from '../src/backends/cpu/gemm';

/** Small integers from a fixed LCG: every product and sum below is exact in float32 and int32. */
function ints(count: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(((s >>> 24) % 9) - 4);
  }
  return out;
}

/** A tensor of `shape` filled with `ints`. */
function rand(shape: number[], seed: number, dtype: DType = 'float32'): Tensor {
  return tensor(
    ints(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    { shape, dtype },
  );
}

/**
 * The textbook triple loop over flat row-major data: out[i, j] = Σ_p op(A)[i, p] · op(B)[p, j],
 * with A stored [m, k] ([k, m] if tA) and B stored [k, n] ([n, k] if tB).
 */
function naive(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  tA = false,
  tB = false,
) {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      out.push(s);
    }
  }
  return out;
}

const flat = (t: Tensor) => Array.from(t.dataSync());

describe('matmul: 2-D', () => {
  it('matches a hand-computed product', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [5, 6],
      [7, 8],
    ]);
    expect(matmul(a, b).arraySync()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    const c = tensor([
      [1, 0, -1],
      [2, 1, 0],
    ]); // [2, 3]
    const d = tensor([[1], [2], [3]]); // [3, 1]
    expect(matmul(c, d).arraySync()).toEqual([[-2], [4]]);
  });

  // Sizes chosen to hit every edge of the blocked kernel: single rows/columns, tiles that do not
  // divide 4, more than one k-block (k > 256), m-block (m > 128) and n-block (n > 1024).
  const sizes: [number, number, number][] = [
    [1, 13, 7],
    [7, 1, 13],
    [1, 1, 9],
    [2, 3, 1],
    [5, 6, 7],
    [65, 67, 129],
    [130, 9, 33],
    [6, 1030, 11],
    [9, 10, 600],
  ];
  for (const [m, n, k] of sizes) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`[${m}×${k}]·[${k}×${n}] transposeA=${tA} transposeB=${tB}`, () => {
        const a = rand(tA ? [k, m] : [m, k], m * 31 + k);
        const b = rand(tB ? [n, k] : [k, n], n * 17 + k);
        const y = matmul(a, b, { transposeA: tA, transposeB: tB });
        expect(y.shape).toEqual([m, n]);
        expect(y.dtype).toBe('float32');
        expect(flat(y)).toEqual(naive(a.dataSync(), b.dataSync(), m, n, k, tA, tB));
      });
    }
  }

  it('works for float64 and int32, keeping the dtype', () => {
    for (const dtype of ['float64', 'int32'] as const) {
      const a = rand([9, 21], 1, dtype);
      const b = rand([21, 6], 2, dtype);
      const y = matmul(a, b);
      expect(y.dtype).toBe(dtype);
      expect(flat(y)).toEqual(naive(a.dataSync(), b.dataSync(), 9, 6, 21));
    }
  });

  it('sums in float64 before rounding to float32', () => {
    // A CPU-backend property: 1 + 1e-8 is 1 in float32, so a float32 running sum would return 0.
    const a = tensor([[1, 1e-8, 1e-8, -1]]);
    const b = tensor([[1], [1], [1], [1]]);
    expect(matmul(a, b).item()).toBeCloseTo(2e-8, 12);
  });

  it('promotes mixed dtypes like torch', () => {
    const y = matmul(tensor([[1, 2]], 'int32'), tensor([[0.5], [0.25]], 'float64'));
    expect(y.dtype).toBe('float64');
    expect(y.arraySync()).toEqual([[1]]);
  });

  it('handles empty dimensions', () => {
    expect(matmul(zeros([0, 3]), zeros([3, 4])).shape).toEqual([0, 4]);
    expect(matmul(zeros([2, 3]), zeros([3, 0])).shape).toEqual([2, 0]);
    // k = 0: an empty sum is 0
    const y = matmul(zeros([2, 0]), zeros([0, 3]));
    expect(y.arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});

describe('matmul: batches and vectors', () => {
  it('multiplies batch by batch', () => {
    const a = rand([3, 4, 5], 3);
    const b = rand([3, 5, 2], 4);
    const y = matmul(a, b);
    expect(y.shape).toEqual([3, 4, 2]);
    const av = a.dataSync();
    const bv = b.dataSync();
    const expected: number[] = [];
    for (let t = 0; t < 3; t++) expected.push(...naive(av.subarray(t * 20), bv.subarray(t * 10), 4, 2, 5));
    expect(flat(y)).toEqual(expected);
  });

  it('broadcasts batch dims NumPy-style, with transposes', () => {
    // a [2, 1, 5, 4]ᵀ → [2, 1, 4, 5]; b [3, 6, 5]ᵀ → [3, 5, 6]; out [2, 3, 4, 6]
    const a = rand([2, 1, 5, 4], 5);
    const b = rand([3, 6, 5], 6);
    const y = matmul(a, b, { transposeA: true, transposeB: true });
    expect(y.shape).toEqual([2, 3, 4, 6]);
    const av = a.dataSync();
    const bv = b.dataSync();
    const expected: number[] = [];
    for (let s = 0; s < 2; s++) {
      for (let t = 0; t < 3; t++)
        expected.push(...naive(av.subarray(s * 20), bv.subarray(t * 30), 4, 6, 5, true, true));
    }
    expect(flat(y)).toEqual(expected);
  });

  it('broadcasts a plain matrix against a batch on either side', () => {
    const a = rand([2, 3, 4], 7);
    const w = rand([4, 5], 8);
    const y = matmul(a, w);
    expect(y.shape).toEqual([2, 3, 5]);
    const av = a.dataSync();
    expect(flat(y)).toEqual([
      ...naive(av.subarray(0, 12), w.dataSync(), 3, 5, 4),
      ...naive(av.subarray(12), w.dataSync(), 3, 5, 4),
    ]);
    const z = matmul(w, rand([3, 5, 2], 9));
    expect(z.shape).toEqual([3, 4, 2]);
  });

  it('treats 1-D operands as a row (left) or a column (right), like torch.matmul', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(matmul(tensor([1, -1]), m).arraySync()).toEqual([-3, -3, -3]); // [2]·[2,3] → [3]
    expect(matmul(m, tensor([1, 0, 2])).arraySync()).toEqual([7, 16]); // [2,3]·[3] → [2]
    const v = matmul(tensor([1, 2, 3]), tensor([4, 5, 6])); // [3]·[3] → []
    expect(v.shape).toEqual([]);
    expect(v.item()).toBe(32);
    expect(dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    // batched matrix times vector: [2, 2, 3]·[3] → [2, 2]
    const batch = tensor([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [0, 1, 0],
        [1, 0, 1],
      ],
    ]);
    expect(matmul(batch, tensor([1, 0, 2])).arraySync()).toEqual([
      [7, 16],
      [0, 3],
    ]);
  });
});

describe('matmul: errors', () => {
  it('names matmul and the shapes when the inner dimensions differ', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/^matmul: .*\[2, ?3\].*\[4, ?5\].*3 vs 4/);
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(/^matmul/);
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]), { transposeB: false })).toThrow(/^matmul/);
  });

  it('rejects batch dims that cannot broadcast and 0-d operands', () => {
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(/^matmul/);
    expect(() => matmul(tensor(2), zeros([2]))).toThrow(/^matmul/);
  });
});

describe('gemm (the shared CPU routine)', () => {
  it('reads and writes at offsets and accumulates into C', () => {
    const m = 5;
    const n = 7;
    const k = 300; // two k-blocks
    for (const [tA, tB] of [
      [false, false],
      [true, true],
    ]) {
      const a = new Float64Array([9, 9, ...ints(m * k, 11)]);
      const b = new Float64Array([9, ...ints(k * n, 12)]);
      const c = new Float64Array(3 + m * n + 2).fill(1);
      gemm(a, 2, b, 1, c, 3, m, n, k, tA, tB, true);
      const expected = naive(a.subarray(2), b.subarray(1), m, n, k, tA, tB).map((v) => v + 1);
      expect(Array.from(c.subarray(3, 3 + m * n))).toEqual(expected);
      // untouched outside the window
      expect([c[0], c[1], c[2], c[3 + m * n], c[4 + m * n]]).toEqual([1, 1, 1, 1, 1]);
      gemm(a, 2, b, 1, c, 3, m, n, k, tA, tB);
      expect(Array.from(c.subarray(3, 3 + m * n))).toEqual(expected.map((v) => v - 1));
    }
  });

  it('accumulates (or zeroes) for k = 0 and in the matrix-vector paths', () => {
    const c = new Float32Array([5, 6]);
    gemm(new Float32Array(0), 0, new Float32Array(0), 0, c, 0, 1, 2, 0, false, false, true);
    expect(Array.from(c)).toEqual([5, 6]);
    gemm(new Float32Array(0), 0, new Float32Array(0), 0, c, 0, 1, 2, 0, false, false);
    expect(Array.from(c)).toEqual([0, 0]);
    const a = new Int32Array([1, 2, 3]);
    const b = new Int32Array([1, 10, 100, 1000, 10000, 100000]);
    const y = new Int32Array([7, 7]);
    gemm(a, 0, b, 0, y, 0, 1, 2, 3, false, false, true); // [1,3]·[3,2]
    expect(Array.from(y)).toEqual([7 + 1 + 200 + 30000, 7 + 10 + 2000 + 300000]);
    gemm(b, 0, a, 0, y, 0, 2, 1, 3, false, false); // [2,3]·[3,1]
    expect(Array.from(y)).toEqual([1 + 20 + 300, 1000 + 20000 + 300000]);
  });
});

describe('matmul: PyTorch oracle', () => {
  interface Fixture {
    shape: number[];
    data: number[];
  }
  const file = '/work/shared/oracle/fixtures/linalg_shape.json';
  const cases = (
    JSON.parse(readFileSync(file, 'utf8')).cases as {
      id: string;
      op: string;
      inputs: Record<string, Fixture>;
      outputs: Record<string, Fixture>;
    }[]
  ).filter((c) => c.op === 'matmul');

  it('has the matmul cases', () => expect(cases.length).toBeGreaterThanOrEqual(4));
  for (const c of cases) {
    it(c.id, () => {
      const t = (f: Fixture) => tensor(f.data, { shape: f.shape, dtype: 'float64' });
      const y = matmul(t(c.inputs.a), t(c.inputs.b));
      expect(y.shape).toEqual(c.outputs.out.shape);
      const got = y.dataSync();
      const worst = Math.max(...c.outputs.out.data.map((v, i) => Math.abs(got[i] - v)));
      expect(worst).toBeLessThan(1e-12);
    });
  }
});
