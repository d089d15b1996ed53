import '@axon/backend-gpu';
import {
  backendInfo,
  concat,
  type DType,
  ENGINE,
  gather,
  getBackend,
  indexSelect,
  kernels,
  maxDim,
  memory,
  narrow,
  pad,
  scatterAdd,
  setBackend,
  slice,
  split,
  stack,
  type Tensor,
  type TypedArray,
  tensor,
  tidy,
} from '@axon/tensor';
import { seededRandom, turnEventLoop } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Result, runOn } from './helpers';

// ---- host data and comparison ----

/** Seeded host data (mulberry32), so failures reproduce. */
const rng = seededRandom;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Host values for a tensor: uniform floats in [-2, 2), or whole numbers for int32 / bool. */
function hostData(shape: readonly number[], dtype: DType = 'float32', seed = 1): TypedArray {
  const next = rng(seed);
  const n = sizeOf(shape);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(next() * 2001) - 1000);
  if (dtype === 'bool') return Uint8Array.from({ length: n }, () => (next() < 0.5 ? 1 : 0));
  return Float32Array.from({ length: n }, () => next() * 4 - 2);
}

/** Host index values in [0, bound). */
function hostIndex(shape: readonly number[], bound: number, seed = 7): Int32Array {
  const next = rng(seed);
  return Int32Array.from({ length: sizeOf(shape) }, () => Math.floor(next() * bound));
}

function make(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return tensor(values.slice(), { shape, dtype });
}

/** The same computation on the gpu and on the cpu backend must agree (shape, dtype, values). */
async function matchesCpu(build: () => Tensor | Tensor[], rtol = 1e-5, atol = 1e-6): Promise<Result[]> {
  await turnEventLoop();
  const gpu = runOn('gpu', build);
  const cpu = runOn('cpu', build);
  expect(gpu.length).toBe(cpu.length);
  gpu.forEach((g, k) => {
    const c = cpu[k];
    expect(g.shape).toEqual(c.shape);
    expect(g.dtype).toBe(c.dtype);
    expect(g.values.constructor).toBe(c.values.constructor);
    expect(g.values.length).toBe(c.values.length);
    let worst = -1;
    for (let i = 0; i < c.values.length; i++) {
      const a = g.values[i];
      const b = c.values[i];
      const same = Number.isNaN(b)
        ? Number.isNaN(a)
        : a === b || Math.abs(a - b) <= atol + rtol * Math.abs(b);
      if (!same) {
        worst = i;
        break;
      }
    }
    if (worst >= 0) {
      throw new Error(
        `output ${k} differs at flat ${worst}: gpu ${g.values[worst]} vs cpu ${c.values[worst]} (shape [${c.shape}])`,
      );
    }
  });
  return gpu;
}

/** Runs a kernel directly (no op-level validation or shortcuts), as the engine would. */
function runKernel(name: string, inputs: Tensor[], attrs: object): Tensor {
  return ENGINE.runKernel(name, inputs, attrs)[0];
}

// ---- setup ----

let startMemory: ReturnType<typeof memory>['backends'][string] | undefined;

beforeAll(() => {
  setBackend('gpu');
  startMemory = memory().backends.gpu;
});

afterAll(() => {
  setBackend('cpu');
});

describe('gpu backend', () => {
  it('runs on a gpu.js mode', () => {
    expect(getBackend()).toBe('gpu');
    const mode = backendInfo().mode;
    expect(['webasm', 'headlessgl', 'webgl2', 'webgl']).toContain(mode);
  });
});

// ---- Slice ----

describe('Slice', () => {
  it('matches the cpu on boxes with begin, size and step', async () => {
    const shape = [5, 7, 9];
    const x = hostData(shape);
    const cases: [(number | null)[], (number | null)[], number[]][] = [
      [
        [1, 2, 3],
        [4, 6, 8],
        [1, 1, 1],
      ],
      [
        [0, 0, 0],
        [5, 7, 9],
        [2, 3, 4],
      ],
      [
        [4, 6, 8],
        [5, 7, 9],
        [1, 1, 1],
      ],
      [
        [-3, 1, 0],
        [null, -1, null],
        [2, 1, 3],
      ],
      [
        [0, 3, 2],
        [1, 4, 9],
        [1, 1, 5],
      ],
    ];
    for (const [starts, ends, steps] of cases) {
      await matchesCpu(() => slice(make(x, shape, 'float32'), starts, ends, steps));
    }
  });

  it('matches the cpu on int32 and bool, odd sizes and size-1 dims', async () => {
    for (const dtype of ['int32', 'bool'] as DType[]) {
      const shape = [1, 13, 1, 3];
      const x = hostData(shape, dtype, 3);
      await matchesCpu(() => slice(make(x, shape, dtype), [0, 2, 0, 1], [1, 13, 1, 3], [1, 3, 1, 1]));
    }
  });

  it('gives empty results for size-0 slices', async () => {
    const shape = [4, 6];
    const x = hostData(shape);
    const [r] = await matchesCpu(() => slice(make(x, shape, 'float32'), [2, 0], [2, 6]));
    expect(r.shape).toEqual([0, 6]);
    await matchesCpu(() =>
      runKernel(kernels.Slice, [make(x, shape, 'float32')], { begin: [1, 3], size: [3, 0], step: [1, 1] }),
    );
    // a slice of an empty tensor
    await matchesCpu(() => slice(make(new Float32Array(0), [0, 5], 'float32'), [0, 1], [0, 4]));
  });

  it('matches the cpu on a large tensor (texture packing) and in a 0-d / 1-d corner', async () => {
    const shape = [300, 301];
    const x = hostData(shape, 'float32', 9);
    const [r] = await matchesCpu(() => slice(make(x, shape, 'float32'), [1, 0], [300, 301], [1, 1]));
    expect(sizeOf(r.shape)).toBeGreaterThan(70000);
    await matchesCpu(() => slice(make(x, shape, 'float32'), [7, 5], [299, 300], [2, 3]));
    await matchesCpu(() =>
      runKernel(kernels.Slice, [make(x.subarray(0, 1), [], 'float32')], { begin: [], size: [], step: [] }),
    );
    await matchesCpu(() => narrow(make(x.subarray(0, 17), [17], 'float32'), 0, 16, 1));
  });
});

// ---- Concat ----

describe('Concat', () => {
  it('matches the cpu along every axis with unequal parts', async () => {
    const extents = [4, 1, 5];
    for (let axis = 0; axis < 3; axis++) {
      const parts = extents.map((e) => [2, 3, 4].map((n, d) => (d === axis ? e : n)));
      const data = parts.map((s, i) => hostData(s, 'float32', 10 + i));
      await matchesCpu(() =>
        concat(
          parts.map((s, i) => make(data[i], s, 'float32')),
          axis,
        ),
      );
    }
  });

  it('matches the cpu on int32 and bool, with empty parts', async () => {
    for (const dtype of ['int32', 'bool'] as DType[]) {
      const shapes = [
        [3, 2],
        [3, 0],
        [3, 5],
        [3, 0],
      ];
      const data = shapes.map((s, i) => hostData(s, dtype, 20 + i));
      await matchesCpu(() =>
        concat(
          shapes.map((s, i) => make(data[i], s, dtype)),
          1,
        ),
      );
    }
    // every part empty on the axis, and empty on another dim
    await matchesCpu(() =>
      concat([make(new Float32Array(0), [2, 0], 'float32'), make(new Float32Array(0), [2, 0], 'float32')], 1),
    );
    await matchesCpu(() =>
      concat([make(new Float32Array(0), [0, 3], 'float32'), make(new Float32Array(0), [0, 2], 'float32')], 1),
    );
  });

  it('joins more inputs than one program takes (stack of 19, concat of 9 and 17)', async () => {
    for (const n of [9, 17, 19]) {
      const data = Array.from({ length: n }, (_, i) => hostData([3, 1 + (i % 3), 2], 'float32', 30 + i));
      await matchesCpu(() =>
        concat(
          data.map((d, i) => make(d, [3, 1 + (i % 3), 2], 'float32')),
          1,
        ),
      );
    }
    const data = Array.from({ length: 19 }, (_, i) => hostData([4, 5], 'float32', 60 + i));
    await matchesCpu(() =>
      stack(
        data.map((d) => make(d, [4, 5], 'float32')),
        1,
      ),
    );
  });

  it('matches the cpu on a large output and after split', async () => {
    const a = hostData([200, 150], 'float32', 40);
    const b = hostData([200, 201], 'float32', 41);
    const [r] = await matchesCpu(() =>
      concat([make(a, [200, 150], 'float32'), make(b, [200, 201], 'float32')], 1),
    );
    expect(sizeOf(r.shape)).toBeGreaterThan(70000);
    await matchesCpu(() => split(make(b, [200, 201], 'float32'), [50, 1, 150], 1));
  });
});

// ---- Pad ----

describe('Pad', () => {
  it('matches the cpu with constant values, including zero, negative, NaN and infinite', async () => {
    const shape = [3, 4, 5];
    const x = hostData(shape, 'float32', 50);
    const pads: [number, number][][] = [
      [
        [1, 2],
        [0, 0],
        [3, 1],
      ],
      [
        [0, 0],
        [2, 0],
        [0, 4],
      ],
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    ];
    for (const p of pads) {
      for (const value of [0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e-7]) {
        await matchesCpu(() => pad(make(x, shape, 'float32'), p, value));
      }
    }
  });

  it('matches the cpu on int32 and bool (value converted like a typed-array fill) and size-1 dims', async () => {
    const shape = [1, 6, 1];
    for (const dtype of ['int32', 'bool'] as DType[]) {
      const x = hostData(shape, dtype, 51);
      for (const value of [0, 1, 7, -3]) {
        await matchesCpu(() =>
          runKernel(kernels.Pad, [make(x, shape, dtype)], {
            pads: [
              [2, 0],
              [1, 3],
              [0, 1],
            ],
            value,
          }),
        );
      }
    }
    const xi = hostData(shape, 'int32', 52);
    await matchesCpu(() =>
      runKernel(kernels.Pad, [make(xi, shape, 'int32')], {
        pads: [
          [0, 0],
          [1, 1],
          [0, 0],
        ],
        value: 2.75,
      }),
    );
  });

  it('pads empty tensors and cropping pads', async () => {
    await matchesCpu(() =>
      pad(
        make(new Float32Array(0), [0, 3], 'float32'),
        [
          [2, 1],
          [1, 0],
        ],
        4,
      ),
    );
    await matchesCpu(() =>
      pad(
        make(new Float32Array(0), [3, 0], 'float32'),
        [
          [0, 0],
          [0, 0],
        ],
        4,
      ),
    );
    const x = hostData([6, 7], 'float32', 53);
    await matchesCpu(() =>
      pad(
        make(x, [6, 7], 'float32'),
        [
          [-2, 3],
          [1, -4],
        ],
        0.5,
      ),
    );
  });

  it('matches the cpu on a large output', async () => {
    const shape = [2, 3, 100, 110];
    const x = hostData(shape, 'float32', 54);
    const [r] = await matchesCpu(() =>
      pad(
        make(x, shape, 'float32'),
        [
          [0, 0],
          [0, 0],
          [1, 2],
          [3, 1],
        ],
        -2,
      ),
    );
    expect(sizeOf(r.shape)).toBeGreaterThan(70000);
  });
});

// ---- Gather ----

describe('Gather', () => {
  it('matches the cpu on every axis, with index larger and smaller than x on the axis', async () => {
    const xShape = [4, 5, 6];
    const x = hostData(xShape, 'float32', 70);
    for (let axis = 0; axis < 3; axis++) {
      for (const k of [1, 3, 9]) {
        const iShape = [3, 4, 5].map((n, d) => (d === axis ? k : n));
        const idx = hostIndex(iShape, xShape[axis], 71 + axis + k);
        await matchesCpu(() => gather(make(x, xShape, 'float32'), axis, make(idx, iShape, 'int32')));
      }
    }
  });

  it('matches the cpu on int32 and bool x, size-1 dims and 1-d', async () => {
    for (const dtype of ['int32', 'bool'] as DType[]) {
      const xShape = [1, 7, 1];
      const x = hostData(xShape, dtype, 80);
      const iShape = [1, 11, 1];
      const idx = hostIndex(iShape, 7, 81);
      await matchesCpu(() => gather(make(x, xShape, dtype), 1, make(idx, iShape, 'int32')));
    }
    const x = hostData([13], 'float32', 82);
    const idx = hostIndex([20], 13, 83);
    await matchesCpu(() => gather(make(x, [13], 'float32'), 0, make(idx, [20], 'int32')));
    await matchesCpu(() =>
      gather(make(x.subarray(0, 1), [], 'float32'), 0, make(new Int32Array([0]), [], 'int32')),
    );
  });

  it('gives an empty result for an empty index, and serves indexSelect and maxDim', async () => {
    const x = hostData([4, 5], 'float32', 84);
    await matchesCpu(() => gather(make(x, [4, 5], 'float32'), 1, make(new Int32Array(0), [4, 0], 'int32')));
    const sel = hostIndex([8], 5, 85);
    await matchesCpu(() => indexSelect(make(x, [4, 5], 'float32'), 1, make(sel, [8], 'int32')));
    await matchesCpu(() => {
      const { values, indices } = maxDim(make(x, [4, 5], 'float32'), 0, true);
      return [values, indices];
    });
  });

  it('matches the cpu on a large index', async () => {
    const xShape = [60, 1300];
    const x = hostData(xShape, 'float32', 86);
    const iShape = [60, 1300];
    const idx = hostIndex(iShape, 60, 87);
    const [r] = await matchesCpu(() => gather(make(x, xShape, 'float32'), 0, make(idx, iShape, 'int32')));
    expect(sizeOf(r.shape)).toBeGreaterThan(70000);
  });
});

// ---- ScatterAdd ----

describe('ScatterAdd', () => {
  it('matches the cpu on every axis, with repeated indices (sums) and uncovered cells', async () => {
    const xShape = [4, 5, 6];
    for (let axis = 0; axis < 3; axis++) {
      for (const k of [1, 3, 11]) {
        const iShape = [3, 4, 5].map((n, d) => (d === axis ? k : n));
        const srcShape = iShape.map((n) => n + 1);
        const x = hostData(xShape, 'float32', 90 + axis);
        const src = hostData(srcShape, 'float32', 91 + k);
        const idx = hostIndex(iShape, xShape[axis], 92 + axis + k);
        await matchesCpu(() =>
          scatterAdd(
            make(x, xShape, 'float32'),
            axis,
            make(idx, iShape, 'int32'),
            make(src, srcShape, 'float32'),
          ),
        );
        // the kernel itself, with src larger than the index
        await matchesCpu(() =>
          runKernel(kernels.ScatterAdd, [make(src, srcShape, 'float32'), make(idx, iShape, 'int32')], {
            axis,
            shape: xShape,
          }),
        );
      }
    }
  });

  it('matches the cpu on int32 (exact sums), size-1 dims and 0-d', async () => {
    const xShape = [1, 4, 1];
    const iShape = [1, 9, 1];
    const x = hostData(xShape, 'int32', 100);
    const src = hostData(iShape, 'int32', 101);
    const idx = hostIndex(iShape, 4, 102);
    await matchesCpu(() =>
      scatterAdd(make(x, xShape, 'int32'), 1, make(idx, iShape, 'int32'), make(src, iShape, 'int32')),
    );
    await matchesCpu(() =>
      scatterAdd(
        make(new Float32Array([1.5]), [], 'float32'),
        0,
        make(new Int32Array([0]), [], 'int32'),
        make(new Float32Array([2.25]), [], 'float32'),
      ),
    );
  });

  it('gives zeros for an empty index and empty outputs', async () => {
    const src = hostData([3, 4], 'float32', 103);
    await matchesCpu(() =>
      runKernel(
        kernels.ScatterAdd,
        [make(src, [3, 4], 'float32'), make(new Int32Array(0), [3, 0], 'int32')],
        {
          axis: 1,
          shape: [3, 5],
        },
      ),
    );
    await matchesCpu(() =>
      runKernel(
        kernels.ScatterAdd,
        [make(src, [3, 4], 'float32'), make(new Int32Array(0), [0, 4], 'int32')],
        {
          axis: 1,
          shape: [3, 5],
        },
      ),
    );
    await matchesCpu(() =>
      runKernel(
        kernels.ScatterAdd,
        [make(new Float32Array(0), [0, 4], 'float32'), make(new Int32Array(0), [0, 4], 'int32')],
        {
          axis: 0,
          shape: [0, 4],
        },
      ),
    );
  });

  it('matches the cpu on a large output with a long fibre', async () => {
    const shape = [40, 2000];
    const iShape = [300, 2000];
    const src = hostData(iShape, 'float32', 104);
    const idx = hostIndex(iShape, 40, 105);
    const [r] = await matchesCpu(() =>
      runKernel(kernels.ScatterAdd, [make(src, iShape, 'float32'), make(idx, iShape, 'int32')], {
        axis: 0,
        shape,
      }),
    );
    expect(sizeOf(r.shape)).toBeGreaterThan(70000);
  });
});

// ---- memory ----

describe('memory', () => {
  it('returns to its start after tidy', () => {
    const before = memory().backends.gpu;
    tidy(() => {
      const x = make(hostData([6, 5]), [6, 5], 'float32');
      const parts = Array.from({ length: 11 }, (_, i) =>
        make(hostData([6, 2], 'float32', i), [6, 2], 'float32'),
      );
      const c = concat([x, ...parts], 1);
      const s = slice(c, [1, 2], [5, 20], [2, 3]);
      const p = pad(s, [
        [1, 1],
        [2, 0],
      ]);
      const g = gather(p, 1, make(hostIndex([4, 3], p.shape[1]), [4, 3], 'int32'));
      const sa = scatterAdd(p, 1, make(hostIndex([4, 3], p.shape[1]), [4, 3], 'int32'), g);
      sa.dataSync();
    });
    expect(memory().backends.gpu).toEqual(before);
    expect(memory().backends.gpu).toEqual(startMemory);
  });
});
