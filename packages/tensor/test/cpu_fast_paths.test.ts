/**
 * The CPU backend's speed paths give the same numbers as the plain definitions: the binary loops
 * for every op and broadcast pattern, the coalesced row walk, the transpose-free sum, and buffers
 * recycled through the pool (zeroed where a kernel relies on zeros).
 */
import { seededValues } from '@axon/testing';
import { describe, expect, it } from 'vitest';
import { coalesce, forEachRow } from '../src/backends/cpu/broadcast';
import { BufferPool } from '../src/backends/cpu/buffer_pool';
import type { BinaryOp } from '../src/kernels';
import {
  add,
  ENGINE,
  emptyCache,
  kernels,
  logicalNot,
  maxPool2dWithIndices,
  memory,
  minPool2d,
  pad,
  permute,
  relu,
  sign,
  step,
  sum,
  type Tensor,
  tensor,
  tidy,
  where,
} from './helpers';

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  return ENGINE.runKernel(kernels.Binary, [a, b], { op })[0];
}

/** The textbook definition: index every output element, find each input's element. */
function reference(op: BinaryOp, a: Tensor, b: Tensor): number[] {
  const rank = Math.max(a.rank, b.rank);
  const pa = [...Array(rank - a.rank).fill(1), ...a.shape];
  const pb = [...Array(rank - b.rank).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const av = a.dataSync();
  const bv = b.dataSync();
  const size = shape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const at = (v: ArrayLike<number>, s: number[], idx: number[]) =>
    v[idx.reduce((o, i, d) => o * s[d] + (s[d] === 1 ? 0 : i), 0)];
  const f: Record<string, (x: number, y: number) => number> = {
    add: (x, y) => x + y,
    sub: (x, y) => x - y,
    mul: (x, y) => x * y,
    div: (x, y) => x / y,
    pow: (x, y) => x ** y,
    maximum: (x, y) => (x > y || Number.isNaN(x) ? x : y),
    minimum: (x, y) => (x < y || Number.isNaN(x) ? x : y),
    eq: (x, y) => +(x === y),
    ne: (x, y) => +(x !== y),
    lt: (x, y) => +(x < y),
    le: (x, y) => +(x <= y),
    gt: (x, y) => +(x > y),
    ge: (x, y) => +(x >= y),
    and: (x, y) => +(x !== 0 && y !== 0),
    or: (x, y) => +(x !== 0 || y !== 0),
  };
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    out.push(f[op](at(av, pa, idx), at(bv, pb, idx)));
  }
  return out;
}

const OPS: BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
];
const PAIRS: [number[], number[]][] = [
  [
    [2, 3, 4],
    [2, 3, 4],
  ],
  [[2, 3, 4], [1]],
  [[1], [2, 3, 4]],
  [
    [2, 3, 4, 5],
    [1, 3, 1, 1],
  ], // a conv bias
  [[6, 5], [5]], // a dense bias
  [
    [3, 1, 4],
    [1, 2, 1],
  ], // both broadcast
  [[4, 1], [3]],
  [[], [2, 2]],
];

describe('cpu binary kernel', () => {
  it('matches the textbook definition for every op and broadcast pattern', () => {
    let seed = 1;
    for (const [sa, sb] of PAIRS) {
      const na = sa.reduce((p, d) => p * d, 1);
      const nb = sb.reduce((p, d) => p * d, 1);
      // Quantised values so that eq/ne/le/ge meet ties; a NaN for the NaN rules.
      const av = seededValues(na, seed++).map((v) => Math.round(v * 4) / 2);
      const bv = seededValues(nb, seed++).map((v) => Math.round(v * 4) / 2);
      av[0] = Number.NaN;
      const a = tensor(av, { shape: sa });
      const b = tensor(bv, { shape: sb });
      for (const op of OPS) {
        const got = Array.from(binary(op, a, b).dataSync());
        const want = Float32Array.from(reference(op, a, b));
        expect(got, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`).toEqual(Array.from(want));
      }
    }
  });
});

describe('cpu branch-free loops', () => {
  const special = [Number.NaN, Number.NEGATIVE_INFINITY, -3.5, -0, 0, 1e-40, 2.25, Number.POSITIVE_INFINITY];

  it('relu, step, sign and not keep every special value right', () => {
    const x = tensor(special);
    const bits = (t: Tensor) => Array.from(t.dataSync());
    expect(bits(relu(x))).toEqual([
      Number.NaN,
      0,
      0,
      0,
      0,
      Math.fround(1e-40),
      2.25,
      Number.POSITIVE_INFINITY,
    ]);
    expect(Object.is(relu(x).dataSync()[3], 0)).toBe(true); // -0 gives +0, as Math.max(-0, 0)
    expect(bits(step(x))).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(bits(sign(x))).toEqual([0, -1, -1, 0, 0, 1, 1, 1]);
    expect(bits(logicalNot(x))).toEqual([0, 0, 0, 1, 1, 0, 0, 0]); // NaN casts to true first, as in torch
    expect(bits(relu(x.cast('float64')))).toEqual(bits(relu(x)));
  });

  it('where picks exact bits from either side, NaN and -0 included', () => {
    const a = tensor(special);
    const b = tensor([...special].reverse());
    const cond = tensor([1, 0, 1, 0, 1, 0, 1, 0], { dtype: 'bool' });
    const got = where(cond, a, b).dataSync();
    const want = special.map((v, i) => (i % 2 === 0 ? v : special[7 - i]));
    want.forEach((v, i) => {
      expect(Object.is(got[i], Math.fround(v)), `${i}`).toBe(true);
    });
    const withScalar = where(cond, a, -0).dataSync();
    special.forEach((v, i) => {
      expect(Object.is(withScalar[i], i % 2 === 0 ? Math.fround(v) : -0), `${i}`).toBe(true);
    });
    // a constant on the taken side (a gradient's zero for the branch not taken), or on both (a slope)
    const scalarFirst = where(cond, tensor(-0), b).dataSync();
    special.forEach((_, i) => {
      expect(Object.is(scalarFirst[i], i % 2 === 0 ? -0 : Math.fround(special[7 - i])), `${i}`).toBe(true);
    });
    expect(Array.from(where(cond, tensor(1), 0.2).dataSync())).toEqual(
      special.map((_, i) => (i % 2 === 0 ? 1 : Math.fround(0.2))),
    );
  });
});

describe('cpu max/min pool without branches', () => {
  it('gives the values and winner indices of the plain loop, ties, NaN, ±0 and ±inf included', () => {
    // Few distinct values, so that windows tie; specials sprinkled in.
    const values = seededValues(2 * 3 * 9 * 10, 21).map((v) => Math.round(v * 3) / 2);
    const specials = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0];
    specials.forEach((v, i) => {
      values[i * 37 + 5] = v;
    });
    const x32 = tensor(values, { shape: [2, 3, 9, 10] });
    const x64 = x32.cast('float64'); // float64 runs the plain loop
    const configs = [
      { kernelSize: 2, stride: 2 },
      { kernelSize: 3, stride: 1, padding: 1 },
      { kernelSize: [2, 3] as [number, number], stride: [2, 1] as [number, number] },
    ];
    for (const opts of configs) {
      const fast = maxPool2dWithIndices(x32, opts);
      const plain = maxPool2dWithIndices(x64, opts);
      expect(Array.from(fast.indices.dataSync()), JSON.stringify(opts)).toEqual(
        Array.from(plain.indices.dataSync()),
      );
      const a = fast.values.dataSync();
      const b = plain.values.dataSync();
      for (let i = 0; i < a.length; i++) expect(Object.is(a[i], Math.fround(b[i])), `${i}`).toBe(true);
      const minFast = minPool2d(x32, opts).dataSync();
      const minPlain = minPool2d(x64, opts).dataSync();
      for (let i = 0; i < minFast.length; i++)
        expect(Object.is(minFast[i], Math.fround(minPlain[i]))).toBe(true);
    }
  });
});

describe('forEachRow', () => {
  it('merges axes that every operand walks contiguously and drops size-1 axes', () => {
    // A bias [1, C, 1, 1] on [N, C, H, W]: H and W merge, C and N do not.
    expect(
      coalesce(
        [2, 3, 4, 5],
        [
          [60, 20, 5, 1],
          [0, 1, 0, 0],
        ],
      ),
    ).toEqual({
      dims: [2, 3, 20],
      strides: [
        [60, 20, 1],
        [0, 1, 0],
      ],
    });
    expect(coalesce([2, 1, 3], [[3, 3, 1]])).toEqual({ dims: [6], strides: [[1]] });
    expect(coalesce([2, 0, 3], [[0, 3, 1]])).toBeNull();
  });

  it('visits every output element once, with each operand at its own place', () => {
    const seen: number[] = [];
    forEachRow([2, 3, 4], [[0, 4, 1]], (o, [oa], n, [s]) => {
      for (let i = 0; i < n; i++) seen[o + i] = oa + i * s;
    });
    expect(seen).toEqual(Array.from({ length: 24 }, (_, i) => i % 12));
  });
});

describe('cpu sum without a transpose', () => {
  it('gives the same bits as summing the permuted tensor over its last axes', () => {
    const x = tensor(seededValues(2 * 3 * 5 * 7, 9), { shape: [2, 3, 5, 7] });
    const cases: [number[], number[]][] = [
      [
        [0, 2, 3],
        [1, 0, 2, 3],
      ],
      [[0], [1, 2, 3, 0]],
      [
        [1, 3],
        [0, 2, 1, 3],
      ],
    ];
    for (const [axes, perm] of cases) {
      const direct = sum(x, axes).dataSync();
      const viaLast = sum(
        permute(x, perm),
        axes.map((_, i) => 4 - axes.length + i),
      ).dataSync();
      expect(Array.from(direct), JSON.stringify(axes)).toEqual(Array.from(viaLast));
    }
    // bool sums count into int32
    const mask = tensor([1, 0, 1, 1, 0, 1], { shape: [3, 2], dtype: 'bool' });
    const counts = sum(mask, 0);
    expect(counts.dtype).toBe('int32');
    expect(Array.from(counts.dataSync())).toEqual([2, 2]);
  });
});

describe('cpu buffer pool', () => {
  it('hands a freed array of the same dtype and length back, zeroed on request', () => {
    const pool = new BufferPool();
    const a = pool.take('float32', 4096, true);
    a.fill(7);
    pool.give(a);
    expect(pool.pooledBytes).toBe(4096 * 4);
    expect(pool.take('float64', 4096, false)).not.toBe(a); // another dtype
    expect(pool.take('float32', 4095, false)).not.toBe(a); // another length
    const b = pool.take('float32', 4096, true);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(pool.pooledBytes).toBe(0);
  });

  it('keeps no small arrays, and evicts the least recently returned sizes past its cap', () => {
    const pool = new BufferPool(3 * 4096 * 4);
    pool.give(new Float32Array(16));
    expect(pool.pooledBytes).toBe(0);
    const first = new Float32Array(4096);
    pool.give(first);
    pool.give(new Float32Array(4096 * 2));
    pool.give(new Float32Array(4096)); // 4 × 4096 floats: over the cap, so `first` goes
    expect(pool.pooledBytes).toBe(3 * 4096 * 4);
    const again = pool.take('float32', 4096, false);
    expect(again).not.toBe(first);
  });

  it('memory() reports pooled bytes and emptyCache() releases them', () => {
    tidy(() => {
      add(tensor(seededValues(8192, 3), { shape: [8192] }), 1);
    });
    expect(memory().backends.cpu.pooledBytes).toBeGreaterThanOrEqual(8192 * 4);
    emptyCache();
    expect(memory().backends.cpu.pooledBytes).toBe(0);
  });

  it('recycled buffers never leak old values into kernels that rely on zeros', () => {
    const n = 64 * 64;
    for (let round = 0; round < 3; round++) {
      tidy(() => {
        // Fill the pool with garbage-valued buffers of the sizes the next kernels ask for.
        add(tensor(seededValues(n, round), { shape: [64, 64] }), 5);
        add(tensor(seededValues(66 * 66, round + 7), { shape: [66, 66] }), 5);
      });
      const padded = pad(tensor(new Float32Array(n).fill(1), { shape: [64, 64] }), [
        [1, 1],
        [1, 1],
      ]);
      const v = padded.dataSync();
      expect(v[0]).toBe(0);
      expect(v[66 * 66 - 1]).toBe(0);
      expect(Array.from(v).reduce((s, x) => s + x, 0)).toBe(n);
      padded.dispose();
    }
  });
});
