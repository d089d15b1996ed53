import type { AnyModule } from '@axon/layers';
import {
  cnn,
  convAutoencoder,
  dcganGenerator,
  denseAutoencoder,
  lenet5,
  mlp,
  rnnRegressor,
  vae,
} from '@axon/models';
import { manualSeed, rand, randn, tensor } from '@axon/tensor';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectOrtMatches, printWorstDiffs } from './ort';

beforeAll(() => manualSeed(7));
afterAll(() => printWorstDiffs('zoo model'));

/** One training-mode forward, so that batch norms hold running statistics other than 0 and 1. */
function warmUp(model: AnyModule, ...inputs: unknown[]): void {
  model.train();
  (model.forward as (...xs: unknown[]) => unknown).call(model, ...inputs);
  model.eval();
}

describe('each zoo model runs in ONNX Runtime as in Axon (and at another batch size)', () => {
  it('mlp (flatten, dropout)', async () => {
    const m = mlp({
      inputSize: 64,
      hiddenSizes: [16, 8],
      outputSize: 3,
      dropout: 0.2,
      flatten: true,
      activation: 'gelu',
    });
    await expectOrtMatches('mlp', m, rand([2, 1, 8, 8]), { inputs: rand([5, 1, 8, 8]) });
  });

  it('cnn and lenet5', async () => {
    await expectOrtMatches('cnn', cnn({ imageSize: 12, numClasses: 4 }), rand([2, 1, 12, 12]), {
      inputs: rand([3, 1, 12, 12]),
    });
    await expectOrtMatches('lenet5', lenet5({ activation: 'tanh', pooling: 'avg' }), rand([2, 1, 28, 28]));
  });

  it('rnnRegressor (rnn, lstm, gru)', async () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const m = rnnRegressor({ cell, inputSize: 2, hiddenSize: 6, outputSize: 1, numLayers: 2 });
      await expectOrtMatches(`rnnRegressor ${cell}`, m, randn([2, 7, 2]), { inputs: randn([4, 7, 2]) });
    }
  });

  it('autoencoders (dense tied on images, convolutional with a dense code)', async () => {
    const dense = denseAutoencoder({
      inputSize: 36,
      hiddenSizes: [12],
      latentSize: 4,
      tied: true,
      loss: 'bce',
    });
    await expectOrtMatches('denseAutoencoder tied', dense, rand([2, 1, 6, 6]), {
      inputs: rand([3, 1, 6, 6]),
    });
    const conv = convAutoencoder({ imageSize: [9, 7], channels: [4, 6], latentSize: 5 });
    await expectOrtMatches('convAutoencoder', conv, rand([2, 1, 9, 7]));
  });

  it('VAE (mean reconstruction) and its decoder', async () => {
    const mlpVae = vae({ inputSize: 16, hiddenSizes: [8], latentSize: 3 });
    await expectOrtMatches('vae mlp', mlpVae, rand([2, 1, 4, 4]));
    const convVae = vae({
      encoder: 'conv',
      imageSize: 8,
      channels: [4, 8],
      latentSize: 3,
      decoder: 'gaussian',
    });
    await expectOrtMatches('vae conv gaussian', convVae, rand([2, 1, 8, 8]));
    await expectOrtMatches('vae decoder', mlpVae.decoder, randn([2, 3]), { inputs: randn([6, 3]) });
  });

  it('DCGAN generator (unconditional, embedding and one-hot conditioning)', async () => {
    const g = dcganGenerator({ latentSize: 8, imageSize: 16, features: 4 });
    warmUp(g, randn([4, 8]));
    await expectOrtMatches('dcganGenerator', g, randn([2, 8]), { inputs: randn([3, 8]) });
    const labels = tensor([1, 0, 2], { dtype: 'int32' });
    for (const conditioning of ['embedding', 'onehot'] as const) {
      const c = dcganGenerator({ latentSize: 8, imageSize: 8, features: 4, numClasses: 3, conditioning });
      warmUp(c, randn([3, 8]), labels);
      await expectOrtMatches(`dcganGenerator ${conditioning}`, c, [randn([3, 8]), labels]);
    }
  });
});
