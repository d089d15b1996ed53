// The zoo's own steps under @axon/train's `fit`: the loop calls trainStep / evalStep, steps the
// named optimizers, and logs what each family's step returns.
import { denseAutoencoder, GAN_OPTIMIZERS, gan, vae } from '@axon/models';
import { Adam } from '@axon/optim';
import { expand, Generator, manualSeed, matmul, memory, randn, sigmoid, tensor } from '@axon/tensor';
import { fit } from '@axon/train';
import { beforeEach, describe, expect, it } from 'vitest';

beforeEach(() => manualSeed(13));

describe('fit over the zoo’s steps', () => {
  it('trains an autoencoder and a VAE, logging their steps’ scalars and validation', async () => {
    const g = new Generator(1);
    const batches = Array.from({ length: 4 }, () => ({
      x: matmul(randn([8, 2], { generator: g }), randn([2, 8], { generator: new Generator(2) })),
    }));
    const ae = denseAutoencoder({ inputSize: 8, latentSize: 2, noise: { type: 'gaussian', std: 0.05 } });
    const h = await fit(ae, {
      trainData: batches,
      valData: batches.slice(0, 1),
      epochs: 6,
      optimizer: new Adam(ae.parameters(), { lr: 0.03 }),
      progress: false,
    });
    expect(Object.keys(h.history)).toEqual(expect.arrayContaining(['loss', 'val_loss']));
    expect(h.history.loss[5]).toBeLessThan(h.history.loss[0] * 0.5);

    const bits = [
      [1, 1, 1, 0, 0, 0],
      [0, 0, 0, 1, 1, 1],
    ];
    const data = Array.from({ length: 4 }, () => ({ x: tensor([...bits, ...bits, ...bits, ...bits]) }));
    const m = vae({ inputSize: 6, hiddenSizes: [8], latentSize: 2 });
    const before = memory().numTensors;
    const hv = await fit(m, {
      trainData: data,
      valData: data.slice(0, 1),
      epochs: 5,
      optimizer: new Adam(m.parameters(), { lr: 0.03 }),
      progress: false,
      seed: 3,
    });
    expect(Object.keys(hv.history)).toEqual(
      expect.arrayContaining(['kl', 'loss', 'recon', 'val_kl', 'val_loss', 'val_recon']),
    );
    expect(hv.history.loss[4]).toBeLessThan(hv.history.loss[0]);
    // the optimizer's state is all that fit leaves behind (two buffers per parameter)
    expect(memory().numTensors - before).toBeLessThanOrEqual(2 * m.parameters().length);
  }, 120_000);

  it('trains a conditional WGAN-GP with optimizers { gen, disc }', async () => {
    const pattern = tensor(Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0.8 : -0.8))).reshape([
      1, 1, 8, 8,
    ]);
    const x = expand(pattern, [4, 1, 8, 8]);
    const y = tensor([0, 1, 0, 1], { dtype: 'int32' });
    const m = gan({
      latentSize: 4,
      imageSize: 8,
      generatorFeatures: 4,
      discriminatorFeatures: 4,
      numClasses: 2,
      loss: 'wgan-gp',
      nCritic: 2,
    });
    const h = await fit(m, {
      trainData: [
        { x, y },
        { x, y },
      ],
      valData: [{ x, y }],
      epochs: 2,
      optimizers: {
        [GAN_OPTIMIZERS.generator]: new Adam(m.generator.parameters(), { lr: 1e-3, betas: [0.5, 0.9] }),
        [GAN_OPTIMIZERS.discriminator]: new Adam(m.discriminator.parameters(), {
          lr: 1e-3,
          betas: [0.5, 0.9],
        }),
      },
      progress: false,
    });
    const keys = ['d_loss', 'g_loss', 'gp', 'val_d_loss', 'val_g_loss'];
    expect(Object.keys(h.history)).toEqual(expect.arrayContaining(keys));
    for (const k of keys) for (const v of h.history[k]) expect(Number.isFinite(v), k).toBe(true);
    m.eval();
    expect(sigmoid(m.sample(2, [1, 0])).shape).toEqual([2, 1, 8, 8]);
  }, 120_000);
});
