import '@axon/backend-gpu';
import {
  argmax,
  argmin,
  backendInfo,
  cast,
  cos,
  crossEntropy,
  type DType,
  ENGINE,
  getBackend,
  kernels,
  manualSeed,
  matmul,
  max,
  memory,
  min,
  normal,
  permute,
  prod,
  rand,
  randn,
  setBackend,
  sin,
  sum,
  type Tensor,
  type TypedArray,
  tensor,
  tidy,
  transpose,
  uniform,
  where,
} from '@axon/tensor';
import { turnEventLoop } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Result, runOn } from './helpers';

// ---- helpers ----

/** A small deterministic generator for host data (independent of Axon's own RNG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Host data of `shape`: floats in [-2, 2), int32 in [-9, 9], bool 0/1. */
function hostData(shape: readonly number[], dtype: DType = 'float32', seed = 1): TypedArray {
  const r = lcg(seed * 7919 + sizeOf(shape));
  const n = sizeOf(shape);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(r() * 19) - 9);
  if (dtype === 'bool') return Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  return Float32Array.from({ length: n }, () => r() * 4 - 2);
}

interface Spec {
  shape: readonly number[];
  dtype?: DType;
  data?: ArrayLike<number>;
}

/** Runs `f` on tensors made from the same host data on one backend, and reads the result back. */
function runSpecs(backend: 'cpu' | 'gpu', specs: readonly Spec[], f: (...xs: Tensor[]) => Tensor): Result {
  const [result] = runOn(backend, () => {
    const xs = specs.map((s, i) => {
      const dtype = s.dtype ?? 'float32';
      const data = s.data ?? hostData(s.shape, dtype, i + 1);
      return tensor(Array.from(data), { shape: s.shape, dtype });
    });
    const y = f(...xs);
    expect(getBackend()).toBe(backend);
    return y;
  });
  return result;
}

/** Asserts that the gpu gives the cpu's result: same shape and dtype, values within `rtol`. */
async function compare(
  specs: readonly Spec[],
  f: (...xs: Tensor[]) => Tensor,
  opts: { rtol?: number; atol?: number; exact?: boolean } = {},
): Promise<Result> {
  await turnEventLoop();
  const c = runSpecs('cpu', specs, f);
  const g = runSpecs('gpu', specs, f);
  expect(g.shape).toEqual(c.shape);
  expect(g.dtype).toBe(c.dtype);
  expect(g.values.length).toBe(c.values.length);
  expect(g.values.constructor).toBe(c.values.constructor);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < c.values.length; i++) {
    const a = g.values[i];
    const b = c.values[i];
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const excess = opts.exact ? 1 : Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (excess > worstExcess || (excess > 0 && worst < 0)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: gpu ${g.values[worst]} vs cpu ${c.values[worst]} (shape ${c.shape})`);
  }
  return g;
}

const runKernel = (name: string, inputs: Tensor[], attrs: object) => ENGINE.runKernel(name, inputs, attrs)[0];

// ---- setup ----

let startBuffers = 0;
let startBytes = 0;

beforeAll(() => {
  setBackend('gpu');
  const m = memory().backends.gpu;
  startBuffers = m?.numBuffers ?? 0;
  startBytes = m?.numBytes ?? 0;
});

afterAll(() => {
  setBackend('cpu');
});

describe('gpu backend', () => {
  it('runs in a gpu.js mode and reports it', () => {
    setBackend('gpu');
    const info = backendInfo();
    expect(info.name).toBe('gpu');
    expect(['webasm', 'headlessgl', 'webgl2', 'webgl']).toContain(info.mode);
    expect(info.precision).toBe('single');
  });

  it('compiles a kernel again when only an input size changes (same source, same output size)', () => {
    setBackend('gpu');
    // A cast's source does not mention its input's size; a gather's reads the table by index.
    // Here the same program meets a 12- and then a 20-element table (gpu.js fixes argument sizes).
    tidy(() => {
      const index = tensor([0, 3], { dtype: 'int32' });
      for (const n of [12, 20]) {
        const table = tensor(Array.from({ length: n }, (_, i) => i * 10));
        const picked = ENGINE.runKernel(kernels.Gather, [table, index], { axis: 0 })[0];
        expect(Array.from(picked.dataSync())).toEqual([0, 30]);
      }
    });
  });
});

describe('Unary sin and cos (range-reduced polynomials, not the driver built-ins)', () => {
  // From -60 to 60 through many quadrants, including multiples of π/2 and tiny values.
  const data = Array.from({ length: 1201 }, (_, i) => -60 + i * 0.1).concat([
    0,
    1e-7,
    -1e-7,
    Math.PI / 2,
    Math.PI,
  ]);
  it('sin', async () => {
    await compare([{ shape: [data.length], data }], (x) => sin(x), { rtol: 0, atol: 2e-6 });
  });
  it('cos', async () => {
    await compare([{ shape: [data.length], data }], (x) => cos(x), { rtol: 0, atol: 2e-6 });
  });
});

describe('Where', () => {
  it('selects elementwise, same shapes', async () => {
    await compare([{ shape: [3, 5], dtype: 'bool' }, { shape: [3, 5] }, { shape: [3, 5] }], (c, a, b) =>
      where(c, a, b),
    );
  });
  it('broadcasts all three inputs', async () => {
    await compare([{ shape: [4, 1, 7], dtype: 'bool' }, { shape: [5, 1] }, { shape: [1, 5, 1] }], (c, a, b) =>
      where(c, a, b),
    );
    await compare([{ shape: [], dtype: 'bool', data: [1] }, { shape: [2, 3] }, { shape: [3] }], (c, a, b) =>
      where(c, a, b),
    );
  });
  it('keeps int32 and bool values', async () => {
    await compare(
      [
        { shape: [5, 3], dtype: 'bool' },
        { shape: [5, 3], dtype: 'int32' },
        { shape: [3], dtype: 'int32' },
      ],
      (c, a, b) => where(c, a, b),
      { exact: true },
    );
    await compare(
      [
        { shape: [9], dtype: 'bool' },
        { shape: [9], dtype: 'bool' },
        { shape: [1], dtype: 'bool' },
      ],
      (c, a, b) => where(c, a, b),
      { exact: true },
    );
  });
  it('handles a large broadcast output (> 70000 elements)', async () => {
    await compare([{ shape: [301, 1], dtype: 'bool' }, { shape: [301, 257] }, { shape: [257] }], (c, a, b) =>
      where(c, a, b),
    );
  });
});

describe('Cast', () => {
  const specials = [
    0,
    -0,
    0.4,
    -0.4,
    0.5,
    -0.5,
    1.5,
    -1.5,
    2.9999,
    -2.9999,
    1e9,
    -1e9,
    3e9,
    -3e9,
    5e9,
    16777217,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e-30,
  ];
  it('float32 → int32 truncates toward zero (NaN/Inf → 0, wraps past 2^31 like Int32Array)', async () => {
    await compare([{ shape: [specials.length], data: specials }], (x) => cast(x, 'int32'), { exact: true });
    await compare([{ shape: [7, 13] }], (x) => cast(x, 'int32'), { exact: true });
  });
  it('→ bool is x != 0 (NaN is true, as on the cpu and in torch)', async () => {
    await compare([{ shape: [specials.length], data: specials }], (x) => cast(x, 'bool'), { exact: true });
    await compare([{ shape: [11], dtype: 'int32' }], (x) => cast(x, 'bool'), { exact: true });
  });
  it('int32/bool → float32 and bool → int32 copy, into a new buffer', async () => {
    await compare([{ shape: [4, 6], dtype: 'int32' }], (x) => cast(x, 'float32'), { exact: true });
    await compare([{ shape: [17], dtype: 'bool' }], (x) => cast(x, 'float32'), { exact: true });
    await compare([{ shape: [17], dtype: 'bool' }], (x) => cast(x, 'int32'), { exact: true });
    setBackend('gpu');
    tidy(() => {
      const x = tensor([1, 2, 3]);
      const y = runKernel(kernels.Cast, [x], { dtype: 'float32' });
      expect(y.dataId).not.toBe(x.dataId);
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    });
  });
  it('refuses float64', () => {
    setBackend('gpu');
    tidy(() => {
      const x = tensor([1, 2]);
      expect(() => cast(x, 'float64')).toThrow(/float64/);
    });
  });
});

describe('Reduce', () => {
  const shape = [3, 4, 5, 6];
  const axesCases: (number | number[] | undefined)[] = [
    undefined,
    0,
    1,
    3,
    [0, 1],
    [1, 2],
    [2, 3],
    [0, 2],
    [1, 3],
    [0, 1, 3],
    [0, 2, 3],
  ];
  for (const op of ['sum', 'prod', 'max', 'min'] as const) {
    const f = { sum, prod, max, min }[op];
    it(`${op} over every axis pattern, keepDims or not`, async () => {
      for (const axes of axesCases) {
        for (const keepDims of [false, true]) {
          await compare([{ shape }], (x) => f(op === 'prod' ? x.mul(0.7).add(0.8) : x, axes, keepDims), {
            rtol: op === 'prod' ? 1e-4 : 1e-5,
            atol: 1e-5,
          });
        }
      }
    });
  }
  it('sum/prod/max/min of int32 and bool follow the cpu dtypes', async () => {
    for (const dtype of ['int32', 'bool'] as const) {
      for (const f of [sum, max, min]) {
        await compare([{ shape: [5, 7], dtype }], (x) => f(x, 1), { exact: true });
        await compare([{ shape: [5, 7], dtype }], (x) => f(x), { exact: true });
      }
      await compare([{ shape: [3, 4], dtype }], (x) => prod(x, 0), { exact: true });
    }
  });
  it('argmax/argmin along each axis, first index on ties', async () => {
    for (const f of [argmax, argmin]) {
      for (let axis = 0; axis < 3; axis++) {
        await compare([{ shape: [4, 5, 6] }], (x) => f(x, axis), { exact: true });
        await compare([{ shape: [4, 5, 6], dtype: 'int32' }], (x) => f(x, axis, true), { exact: true });
      }
      await compare([{ shape: [7, 9] }], (x) => f(x), { exact: true });
      // many ties: small ints and bools
      await compare([{ shape: [6, 40], dtype: 'bool' }], (x) => f(x, 1), { exact: true });
      await compare(
        [{ shape: [6, 40], data: Array.from({ length: 240 }, (_, i) => i % 3) }],
        (x) => f(x, 1),
        {
          exact: true,
        },
      );
    }
  });
  it('NaN wins in max/min/argmax/argmin; Infinity sums', async () => {
    const data = [1, Number.NaN, 3, 2, 5, 4, Number.NaN, 0, -1, Number.POSITIVE_INFINITY, 2, 1];
    for (const f of [max, min, sum])
      await compare([{ shape: [3, 4], data }], (x) => f(x, 1), { exact: true });
    for (const f of [argmax, argmin])
      await compare([{ shape: [3, 4], data }], (x) => f(x, 1), { exact: true });
    const first = [Number.NaN, 1, 2, Number.NaN];
    for (const f of [max, min]) await compare([{ shape: [4], data: first }], (x) => f(x), { exact: true });
    for (const f of [argmax, argmin])
      await compare([{ shape: [4], data: first }], (x) => f(x), { exact: true });
  });
  it('size-1 and empty reduced axes', async () => {
    await compare([{ shape: [3, 1, 4] }], (x) => sum(x, [1]), { exact: true });
    await compare([{ shape: [3, 1, 4] }], (x) => max(x, [1, 2], true));
    await compare([{ shape: [2, 1, 3, 1, 4] }], (x) => sum(x, [1, 2, 3]));
    await compare([{ shape: [3, 0, 2] }], (x) => sum(x, 1), { exact: true });
    await compare([{ shape: [3, 0, 2] }], (x) => prod(x, [0, 1]), { exact: true });
    await compare([{ shape: [3, 0] }], (x) => argmax(x, 1), { exact: true });
  });
  it('direct kernel calls: several non-adjacent axes', async () => {
    await compare([{ shape: [2, 3, 4, 5, 3] }], (x) =>
      runKernel(kernels.Reduce, [x], { op: 'sum', axes: [0, 2, 4], keepDims: false }),
    );
    await compare([{ shape: [2, 3, 4, 5, 3] }], (x) =>
      runKernel(kernels.Reduce, [x], { op: 'max', axes: [1, 3], keepDims: true }),
    );
  });
  it('reduces a large input (> 70000 elements), to one value and per row', async () => {
    await compare([{ shape: [250, 311] }], (x) => sum(x), { rtol: 1e-5, atol: 1e-4 });
    await compare([{ shape: [250, 311] }], (x) => sum(x, 0), { rtol: 1e-5, atol: 1e-5 });
    await compare([{ shape: [250, 311] }], (x) => max(x, 1));
    await compare([{ shape: [250, 311] }], (x) => argmin(x), { exact: true });
  });
  it('long reductions (two passes): every op, ties and NaN across chunks, long loops', async () => {
    await compare([{ shape: [5000, 3] }], (x) => sum(x, 0), { rtol: 1e-5, atol: 1e-4 });
    await compare([{ shape: [3, 2, 20000] }], (x) => sum(x, [0, 2]), { rtol: 1e-5, atol: 1e-4 });
    await compare([{ shape: [2, 9000] }], (x) => prod(x.mul(0.001).add(1), 1), { rtol: 1e-4 });
    await compare([{ shape: [7, 6000] }], (x) => max(x, 1, true), { exact: true });
    await compare([{ shape: [6000, 7] }], (x) => min(x, 0), { exact: true });
    await compare([{ shape: [200000] }], (x) => sum(x.mul(0).add(1)), { exact: true });
    await compare([{ shape: [3, 10001], dtype: 'bool' }], (x) => sum(x, 1), { exact: true });
    await compare([{ shape: [10001, 3], dtype: 'int32' }], (x) => sum(x, 0), { exact: true });
    const ties = Array.from({ length: 30011 }, (_, i) => (i * 7919) % 1000);
    for (const f of [argmax, argmin]) {
      await compare([{ shape: [30011], data: ties }], (x) => f(x), { exact: true });
      await compare([{ shape: [2, 30011], data: [...ties, ...[...ties].reverse()] }], (x) => f(x, 1), {
        exact: true,
      });
      await compare([{ shape: [5003, 3] }], (x) => f(x, 0, true), { exact: true });
      const nan = ties.map((v, i) => (i === 20000 || i === 25000 ? Number.NaN : v));
      await compare([{ shape: [30011], data: nan }], (x) => f(x), { exact: true });
    }
    const nan = Array.from({ length: 9000 }, (_, i) => (i === 7000 ? Number.NaN : i));
    for (const f of [max, min, sum])
      await compare([{ shape: [9000], data: nan }], (x) => f(x), { exact: true });
  });
});

/** matmul tolerance: the dot product's error scales with Σ|a||b|, not with the result. */
const MM = { rtol: 1e-5, atol: 2e-5 };

describe('MatMul', () => {
  it('2-D, odd sizes', async () => {
    await compare([{ shape: [7, 13] }, { shape: [13, 5] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [1, 1] }, { shape: [1, 1] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [1, 31] }, { shape: [31, 1] }], (a, b) => matmul(a, b), MM);
  });
  it('all transpose combinations (kernel attrs)', async () => {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const aShape = transposeA ? [2, 9, 6] : [2, 6, 9];
        const bShape = transposeB ? [2, 5, 9] : [2, 9, 5];
        await compare(
          [{ shape: aShape }, { shape: bShape }],
          (a, b) => runKernel(kernels.MatMul, [a, b], { transposeA, transposeB }),
          MM,
        );
      }
    }
  });
  it('batched with broadcast batch dims', async () => {
    await compare([{ shape: [3, 1, 4, 6] }, { shape: [5, 6, 2] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [4, 6] }, { shape: [2, 3, 6, 7] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [2, 1, 3, 8] }, { shape: [1, 4, 8, 3] }], (a, b) =>
      runKernel(kernels.MatMul, [a, b], { transposeA: false, transposeB: true }),
    );
  });
  it('vectors (matrix-vector, dot) and int32', async () => {
    await compare([{ shape: [5, 8] }, { shape: [8] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [8] }, { shape: [8, 3] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [8] }, { shape: [8] }], (a, b) => matmul(a, b), MM);
    await compare(
      [
        { shape: [4, 7], dtype: 'int32' },
        { shape: [7, 3], dtype: 'int32' },
      ],
      (a, b) => matmul(a, b),
      { exact: true },
    );
  });
  it('K = 0 gives zeros', async () => {
    await compare([{ shape: [3, 0] }, { shape: [0, 4] }], (a, b) => matmul(a, b), { exact: true });
  });
  it('a large output (> 70000 elements) and a long K', async () => {
    await compare([{ shape: [300, 16] }, { shape: [16, 257] }], (a, b) => matmul(a, b), MM);
    await compare([{ shape: [3, 1000] }, { shape: [1000, 5] }], (a, b) => matmul(a, b), {
      rtol: 1e-5,
      atol: 1e-4,
    });
  });
  it('K beyond one loop (> 65536: the dot product runs as nested loops)', async () => {
    await compare([{ shape: [2, 70003] }, { shape: [70003, 2] }], (a, b) => matmul(a, b), {
      rtol: 1e-5,
      atol: 1e-3,
    });
    await compare([{ shape: [70003] }, { shape: [70003] }], (a, b) => matmul(a, b), {
      rtol: 1e-5,
      atol: 1e-3,
    });
  });
});

describe('Transpose', () => {
  it('2-D and permutations of 3-D / 4-D', async () => {
    await compare([{ shape: [7, 3] }], (x) => transpose(x), { exact: true });
    for (const perm of [
      [0, 2, 1],
      [1, 0, 2],
      [2, 0, 1],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      await compare([{ shape: [3, 4, 5] }], (x) => permute(x, perm), { exact: true });
    }
    await compare([{ shape: [2, 3, 4, 5] }], (x) => permute(x, [3, 1, 0, 2]), { exact: true });
  });
  it('int32 and bool, size-1 dims, a large tensor', async () => {
    await compare([{ shape: [5, 1, 3], dtype: 'int32' }], (x) => permute(x, [2, 1, 0]), { exact: true });
    await compare([{ shape: [4, 6], dtype: 'bool' }], (x) => transpose(x), { exact: true });
    await compare([{ shape: [263, 301] }], (x) => transpose(x), { exact: true });
  });
});

describe('RandomFill', () => {
  it('manualSeed gives the very same numbers on cpu and gpu', async () => {
    const draws: Record<string, Result[]> = {};
    for (const backend of ['cpu', 'gpu'] as const) {
      await turnEventLoop();
      setBackend(backend);
      manualSeed(1234);
      draws[backend] = tidy(() =>
        [rand([5, 7]), randn([13]), uniform([3, 3], -2, 5), normal([71000], 1.5, 0.25), rand([4])].map(
          (t) => ({ values: t.dataSync().slice(), shape: [...t.shape], dtype: t.dtype }),
        ),
      );
    }
    setBackend('gpu');
    const [cpu, gpu] = [draws.cpu, draws.gpu];
    expect(gpu.length).toBe(cpu.length);
    for (let i = 0; i < cpu.length; i++) {
      expect(gpu[i].shape).toEqual(cpu[i].shape);
      expect(gpu[i].dtype).toBe(cpu[i].dtype);
      expect(gpu[i].values).toEqual(cpu[i].values);
    }
  });
  it('direct kernel calls with given seed/offset', async () => {
    for (const dist of ['uniform', 'normal'] as const) {
      const attrs = { shape: [2, 3, 5], dtype: 'float32', dist, seed: 99, offset: 17, a: -1, b: 3 };
      await compare([], () => runKernel(kernels.RandomFill, [], attrs), { exact: true });
    }
  });
});

describe('SoftmaxCrossEntropy and its gradient (fused)', () => {
  // 37 rows of 11 classes; every fifth row carries the ignoreIndex -100.
  const targets = Array.from({ length: 37 }, (_, i) => (i % 5 === 0 ? -100 : (i * 7) % 11));
  const specs: Spec[] = [{ shape: [37, 11] }, { shape: [37], dtype: 'int32', data: targets }];
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`reduction '${reduction}': the loss and the gradient as on the cpu`, async () => {
      await compare(specs, (x, t) => crossEntropy(x, t, { reduction }));
      const attrs = { ignoreIndex: -100, reduction, count: targets.filter((t) => t !== -100).length };
      const dy: Spec = reduction === 'none' ? { shape: [37] } : { shape: [], data: [0.7] };
      await compare([...specs, dy], (x, t, g) =>
        runKernel(kernels.SoftmaxCrossEntropyGrad, [x, t, g], attrs),
      );
    });
  }
  it('is one kernel call, not the composed ops', () => {
    setBackend('gpu');
    const spy = vi.spyOn(ENGINE, 'runKernel');
    tidy(() => {
      crossEntropy(
        tensor(Array.from(hostData([4, 3])), { shape: [4, 3] }),
        tensor([0, 2, 1, 1], { dtype: 'int32' }),
      );
    });
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['SoftmaxCrossEntropy']);
    spy.mockRestore();
  });
});

describe('memory', () => {
  it('returns to its start after tidy', () => {
    setBackend('gpu');
    const before = memory().backends.gpu;
    tidy(() => {
      const x = tensor(Array.from(hostData([6, 5])), { shape: [6, 5] });
      const c = cast(x, 'bool');
      where(c, x, matmul(x, transpose(x)).sum(1, true));
      sum(x, 1);
      argmax(x, 0);
      rand([10]);
    });
    const after = memory().backends.gpu;
    expect(after?.numBuffers).toBe(before?.numBuffers);
    expect(after?.numBytes).toBe(before?.numBytes);
    expect(after?.numBuffers).toBe(startBuffers);
    expect(after?.numBytes).toBe(startBytes);
  });
});
