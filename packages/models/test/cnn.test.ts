import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, Tanh } from '@axon/layers';
import { cnn, lenet5 } from '@axon/models';
import { crossEntropy, manualSeed, mul, randn, tensor, ValueError } from '@axon/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { countByShapes, expectSaveLoadRoundTrip, expectUniformWithin, trainSteps } from './helpers';

beforeEach(() => manualSeed(2));

describe('cnn (the Keras MNIST CNN)', () => {
  it('is Conv 32 → ReLU → Pool → Conv 64 → ReLU → Pool → Flatten → Dense 64 → ReLU → Dense 10', () => {
    const m = cnn();
    expect(m).toBeInstanceOf(Sequential);
    expect(m.layers.map((l) => l.constructor)).toEqual([
      Conv2d,
      ReLU,
      MaxPool2d,
      Conv2d,
      ReLU,
      MaxPool2d,
      Flatten,
      Linear,
      ReLU,
      Linear,
    ]);
    expect(Object.fromEntries(Object.entries(m.stateDict()).map(([n, t]) => [n, t.shape]))).toEqual({
      '0.weight': [32, 1, 3, 3],
      '0.bias': [32],
      '3.weight': [64, 32, 3, 3],
      '3.bias': [64],
      '7.weight': [64, 1600],
      '7.bias': [64],
      '9.weight': [10, 64],
      '9.bias': [10],
    });
  });

  it('has 121,930 parameters for 28×28×1 → 10 (counted by hand)', () => {
    // conv1 32·1·3·3 + 32 = 320; conv2 64·32·3·3 + 64 = 18,496; 28→26→13→11→5, so the dense
    // layer sees 64·5·5 = 1600: 1600·64 + 64 = 102,464; out 64·10 + 10 = 650.
    expect(320 + 18_496 + 102_464 + 650).toBe(121_930);
    const m = cnn({ inChannels: 1, numClasses: 10 });
    expect(m.numParameters()).toBe(121_930);
    expect(countByShapes(m)).toBe(121_930);
    // 3 channels, 5 classes: conv1 32·3·9+32 = 896; out 64·5+5 = 325
    expect(cnn({ inChannels: 3, numClasses: 5 }).numParameters()).toBe(896 + 18_496 + 102_464 + 325);
    // 32×32: 30→15→13→6: dense 64·36·64 + 64 = 147,520
    expect(cnn({ imageSize: 32 }).numParameters()).toBe(320 + 18_496 + 147_520 + 650);
  });

  it('maps [N, 1, 28, 28] → [N, 10] and names the layer on a wrong input', () => {
    const m = cnn();
    expect(m.forward(randn([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(cnn({ imageSize: [12, 16], numClasses: 3 }).forward(randn([1, 1, 12, 16])).shape).toEqual([1, 3]);
    expect(() => m.forward(randn([2, 3, 28, 28]))).toThrow(/Conv2d: expected input \[N, 1, H, W\]/);
  });

  it("uses torch's default init: conv weights and biases U(±1/√(C·k·k))", () => {
    const m = cnn();
    const c1 = m.layers[0] as Conv2d;
    const c2 = m.layers[3] as Conv2d;
    expectUniformWithin(c1.weight, 1 / 3);
    expectUniformWithin(c1.bias as never, 1 / 3);
    expectUniformWithin(c2.weight, 1 / Math.sqrt(32 * 9));
    expectUniformWithin((m.layers[7] as Linear).weight, 1 / 40);
  });

  it('save → load gives identical outputs', async () => {
    await expectSaveLoadRoundTrip(cnn(), randn([2, 1, 28, 28]));
  });

  it('trains: the loss falls on a small synthetic image task', () => {
    // Class = which half of a 12×12 image is bright.
    const n = 16;
    const yv = Array.from({ length: n }, (_, i) => i % 2);
    const img = yv.map((c) =>
      Array.from({ length: 12 }, () =>
        Array.from({ length: 12 }, (_, col) => (col < 6 === (c === 0) ? 1 : 0)),
      ),
    );
    const x = tensor(img.map((a) => [a])).add(mul(randn([n, 1, 12, 12]), 0.1));
    const y = tensor(yv, 'int32');
    const m = cnn({ imageSize: 12, numClasses: 2 });
    const losses = trainSteps(m, () => crossEntropy(m.forward(x), y), 15, 0.1);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
  });

  it('rejects bad options with errors naming cnn', () => {
    expect(() => cnn({ inChannels: 0 })).toThrow(ValueError);
    expect(() => cnn({ inChannels: 0 })).toThrow(
      'cnn: expected inChannels to be a positive integer, got number 0',
    );
    expect(() => cnn({ numClasses: 1.5 })).toThrow(
      'cnn: expected numClasses to be a positive integer, got number 1.5',
    );
    expect(() => cnn({ imageSize: 8 })).toThrow('cnn: imageSize 8×8 is too small');
    expect(() => cnn({ imageSize: [28] as never })).toThrow(
      'cnn: imageSize must be a positive integer or [height, width]',
    );
  });
});

describe('lenet5', () => {
  it('is Conv 6 (pad 2) → act → pool → Conv 16 → act → pool → 120 → 84 → classes, 61,706 params', () => {
    const m = lenet5();
    expect(m.layers.map((l) => l.constructor)).toEqual([
      Conv2d,
      ReLU,
      MaxPool2d,
      Conv2d,
      ReLU,
      MaxPool2d,
      Flatten,
      Linear,
      ReLU,
      Linear,
      ReLU,
      Linear,
    ]);
    // 6·1·25+6 = 156; 16·6·25+16 = 2,416; 400·120+120 = 48,120; 120·84+84 = 10,164; 84·10+10 = 850
    expect(m.numParameters()).toBe(156 + 2_416 + 48_120 + 10_164 + 850);
    expect(m.numParameters()).toBe(61_706);
    expect(countByShapes(m)).toBe(61_706);
    expect(m.forward(randn([3, 1, 28, 28])).shape).toEqual([3, 10]);
    const classic = lenet5({ activation: 'tanh', pooling: 'avg', numClasses: 4 });
    expect(classic.layers[1]).toBeInstanceOf(Tanh);
    expect(classic.layers[2]).toBeInstanceOf(AvgPool2d);
    expect(classic.forward(randn([1, 1, 28, 28])).shape).toEqual([1, 4]);
    expect(classic.numParameters()).toBe(156 + 2_416 + 48_120 + 10_164 + 340);
  });

  it('save → load gives identical outputs', async () => {
    await expectSaveLoadRoundTrip(lenet5({ activation: 'tanh', pooling: 'avg' }), randn([2, 1, 28, 28]));
  });

  it('rejects bad options', () => {
    expect(() => lenet5({ activation: 'sigmoid' as never })).toThrow(
      "lenet5: expected activation to be one of 'relu', 'tanh', got string \"sigmoid\"",
    );
    expect(() => lenet5({ pooling: 'min' as never })).toThrow(
      "lenet5: expected pooling to be one of 'max', 'avg'",
    );
  });
});
