import { readFileSync } from 'node:fs';
import { grad } from '@axon/autograd';
import { dot, ENGINE, Generator, matmul, mul, randn, sum, type Tensor, tensor } from '@axon/tensor';
import { describe, expect, it, vi } from 'vitest';
import { expectGradientsMatch } from './helpers';

const gen = new Generator(7);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

describe('matmul gradients (finite differences, float64)', () => {
  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`2-D, transposeA=${tA} transposeB=${tB}`, () => {
      // op(A) [3, 4] · op(B) [4, 5]
      const a = r(tA ? [4, 3] : [3, 4]);
      const b = r(tB ? [5, 4] : [4, 5]);
      expectGradientsMatch((x, y) => matmul(x, y, { transposeA: tA, transposeB: tB }), [a, b]);
    });

    it(`broadcast batch, transposeA=${tA} transposeB=${tB}`, () => {
      // a [2, 1, 3, 4] and b [3, 4, 2] (before the transposes): out [2, 3, 3, 2]; both operands
      // are broadcast along some batch dim, so both gradients must be summed back.
      const a = r(tA ? [2, 1, 4, 3] : [2, 1, 3, 4]);
      const b = r(tB ? [3, 2, 4] : [3, 4, 2]);
      expectGradientsMatch((x, y) => matmul(x, y, { transposeA: tA, transposeB: tB }), [a, b]);
    });
  }

  it('batched by a plain matrix (a linear layer over a batch)', () => {
    expectGradientsMatch((x, w) => matmul(x, w), [r([2, 3, 4]), r([4, 5])]);
  });

  it('1-D operands', () => {
    expectGradientsMatch((v, m) => matmul(v, m), [r([4]), r([4, 3])]);
    expectGradientsMatch((m, v) => matmul(m, v), [r([2, 3, 4]), r([4])]);
    expectGradientsMatch((u, v) => dot(u, v), [r([5]), r([5])]);
  });

  it('sizes past the kernel tiles', () => {
    expectGradientsMatch((x, y) => matmul(x, y, { transposeB: true }), [r([6, 9]), r([7, 9])]);
  });

  it('matches the closed form dL/dA = R·Bᵀ, dL/dB = Aᵀ·R for L = sum(AB ⊙ R)', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [0, 1],
      [1, 0],
    ]);
    const R = tensor([
      [1, 2],
      [3, 4],
    ]);
    const [da, db] = grad((x: Tensor, y: Tensor) => sum(mul(matmul(x, y), R)))(a, b);
    expect(da.arraySync()).toEqual([
      [2, 1],
      [4, 3],
    ]);
    expect(db.arraySync()).toEqual([
      [10, 14],
      [14, 20],
    ]);
  });
});

describe('matmul gradients: PyTorch oracle', () => {
  interface Fixture {
    shape: number[];
    data: number[];
  }
  const cases = (
    JSON.parse(readFileSync('/work/shared/oracle/fixtures/linalg_shape.json', 'utf8')).cases as {
      id: string;
      op: string;
      inputs: Record<string, Fixture>;
      R: Record<string, Fixture>;
      grads: Record<string, Fixture>;
    }[]
  ).filter((c) => c.op === 'matmul');

  it('has the matmul cases', () => expect(cases.length).toBeGreaterThanOrEqual(4));
  for (const c of cases) {
    it(c.id, () => {
      const t = (f: Fixture) => tensor(f.data, { shape: f.shape, dtype: 'float64' });
      const R = t(c.R.out);
      const grads = grad((a: Tensor, b: Tensor) => sum(mul(matmul(a, b), R)))(t(c.inputs.a), t(c.inputs.b));
      for (const [i, name] of ['a', 'b'].entries()) {
        expect(grads[i].shape).toEqual(c.grads[name].shape);
        const got = grads[i].dataSync();
        const worst = Math.max(...c.grads[name].data.map((v, j) => Math.abs(got[j] - v)));
        expect(worst, `${c.id} d${name}`).toBeLessThan(1e-12);
      }
    });
  }
});

describe('gradients nobody wants are not computed', () => {
  it('x·W with x a plain input runs one product backward (dW), not two', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const w = tensor([
      [0.5, -1],
      [2, 0.25],
      [-0.5, 1],
    ]).requiresGrad_();
    const loss = sum(matmul(x, w));
    const spy = vi.spyOn(ENGINE, 'runKernel');
    loss.backward();
    const products = spy.mock.calls.filter((c) => c[0] === 'MatMul').length;
    spy.mockRestore();
    expect(products).toBe(1);
    expect(w.grad?.arraySync()).toEqual([
      [5, 5],
      [7, 7],
      [9, 9],
    ]);
  });
});
