/**
 * Module conveniences: summary(), requiresGrad_/freeze/unfreeze (with an optimizer), apply(),
 * the typed Module<In, Out>, and the functional cores exported as F.
 */
import {
  type AnyModule,
  BatchNorm1d,
  batchNorm,
  Dropout,
  F,
  Linear,
  LSTM,
  type LSTMResult,
  layerNorm,
  Module,
  multiheadAttention,
  ReLU,
  rnn,
  Sequential,
} from '@axon/layers';
import { assign, manualSeed, memory, randn, sum, type Tensor, tensor, tidy } from '@axon/tensor';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';

beforeEach(() => manualSeed(0));

function mlp(): Sequential {
  return new Sequential(new Linear(3, 4), new ReLU(), new BatchNorm1d(4), new Dropout(0.5), new Linear(4, 2));
}

describe('summary', () => {
  it('lists every module with its output shape and parameter counts, and totals', () => {
    const model = mlp();
    model.layers[0].freeze();
    const x = randn([5, 3]);
    const table = model.summary(x);
    expect(table.split('\n')).toEqual([
      'Layer    Type         Output shape  Params',
      '==========================================',
      '(model)  Sequential   [5, 2]            34',
      '  0      Linear       [5, 4]            16',
      '  1      ReLU         [5, 4]             0',
      '  2      BatchNorm1d  [5, 4]             8',
      '  3      Dropout      [5, 4]             0',
      '  4      Linear       [5, 2]            10',
      '==========================================',
      'Total params: 34',
      'Trainable params: 18',
      'Non-trainable params: 16',
      'Buffer values: 9',
    ]);
    x.dispose();
    model.dispose();
  });

  it('runs the sample under noGrad in eval mode, frees what it made, and changes nothing', () => {
    const model = mlp();
    const bn = model.layers[2] as BatchNorm1d;
    const running = Array.from((bn.runningMean as Tensor).dataSync());
    const x = randn([5, 3]);
    const before = memory().numTensors;
    model.summary(x);
    expect(memory().numTensors).toBe(before);
    // Still in training mode, statistics untouched, forward no longer instrumented.
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
    expect(Array.from((bn.runningMean as Tensor).dataSync())).toEqual(running);
    expect(model.namedModules().some(([, m]) => Object.hasOwn(m, 'forward'))).toBe(false);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('describes structured outputs, nested modules, and works without a sample', () => {
    const model = new LSTM(3, 5, { numLayers: 2, batchFirst: true });
    const x = randn([2, 7, 3]);
    const table = model.summary(x);
    expect(table).toContain('{output: [2, 7, 5], hN: [2, 2, 5], cN: [2, 2, 5]}');
    const plain = mlp().summary();
    expect(plain.split('\n')[0]).toBe('Layer    Type         Params');
    expect(plain).toContain('Total params: 34');
    expect(plain).not.toContain('Output shape');
    // A module not reached by the sample's forward shows '-'.
    class Skip extends Module {
      readonly used = this.addModule('used', new Linear(2, 2));
      readonly unused = this.addModule('unused', new Linear(2, 2));
      forward(x: Tensor): Tensor {
        return this.used.forward(x);
      }
    }
    const skip = new Skip().summary(tensor([[1, 2]]));
    expect(skip).toMatch(/ {2}unused +Linear +- +6/);
    x.dispose();
  });

  it('restores the modules even when the forward throws', () => {
    const model = mlp();
    expect(() => model.summary(randn([5, 7]))).toThrow(/^Sequential\[0\] \(Linear\): /);
    expect(model.namedModules().some(([, m]) => Object.hasOwn(m, 'forward'))).toBe(false);
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
  });
});

describe('requiresGrad_, freeze, unfreeze', () => {
  it('set requiresGrad on every parameter, and return the module', () => {
    const model = mlp();
    expect(model.requiresGrad_(false)).toBe(model);
    expect(model.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(model.requiresGrad_()).toBe(model); // true by default, as torch
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(model.freeze()).toBe(model);
    expect(model.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(
      model
        .unfreeze()
        .parameters()
        .every((p) => p.requiresGrad),
    ).toBe(true);
    // Buffers are not parameters: untouched.
    expect(model.namedBuffers().every(([, b]) => !b.requiresGrad)).toBe(true);
  });

  // An SGD step as @axon/optim's Optimizer makes it: parameters whose grad is null are skipped.
  function sgdStep(params: Tensor[], lr: number): void {
    for (const p of params) if (p.grad) tidy(() => assign(p, p.sub((p.grad as Tensor).mul(lr))));
  }

  it('frozen parameters get no gradient, and an optimizer step leaves them as they are', () => {
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const first = model.layers[0] as Linear;
    const last = model.layers[2] as Linear;
    const x = randn([6, 3]);
    const step = () => {
      model.zeroGrad();
      tidy(() => sum(model.forward(x)).backward());
      sgdStep(model.parameters(), 0.1);
    };
    step(); // a gradient everywhere, then freeze drops the stale ones
    first.freeze();
    expect(first.weight.grad).toBeNull();
    const frozen = Array.from(first.weight.dataSync());
    const trained = Array.from(last.weight.dataSync());
    step();
    expect(first.weight.grad).toBeNull();
    expect(first.bias?.grad ?? null).toBeNull();
    expect(Array.from(first.weight.dataSync())).toEqual(frozen);
    expect(Array.from(last.weight.dataSync())).not.toEqual(trained);
    first.unfreeze();
    step();
    expect(Array.from(first.weight.dataSync())).not.toEqual(frozen);
    x.dispose();
    model.dispose();
  });
});

describe('apply', () => {
  it('visits every descendant, children first, then the module itself, and returns it', () => {
    const inner = new Sequential(new Linear(2, 2), new ReLU());
    const model = new Sequential(inner, new Linear(2, 1));
    const seen: AnyModule[] = [];
    expect(model.apply((m) => seen.push(m))).toBe(model);
    expect(seen).toEqual([inner.layers[0], inner.layers[1], inner, model.layers[1], model]);
  });

  it('initializes weights, as in torch', () => {
    const model = mlp();
    model.apply((m) => {
      if (m instanceof Linear) tidy(() => m.loadStateDict({ ...m.stateDict(), weight: m.weight.mul(0) }));
    });
    for (const m of model.layers)
      if (m instanceof Linear) expect(Array.from(m.weight.dataSync()).every((v) => v === 0)).toBe(true);
    model.dispose();
  });
});

describe('typed Module<In, Out>', () => {
  it('forward needs no cast', () => {
    const model: Module = new Sequential(new Linear(2, 3));
    const y = model.forward(tensor([[1, 2]]));
    expectTypeOf(y).toEqualTypeOf<Tensor>();
    expect(y.shape).toEqual([1, 3]);
    const lstm: Module<Tensor, LSTMResult> = new LSTM(2, 3);
    const out = lstm.forward(tensor([[[1, 2]]]));
    expectTypeOf(out).toEqualTypeOf<LSTMResult>();
    expect(out.output.shape).toEqual([1, 1, 3]);

    class Pair extends Module<Tensor, { a: Tensor; b: Tensor }> {
      forward(x: Tensor) {
        return { a: x, b: x.mul(2) };
      }
    }
    expectTypeOf(new Pair().forward(tensor([1])).b).toEqualTypeOf<Tensor>();
  });
});

describe('functional cores', () => {
  it('are exported by name and as F, the same functions', () => {
    expect(F.batchNorm).toBe(batchNorm);
    expect(F.layerNorm).toBe(layerNorm);
    expect(F.multiheadAttention).toBe(multiheadAttention);
    expect(F.rnn).toBe(rnn);
    expect(typeof F.scaledDotProductAttention).toBe('function');
    expect(typeof F.lstmCell).toBe('function');
    expect('checkNormalizedShape' in F).toBe(false);
  });
});
