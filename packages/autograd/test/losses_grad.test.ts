import { grad } from '@axon/autograd';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  Generator,
  hinge,
  klDivGaussian,
  logSoftmax,
  mse,
  multiMargin,
  nll,
  rand,
  randn,
  softmax,
  type Tensor,
  tensor,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(b[i])),
    );
  }
};
const f64 = (data: number[], shape = [data.length]) => tensor(data, { shape, dtype: 'float64' });
const i32 = (data: number[], shape = [data.length]) => tensor(data, { shape, dtype: 'int32' });
const gen = (seed: number) => ({ dtype: 'float64' as const, generator: new Generator(seed) });

describe('the fused cross-entropy (cpu: SoftmaxCrossEntropy and its gradient kernel)', () => {
  it('gives the gradient of log-softmax + nll, in float32, for every reduction', () => {
    const x = randn([33, 7], { generator: new Generator(11) });
    const t = i32(Array.from({ length: 33 }, (_, i) => (i % 6 === 0 ? -100 : (i * 5) % 7)));
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const r = rand([33], { generator: new Generator(12) });
      const weigh = (l: Tensor) => (reduction === 'none' ? l.mul(r).sum() : l);
      const [fused] = grad((a) => weigh(crossEntropy(a, t, { reduction })))(x);
      const [composed] = grad((a) => weigh(nll(logSoftmax(a, 1), t, { reduction })))(x);
      close(fused.dataSync(), composed.dataSync(), 1e-6);
    }
  });
});

describe('loss gradients match finite differences', () => {
  it('mse, for input and target, every reduction', () => {
    const x = randn([3, 4], gen(1));
    const t = randn([3, 4], gen(2));
    for (const reduction of ['mean', 'sum', 'none'] as const)
      expectGradientsMatch((a, b) => mse(a, b, { reduction }), [x, t]);
  });

  it('crossEntropy with class indices: plain, weighted, ignored, smoothed', () => {
    const x = randn([5, 4], gen(3));
    const t = i32([2, 0, 1, 2, 3]);
    const w = f64([1.8, 1.7, 1.3, 1.1]);
    expectGradientsMatch((a) => crossEntropy(a, t), [x]);
    expectGradientsMatch((a) => crossEntropy(a, t, { reduction: 'sum' }), [x]);
    expectGradientsMatch((a) => crossEntropy(a, t, { reduction: 'none' }), [x]);
    // The class weights get a gradient too.
    expectGradientsMatch((a, wt) => crossEntropy(a, t, { weight: wt }), [x, w]);
    expectGradientsMatch((a) => crossEntropy(a, i32([2, -100, 1, 2, -100])), [x]);
    expectGradientsMatch((a) => crossEntropy(a, t, { ignoreIndex: 2, weight: w }), [x]);
    expectGradientsMatch(
      (a, wt) => crossEntropy(a, i32([2, -100, 1, 2, 3]), { weight: wt, labelSmoothing: 0.2 }),
      [x, w],
    );
    expectGradientsMatch((a) => crossEntropy(a, t, { labelSmoothing: 0.1, reduction: 'none' }), [x]);
  });

  it('crossEntropy over spatial dims [N, C, H, W]', () => {
    const x = randn([2, 3, 2, 2], gen(4));
    const t = i32([0, 1, 2, 2, 1, 0, 0, 1], [2, 2, 2]);
    expectGradientsMatch((a) => crossEntropy(a, t), [x]);
    expectGradientsMatch((a) => crossEntropy(a, t, { labelSmoothing: 0.3, reduction: 'none' }), [x]);
  });

  it('crossEntropy with class probabilities, for logits and target', () => {
    const x = randn([3, 4], gen(5));
    const p = softmax(randn([3, 4], gen(6)));
    const w = f64([0.5, 1, 2, 1.5]);
    expectGradientsMatch((a, b) => crossEntropy(a, b), [x, p]);
    expectGradientsMatch(
      (a, b) => crossEntropy(a, b, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }),
      [x, p],
    );
  });

  it('nll', () => {
    const lp = randn([4, 3], gen(7));
    const t = i32([0, 2, 1, 2]);
    expectGradientsMatch((a) => nll(a, t), [lp]);
    expectGradientsMatch(
      (a, wt) => nll(a, t, { weight: wt, ignoreIndex: 1, reduction: 'none' }),
      [lp, f64([0.2, 0.9, 1.4])],
    );
  });

  it('binaryCrossEntropy, for probabilities and soft targets', () => {
    const p = f64([0.1, 0.35, 0.5, 0.72, 0.9, 0.97], [2, 3]);
    const t = f64([0.02, 0.98, 0.3, 0.97, 0.8, 0.05], [2, 3]); // interior: the check moves targets by ±eps
    expectGradientsMatch((a, b) => binaryCrossEntropy(a, b), [p, t]);
    expectGradientsMatch(
      (a) => binaryCrossEntropy(a, t, { weight: f64([1, 2, 0.5]), reduction: 'none' }),
      [p],
    );
  });

  it('binaryCrossEntropyWithLogits, with weight and posWeight', () => {
    const x = f64([-3.1, -0.4, 0.2, 0.9, 2.2, 6], [2, 3]);
    const t = rand([2, 3], gen(8));
    expectGradientsMatch((a, b) => binaryCrossEntropyWithLogits(a, b), [x, t]);
    expectGradientsMatch(
      (a, b, pw) =>
        binaryCrossEntropyWithLogits(a, b, {
          posWeight: pw,
          weight: f64([0.5, 2], [2, 1]),
          reduction: 'sum',
        }),
      [x, t, f64([1.4, 0.7, 2.4])],
    );
  });

  it('klDivGaussian, for mu and logVar', () => {
    const mu = randn([3, 4], gen(9));
    const lv = randn([3, 4], gen(10));
    for (const reduction of ['sum', 'batchmean', 'mean', 'none'] as const) {
      expectGradientsMatch((a, b) => klDivGaussian(a, b, { reduction }), [mu, lv]);
    }
  });

  it('hinge, away from the kink', () => {
    const x = f64([0.5, -2, 3, -0.2, 1.4, -0.6]);
    const t = f64([1, -1, -1, 1, 1, 1]);
    expectGradientsMatch((a) => hinge(a, t), [x]);
    expectGradientsMatch((a) => hinge(a, t, { margin: 0.8, reduction: 'none' }), [x]);
  });

  it('multiMargin, p = 1 and 2, with weights', () => {
    const x = f64([0.1, 0.8, 0.2, -0.5, 1.5, 0.3, 0.2, 0.25, 0, 2, -1, 0.45], [3, 4]);
    const t = i32([1, 0, 3]);
    expectGradientsMatch((a) => multiMargin(a, t), [x]);
    expectGradientsMatch((a) => multiMargin(a, t, { p: 2, margin: 0.7, reduction: 'none' }), [x]);
    expectGradientsMatch(
      (a, w) => multiMargin(a, t, { weight: w, reduction: 'sum' }),
      [x, f64([0.5, 2, 1.5, 1])],
    );
  });
});

describe("torch's loss gradients", () => {
  it('crossEntropy with label smoothing (losses/cross_entropy_label_smoothing)', () => {
    const x = f64(
      [
        -1.2120176669110874, 1.1594126411174352, 2.3555910082132807, 1.5220544969074832, 0.28789972160715394,
        -0.7993066019661, 0.0532119865642096, -0.5899381651884646, 1.5108682282112775, 0.0801674150319161,
        -1.557179474654299, 0.6466138037065748, -1.061242246425909, 3.4835095153329374, -3.9413984296365796,
        3.120012265841824, -1.0060281399189894, -4.598129426027014, 1.7134954485984621, -0.48887536449990443,
      ],
      [5, 4],
    );
    const r = -0.13641075243946815;
    const [g] = grad((a: Tensor) => crossEntropy(a, i32([0, 0, 3, 0, 3]), { labelSmoothing: 0.1 }).mul(r))(x);
    close(
      g.dataSync(),
      [
        0.024799753419415864, -0.003991210955084968, -0.014774549033428395, -0.006033993430902503,
        0.014510421158921328, -0.0029341475158686826, -0.007799915886213203, -0.0037763577568394467,
        -0.015300284275090678, -0.0031399828560122445, -6.131468716932508e-5, 0.018501581818272248,
        0.02506615624830344, -0.015305520426412879, 0.0006725217185208181, -0.010433157540411383,
        -0.000843974720661907, 0.0006400263284039453, -0.022472516631285754, 0.02267646502354372,
      ],
    );
  });

  it('multiMargin sends nothing to a satisfied sample (losses/multi_margin)', () => {
    const x = f64(
      [
        -1.13481297865253, 0.2260669962649608, 1.230135012097821, 2.517648036037337, -0.09678789585719819,
        -0.5800069432354649, 0.3576493195399154, 2.0605561704790625, 1.3114976360939092, -0.8797266172079576,
        -0.1621920500428612, -0.7562278160462022, 0.7647346430873073, 1.6929045113247767, 1.2412263152336078,
        0.3657677445093582, 1.5953940201778978, 1.731157966733127, 1.1855602318917433, 0.5572587165389792,
      ],
      [5, 4],
    );
    const r = 1.1392418312765433;
    const [g] = grad((a: Tensor) => multiMargin(a, i32([3, 1, 2, 0, 0])).mul(r))(x);
    const k = 0.05696209156382717;
    close(g.dataSync(), [0, 0, 0, 0, k, -3 * k, k, k, k, k, -3 * k, k, -3 * k, k, k, k, -2 * k, k, k, 0]);
  });

  it('binaryCrossEntropyWithLogits at x = 0 is (σ(0) − t)/N', () => {
    const [g] = grad((a: Tensor) => binaryCrossEntropyWithLogits(a, f64([0, 1, 0.25])))(f64([0, 0, 0]));
    close(g.dataSync(), [0.5 / 3, -0.5 / 3, 0.25 / 3], 1e-15);
    // With posWeight pw: ((1 − t)·σ(0) − pw·t·(1 − σ(0)))/N.
    const [gp] = grad((a: Tensor) => binaryCrossEntropyWithLogits(a, f64([0, 1]), { posWeight: f64([3]) }))(
      f64([0, 0]),
    );
    close(gp.dataSync(), [0.5 / 2, -1.5 / 2], 1e-15);
  });

  it('binaryCrossEntropy stays finite at p = 0 and p = 1', () => {
    const [g] = grad((p: Tensor) => binaryCrossEntropy(p, f64([1, 0, 0, 1])))(f64([0, 1, 0, 1]));
    for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
  });

  it('crossEntropy gives ignored rows zero gradient and stays finite on -inf logits', () => {
    const ninf = Number.NEGATIVE_INFINITY;
    const x = f64([0.3, ninf, 1.2, 2, -1, 0.5], [2, 3]);
    const [g] = grad((a: Tensor) => crossEntropy(a, i32([0, -100])))(x);
    const v = g.dataSync();
    expect(Array.from(v.slice(3))).toEqual([0, 0, 0]);
    const e = [Math.exp(0.3), 0, Math.exp(1.2)];
    const s = e[0] + e[2];
    close(v.slice(0, 3), [e[0] / s - 1, 0, e[2] / s]);
  });
});
