import '@axon/backend-gpu';
import { grad } from '@axon/autograd';
import {
  argsort,
  cumsum,
  type DType,
  ENGINE,
  einsum,
  flip,
  Generator,
  kernels,
  maskedFill,
  memory,
  mul,
  multinomial,
  norm,
  randperm,
  setBackend,
  sort,
  sum,
  type Tensor,
  type TypedArray,
  tensor,
  tidy,
  topk,
  tril,
} from '@axon/tensor';
import { seededRandom, turnEventLoop } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Result, runOn } from './helpers';

/** Seeded host data (mulberry32), so failures reproduce. */
const rng = seededRandom;

/** Host values; `levels` > 0 rounds them to that many distinct values, so there are ties. */
function hostData(shape: readonly number[], dtype: DType = 'float32', seed = 1, levels = 0): TypedArray {
  const next = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const draw = () => (levels > 0 ? Math.floor(next() * levels) : next() * 4 - 2);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(next() * 21) - 10);
  return Float32Array.from({ length: n }, draw);
}

/** The gpu and the cpu backend must agree exactly (sorting moves values, it computes none). */
async function matchesCpu(build: () => Tensor | Tensor[], tol = 0): Promise<Result[]> {
  await turnEventLoop();
  const gpu = runOn('gpu', build);
  const cpu = runOn('cpu', build);
  expect(gpu.map((r) => [r.shape, r.dtype])).toEqual(cpu.map((r) => [r.shape, r.dtype]));
  gpu.forEach((g, k) => {
    g.values.forEach((a, i) => {
      const b = cpu[k].values[i];
      const same = Number.isNaN(b)
        ? Number.isNaN(a)
        : a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
      if (!same) throw new Error(`output ${k} differs at flat ${i}: gpu ${a} vs cpu ${b}`);
    });
  });
  return gpu;
}

const sortKernel = (x: Tensor, axis: number, descending: boolean) =>
  ENGINE.runKernel(kernels.Sort, [x], { axis, descending });

let startBuffers = 0;
beforeAll(() => {
  setBackend('gpu');
  startBuffers = memory().backends.gpu?.numBuffers ?? 0;
});
afterAll(() => {
  setBackend('cpu');
});

describe('Sort (rank counting)', () => {
  it('matches the cpu along every axis, both directions, with ties (stable)', async () => {
    const shape = [3, 5, 4];
    for (const levels of [0, 3]) {
      const x = hostData(shape, 'float32', 2, levels);
      for (const axis of [0, 1, 2]) {
        for (const descending of [false, true]) {
          await matchesCpu(() => sortKernel(tensor(x.slice(), { shape }), axis, descending));
        }
      }
    }
  });

  it('orders NaN and infinities as the cpu does, and sorts int32 and bool', async () => {
    const x = new Float32Array([
      2,
      Number.NaN,
      -1,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      0,
    ]);
    for (const descending of [false, true]) {
      const [values, indices] = await matchesCpu(() => sortKernel(tensor(x.slice()), 0, descending));
      expect(indices.dtype).toBe('int32');
      expect(values.values.filter(Number.isNaN)).toHaveLength(2);
    }
    await matchesCpu(() => sortKernel(tensor(hostData([4, 6], 'int32'), { shape: [4, 6] }), 1, true));
    await matchesCpu(() => sortKernel(tensor([true, false, true, false]), 0, false));
  });

  it('handles a fibre of one, empty tensors, and a long fibre', async () => {
    await matchesCpu(() => sortKernel(tensor(hostData([4, 1]), { shape: [4, 1] }), 1, false));
    await matchesCpu(() => sortKernel(tensor(new Float32Array(0), { shape: [0, 3] }), 1, false));
    const n = 600;
    await matchesCpu(() => sortKernel(tensor(hostData([n], 'float32', 5, 50)), 0, true));
  });

  it('frees its rank buffer', () => {
    const before = memory().backends.gpu?.numBuffers ?? 0;
    tidy(() => {
      sortKernel(tensor(hostData([3, 4]), { shape: [3, 4] }), 1, false);
    });
    expect(memory().backends.gpu?.numBuffers ?? 0).toBe(before);
  });
});

describe('ops built on Sort and the other new composed ops run on the gpu', () => {
  it('sort, argsort, topk, randperm, multinomial', async () => {
    const x = hostData([4, 7], 'float32', 9);
    await matchesCpu(() => {
      const s = sort(tensor(x.slice(), { shape: [4, 7] }), { axis: 0 });
      return [s.values, s.indices, argsort(tensor(x.slice(), { shape: [4, 7] }), { descending: true })];
    });
    await matchesCpu(() => {
      const t = topk(tensor(x.slice(), { shape: [4, 7] }), 3, { largest: false });
      return [t.values, t.indices];
    });
    await matchesCpu(() => randperm(20, { generator: new Generator(2) }));
    await matchesCpu(() => multinomial(tensor([0.2, 0, 0.5, 0.3]), 3, { generator: new Generator(4) }));
  });

  it('cumsum, norm, flip, tril, maskedFill, einsum', async () => {
    const x = hostData([3, 4], 'float32', 11);
    const t = () => tensor(x.slice(), { shape: [3, 4] });
    await matchesCpu(() => [cumsum(t(), 1), norm(t(), 2, 1), norm(t(), Number.POSITIVE_INFINITY)], 1e-5);
    await matchesCpu(() => [
      flip(t(), [0, 1]),
      tril(t(), -1),
      maskedFill(t(), tensor([[true, false, false, true]]), -2),
    ]);
    await matchesCpu(() => [einsum('ij,kj->ik', t(), t()), einsum('ii->i', einsum('ij,kj', t(), t()))], 1e-5);
  });

  it('the gradient through sort reaches the right entries', async () => {
    const r = tensor([10, 20, 30]);
    await matchesCpu(() => grad((v: Tensor) => sum(mul(sort(v).values, r)))(tensor([3, 1, 2]))[0]);
  });

  it('leaves no buffers behind', () => {
    expect(memory().backends.gpu?.numBuffers ?? 0).toBe(startBuffers);
  });
});
