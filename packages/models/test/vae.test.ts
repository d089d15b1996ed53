import type { Linear } from '@axon/layers';
import { elbo, gaussianKl, gaussianLogLikelihood, iwaeBound, VAE, vae } from '@axon/models';
import {
  Generator,
  manualSeed,
  mean,
  randn,
  ShapeError,
  sigmoid,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { expectClose, expectError, valuesOf } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { adam, expectSaveLoadRoundTrip, logValues, runTrainSteps, stepContext } from './helpers';

beforeEach(() => manualSeed(11));

/** Rows of a Linear's weight and its bias, as numbers. */
function linearOf(l: Linear): { W: number[][]; b: number[] } {
  const w = valuesOf(l.weight);
  const [out, inp] = l.weight.shape;
  return {
    W: Array.from({ length: out }, (_, o) => w.slice(o * inp, (o + 1) * inp)),
    b: valuesOf(l.bias as never),
  };
}

function apply({ W, b }: { W: number[][]; b: number[] }, x: number[]): number[] {
  return W.map((row, o) => row.reduce((s, w, i) => s + w * x[i], b[o]));
}

/** 16 binary examples of 6 bits from 2 patterns (plus their complements). */
function binaryData() {
  const p = [
    [1, 1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1],
    [1, 0, 1, 0, 1, 0],
    [0, 1, 0, 1, 0, 1],
  ];
  return tensor(Array.from({ length: 16 }, (_, i) => p[i % 4]));
}

describe('vae (mlp encoder)', () => {
  it('has an encoder, mu and logVar heads and a mirrored decoder, named as torch would', () => {
    const m = vae({ inputSize: 6, hiddenSizes: [5], latentSize: 2, activation: 'tanh' });
    expect(m).toBeInstanceOf(VAE);
    expect(Object.keys(m.stateDict())).toEqual([
      'encoder.0.weight',
      'encoder.0.bias',
      'mu.weight',
      'mu.bias',
      'logVar.weight',
      'logVar.bias',
      'decoder.0.weight',
      'decoder.0.bias',
      'decoder.2.weight',
      'decoder.2.bias',
    ]);
    // 6·5+5 + 2·(5·2+2) + 2·5+5 + 5·6+6 = 35 + 24 + 15 + 36
    expect(m.numParameters()).toBe(110);
    const g = vae({ inputSize: 6, latentSize: 2, decoder: 'gaussian' });
    expect((g.decoder.layers[0] as Linear).outFeatures).toBe(12); // mean and log-variance
    const fixed = vae({ inputSize: 6, latentSize: 2, decoder: 'gaussian', outputVariance: 0.5 });
    expect((fixed.decoder.layers[0] as Linear).outFeatures).toBe(6);
  });

  it('encodes, decodes, reconstructs and samples with the right shapes', () => {
    const m = vae({ inputSize: 12, hiddenSizes: [8, 4], latentSize: 3 });
    const x = sigmoid(randn([5, 12]));
    const { mu, logVar } = m.encode(x);
    expect(mu.shape).toEqual([5, 3]);
    expect(logVar.shape).toEqual([5, 3]);
    const p = m.decode(mu);
    expect(p.shape).toEqual([5, 12]);
    expect(valuesOf(p).every((v) => v > 0 && v < 1)).toBe(true); // probabilities
    expect(valuesOf(m.reconstruct(x))).toEqual(valuesOf(p));
    expect(valuesOf(m.forward(x))).toEqual(valuesOf(p));
    // images [N, 1, 3, 4] are flattened; the reconstruction keeps their shape
    expect(m.reconstruct(x.reshape([5, 1, 3, 4])).shape).toEqual([5, 1, 3, 4]);
    expect(m.sample(7).shape).toEqual([7, 12]);
    const a = valuesOf(m.sample(2, { generator: new Generator(4) }));
    expect(valuesOf(m.sample(2, { generator: new Generator(4) }))).toEqual(a);
    const out = m.decoderOutput(mu);
    expect(out.kind).toBe('bernoulli');
    const g = vae({ inputSize: 12, latentSize: 3, decoder: 'gaussian' });
    const go = g.decoderOutput(randn([2, 3]));
    expect(go.kind === 'gaussian' && go.mean.shape).toEqual([2, 12]);
    expect(go.kind === 'gaussian' && (go.logVar as never as { shape: number[] }).shape).toEqual([2, 12]);
  });

  it('computes the ELBO as the hand computation does (Bernoulli decoder)', () => {
    const m = vae({ inputSize: 3, hiddenSizes: [4], latentSize: 2, activation: 'tanh' });
    const xs = [
      [1, 0, 1],
      [0, 1, 1],
    ];
    const epss = [
      [0.3, -1.2],
      [1.5, 0.4],
    ];
    const t = m.elbo(tensor(xs), { eps: tensor(epss) });
    const enc = linearOf(m.encoder.layers[0] as Linear);
    const muL = linearOf(m.mu);
    const lvL = linearOf(m.logVar);
    const d0 = linearOf(m.decoder.layers[0] as Linear);
    const d1 = linearOf(m.decoder.layers[2] as Linear);
    const expected = xs.map((x, n) => {
      const h = apply(enc, x).map(Math.tanh);
      const mu = apply(muL, h);
      const lv = apply(lvL, h);
      const z = mu.map((m, j) => m + Math.exp(lv[j] / 2) * epss[n][j]);
      const logits = apply(d1, apply(d0, z).map(Math.tanh));
      const logLik = logits.reduce(
        (s, l, i) =>
          s + x[i] * Math.log(1 / (1 + Math.exp(-l))) + (1 - x[i]) * Math.log(1 - 1 / (1 + Math.exp(-l))),
        0,
      );
      const kl = -0.5 * mu.reduce((s, m, j) => s + 1 + lv[j] - m * m - Math.exp(lv[j]), 0);
      return { logLik, kl, elbo: logLik - kl };
    });
    expectClose(
      t.recon,
      expected.map((e) => -e.logLik),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expectClose(
      t.kl,
      expected.map((e) => e.kl),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expectClose(
      t.elbo,
      expected.map((e) => e.elbo),
      { rtol: 1e-5, atol: 1e-6 },
    );
    // the loss is the batch mean of −ELBO, with its terms
    const l = m.negativeElbo(tensor(xs), { eps: tensor(epss) });
    expectClose(l.loss.item(), -(expected[0].elbo + expected[1].elbo) / 2, { rtol: 1e-5 });
    expectClose(l.kl.item(), (expected[0].kl + expected[1].kl) / 2, { rtol: 1e-5 });
  });

  it('has the Gaussian log-likelihood and KL of the textbook', () => {
    // log N(x; m, σ²) for x = [1, 2], m = [0, 2.5], σ² = 2
    const ll = gaussianLogLikelihood(tensor([[0, 2.5]]), Math.log(2), tensor([[1, 2]]));
    const hand = -0.5 * (2 * Math.log(2 * Math.PI * 2) + (1 + 0.25) / 2);
    expectClose(ll, [hand], { rtol: 1e-6 });
    const learned = gaussianLogLikelihood(
      tensor([[0, 2.5]]),
      tensor([[Math.log(2), Math.log(2)]]),
      tensor([[1, 2]]),
    );
    expectClose(learned, [hand], { rtol: 1e-6 });
    // KL(N(1, e) ‖ N(0, 1)) = ½(e + 1 − 1 − 1) per dim
    expectClose(gaussianKl(tensor([[1, 0]]), tensor([[1, 0]])), [0.5 * (Math.E + 1 - 1 - 1)], { rtol: 1e-6 });
    const terms = elbo({
      x: tensor([[1, 2]]),
      decoded: { kind: 'gaussian', mean: tensor([[0, 2.5]]), logVar: Math.log(2) },
      mu: tensor([[1, 0]]),
      logVar: tensor([[1, 0]]),
    });
    expectClose(terms.elbo, [hand - 0.5 * (Math.E - 1)], { rtol: 1e-6 });
  });

  it('IWAE: k = 1 is the one-sample ELBO with the same noise; the bound rises with k', () => {
    const m = vae({ inputSize: 6, hiddenSizes: [8], latentSize: 2 });
    const x = binaryData();
    const eps = randn([1, 16, 2], { generator: new Generator(2) });
    const one = m.logLikelihood(x, { k: 1, eps });
    const mc = m.elbo(x, { eps: eps.reshape([16, 2]), kl: 'monteCarlo' });
    expectClose(one, mc.elbo, { rtol: 1e-5, atol: 1e-5 });
    // in expectation: after some training (so that q(z | x) is informative), averaged over a
    // large batch and several seeds, L1 < L4 < L64
    runTrainSteps(m, () => ({ x }), { default: adam(m, { lr: 0.03 }) }, 60);
    const big = binaryData().tile([16, 1]);
    const bound = (k: number) =>
      tidy(() => {
        let s = 0;
        for (let seed = 0; seed < 8; seed++) {
          s += mean(m.logLikelihood(big, { k, generator: new Generator(100 + seed) })).item();
        }
        return s / 8;
      });
    const [b1, b4, b64] = [bound(1), bound(4), bound(64)];
    expect(b4).toBeGreaterThan(b1);
    expect(b64).toBeGreaterThan(b4);
    // the Monte Carlo KL averages to the analytic one
    const many = tidy(() => {
      const kls: number[] = [];
      for (let seed = 0; seed < 200; seed++)
        kls.push(mean(m.elbo(x, { generator: new Generator(seed), kl: 'monteCarlo' }).kl).item());
      return kls.reduce((a, b) => a + b, 0) / kls.length;
    });
    expectClose(many, mean(m.elbo(x).kl).item(), { rtol: 0.05, atol: 0.02 });
  }, 120_000);

  it('iwaeBound is log of the mean of the weights, computed stably', () => {
    const lw = tensor([
      [0, -1000],
      [Math.log(3), -1001],
    ]);
    expectClose(iwaeBound(lw), [Math.log(2), -1000 + Math.log((1 + Math.exp(-1)) / 2)], { rtol: 1e-6 });
  });

  it('trainStep lowers the negative ELBO and logs loss = recon + kl', () => {
    const x = binaryData();
    const m = vae({ inputSize: 6, hiddenSizes: [8], latentSize: 2 });
    const logs = runTrainSteps(m, () => ({ x }), { default: adam(m, { lr: 0.03 }) }, 80);
    for (const l of logs) expectClose(l.loss, l.recon + l.kl, { rtol: 1e-5 });
    const first = logs.slice(0, 5).reduce((a, l) => a + l.loss, 0) / 5;
    const last = logs.slice(-5).reduce((a, l) => a + l.loss, 0) / 5;
    expect(last).toBeLessThan(first * 0.7);
    // evalStep: the same terms, no update
    const before = valuesOf(m.mu.weight);
    const e = tidy(() => logValues(m.evalStep({ x }, stepContext({}))));
    expect(Object.keys(e).sort()).toEqual(['kl', 'loss', 'recon']);
    expect(valuesOf(m.mu.weight)).toEqual(before);
    // a Gaussian decoder trains too
    const g = vae({
      inputSize: 6,
      hiddenSizes: [8],
      latentSize: 2,
      decoder: 'gaussian',
      outputVariance: 0.1,
    });
    const gl = runTrainSteps(g, () => ({ x }), { default: adam(g, { lr: 0.03 }) }, 40);
    expect(gl[39].loss).toBeLessThan(gl[0].loss);
  }, 120_000);
});

describe('vae (conv encoder)', () => {
  it('maps images through stride-2 convolutions to the code and back', () => {
    const m = vae({ encoder: 'conv', inChannels: 1, imageSize: 8, channels: [4, 8], latentSize: 3 });
    expect(m.encoder.layers.map((l) => l.constructor.name)).toEqual([
      'Conv2d',
      'ReLU',
      'Conv2d',
      'ReLU',
      'Flatten',
    ]);
    expect(m.mu.inFeatures).toBe(8 * 2 * 2);
    const x = sigmoid(randn([3, 1, 8, 8]));
    expect(m.encode(x).mu.shape).toEqual([3, 3]);
    expect(m.reconstruct(x).shape).toEqual([3, 1, 8, 8]);
    expect(m.sample(2).shape).toEqual([2, 1, 8, 8]);
    const g = vae({
      encoder: 'conv',
      inChannels: 2,
      imageSize: [7, 5],
      channels: [3],
      latentSize: 2,
      decoder: 'gaussian',
    });
    const out = g.decoderOutput(randn([4, 2]));
    expect(out.kind === 'gaussian' && out.mean.shape).toEqual([4, 2, 7, 5]);
  });

  it('trainStep lowers the loss; saves and loads bit-exact', async () => {
    const x = binaryData().reshape([16, 1, 2, 3]).tile([1, 1, 4, 2]).slice([0, 0, 0, 0], [8, 1, 8, 6]);
    const m = vae({ encoder: 'conv', imageSize: [8, 6], channels: [4, 8], latentSize: 2 });
    const logs = runTrainSteps(m, () => ({ x }), { default: adam(m, { lr: 0.02 }) }, 25);
    expect(logs[24].loss).toBeLessThan(logs[0].loss);
    await expectSaveLoadRoundTrip(m, x);
    await expectSaveLoadRoundTrip(m, x, (loaded) => loaded.sample(3, { generator: new Generator(8) }));
    const g = vae({ inputSize: 6, hiddenSizes: [4], latentSize: 2, decoder: 'gaussian' });
    await expectSaveLoadRoundTrip(g, binaryData(), (loaded) =>
      loaded.logLikelihood(binaryData(), { k: 3, generator: new Generator(1) }),
    );
  }, 120_000);
});

describe('vae errors', () => {
  it('names the builder, the option, the expected and the actual value', () => {
    expectError(() => vae({ latentSize: 2 }), ValueError, 'vae', 'inputSize', 'undefined');
    expectError(() => vae({ inputSize: 4, latentSize: 0 }), ValueError, 'vae', 'latentSize', 'number 0');
    expectError(
      () => vae({ inputSize: 4, latentSize: 2, decoder: 'poisson' as never }),
      ValueError,
      'vae',
      "'bernoulli', 'gaussian'",
    );
    expectError(
      () => vae({ inputSize: 4, latentSize: 2, encoder: 'rnn' as never }),
      ValueError,
      'vae',
      "'mlp', 'conv'",
    );
    expectError(
      () => vae({ inputSize: 4, latentSize: 2, outputVariance: 1 }),
      ValueError,
      'vae',
      'outputVariance',
      "'bernoulli'",
    );
    expectError(
      () => vae({ inputSize: 4, latentSize: 2, decoder: 'gaussian', outputVariance: 0 }),
      ValueError,
      'vae',
      'outputVariance',
      'number 0',
    );
    expectError(
      () => vae({ inputSize: 4, latentSize: 2, channels: [4] }),
      ValueError,
      'vae',
      'channels',
      "encoder 'conv'",
    );
    expectError(
      () => vae({ encoder: 'conv', inputSize: 4, latentSize: 2 }),
      ValueError,
      'vae',
      'inputSize',
      "encoder 'mlp'",
    );
    const m = vae({ inputSize: 4, latentSize: 2 });
    expectError(() => m.encode(randn([3, 5])), ShapeError, 'VAE.encode', '[N, 4]', '[3, 5]');
    expectError(() => m.decode(randn([3, 3])), ShapeError, 'VAE.decoderOutput', '[N, 2]', '[3, 3]');
    expectError(
      () => m.elbo(randn([3, 4]), { eps: randn([3, 3]) }),
      ShapeError,
      'VAE.elbo',
      'eps [3, 2]',
      '[3, 3]',
    );
    expectError(
      () => m.logLikelihood(randn([3, 4]), { k: 0 }),
      ValueError,
      'VAE.logLikelihood',
      'k',
      'number 0',
    );
    expectError(
      () => m.logLikelihood(randn([3, 4]), { k: 2, eps: randn([3, 2]) }),
      ShapeError,
      'VAE.logLikelihood',
      '[2, 3, 2]',
    );
    expectError(() => m.sample(0), ValueError, 'VAE.sample', 'n');
    expectError(() => m.trainStep({} as never, stepContext({})), ValueError, 'VAE.trainStep', 'batch.x');
  });
});
