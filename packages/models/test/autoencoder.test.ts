import { Linear, registeredLayers, type Sequential, specOf } from '@axon/layers';
import {
  ConvAutoencoder,
  convAutoencoder,
  DenseAutoencoder,
  denseAutoencoder,
  gaussianNoise,
  maskingNoise,
  reconstructionLoss,
  TiedLinear,
} from '@axon/models';
import {
  add,
  Generator,
  manualSeed,
  matmul,
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

beforeEach(() => manualSeed(7));

/** Rank-2 data in 8 dimensions: a linear code of 2 values reconstructs it exactly. */
function lowRank(n: number, seed: number) {
  const g = new Generator(seed);
  return matmul(randn([n, 2], { generator: g }), randn([2, 8], { generator: g }));
}

describe('denseAutoencoder', () => {
  it('builds a mirrored encoder and decoder, deep or shallow', () => {
    const ae = denseAutoencoder({ inputSize: 10, hiddenSizes: [8, 6], latentSize: 3, activation: 'tanh' });
    expect(ae).toBeInstanceOf(DenseAutoencoder);
    expect(registeredLayers()).toContain('DenseAutoencoder');
    const dims = (s: Sequential) =>
      s.layers.map((l) => (l instanceof Linear ? [l.inFeatures, l.outFeatures] : l.constructor.name));
    expect(dims(ae.encoder)).toEqual([[10, 8], 'Tanh', [8, 6], 'Tanh', [6, 3]]);
    expect(dims(ae.decoder)).toEqual([[3, 6], 'Tanh', [6, 8], 'Tanh', [8, 10]]);
    // encoder 10·8+8 + 8·6+6 + 6·3+3 = 163; decoder 3·6+6 + 6·8+8 + 8·10+10 = 170
    expect(ae.numParameters()).toBe(333);
    const shallow = denseAutoencoder({ inputSize: 4, latentSize: 2, latentActivation: 'relu' });
    expect(dims(shallow.encoder)).toEqual([[4, 2], 'ReLU']);
    expect(dims(shallow.decoder)).toEqual([[2, 4]]);
  });

  it('maps x to a code and back to x’s shape; images [N, C, H, W] are flattened', () => {
    const ae = denseAutoencoder({ inputSize: 12, hiddenSizes: [5], latentSize: 2 });
    const x = randn([3, 12]);
    expect(ae.encode(x).shape).toEqual([3, 2]);
    expect(ae.decode(ae.encode(x)).shape).toEqual([3, 12]);
    expect(ae.forward(x).shape).toEqual([3, 12]);
    const img = randn([3, 1, 3, 4]);
    expect(ae.forward(img).shape).toEqual([3, 1, 3, 4]);
    expect(valuesOf(ae.forward(img))).toEqual(valuesOf(ae.forward(img.reshape([3, 12]))));
    // 'bce': forward gives logits, reconstruct and decode the probabilities
    const b = denseAutoencoder({ inputSize: 12, latentSize: 2, loss: 'bce' });
    expect(valuesOf(b.reconstruct(img))).toEqual(valuesOf(sigmoid(b.forward(img))));
    expect(valuesOf(b.decode(b.encode(x)))).toEqual(valuesOf(sigmoid(b.forward(x))));
    // 'mse': reconstruct is forward
    expect(valuesOf(ae.reconstruct(x))).toEqual(valuesOf(ae.forward(x)));
  });

  it('ties the decoder to the transposed encoder weights, with its own biases', () => {
    const ae = denseAutoencoder({ inputSize: 6, hiddenSizes: [4], latentSize: 2, tied: true });
    const [l0, , l1] = ae.encoder.layers as [Linear, unknown, Linear];
    const [t1, , t0] = ae.decoder.layers as [TiedLinear, unknown, TiedLinear];
    expect(t1).toBeInstanceOf(TiedLinear);
    expect(t1.source).toBe(l1);
    expect(t0.source).toBe(l0);
    // encoder 6·4+4 + 4·2+2 = 38, decoder biases 4 + 6
    expect(ae.numParameters()).toBe(48);
    expect(Object.keys(ae.stateDict())).toEqual([
      'encoder.0.weight',
      'encoder.0.bias',
      'encoder.2.weight',
      'encoder.2.bias',
      'decoder.0.bias',
      'decoder.2.bias',
    ]);
    const code = randn([5, 2]);
    expectClose(t1.forward(code), add(matmul(code, l1.weight), t1.bias));
    expect(() => TiedLinear.fromConfig()).toThrow(/cannot be rebuilt on its own/);
  });

  it('trainStep minimises the reconstruction loss (MSE and BCE), tied or not', () => {
    const x = lowRank(32, 1);
    for (const tied of [false, true]) {
      manualSeed(2);
      const ae = denseAutoencoder({ inputSize: 8, latentSize: 2, tied });
      const logs = runTrainSteps(ae, () => ({ x }), { default: adam(ae, { lr: 0.05 }) }, 60);
      expect(logs[59].loss, `tied ${tied}`).toBeLessThan(logs[0].loss * 0.2);
    }
    // binary data: 4 patterns of 8 bits
    const patterns = [
      [1, 1, 1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1, 1],
      [1, 0, 1, 0, 1, 0, 1, 0],
      [0, 1, 0, 1, 0, 1, 0, 1],
    ];
    const bits = tensor(Array.from({ length: 16 }, (_, i) => patterns[i % 4]));
    const b = denseAutoencoder({ inputSize: 8, hiddenSizes: [6], latentSize: 2, loss: 'bce' });
    const logs = runTrainSteps(b, () => ({ x: bits, y: bits }), { default: adam(b, { lr: 0.05 }) }, 60);
    expect(logs[59].loss).toBeLessThan(logs[0].loss * 0.5);
    expectClose(logs[0].loss, 0.69, { atol: 0.1 }); // near log 2 at init
  }, 120_000);

  it('denoises: the step corrupts the input with ctx.generator; evalStep sees the clean input', () => {
    const x = lowRank(16, 2);
    const ae = denseAutoencoder({ inputSize: 8, latentSize: 3, noise: { type: 'mask', p: 0.5 } });
    const opt = { default: adam(ae, { lr: 0 }) }; // lr 0: the parameters stay put
    const loss = (seed: number) =>
      tidy(() => logValues(ae.trainStep({ x }, stepContext(opt, { generator: new Generator(seed) }))).loss);
    expect(loss(3)).toBe(loss(3));
    expect(loss(3)).not.toBe(loss(4));
    const clean = tidy(() => reconstructionLoss(ae.forward(x), x, 'mse').item());
    expect(loss(3)).not.toBe(clean);
    const evalLoss = tidy(() => logValues(ae.evalStep({ x }, stepContext(opt))).loss);
    expect(evalLoss).toBe(clean);
    // training on corrupted inputs still lowers the clean loss
    const g = denseAutoencoder({ inputSize: 8, latentSize: 3, noise: { type: 'gaussian', std: 0.1 } });
    const before = tidy(() => g.reconstructionLoss(x).item());
    runTrainSteps(g, () => ({ x }), { default: adam(g, { lr: 0.05 }) }, 40);
    expect(tidy(() => g.reconstructionLoss(x).item())).toBeLessThan(before * 0.3);
  }, 120_000);

  it('saves and loads as one file, bit-exact, the tie restored', async () => {
    const ae = denseAutoencoder({
      inputSize: 6,
      hiddenSizes: [5, 4],
      latentSize: 2,
      tied: true,
      loss: 'bce',
      noise: { type: 'gaussian', std: 0.2 },
    });
    // move the biases off zero so that the check means something
    runTrainSteps(
      ae,
      () => ({ x: sigmoid(randn([4, 6], { generator: new Generator(5) })) }),
      { default: adam(ae) },
      2,
    );
    await expectSaveLoadRoundTrip(ae, randn([3, 6]));
    const { fromBytes, toBytes } = await import('@axon/layers');
    const loaded = fromBytes<DenseAutoencoder>(toBytes(ae)).model;
    expect(loaded.noise).toEqual({ type: 'gaussian', std: 0.2 });
    expect((loaded.decoder.layers[0] as TiedLinear).source).toBe(loaded.encoder.layers[4]);
    expect(specOf(loaded)).toEqual(specOf(ae));
  });

  it('rejects bad options and inputs with clear errors', () => {
    const ok = { inputSize: 4, latentSize: 2 };
    expectError(
      () => denseAutoencoder({ ...ok, inputSize: 0 }),
      ValueError,
      'denseAutoencoder',
      'inputSize',
      'number 0',
    );
    expectError(
      () => denseAutoencoder({ ...ok, hiddenSizes: [3, 2.5] }),
      ValueError,
      'denseAutoencoder',
      'hiddenSizes[1]',
      '2.5',
    );
    expectError(
      () => denseAutoencoder({ ...ok, loss: 'l1' as never }),
      ValueError,
      'denseAutoencoder',
      "'mse', 'bce'",
      '"l1"',
    );
    expectError(
      () => denseAutoencoder({ ...ok, tied: 1 as never }),
      ValueError,
      'denseAutoencoder',
      'tied',
      'boolean',
    );
    expectError(
      () => denseAutoencoder({ ...ok, noise: { type: 'salt' } as never }),
      ValueError,
      'denseAutoencoder',
      'noise.type',
      '"salt"',
    );
    expectError(
      () => denseAutoencoder({ ...ok, noise: { type: 'mask', p: 1 } }),
      ValueError,
      'denseAutoencoder',
      'noise.p',
      '[0, 1)',
    );
    expectError(
      () => denseAutoencoder({ ...ok, noise: { type: 'gaussian', std: -1 } }),
      ValueError,
      'denseAutoencoder',
      'noise.std',
      '>= 0',
    );
    const ae = denseAutoencoder(ok);
    expectError(() => ae.forward(randn([3, 5])), ShapeError, 'DenseAutoencoder', '[N, 4]', 'got [3, 5]');
    expectError(
      () => ae.trainStep({ x: [1, 2] } as never, stepContext({})),
      ValueError,
      'DenseAutoencoder.trainStep',
      'batch.x',
    );
    expectError(
      () => ae.trainStep({ x: randn([2, 4]) }, {} as never),
      ValueError,
      'DenseAutoencoder.trainStep',
      'StepContext',
    );
  });
});

describe('convAutoencoder', () => {
  it('mirrors stride-2 Conv2d stages with ConvTranspose2d, any image size back exactly', () => {
    for (const imageSize of [8, 7, [5, 9]] as const) {
      const ae = convAutoencoder({ inChannels: 2, imageSize: imageSize as never, channels: [3, 4] });
      const [h, w] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
      const x = randn([2, 2, h, w]);
      expect(ae.forward(x).shape).toEqual([2, 2, h, w]);
      expect(ae.encode(x).shape).toEqual([
        2,
        4,
        Math.ceil(Math.ceil(h / 2) / 2),
        Math.ceil(Math.ceil(w / 2) / 2),
      ]);
    }
    const ae = convAutoencoder({ imageSize: 28, channels: [4, 8], latentSize: 5 });
    expect(ae).toBeInstanceOf(ConvAutoencoder);
    expect(ae.encoder.layers.map((l) => l.constructor.name)).toEqual([
      'Conv2d',
      'ReLU',
      'Conv2d',
      'ReLU',
      'Flatten',
      'Linear',
    ]);
    expect(ae.decoder.layers.map((l) => l.constructor.name)).toEqual([
      'Linear',
      'ReLU',
      'Reshape',
      'ConvTranspose2d',
      'ReLU',
      'ConvTranspose2d',
    ]);
    const x = randn([3, 1, 28, 28]);
    expect(ae.encode(x).shape).toEqual([3, 5]);
    expect(ae.forward(x).shape).toEqual([3, 1, 28, 28]);
    // params: conv 1·4·9+4 = 40, 4·8·9+8 = 296; dense 392·5+5 = 1965, 5·392+392 = 2352;
    // convT 8·4·9+4 = 292, 4·1·9+1 = 37
    expect(ae.numParameters()).toBe(40 + 296 + 1965 + 2352 + 292 + 37);
  });

  it('trainStep lowers the loss; saves and loads bit-exact', async () => {
    const g = new Generator(9);
    const x = sigmoid(randn([8, 1, 8, 8], { generator: g }));
    const ae = convAutoencoder({
      imageSize: 8,
      channels: [4, 8],
      latentSize: 6,
      loss: 'bce',
      noise: { type: 'mask', p: 0.2 },
    });
    const logs = runTrainSteps(ae, () => ({ x }), { default: adam(ae, { lr: 0.02 }) }, 25);
    expect(logs[24].loss).toBeLessThan(logs[0].loss);
    await expectSaveLoadRoundTrip(ae, x);
  }, 120_000);

  it('rejects bad options and inputs with clear errors', () => {
    expectError(
      () => convAutoencoder({ kernelSize: 4 }),
      ValueError,
      'convAutoencoder',
      'kernelSize',
      'odd',
      '4',
    );
    expectError(
      () => convAutoencoder({ channels: [] }),
      ValueError,
      'convAutoencoder',
      'channels',
      'non-empty',
    );
    expectError(
      () => convAutoencoder({ imageSize: [3] as never }),
      ValueError,
      'convAutoencoder',
      'imageSize',
    );
    expectError(() => convAutoencoder({ latentSize: -1 }), ValueError, 'convAutoencoder', 'latentSize', '-1');
    const ae = convAutoencoder({ imageSize: 8, channels: [2] });
    expectError(
      () => ae.forward(randn([2, 1, 9, 8])),
      ShapeError,
      'ConvAutoencoder',
      '[N, 1, 8, 8]',
      '[2, 1, 9, 8]',
    );
  });
});

describe('denoising transforms', () => {
  it('masking noise zeroes about a fraction p and keeps the rest; Gaussian noise has std', () => {
    const x = add(randn([100, 50], { generator: new Generator(1) }), 3);
    const m = maskingNoise(x, 0.3, new Generator(2));
    const xv = valuesOf(x);
    const mv = valuesOf(m);
    const zeros = mv.filter((v) => v === 0).length / mv.length;
    expect(zeros).toBeGreaterThan(0.27);
    expect(zeros).toBeLessThan(0.33);
    expect(mv.every((v, i) => v === 0 || v === xv[i])).toBe(true);
    expect(valuesOf(maskingNoise(x, 0.3, new Generator(2)))).toEqual(mv);
    const d = valuesOf(gaussianNoise(x, 0.5, new Generator(3))).map((v, i) => v - xv[i]);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expectClose(mean, 0, { atol: 0.03 });
    expectClose(std, 0.5, { rtol: 0.05 });
    expect(maskingNoise(x, 0)).toBe(x);
  });
});
