import { RBM, rbm } from '@axon/models';
import { SGD } from '@axon/optim';
import {
  assign,
  Generator,
  manualSeed,
  mean,
  mul,
  randn,
  ShapeError,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { expectClose, expectError, valuesOf } from '@axon/testing';
import { fit } from '@axon/train';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip, runTrainSteps } from './helpers';

beforeEach(() => manualSeed(13));

/** An RBM with weights N(0, w²) and biases N(0, b²), so that its distribution is far from uniform. */
function randomRbm(
  V: number,
  H: number,
  visible: 'bernoulli' | 'gaussian' = 'bernoulli',
  w = 0.5,
  b = 0.5,
): RBM {
  const m = rbm({ visibleSize: V, hiddenSize: H, visible });
  tidy(() => {
    assign(m.weight, mul(randn([V, H]), w));
    assign(m.visibleBias, mul(randn([V]), b));
    assign(m.hiddenBias, mul(randn([H]), b));
  });
  return m;
}

/** Every binary vector of length n, as rows. */
function allBinary(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, k) =>
    Array.from({ length: n }, (_, i) => Math.floor(k / 2 ** i) % 2),
  );
}

/** The parameters as plain arrays: W[i][j], b[i], c[j]. */
function paramsOf(m: RBM): { W: number[][]; b: number[]; c: number[] } {
  const w = valuesOf(m.weight);
  const H = m.hiddenSize;
  return {
    W: Array.from({ length: m.visibleSize }, (_, i) => w.slice(i * H, (i + 1) * H)),
    b: valuesOf(m.visibleBias),
    c: valuesOf(m.hiddenBias),
  };
}

/** −E(v, h) for a Bernoulli–Bernoulli RBM, from plain arrays. */
function negEnergy({ W, b, c }: ReturnType<typeof paramsOf>, v: number[], h: number[]): number {
  let e = 0;
  v.forEach((vi, i) => {
    e += vi * b[i];
    h.forEach((hj, j) => {
      e += vi * W[i][j] * hj;
    });
  });
  h.forEach((hj, j) => {
    e += hj * c[j];
  });
  return e;
}

const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** 32 examples of 8 bits from two patterns and their noisy copies. */
function toyData(): ReturnType<typeof tensor> {
  const p = [
    [1, 1, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 1, 1],
  ];
  return tensor(
    Array.from({ length: 32 }, (_, n) => p[n % 2].map((x, i) => (i === n % 8 && n % 3 === 0 ? 1 - x : x))),
  );
}

describe('rbm', () => {
  it('has weight [V, H] and the two biases, and saves its options', () => {
    const m = rbm({ visibleSize: 6, hiddenSize: 4, k: 3, persistent: true });
    expect(m).toBeInstanceOf(RBM);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'visibleBias', 'hiddenBias']);
    expect(m.weight.shape).toEqual([6, 4]);
    expect(m.config()).toMatchObject({
      visibleSize: 6,
      hiddenSize: 4,
      visible: 'bernoulli',
      k: 3,
      persistent: true,
    });
  });

  it('rejects bad options and inputs, naming the function and the values', () => {
    expectError(() => rbm({ visibleSize: 0, hiddenSize: 4 }), ValueError, 'rbm', 'visibleSize');
    expectError(
      () => rbm({ visibleSize: 4, hiddenSize: 4, visible: 'poisson' as never }),
      ValueError,
      'rbm',
      'visible',
    );
    expectError(
      () => rbm({ visibleSize: 4, hiddenSize: 4, sparsityTarget: 1.5 }),
      ValueError,
      'rbm',
      'sparsityTarget',
    );
    expectError(
      () => rbm({ visibleSize: 4, hiddenSize: 4, sparsityCost: 0.1 }),
      ValueError,
      'rbm',
      'sparsityCost',
    );
    const m = rbm({ visibleSize: 4, hiddenSize: 3 });
    expectError(() => m.freeEnergy(tensor([[1, 0, 1]])), ShapeError, 'RBM.freeEnergy', '[N, 4]', '[1, 3]');
    expectError(() => m.visibleMean(tensor([[1, 0]])), ShapeError, 'RBM.visibleMean', '[N, 3]');
    expectError(() => m.gibbs(tensor([[1, 0, 1, 0]]), { steps: 0 }), ValueError, 'RBM.gibbs', 'steps');
    const g = rbm({ visibleSize: 4, hiddenSize: 3, visible: 'gaussian' });
    expectError(
      () => g.pseudoLikelihood(tensor([[1, 0, 1, 0]])),
      ValueError,
      'RBM.pseudoLikelihood',
      'gaussian',
    );
    const big = rbm({ visibleSize: 2, hiddenSize: 25 });
    expectError(() => big.exactLogPartition(), ValueError, 'exactLogPartition', '24', '25');
  });

  it('computes the free energy −log Σ_h exp(−E(v, h)) (checked by enumerating h)', () => {
    const m = randomRbm(5, 4);
    const p = paramsOf(m);
    const vs = allBinary(5).slice(0, 12);
    const expected = vs.map((v) => -logSumExp(allBinary(4).map((h) => negEnergy(p, v, h))));
    expectClose(m.freeEnergy(tensor(vs)), expected, { rtol: 1e-5, atol: 1e-5 });
  });

  it('computes the Gaussian–Bernoulli free energy ½‖v − b‖² − Σ softplus(vW + c)', () => {
    const m = randomRbm(3, 2, 'gaussian');
    const { W, b, c } = paramsOf(m);
    const v = [0.3, -1.2, 0.8];
    const x = c.map((cj, j) => cj + v.reduce((s, vi, i) => s + vi * W[i][j], 0));
    const expected =
      v.reduce((s, vi, i) => s + 0.5 * (vi - b[i]) ** 2, 0) -
      x.reduce((s, xj) => s + Math.log1p(Math.exp(xj)), 0);
    expectClose(m.freeEnergy(tensor([v])), [expected], { rtol: 1e-5, atol: 1e-5 });
  });

  it('gives the exact log Z by enumeration, and log-likelihoods that sum to one', () => {
    const m = randomRbm(6, 5);
    const p = paramsOf(m);
    const brute = logSumExp(allBinary(6).flatMap((v) => allBinary(5).map((h) => negEnergy(p, v, h))));
    const logZ = m.exactLogPartition();
    expect(logZ).toBeCloseTo(brute, 4);
    const ll = valuesOf(m.logLikelihood(tensor(allBinary(6)), { logZ }));
    expect(ll.reduce((s, l) => s + Math.exp(l), 0)).toBeCloseTo(1, 4);
  });

  it('estimates log Z by AIS within 0.1 nats of the exact value (Bernoulli and Gaussian visible units)', () => {
    for (const visible of ['bernoulli', 'gaussian'] as const) {
      const m = randomRbm(20, 12, visible, visible === 'bernoulli' ? 0.5 : 0.2);
      const exact = m.exactLogPartition();
      const ais = m.logPartition({ numBetas: 400, runs: 100, generator: new Generator(5) });
      expect(Math.abs(ais.logZ - exact), `${visible}: AIS ${ais.logZ} vs exact ${exact}`).toBeLessThan(0.1);
      expect(ais.logZLow).toBeLessThanOrEqual(ais.logZ);
      expect(ais.logZHigh).toBeGreaterThanOrEqual(ais.logZ);
      expect(ais.logWeights).toHaveLength(100);
    }
  });

  it('samples from its own marginals: long Gibbs chains match the exact E[v] and E[h] of a tiny RBM', () => {
    const m = randomRbm(4, 3, 'bernoulli', 1, 0.5);
    const p = paramsOf(m);
    const joint = allBinary(4).flatMap((v) => allBinary(3).map((h) => ({ v, h, w: negEnergy(p, v, h) })));
    const logZ = logSumExp(joint.map((s) => s.w));
    const ev = [0, 1, 2, 3].map((i) => joint.reduce((s, x) => s + x.v[i] * Math.exp(x.w - logZ), 0));
    const eh = [0, 1, 2].map((j) => joint.reduce((s, x) => s + x.h[j] * Math.exp(x.w - logZ), 0));
    const gen = new Generator(21);
    const start = m.sampleVisible(
      m.sampleHidden(tensor(Array.from({ length: 4000 }, () => [0, 0, 0, 0])), { generator: gen }),
      { generator: gen },
    );
    const { v, h } = m.gibbs(start, { steps: 30, generator: gen });
    // 4000 independent chains: the standard error of each mean is at most 0.008.
    expectClose(mean(v, [0]), ev, { atol: 0.03, rtol: 0 });
    expectClose(mean(h, [0]), eh, { atol: 0.03, rtol: 0 });
  });

  it('computes the pseudo-log-likelihood exactly, and its one-term estimate is unbiased', () => {
    const m = randomRbm(5, 3);
    const vs = allBinary(5).slice(3, 9);
    const F = (v: number[]) => valuesOf(m.freeEnergy(tensor([v])))[0];
    const expected = vs.map((v) =>
      v.reduce((s, _, i) => {
        const flipped = v.map((x, j) => (j === i ? 1 - x : x));
        return s - Math.log1p(Math.exp(F(v) - F(flipped)));
      }, 0),
    );
    expectClose(m.pseudoLikelihood(tensor(vs), { exact: true }), expected, { rtol: 1e-4, atol: 1e-4 });
    const rows = Array.from({ length: 3000 }, () => vs[0]);
    const estimate = valuesOf(mean(m.pseudoLikelihood(tensor(rows), { generator: new Generator(2) })))[0];
    expect(Math.abs(estimate - expected[0])).toBeLessThan(0.1);
  });

  it('mean-field CD gives the update (v0ᵀh0 − vkᵀhk)/N as −∂loss/∂W, and the biases likewise', () => {
    const m = randomRbm(5, 3);
    const v0 = tensor([
      [1, 0, 1, 1, 0],
      [0, 1, 1, 0, 0],
    ]);
    const { loss, vk, hk } = m.contrastiveDivergence(v0, { k: 2, meanField: true });
    loss.backward();
    const h0 = valuesOf(m.hiddenMean(v0));
    const [a, b, hb] = [valuesOf(v0), valuesOf(vk), valuesOf(hk)];
    const dW = Array.from({ length: 15 }, (_, k) => {
      const [i, j] = [Math.floor(k / 3), k % 3];
      return -(a[i] * h0[j] + a[5 + i] * h0[3 + j] - (b[i] * hb[j] + b[5 + i] * hb[3 + j])) / 2;
    });
    expectClose(m.weight.grad as never, dW, { rtol: 1e-4, atol: 1e-6 });
    expectClose(
      m.visibleBias.grad as never,
      [0, 1, 2, 3, 4].map((i) => -(a[i] + a[5 + i] - b[i] - b[5 + i]) / 2),
      { rtol: 1e-4, atol: 1e-6 },
    );
    expectClose(
      m.hiddenBias.grad as never,
      [0, 1, 2].map((j) => -(h0[j] + h0[3 + j] - hb[j] - hb[3 + j]) / 2),
      { rtol: 1e-4, atol: 1e-6 },
    );
  });

  it('reduces the reconstruction error on toy data with CD-1, PCD and a sparsity target', () => {
    const x = toyData();
    for (const options of [{}, { persistent: true }, { k: 3, sparsityTarget: 0.2 }]) {
      const m = rbm({ visibleSize: 8, hiddenSize: 6, ...options });
      const before = valuesOf(mean(m.reconstructionError(x)))[0];
      const opt = new SGD(m.parameterGroups(1e-4), { lr: 0.3, momentum: 0.5 });
      const logs = runTrainSteps(m, () => ({ x }), { default: opt }, 60);
      const after = valuesOf(mean(m.reconstructionError(x)))[0];
      expect(after, JSON.stringify(options)).toBeLessThan(before * 0.5);
      expect(logs[logs.length - 1].recon).toBeLessThan(logs[0].recon);
      m.dispose();
    }
  });

  it('keeps hidden units sparse with a sparsity target', () => {
    const x = toyData();
    const activity = (sparsityTarget?: number) => {
      manualSeed(3);
      const m = rbm({
        visibleSize: 8,
        hiddenSize: 6,
        ...(sparsityTarget ? { sparsityTarget, sparsityCost: 1 } : {}),
      });
      runTrainSteps(m, () => ({ x }), { default: new SGD(m.parameters(), { lr: 0.1 }) }, 100);
      return valuesOf(mean(m.hiddenMean(x)))[0];
    };
    expect(activity(0.05)).toBeLessThan(activity() * 0.6);
  });

  it('trains through fit with its own step, validating with recon, free energy and pseudo-likelihood', async () => {
    const x = toyData();
    const m = rbm({ visibleSize: 8, hiddenSize: 4, persistent: true });
    const history = await fit(m, {
      optimizer: new SGD(m.parameterGroups(1e-4), { lr: 0.1, momentum: 0.5 }),
      trainData: [{ x }, { x }],
      valData: [{ x }],
      epochs: 3,
      progress: false,
    });
    expect(Object.keys(history.history).sort()).toEqual([
      'lr',
      'recon',
      'val_free_energy',
      'val_pseudo_ll',
      'val_recon',
    ]);
    expect(history.history.val_recon[2]).toBeLessThan(history.history.val_recon[0]);
  });

  it('round-trips through a model file bit-exactly', async () => {
    const m = randomRbm(7, 5, 'gaussian');
    const x = randn([3, 7]);
    await expectSaveLoadRoundTrip(m, x);
    await expectSaveLoadRoundTrip(m, x, (loaded) => loaded.freeEnergy(x));
  });
});
