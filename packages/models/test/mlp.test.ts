import { Dropout, Flatten, GELU, Linear, ReLU, Sequential, Tanh } from '@axon/layers';
import { mlp } from '@axon/models';
import { crossEntropy, manualSeed, mse, randn, tensor, ValueError } from '@axon/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { countByShapes, expectSaveLoadRoundTrip, expectUniformWithin, run, trainSteps } from './helpers';

beforeEach(() => manualSeed(1));

describe('mlp', () => {
  it('builds Linear → act → [Dropout] → … → Linear with no final activation', () => {
    const m = mlp({ inputSize: 4, hiddenSizes: [8, 6], outputSize: 3, dropout: 0.2, activation: 'tanh' });
    expect(m).toBeInstanceOf(Sequential);
    expect(m.layers.map((l) => l.constructor)).toEqual([
      Linear,
      Tanh,
      Dropout,
      Linear,
      Tanh,
      Dropout,
      Linear,
    ]);
    expect(m.layers.map((l) => (l instanceof Linear ? [l.inFeatures, l.outFeatures] : null))).toEqual([
      [4, 8],
      null,
      null,
      [8, 6],
      null,
      null,
      [6, 3],
    ]);
    expect((m.layers[2] as Dropout).p).toBe(0.2);
    // defaults: relu, no dropout; [] hidden → one Linear
    const d = mlp({ inputSize: 2, hiddenSizes: [5], outputSize: 1 });
    expect(d.layers.map((l) => l.constructor)).toEqual([Linear, ReLU, Linear]);
    expect(mlp({ inputSize: 3, hiddenSizes: [], outputSize: 2 }).layers.map((l) => l.constructor)).toEqual([
      Linear,
    ]);
    expect(
      mlp({ inputSize: 3, hiddenSizes: [4], outputSize: 2, activation: 'gelu' }).layers[1],
    ).toBeInstanceOf(GELU);
  });

  it('has the parameter counts worked out by hand', () => {
    // Keras Fashion-MNIST MLP: Flatten → Dense 128 relu → Dense 10: 784·128+128 + 128·10+10.
    const keras = mlp({ inputSize: 784, hiddenSizes: [128], outputSize: 10, flatten: true });
    expect(keras.numParameters()).toBe(101_770);
    expect(countByShapes(keras)).toBe(101_770);
    // xor: 2·4+4 + 4·1+1 = 17
    expect(mlp({ inputSize: 2, hiddenSizes: [4], outputSize: 1 }).numParameters()).toBe(17);
    // 10·20+20 + 20·30+30 + 30·5+5 = 1005; dropout adds none
    expect(mlp({ inputSize: 10, hiddenSizes: [20, 30], outputSize: 5, dropout: 0.5 }).numParameters()).toBe(
      1005,
    );
    expect(mlp({ inputSize: 7, hiddenSizes: [], outputSize: 3 }).numParameters()).toBe(24);
  });

  it('maps [N, in] → [N, out], and with flatten images [N, 1, 28, 28] → [N, 10]', () => {
    const m = mlp({ inputSize: 5, hiddenSizes: [7], outputSize: 3 });
    expect(m.forward(randn([4, 5])).shape).toEqual([4, 3]);
    const img = mlp({ inputSize: 784, hiddenSizes: [32], outputSize: 10, flatten: true });
    expect(img.layers[0]).toBeInstanceOf(Flatten);
    expect(img.forward(randn([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(() => m.forward(randn([4, 6]))).toThrow(/Linear: expected input \[\.\.\., 5\], got \[4, 6\]/);
  });

  it("uses torch's default init: weight and bias U(±1/√fanIn)", () => {
    const m = mlp({ inputSize: 64, hiddenSizes: [100], outputSize: 50 });
    const [l0, , l2] = m.layers as [Linear, unknown, Linear];
    expectUniformWithin(l0.weight, 1 / 8);
    expectUniformWithin(l0.bias as never, 1 / 8);
    expectUniformWithin(l2.weight, 1 / 10);
    expectUniformWithin(l2.bias as never, 1 / 10);
    // seeded: the same seed gives the same weights
    manualSeed(5);
    const a = run(mlp({ inputSize: 3, hiddenSizes: [4], outputSize: 2 }), tensor([[1, 2, 3]]));
    manualSeed(5);
    const b = run(mlp({ inputSize: 3, hiddenSizes: [4], outputSize: 2 }), tensor([[1, 2, 3]]));
    expect(a).toEqual(b);
  });

  it('save → load gives identical outputs (with dropout, in eval mode)', async () => {
    const m = mlp({ inputSize: 6, hiddenSizes: [8, 8], outputSize: 3, activation: 'elu', dropout: 0.3 });
    await expectSaveLoadRoundTrip(m, randn([5, 6]));
    const f = mlp({ inputSize: 16, hiddenSizes: [4], outputSize: 2, flatten: true, activation: 'leakyRelu' });
    await expectSaveLoadRoundTrip(f, randn([3, 1, 4, 4]));
  });

  it('trains: the loss falls on xor (MSE) and on a 3-class problem (cross-entropy)', () => {
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = tensor([[0], [1], [1], [0]]);
    const m = mlp({ inputSize: 2, hiddenSizes: [8], outputSize: 1, activation: 'tanh' });
    const losses = trainSteps(m, () => mse(m.forward(x), y), 300, 0.1);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);

    const xc = randn([30, 4]);
    const yc = tensor(
      Array.from({ length: 30 }, (_, i) => i % 3),
      'int32',
    );
    const c = mlp({ inputSize: 4, hiddenSizes: [16], outputSize: 3 });
    const ce = trainSteps(c, () => crossEntropy(c.forward(xc), yc), 30, 0.2);
    expect(ce[ce.length - 1]).toBeLessThan(ce[0]);
  });

  it('rejects bad options with errors naming mlp and the option', () => {
    const ok = { inputSize: 2, hiddenSizes: [3], outputSize: 1 };
    expect(() => mlp({ ...ok, inputSize: 0 })).toThrow(ValueError);
    expect(() => mlp({ ...ok, inputSize: 0 })).toThrow(
      'mlp: expected inputSize to be a positive integer, got number 0',
    );
    expect(() => mlp({ ...ok, hiddenSizes: [3, 2.5] })).toThrow(
      'mlp: expected hiddenSizes[1] to be a positive integer, got number 2.5',
    );
    expect(() => mlp({ ...ok, hiddenSizes: 3 as never })).toThrow('mlp: hiddenSizes must be an array');
    expect(() => mlp({ ...ok, outputSize: -1 })).toThrow(
      'mlp: expected outputSize to be a positive integer, got number -1',
    );
    expect(() => mlp({ ...ok, activation: 'swish' as never })).toThrow(
      "mlp: expected activation to be one of 'relu', 'tanh', 'sigmoid', 'gelu', 'leakyRelu', 'elu', got string \"swish\"",
    );
    expect(() => mlp({ ...ok, dropout: 1 })).toThrow(
      'mlp: expected dropout to be a probability in [0, 1), got number 1',
    );
    expect(() => mlp(undefined as never)).toThrow(
      'mlp: expected inputSize to be a positive integer, got undefined',
    );
  });
});
