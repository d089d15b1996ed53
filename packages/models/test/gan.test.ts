import { checkGradients, GRAPH } from '@axon/autograd';
import { linear, updateBatchNorm } from '@axon/layers';
import {
  DCGANDiscriminator,
  DCGANGenerator,
  dcganDiscriminator,
  dcganGenerator,
  dcganPlan,
  discriminatorLoss,
  GAN,
  GAN_OPTIMIZERS,
  gan,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
  r1Penalty,
  r1PenaltyAt,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from '@axon/models';
import {
  expand,
  Generator,
  leakyRelu,
  manualSeed,
  mean,
  randint,
  randn,
  ShapeError,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { expectClose, expectError, expectGradientsOk, valuesOf } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { adam, expectSaveLoadRoundTrip, logValues, runTrainSteps, stepContext } from './helpers';

beforeEach(() => manualSeed(5));

const tiny = { latentSize: 4, imageSize: 8, generatorFeatures: 4, discriminatorFeatures: 4 } as const;

function optimizers(m: GAN, lr = 0.005) {
  return {
    gen: adam(m.generator, { lr, betas: [0.5, 0.999] }),
    disc: adam(m.discriminator, { lr, betas: [0.5, 0.999] }),
  };
}

describe('DCGAN generator and discriminator', () => {
  it('plan the stride-2 stages from the image size', () => {
    expect(dcganPlan('gan', 28)).toEqual({ start: 7, stages: 2 });
    expect(dcganPlan('gan', 32)).toEqual({ start: 4, stages: 3 });
    expect(dcganPlan('gan', 64)).toEqual({ start: 4, stages: 4 });
    expect(dcganPlan('gan', 8)).toEqual({ start: 4, stages: 1 });
    expectError(() => dcganPlan('gan', 9), ValueError, 'gan', 'imageSize', 'even integer >= 8', 'number 9');
    expectError(() => dcganPlan('gan', 6), ValueError, 'gan', 'imageSize', 'number 6');
  });

  it('map noise to images in [−1, 1] and images to one logit each', () => {
    const g = dcganGenerator({ latentSize: 10, imageSize: 28, features: 8 });
    expect(g.net.layers.map((l) => l.constructor.name)).toEqual([
      'Linear',
      'BatchNorm1d',
      'ReLU',
      'Reshape',
      'ConvTranspose2d',
      'BatchNorm2d',
      'ReLU',
      'ConvTranspose2d',
      'Tanh',
    ]);
    const img = g.forward(randn([3, 10]));
    expect(img.shape).toEqual([3, 1, 28, 28]);
    expect(valuesOf(img).every((v) => v >= -1 && v <= 1)).toBe(true);
    const d = dcganDiscriminator({ imageSize: 28, features: 8 });
    expect(d.net.layers.map((l) => l.constructor.name)).toEqual([
      'Conv2d',
      'LeakyReLU',
      'Conv2d',
      'BatchNorm2d',
      'LeakyReLU',
      'Flatten',
      'Linear',
    ]);
    expect(d.forward(img).shape).toEqual([3, 1]);
    const g32 = dcganGenerator({ latentSize: 5, imageSize: 32, channels: 3, features: 4 });
    expect(g32.forward(randn([2, 5])).shape).toEqual([2, 3, 32, 32]);
    const d32 = dcganDiscriminator({ imageSize: 32, channels: 3, features: 4, norm: 'layer' });
    expect(d32.net.layers.filter((l) => l.constructor.name === 'LayerNorm')).toHaveLength(2);
    expect(d32.forward(g32.forward(randn([2, 5]))).shape).toEqual([2, 1]);
  });

  it('depth adds size-keeping 3×3 convolutions at every feature-map size', async () => {
    const g = dcganGenerator({ latentSize: 10, imageSize: 28, features: 8, depth: 2 });
    expect(g.net.layers.map((l) => l.constructor.name)).toEqual([
      'Linear',
      'BatchNorm1d',
      'ReLU',
      'Reshape',
      'Conv2d',
      'BatchNorm2d',
      'ReLU',
      'ConvTranspose2d',
      'BatchNorm2d',
      'ReLU',
      'Conv2d',
      'BatchNorm2d',
      'ReLU',
      'ConvTranspose2d',
      'Tanh',
    ]);
    expect(g.net.layers[4].parameters()[0].shape).toEqual([16, 16, 3, 3]);
    expect(g.net.layers[10].parameters()[0].shape).toEqual([8, 8, 3, 3]);
    const img = g.forward(randn([3, 10]));
    expect(img.shape).toEqual([3, 1, 28, 28]);
    const d = dcganDiscriminator({ imageSize: 28, features: 8, depth: 2, norm: 'layer' });
    expect(d.net.layers.map((l) => l.constructor.name)).toEqual([
      'Conv2d',
      'LeakyReLU',
      'Conv2d',
      'LayerNorm',
      'LeakyReLU',
      'Conv2d',
      'LayerNorm',
      'LeakyReLU',
      'Conv2d',
      'LayerNorm',
      'LeakyReLU',
      'Flatten',
      'Linear',
    ]);
    expect(d.net.layers[2].parameters().map((p) => p.shape)).toEqual([[8, 8, 3, 3]]); // no bias before a norm
    expect(d.forward(img).shape).toEqual([3, 1]);
    const m = gan({ ...tiny, depth: 3 });
    expect([m.generator.depth, m.discriminator.depth]).toEqual([3, 3]);
    expect(GAN.fromConfig(m.config()).depth).toBe(3);
    expect(gan({ ...tiny }).config()).not.toHaveProperty('depth');
    m.eval();
    await expectSaveLoadRoundTrip(m, randn([2, 1, 8, 8]), (loaded) =>
      loaded.sample(2, undefined, { generator: new Generator(1) }),
    );
    expectError(() => gan({ depth: 0 }), ValueError, 'gan', 'depth', 'number 0');
  });

  it('condition on labels through an embedding or one-hot vectors', () => {
    for (const conditioning of ['embedding', 'onehot'] as const) {
      const g = dcganGenerator({ ...tiny, features: 4, numClasses: 3, conditioning });
      const d = dcganDiscriminator({ imageSize: 8, features: 4, numClasses: 3, conditioning });
      g.eval();
      const z = randn([2, 4]);
      const a = g.forward(z, tensor([0, 1], { dtype: 'int32' }));
      const b = g.forward(z, tensor([2, 1], { dtype: 'int32' }));
      expect(a.shape).toEqual([2, 1, 8, 8]);
      // the label changes the first image only
      const av = valuesOf(a);
      const bv = valuesOf(b);
      expect(av.slice(0, 64)).not.toEqual(bv.slice(0, 64));
      expect(av.slice(64)).toEqual(bv.slice(64));
      expect(d.forward(a, tensor([0, 1], { dtype: 'int32' })).shape).toEqual([2, 1]);
      expectError(() => g.forward(z), ValueError, 'DCGANGenerator', 'labels [2]', 'got none');
      expectError(
        () => d.forward(a, tensor([0, 1, 2], { dtype: 'int32' })),
        ShapeError,
        'DCGANDiscriminator',
        'labels [2]',
      );
    }
    expect(dcganGenerator({ ...tiny, features: 4, numClasses: 3 }).labelEmbedding?.embeddingDim).toBe(3);
    expect(
      dcganGenerator({ ...tiny, features: 4, numClasses: 3, embeddingDim: 7 }).labelEmbedding?.embeddingDim,
    ).toBe(7);
    expect(dcganDiscriminator({ imageSize: 8, numClasses: 3 }).labelEmbedding?.embeddingDim).toBe(64);
    expectError(
      () =>
        dcganGenerator({ ...tiny, features: 4 }).forward(randn([2, 4]), tensor([0, 1], { dtype: 'int32' })),
      ValueError,
      'DCGANGenerator',
      'unconditional',
    );
  });
});

describe('GAN losses and the gradient penalty', () => {
  it('are the textbook formulas', () => {
    const l = tensor([[0], [0]]);
    expectClose(discriminatorLoss(l, l).item(), 2 * Math.log(2), { rtol: 1e-6 });
    expectClose(nonSaturatingGeneratorLoss(l).item(), Math.log(2), { rtol: 1e-6 });
    // −log σ(2) and −log(1 − σ(−1)) = log(1 + e^−2) + log(1 + e^−1)
    expectClose(
      discriminatorLoss(tensor([[2]]), tensor([[-1]])).item(),
      Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)),
      {
        rtol: 1e-6,
      },
    );
    expectClose(nonSaturatingGeneratorLoss(tensor([[3]])).item(), Math.log1p(Math.exp(-3)), { rtol: 1e-5 });
    expectClose(wassersteinCriticLoss(tensor([[1], [3]]), tensor([[0.5], [-0.5]])).item(), 0 - 2, {
      rtol: 1e-6,
    });
    expectClose(wassersteinGeneratorLoss(tensor([[1], [2]])).item(), -1.5, { rtol: 1e-6 });
  });

  it('penalises a linear critic by (‖w‖ − 1)², and its gradient reaches the critic’s parameters', () => {
    const w = tensor([[3], [4]]); // ‖w‖ = 5 everywhere
    const real = randn([6, 2]);
    const fake = randn([6, 2]);
    expectClose(gradientPenalty((x) => x.matmul(w), real, fake).item(), 16, { rtol: 1e-5 });
    // finite differences through the second-order gradient, for a tanh and a leaky-relu critic
    // (DCGAN's: its slope is a constant, so its part of the input gradient is one product)
    const alpha = tensor([0.1, 0.5, 0.7, 0.9], { dtype: 'float64' });
    for (const act of [tanh, (z: Tensor) => leakyRelu(z, 0.2)]) {
      penaltyGradientsOk((critic, r, f) => gradientPenalty(critic, r, f, { alpha }), act);
    }
  });

  it('R1 penalises a linear critic by ‖w‖², and its gradient reaches the critic’s parameters', () => {
    const w = tensor([[3], [4]]);
    expectClose(r1Penalty((x) => x.matmul(w), randn([6, 2])).item(), 25, { rtol: 1e-5 });
    for (const act of [tanh, (z: Tensor) => leakyRelu(z, 0.2)]) {
      penaltyGradientsOk((critic, r) => r1Penalty(critic, r), act);
    }
    expectError(() => r1Penalty((x) => x, randn([3])), ShapeError, 'r1Penalty', 'rank >= 2', '[3]');
    // r1PenaltyAt: the same penalty from scores already computed on a copy requiring a gradient
    // (recording even inside checkGradients' noGrad, as a training step records)
    const atScores = (critic: (x: Tensor) => Tensor, r: Tensor) =>
      GRAPH.withRecording(() => {
        const x = r.detach().requiresGrad_();
        return r1PenaltyAt(critic(x), x);
      });
    expectClose(atScores((x) => x.matmul(w), randn([6, 2])).item(), 25, { rtol: 1e-5 });
    for (const act of [tanh, (z: Tensor) => leakyRelu(z, 0.2)]) penaltyGradientsOk(atScores, act);
    expectError(() => r1PenaltyAt(tensor([1]), tensor([1])), ShapeError, 'r1PenaltyAt', 'rank >= 2');
  });

  /** Finite differences of `penalty` (of a one-hidden-layer critic with `act`) in the critic's parameters. */
  function penaltyGradientsOk(
    penalty: (critic: (x: Tensor) => Tensor, real: Tensor, fake: Tensor) => Tensor,
    act: (z: Tensor) => Tensor,
  ): void {
    const g = new Generator(3);
    const r = randn([4, 3], { dtype: 'float64', generator: g });
    const f = randn([4, 3], { dtype: 'float64', generator: g });
    const of = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) =>
      penalty((x) => linear(act(linear(x, W1, b1)), W2, b2), r, f);
    const params = [
      randn([5, 3], { dtype: 'float64', generator: g }),
      randn([5], { dtype: 'float64', generator: g }),
      randn([1, 5], { dtype: 'float64', generator: g }),
      randn([1], { dtype: 'float64', generator: g }),
    ];
    expectGradientsOk(checkGradients(of, params, { atol: 1e-6, rtol: 1e-4 }));
  }

  it('reaches the DCGAN critic’s parameters that shape its input gradient', () => {
    // 16×16: Conv2d → LeakyReLU → Conv2d → LayerNorm → LeakyReLU → Flatten → Linear
    const m = gan({ ...tiny, imageSize: 16, loss: 'wgan-gp' });
    const real = randn([3, 1, 16, 16]);
    const fake = tidy(() => m.generator.forward(randn([3, 4])).detach());
    const gp = gradientPenalty((x) => m.discriminator.forward(x), real, fake, {
      generator: new Generator(1),
    });
    gp.backward();
    const grads = Object.fromEntries(m.discriminator.namedParameters().map(([n, p]) => [n, p.grad]));
    // every weight, and the first bias (through the layer norm's statistics)
    for (const name of ['net.0.weight', 'net.0.bias', 'net.2.weight', 'net.3.weight', 'net.6.weight']) {
      expect(grads[name], name).not.toBeNull();
      expect(
        valuesOf(grads[name] as Tensor).some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    // ∇ₓD does not depend on the biases after the layer norm (piecewise-linear activations)
    expect(grads['net.6.bias']).toBeNull();
    for (const p of m.generator.parameters()) expect(p.grad).toBeNull();
    m.zeroGrad();
  });
});

describe('gan', () => {
  it('holds a generator and a discriminator; samples images, conditionally or not', () => {
    const m = gan({ ...tiny });
    expect(m).toBeInstanceOf(GAN);
    expect(m.generator).toBeInstanceOf(DCGANGenerator);
    expect(m.discriminator).toBeInstanceOf(DCGANDiscriminator);
    expect(m.nCritic).toBe(1);
    expect(m.discriminatorNorm).toBe('batch');
    m.eval();
    expect(m.sample(5).shape).toEqual([5, 1, 8, 8]);
    const s = valuesOf(m.sample(2, undefined, { generator: new Generator(2) }));
    expect(valuesOf(m.sample(2, undefined, { generator: new Generator(2) }))).toEqual(s);
    const c = gan({ ...tiny, numClasses: 4, conditioning: 'onehot' });
    c.eval();
    expect(c.sample(6).shape).toEqual([6, 1, 8, 8]);
    expect(c.sample(3, [3, 2, 1]).shape).toEqual([3, 1, 8, 8]);
    // default labels cycle through the classes: 0, 1, 2, 3, 0, 1
    const cycled = valuesOf(c.sample(6, undefined, { generator: new Generator(7) }));
    expect(valuesOf(c.sample(6, [0, 1, 2, 3, 0, 1], { generator: new Generator(7) }))).toEqual(cycled);
    expectError(() => m.sample(2, [0, 1]), ValueError, 'GAN.sample', 'unconditional');
    expectError(() => c.sample(2, [0]), ShapeError, 'GAN.sample', 'labels [2]', '[1]');
    const w = gan({ ...tiny, loss: 'wgan-gp' });
    expect([w.nCritic, w.gpWeight, w.discriminatorNorm]).toEqual([5, 10, 'layer']);
  });

  it("init 'dcgan' draws weights from N(0, 0.02), batch-norm scales from N(1, 0.02), biases 0", () => {
    const m = gan({ latentSize: 16, generatorFeatures: 16, discriminatorFeatures: 16, init: 'dcgan' });
    expect(m.init).toBe('dcgan');
    const stats = (t: Tensor) => {
      const v = valuesOf(t);
      const mu = v.reduce((a, b) => a + b, 0) / v.length;
      return { mu, sd: Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length) };
    };
    const [linear0, bn0, , , convT] = m.generator.net.layers as unknown as {
      weight: Tensor;
      bias: Tensor | null;
    }[];
    for (const w of [linear0.weight, convT.weight, m.discriminator.net.layers[0].parameters()[0]]) {
      expect(Math.abs(stats(w).mu)).toBeLessThan(0.005);
      expect(stats(w).sd).toBeCloseTo(0.02, 2);
    }
    expect(stats(bn0.weight).mu).toBeCloseTo(1, 2);
    expect(stats(bn0.weight).sd).toBeCloseTo(0.02, 2);
    expect(stats(linear0.bias as Tensor)).toEqual({ mu: 0, sd: 0 });
    // the default keeps each layer's own init (PyTorch's), and the option round-trips through config
    expect(stats(gan({ ...tiny }).generator.net.layers[1].parameters()[0])).toEqual({ mu: 1, sd: 0 });
    expect(GAN.fromConfig(m.config()).init).toBe('dcgan');
    expectError(() => gan({ init: 'xavier' as never }), ValueError, 'gan', 'init', '"xavier"');
  });

  it('trainStep: one discriminator update, then one generator update, each with its own optimizer', () => {
    const m = gan({ ...tiny });
    const opts = optimizers(m);
    const x = randn([4, 1, 8, 8]);
    const g0 = valuesOf(m.generator.net.layers[0].parameters()[0]);
    const d0 = valuesOf(m.discriminator.net.layers[0].parameters()[0]);
    const logs = tidy(() => logValues(m.trainStep({ x }, stepContext(opts))));
    expect(Object.keys(logs).sort()).toEqual(['d_loss', 'g_loss']);
    expect(valuesOf(m.generator.net.layers[0].parameters()[0])).not.toEqual(g0);
    expect(valuesOf(m.discriminator.net.layers[0].parameters()[0])).not.toEqual(d0);
    // no gradient is left behind, and every parameter trains again
    for (const p of m.parameters()) {
      expect(p.grad).toBeNull();
      expect(p.requiresGrad).toBe(true);
    }
    expect(GAN_OPTIMIZERS).toEqual({ generator: 'gen', discriminator: 'disc' });
    expectError(
      () => m.trainStep({ x }, stepContext({ default: opts.gen })),
      ValueError,
      'GAN.trainStep',
      "optimizer named 'disc'",
      "got 'default'",
    );
  });

  it('learns a tiny distribution: samples move towards the real images (each objective)', () => {
    const pattern = tensor(Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0.8 : -0.8))).reshape([
      1, 1, 8, 8,
    ]);
    const x = expand(pattern, [16, 1, 8, 8]);
    for (const loss of ['nonSaturating', 'wgan-gp', 'r1'] as const) {
      manualSeed(3);
      const m = gan({
        ...tiny,
        ...(loss === 'r1' ? { r1Weight: 1, discriminatorNorm: 'layer' } : { loss }),
        nCritic: loss === 'wgan-gp' ? 2 : 1,
      });
      const distance = () =>
        tidy(() => {
          m.eval();
          const d = mean(
            square(sub(m.sample(32, undefined, { generator: new Generator(5) }), pattern)),
          ).item();
          m.train();
          return d;
        });
      const before = distance();
      const logs = runTrainSteps(m, () => ({ x }), optimizers(m), 40);
      expect(distance(), loss).toBeLessThan(before * 0.85);
      if (loss === 'wgan-gp') {
        expect(Object.keys(logs[0]).sort()).toEqual(['d_loss', 'g_loss', 'gp']);
        expect(logs[39].d_loss).toBeLessThan(logs[0].d_loss); // the critic separates real from fake
      } else if (loss === 'r1') {
        expect(Object.keys(logs[0]).sort()).toEqual(['d_loss', 'g_loss', 'r1']);
        expect(logs[0].r1).toBeGreaterThan(0);
        expect(logs[39].d_loss).toBeLessThan(logs[0].d_loss);
      } else {
        expect(logs[39].d_loss).toBeLessThan(logs[0].d_loss);
      }
    }
  }, 120_000);

  it('r1Every (lazy R1) penalises every k-th step only, k times as much', () => {
    const x = randn([4, 1, 8, 8]);
    const run = (r1Every: number, steps: number) => {
      manualSeed(7);
      const m = gan({ ...tiny, r1Weight: 2, r1Every, discriminatorNorm: 'layer' });
      return runTrainSteps(m, () => ({ x }), optimizers(m), steps);
    };
    const lazy = run(4, 6);
    expect(lazy.map((l) => 'r1' in l)).toEqual([true, false, false, false, true, false]);
    // Step 0 draws the same fakes from the same weights: only the penalty's weight differs,
    // γ/2 = 1 every step against k·γ/2 = 4 on every fourth.
    const [plain] = run(1, 1);
    expectClose(lazy[0].r1, plain.r1, { rtol: 1e-6 });
    expectClose(lazy[0].d_loss - plain.d_loss, 3 * plain.r1, { rtol: 1e-4 });
  });

  it('r1Weight changes between steps, as a γ schedule does, on a GAN built with R1 only', () => {
    const x = randn([4, 1, 8, 8]);
    const run = (built: number, set: number | null) => {
      manualSeed(7);
      const m = gan({ ...tiny, r1Weight: built, discriminatorNorm: 'layer' });
      if (set !== null) m.r1Weight = set;
      return { m, logs: runTrainSteps(m, () => ({ x }), optimizers(m), 2) };
    };
    const switched = run(2, 0.5);
    expect(switched.logs).toEqual(run(0.5, null).logs); // the same as built with γ = 0.5
    expect(switched.m.r1Weight).toBe(0.5);
    expect(switched.m.config()).toMatchObject({ r1Weight: 0.5 });
    expectError(
      () => {
        gan({ ...tiny }).r1Weight = 1;
      },
      ValueError,
      'GAN.r1Weight',
      'built without the R1 penalty',
      'r1Weight 1',
    );
    expectError(
      () => {
        switched.m.r1Weight = 0;
      },
      ValueError,
      'GAN.r1Weight',
      '> 0',
      'number 0',
    );
  });

  it('gpWeight changes between steps, as a λ schedule does, under WGAN-GP only', () => {
    const x = randn([4, 1, 8, 8]);
    const run = (built: number, set: number | null) => {
      manualSeed(7);
      const m = gan({ ...tiny, loss: 'wgan-gp', nCritic: 1, gpWeight: built });
      if (set !== null) m.gpWeight = set;
      return { m, logs: runTrainSteps(m, () => ({ x }), optimizers(m), 2) };
    };
    const switched = run(10, 1);
    expect(switched.logs).toEqual(run(1, null).logs); // the same as built with λ = 1
    expect(switched.m.config()).toMatchObject({ gpWeight: 1 });
    expectError(
      () => {
        gan({ ...tiny }).gpWeight = 1;
      },
      ValueError,
      'GAN.gpWeight',
      "loss 'wgan-gp'",
      "'nonSaturating'",
      'gpWeight 1',
    );
    expectError(
      () => {
        switched.m.gpWeight = 0;
      },
      ValueError,
      'GAN.gpWeight',
      '> 0',
    );
  });

  it('a conditional GAN trains on (x, y) batches; evalStep reports both losses without updates', () => {
    const m = gan({ ...tiny, numClasses: 2 });
    const x = randn([4, 1, 8, 8]);
    const y = tensor([0, 1, 1, 0], { dtype: 'int32' });
    const logs = runTrainSteps(m, () => ({ x, y }), optimizers(m), 3);
    expect(logs).toHaveLength(3);
    expectError(
      () => m.trainStep({ x }, stepContext(optimizers(m))),
      ValueError,
      'GAN.trainStep',
      'batch.y [4]',
    );
    const before = valuesOf(m.discriminator.net.layers[0].parameters()[0]);
    const e = tidy(() => logValues(m.evalStep({ x, y }, stepContext({}))));
    expect(Object.keys(e).sort()).toEqual(['d_loss', 'g_loss']);
    expect(valuesOf(m.discriminator.net.layers[0].parameters()[0])).toEqual(before);
  });

  it('emaDecay keeps a moving average of the generator that forward and sample draw from', async () => {
    const m = gan({ ...tiny, emaDecay: 0.9 });
    const ema = m.generatorEma as DCGANGenerator;
    expect(ema).toBeInstanceOf(DCGANGenerator);
    expect(ema.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const before = ema.parameters().map(valuesOf);
    expect(m.generator.parameters().map(valuesOf)).toEqual(before); // starts as a copy
    runTrainSteps(m, () => ({ x: randn([4, 1, 8, 8]) }), optimizers(m), 1);
    // ema ← 0.9 · ema + 0.1 · generator after the step
    ema.parameters().forEach((p, i) => {
      const g = valuesOf(m.generator.parameters()[i]);
      expectClose(
        valuesOf(p),
        before[i].map((b, j) => 0.9 * b + 0.1 * g[j]),
        1e-6,
      );
    });
    expect(valuesOf(ema.namedBuffers()[0][1])).toEqual(valuesOf(m.generator.namedBuffers()[0][1]));
    m.eval();
    const z = randn([2, tiny.latentSize]);
    expect(valuesOf(m.forward(z))).toEqual(valuesOf(ema.forward(z)));
    expect(valuesOf(m.forward(z))).not.toEqual(valuesOf(m.generator.forward(z)));
    await expectSaveLoadRoundTrip(m, z, (loaded) =>
      loaded.sample(3, undefined, { generator: new Generator(4) }),
    );
    expect(gan({ ...tiny }).generatorEma).toBeNull();
    expectError(() => gan({ emaDecay: 1 }), ValueError, 'gan', 'emaDecay', '[0, 1)', '1');
  });

  it('updateAverageStatistics measures batch norm for the averaged weights; the next step copies them over', () => {
    const m = gan({ ...tiny, numClasses: 2, emaDecay: 0.9 });
    const ema = m.generatorEma as DCGANGenerator;
    const batch = () => ({ x: randn([4, 1, 8, 8]), y: tensor([0, 1, 1, 0], { dtype: 'int32' }) });
    const opts = optimizers(m);
    runTrainSteps(m, batch, opts, 2);
    const buffers = (g: DCGANGenerator) => g.namedBuffers().map(([, b]) => valuesOf(b));
    expect(buffers(ema)).toEqual(buffers(m.generator));
    m.eval();
    m.updateAverageStatistics({ batches: 3, batchSize: 6, generator: new Generator(7) });
    const measured = buffers(ema);
    expect(measured).not.toEqual(buffers(m.generator));
    expect(ema.training).toBe(false);
    // the same as updateBatchNorm over sample's inputs: noise, then the labels cycling 0, 1, 0, …
    const g = new Generator(7);
    const labels = tensor([0, 1, 0, 1, 0, 1], { dtype: 'int32' });
    updateBatchNorm(
      ema,
      Array.from({ length: 3 }, () => [randn([6, tiny.latentSize], { generator: g }), labels]),
    );
    expect(buffers(ema)).toEqual(measured);
    m.train();
    runTrainSteps(m, batch, opts, 1);
    expect(buffers(ema)).toEqual(buffers(m.generator));
    expect(() => gan({ ...tiny }).updateAverageStatistics()).not.toThrow(); // no average: nothing to do
    expectError(
      () => m.updateAverageStatistics({ batches: 0 }),
      ValueError,
      'GAN.updateAverageStatistics',
      'batches',
    );
  });

  it('latentCodes (InfoGAN): a code beside the noise, learnt back by a head on the discriminator', async () => {
    const m = gan({ ...tiny, latentCodes: 3, emaDecay: 0.5 });
    expect([m.latentCodes, m.infoWeight, m.discriminator.codes]).toEqual([3, 1, 3]);
    expect(m.generator.cond).toEqual({ numClasses: 3, conditioning: 'onehot' });
    m.eval();
    // codes default to uniform draws from the sampling generator, after the noise
    const drawn = valuesOf(m.sample(4, undefined, { generator: new Generator(2) }));
    const g = new Generator(2);
    const z = randn([4, tiny.latentSize], { generator: g });
    const codes = randint(0, 3, [4], { generator: g });
    expect(valuesOf(m.forward(z, codes))).toEqual(drawn);
    expect(m.sample(3, [2, 1, 0]).shape).toEqual([3, 1, 8, 8]);
    expect(valuesOf(m.sample(4, undefined, { generator: new Generator(2), averaged: false }))).toEqual(
      valuesOf(m.generator.forward(z, codes)),
    );
    expectError(() => m.sample(2, [0]), ShapeError, 'GAN.sample', 'labels [2]', '[1]');
    const x = randn([4, 1, 8, 8]);
    const both = m.discriminator.forwardWithCodes(x);
    expect(both.codeLogits.shape).toEqual([4, 3]);
    expect(valuesOf(both.scores)).toEqual(valuesOf(m.discriminator.forward(x)));
    // training: every step logs the code's cross-entropy, which the two players drive down from ln 3
    m.train();
    const pattern = tensor(Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0.8 : -0.8))).reshape([
      1, 1, 8, 8,
    ]);
    const logs = runTrainSteps(m, () => ({ x: expand(pattern, [16, 1, 8, 8]) }), optimizers(m), 30);
    expect(Object.keys(logs[0]).sort()).toEqual(['d_loss', 'g_loss', 'info']);
    expect(logs[0].info).toBeGreaterThan(0.9 * Math.log(3));
    expect(logs[29].info).toBeLessThan(0.5 * Math.log(3));
    for (const p of m.parameters()) expect(p.grad).toBeNull();
    const e = tidy(() => logValues(m.evalStep({ x }, stepContext({}))));
    expect(Object.keys(e).sort()).toEqual(['d_loss', 'g_loss']);
    m.eval();
    await expectSaveLoadRoundTrip(m, x, (loaded) =>
      loaded.sample(3, [0, 2, 1], { generator: new Generator(4) }),
    );
    await expectSaveLoadRoundTrip(m, x, (loaded) => loaded.discriminator.forwardWithCodes(x).codeLogits);
    expect(GAN.fromConfig(gan({ ...tiny, latentCodes: 4, infoWeight: 0.5 }).config()).infoWeight).toBe(0.5);
    expect(gan({ ...tiny }).config()).not.toHaveProperty('latentCodes');
    expectError(
      () => gan({ latentCodes: 2, numClasses: 2 }),
      ValueError,
      'gan',
      'latentCodes',
      'unconditional',
    );
    expectError(() => gan({ infoWeight: 1 }), ValueError, 'gan', 'infoWeight', 'latentCodes only');
    expectError(() => gan({ latentCodes: 0 }), ValueError, 'gan', 'latentCodes', 'number 0');
    expectError(
      () => gan({ ...tiny }).discriminator.forwardWithCodes(x),
      ValueError,
      'DCGANDiscriminator.forwardWithCodes',
      'no code head',
    );
  });

  it('saves and loads generator and discriminator as one file, bit-exact', async () => {
    const m = gan({ ...tiny, numClasses: 3, embeddingDim: 2 });
    runTrainSteps(
      m,
      () => ({
        x: randn([4, 1, 8, 8], { generator: new Generator(1) }),
        y: tensor([0, 1, 2, 0], { dtype: 'int32' }),
      }),
      optimizers(m),
      2,
    );
    const x = randn([3, 1, 8, 8]);
    const labels = tensor([2, 0, 1], { dtype: 'int32' });
    await expectSaveLoadRoundTrip(m, x, (loaded) =>
      loaded.sample(3, labels, { generator: new Generator(4) }),
    );
    await expectSaveLoadRoundTrip(m, x, (loaded) => loaded.discriminator.forward(x, labels));
    const w = gan({
      ...tiny,
      loss: 'wgan-gp',
      nCritic: 3,
      gpWeight: 5,
      conditioning: 'onehot',
      numClasses: 2,
    });
    await expectSaveLoadRoundTrip(w, x, (loaded) =>
      loaded.sample(2, [1, 0], { generator: new Generator(4) }),
    );
    const r = gan({ ...tiny, r1Weight: 2, discriminatorNorm: 'none' });
    expect(GAN.fromConfig(r.config()).r1Weight).toBe(2);
    expect(gan({ ...tiny }).config()).not.toHaveProperty('r1Weight');
    const lazy = gan({ ...tiny, r1Weight: 1, r1Every: 16, discriminatorNorm: 'layer' });
    expect(GAN.fromConfig(lazy.config()).r1Every).toBe(16);
    expect(r.config()).not.toHaveProperty('r1Every');
    expect(Object.keys(m.stateDict()).filter((k) => k.startsWith('generator.')).length).toBeGreaterThan(0);
    expect(Object.keys(m.stateDict()).some((k) => k.endsWith('running_mean'))).toBe(true);
  });

  it('rejects bad options with clear errors', () => {
    expectError(
      () => gan({ loss: 'hinge' as never }),
      ValueError,
      'gan',
      'loss',
      "'nonSaturating', 'wgan-gp'",
      '"hinge"',
    );
    expectError(() => gan({ imageSize: 9 }), ValueError, 'gan', 'imageSize', 'number 9');
    expectError(() => gan({ imageSize: '28' as never }), ValueError, 'gan', 'imageSize', 'string "28"');
    expectError(() => gan({ gpWeight: 10 }), ValueError, 'gan', 'gpWeight', "'wgan-gp' only");
    expectError(
      () => gan({ loss: 'wgan-gp', discriminatorNorm: 'batch' }),
      ValueError,
      'gan',
      'discriminatorNorm',
      "got 'batch'",
    );
    expectError(() => gan({ loss: 'wgan-gp', gpWeight: -1 }), ValueError, 'gan', 'gpWeight', '>= 0', '-1');
    expectError(
      () => gan({ r1Weight: 10 }),
      ValueError,
      'gan',
      'r1Weight 10',
      "discriminatorNorm 'layer' or 'none'",
      "got 'batch'",
    );
    expectError(
      () => gan({ loss: 'wgan-gp', r1Weight: 1 }),
      ValueError,
      'gan',
      'r1Weight',
      "'nonSaturating' only",
    );
    expectError(
      () => gan({ r1Weight: -1, discriminatorNorm: 'layer' }),
      ValueError,
      'gan',
      'r1Weight',
      '>= 0',
    );
    expectError(() => gan({ r1Every: 16 }), ValueError, 'gan', 'r1Every 16', 'r1Weight > 0', 'r1Weight 0');
    expectError(
      () => gan({ r1Weight: 1, r1Every: 0, discriminatorNorm: 'layer' }),
      ValueError,
      'gan',
      'r1Every',
      'number 0',
    );
    expectError(() => gan({ nCritic: 0 }), ValueError, 'gan', 'nCritic', 'number 0');
    expectError(() => gan({ conditioning: 'onehot' }), ValueError, 'gan', 'conditioning needs numClasses');
    expectError(
      () => gan({ numClasses: 2, conditioning: 'film' as never }),
      ValueError,
      'gan',
      'conditioning',
      '"film"',
    );
    expectError(
      () => dcganGenerator({ numClasses: 2, conditioning: 'onehot', embeddingDim: 4 }),
      ValueError,
      'dcganGenerator',
      'embeddingDim',
    );
    expectError(
      () => dcganDiscriminator({ norm: 'group' as never }),
      ValueError,
      'dcganDiscriminator',
      'norm',
      '"group"',
    );
    const m = gan({ ...tiny });
    expectError(() => m.generator.forward(randn([2, 5])), ShapeError, 'DCGANGenerator', 'z [N, 4]', '[2, 5]');
    expectError(
      () => m.discriminator.forward(randn([2, 1, 7, 8])),
      ShapeError,
      'DCGANDiscriminator',
      '[N, 1, 8, 8]',
    );
    expect(sum(tensor([1])).item()).toBe(1);
  });
});
