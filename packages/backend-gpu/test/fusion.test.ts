/**
 * Elementwise fusion (src/fusion.ts): chains of unary, binary, where and cast ops run as one kernel
 * when their values are needed, and compute what the ops one by one compute. Fusion is on by
 * default in the GL modes only; these tests switch it on in whatever mode runs (webasm here), since
 * the chains, their cuts and the buffers they hold do not depend on the mode.
 */
import '@axon/backend-gpu';
import type { GpuBackend } from '@axon/backend-gpu';
import {
  add,
  cast,
  ENGINE,
  exp,
  gt,
  keep,
  matmul,
  memory,
  mul,
  neg,
  relu,
  reshape,
  setBackend,
  sub,
  sum,
  type Tensor,
  tensor,
  tidy,
  where,
} from '@axon/tensor';
import { turnEventLoop } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, runOn } from './helpers';

setBackend('gpu');
const backend = ENGINE.findBackend('gpu') as GpuBackend;
const fusionWas = backend.fusion;
beforeAll(() => {
  backend.fusion = true;
});
afterAll(() => {
  backend.fusion = fusionWas;
});

/** Runs f on cpu and gpu (fused), compares, checks gpu memory is back; returns the gpu's launches. */
async function compare(f: () => Tensor, rtol = 1e-6): Promise<number> {
  await turnEventLoop();
  const [expected] = runOn('cpu', f);
  const before = memory().backends.gpu;
  const launches = backend.stats.launches;
  const [actual] = runOn('gpu', f);
  const ran = backend.stats.launches - launches;
  expect(memory().backends.gpu).toEqual(before);
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    const a = actual.values[i];
    if (!(Object.is(a, e) || Math.abs(a - e) <= rtol * (1 + Math.abs(e)))) {
      expect.fail(`element ${i}: gpu ${a} vs cpu ${e}`);
    }
  }
  return ran;
}

describe('elementwise fusion', () => {
  it('a chain of the same shape runs as one kernel, when read', async () => {
    const launches = await compare(() => {
      const x = data([5, 7], 1);
      return add(mul(exp(neg(x)), 2), x);
    });
    expect(launches).toBe(1);
  });

  it('broadcast inputs are leaves read at their strides; comparisons, where and casts fuse too', async () => {
    expect(
      await compare(() => {
        const x = data([4, 6], 2);
        const b = data([6], 3);
        const h = relu(add(x, b));
        return where(gt(h, 0.25), sub(h, b), mul(x, 0.5));
      }),
    ).toBe(1);
    expect(await compare(() => cast(gt(data([9], 4), 0), 'bool'))).toBe(1);
    expect(await compare(() => add(tensor(Int32Array.from([1, 2, 3]), 'int32'), 40))).toBe(1);
  });

  it('a pending input of another shape runs first and is read broadcast', async () => {
    // m is [4, 1] (pending), used against [4, 5]: two kernels.
    expect(
      await compare(() => {
        const x = data([4, 5], 5);
        const m = mul(data([4, 1], 6), 3);
        return exp(sub(x, m));
      }),
    ).toBe(2);
  });

  it('chains longer than MAX_OPS are cut, and every kernel input runs its pending chain first', async () => {
    expect(
      await compare(() => {
        let y = data([3, 3], 7);
        for (let i = 0; i < 60; i++) y = add(mul(y, 0.9), 0.01);
        return y;
      }, 1e-5),
    ).toBeGreaterThan(2);
    await compare(() => {
      const a = relu(sub(data([3, 4], 8), 0.1));
      return add(matmul(a, reshape(a, [4, 3])), sum(a));
    });
  });

  it('inputs disposed before their chain runs stay on the device until it has, then go', async () => {
    await turnEventLoop();
    const before = memory().backends.gpu;
    const y = tidy(() => {
      const x = data([6], 9);
      const z = add(mul(x, x), 1); // pending; x is disposed when the tidy ends
      return keep(z);
    });
    expect(Array.from(y.dataSync()).every((v) => v >= 1)).toBe(true);
    y.dispose();
    expect(memory().backends.gpu).toEqual(before);
    // Never run at all: disposing the pending value lets its inputs go.
    const w = tidy(() => keep(exp(data([6], 10))));
    w.dispose();
    expect(memory().backends.gpu).toEqual(before);
  });
});
