import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGradients } from '@axon/autograd';
import { ScaledResidual, Swish, scaledResidual, swish } from '@axon/layer-example';
import {
  fromBytes,
  fromSpec,
  Linear,
  load,
  ReLU,
  registeredLayers,
  Sequential,
  save,
  specOf,
  toBytes,
} from '@axon/layers';
import { manualSeed, ShapeError, type Tensor, tensor, ValueError } from '@axon/tensor';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

const f64 = (values: number[], shape: number[]) => tensor(values, { shape, dtype: 'float64' });
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function bitsOf(t: Tensor): number[] {
  const v = t.dataSync();
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

beforeEach(() => manualSeed(3));

describe('Swish', () => {
  it('computes x·sigmoid(β·x), with one β or one per channel', () => {
    const x = tensor([[-2, 0, 1.5]]);
    const got = Array.from(new Swish().forward(x).dataSync());
    const want = [-2 * sigmoid(-2), 0, 1.5 * sigmoid(1.5)];
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i], 6);
    const perChannel = new Swish(3, { init: 2 });
    const y = Array.from(perChannel.forward(x).dataSync());
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo([-2 * sigmoid(-4), 0, 1.5 * sigmoid(3)][i], 6);
    // β along dim 1 of an [N, C, L] input.
    const z = swish(
      tensor([
        [
          [1, 1],
          [1, 1],
        ],
      ]),
      tensor([0, 1]),
    );
    expect(Array.from(z.dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.5, 0.731059, 0.731059]);
  });

  it('names itself and the shapes in its errors', () => {
    expect(() =>
      new Swish(4).forward(
        tensor([
          [1, 2, 3, 4, 5],
          [1, 2, 3, 4, 5],
        ]),
      ),
    ).toThrow(new ShapeError('Swish: expected input [N, 4, ...], got [2, 5]'));
    expect(() => new Swish(0)).toThrow(
      new ValueError('Swish: expected numChannels to be an integer >= 1, got 0'),
    );
    expect(() => swish(tensor([1, 2]), tensor([[1]]))).toThrow(
      'swish: expected beta of shape [1] or [C], got [1, 1]',
    );
  });

  it('has a config, a state dict under PyTorch-style names, and gradients', () => {
    const s = new Swish(3, { init: 0.5 });
    expect(s.config()).toEqual({ numChannels: 3, init: 0.5 });
    expect(Object.keys(s.stateDict())).toEqual(['beta']);
    expect(s.numParameters()).toBe(3);
    const again = fromSpec(JSON.parse(JSON.stringify(specOf(s))));
    expect(again).toBeInstanceOf(Swish);
    expect(again.config()).toEqual(s.config());
    const x = f64([-1.3, 0.4, 2.1, 0.9, -0.2, 1.7], [2, 3]);
    expect(checkGradients(swish, [x, f64([0.7, 1.2, -0.4], [3])]).ok).toBe(true);
    expect(checkGradients(swish, [x, f64([1.1], [1])]).ok).toBe(true);
  });
});

describe('ScaledResidual', () => {
  it('computes x + α·block(x) and starts as the identity', () => {
    const block = new Linear(3, 3);
    const r = new ScaledResidual(block);
    const x = tensor([[1, -2, 0.5]]);
    expect(Array.from(r.forward(x).dataSync())).toEqual([1, -2, 0.5]);
    const r2 = new ScaledResidual(block, { init: 0.5 });
    const fx = block.forward(x).dataSync();
    for (const [i, v] of r2.forward(x).dataSync().entries()) {
      expect(v).toBeCloseTo([1, -2, 0.5][i] + 0.5 * fx[i], 6);
    }
  });

  it('names the shapes in its errors', () => {
    expect(() => new ScaledResidual(new Linear(3, 2)).forward(tensor([[1, 2, 3]]))).toThrow(
      "ScaledResidual: expected the block to keep the input's shape [1, 3], got [1, 2]",
    );
    expect(() => scaledResidual(tensor([1, 2]), tensor([1, 2]), tensor([1, 2]))).toThrow(
      'scaledResidual: expected alpha of shape [1], got [2]',
    );
  });

  it('nests its block in config and state dict; gradients', () => {
    const r = new ScaledResidual(new Linear(2, 2), { init: 0.25 });
    expect(Object.keys(r.stateDict())).toEqual(['alpha', 'block.weight', 'block.bias']);
    expect(r.config()).toEqual({
      block: { type: 'Linear', config: { inFeatures: 2, outFeatures: 2, bias: true } },
      init: 0.25,
    });
    const again = fromSpec(JSON.parse(JSON.stringify(specOf(r))));
    expect(again.config()).toEqual(r.config());
    const report = checkGradients(scaledResidual, [
      f64([0.3, -1.1, 0.8, 2], [2, 2]),
      f64([1.2, 0.1, -0.6, 0.4], [2, 2]),
      f64([0.7], [1]),
    ]);
    expect(report.ok, report.message).toBe(true);
  });
});

describe('model files with layers from this package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-layer-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are registered on import', () => {
    expect(registeredLayers()).toEqual(expect.arrayContaining(['Swish', 'ScaledResidual']));
  });

  it('save and load a Sequential(Linear, Swish, ScaledResidual, Linear) with identical outputs', async () => {
    const model = new Sequential(
      new Linear(4, 3),
      new Swish(3, { init: 0.8 }),
      new ScaledResidual(new Sequential(new Linear(3, 3), new ReLU()), { init: 0.3 }),
      new Linear(3, 2),
    );
    const path = join(dir, 'swish.axon');
    await save(model, path);
    const { model: loaded } = await load(path);
    expect(specOf(loaded)).toEqual(specOf(model));
    expect(Object.keys(loaded.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.beta',
      '2.alpha',
      '2.block.0.weight',
      '2.block.0.bias',
      '3.weight',
      '3.bias',
    ]);
    const x = tensor([
      [0.1, -0.5, 2, 1.2],
      [-1, 0.3, 0.7, -2.2],
    ]);
    expect(bitsOf((loaded as Sequential).forward(x))).toEqual(bitsOf(model.forward(x)));
    // The same through bytes, as in a browser.
    const { model: fromMemory } = fromBytes(toBytes(model), 'memory');
    expect(bitsOf((fromMemory as Sequential).forward(x))).toEqual(bitsOf(model.forward(x)));
  });
});
