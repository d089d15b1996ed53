import { DTypeError, memory, ShapeError, type Tensor, tensor, tidy, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { Adagrad, Adam, AdamW, type Optimizer, type Params, RMSprop, SGD } from '../src';
import { expectClose, f64, makeParams, REF, reference, setGrads } from './helpers';

type Ctor = new (params: Params, options: Record<string, unknown>) => Optimizer;
const CLASSES: Record<string, Ctor> = {
  SGD: SGD as unknown as Ctor,
  Adam: Adam as unknown as Ctor,
  AdamW: AdamW as unknown as Ctor,
  RMSprop: RMSprop as unknown as Ctor,
  Adagrad: Adagrad as unknown as Ctor,
};

/** Every option combination worth checking, per optimizer. */
const CASES: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.1 }],
  ['SGD', { lr: 0.1, momentum: 0.9 }],
  ['SGD', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['SGD', { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 }],
  ['Adam', {}],
  ['Adam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.05 }],
  ['AdamW', {}],
  ['AdamW', { lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  ['RMSprop', {}],
  ['RMSprop', { lr: 0.01, alpha: 0.9, momentum: 0.9 }],
  ['RMSprop', { centered: true, weightDecay: 0.1 }],
  ['RMSprop', { centered: true, momentum: 0.5, eps: 1e-4 }],
  ['Adagrad', { lr: 0.1 }],
  ['Adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
  ['Adagrad', { lr: 0.1, weightDecay: 0.1, eps: 1e-6 }],
];

function run(
  cls: string,
  options: Record<string, unknown>,
  steps: number,
): { params: Tensor[]; opt: Optimizer } {
  const params = makeParams();
  const opt = new CLASSES[cls](params, options);
  for (let t = 0; t < steps; t++) {
    setGrads(params, t);
    opt.step();
  }
  return { params, opt };
}

describe('update rules (float64, against a per-element transcription of torch 1.13)', () => {
  it.each(CASES)('%s %j', (cls, options) => {
    const { params, opt } = run(cls, options, 6);
    const expected = reference(REF[cls], options as Record<string, number>, 6);
    params.forEach((p, i) => {
      expectClose(p.dataSync(), expected[i], 1e-10);
    });
    opt.dispose();
  });
});

describe('values copied from the PyTorch fixtures (float32)', () => {
  it('SGD nesterov (optimizers/sgd_nesterov, param b, 2 steps)', () => {
    const b = tensor([0.9061286238668866, 0.49307312848304424, 2.1417806256260277]);
    const opt = new SGD([b], { lr: 0.1, momentum: 0.9, nesterov: true });
    b.grad = tensor([0.7181795244847147, -0.28810741958930414, 0.7707225215923734]);
    opt.step();
    // p1 = p0 - lr*(g + 0.9*g) (buf = g on the first step)
    expectClose(
      b.dataSync(),
      [0.9061286238668866, 0.49307312848304424, 2.1417806256260277].map(
        (p, i) => p - 0.1 * 1.9 * [0.7181795244847147, -0.28810741958930414, 0.7707225215923734][i],
      ),
      1e-6,
      1e-6,
    );
    opt.dispose();
  });

  it('Adam first step moves each element by lr·sign(g) (bias-corrected)', () => {
    const p = tensor([1, -2, 3]);
    const opt = new Adam([p], { lr: 0.01 });
    p.grad = tensor([0.5, -3, 1e-3]);
    opt.step();
    expectClose(p.dataSync(), [0.99, -1.99, 2.99], 1e-5, 1e-6);
    opt.dispose();
  });
});

describe('Optimizer behaviour', () => {
  it('changes parameters in place (the handles stay) and keeps requiresGrad', () => {
    const params = makeParams().map((p) => p.requiresGrad_());
    const before = params.map((p) => p.dataSync());
    const opt = new SGD(params, { lr: 0.1 });
    setGrads(params, 0);
    const ids = params.map((p) => p.id);
    opt.step();
    expect(params.map((p) => p.id)).toEqual(ids);
    expect(params.every((p) => p.requiresGrad)).toBe(true);
    expect(params[0].dataSync()).not.toEqual(before[0]);
  });

  it('skips parameters whose grad is null (no update, no state)', () => {
    const [w, b] = makeParams();
    const opt = new Adam([w, b], { lr: 0.1 });
    const bBefore = b.dataSync();
    w.grad = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    opt.step();
    expect(b.dataSync()).toEqual(bBefore);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(w)?.step).toBe(1);
    opt.dispose();
  });

  it('zeroGrad clears every gradient', () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    setGrads(params, 0);
    opt.zeroGrad();
    expect(params.map((p) => p.grad)).toEqual([null, null]);
  });

  it('per-group options override the defaults', () => {
    const [w, b] = makeParams();
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0],
      [0.5, 0.9],
    ]);
    for (let t = 0; t < 3; t++) {
      setGrads([w, b], t);
      opt.step();
    }
    expectClose(w.dataSync(), reference(REF.SGD, { lr: 0.1 }, 3)[0]);
    expectClose(b.dataSync(), reference(REF.SGD, { lr: 0.5, momentum: 0.9 }, 3)[1]);
    opt.dispose();
  });

  it('a group lr changed between steps (as a schedule does) takes effect', () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    setGrads(params, 0);
    opt.step();
    opt.paramGroups[0].lr = 0;
    const after = params.map((p) => p.dataSync());
    setGrads(params, 1);
    opt.step();
    expect(params.map((p) => p.dataSync())).toEqual(after);
  });

  it('has torch defaults', () => {
    const p = () => [tensor([1])];
    expect(new Adam(p()).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    });
    expect(new AdamW(p()).defaults.weightDecay).toBe(0.01);
    expect(new RMSprop(p()).defaults).toEqual({
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
    });
    expect(new Adagrad(p()).defaults).toEqual({
      lr: 0.01,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
    });
    expect(new SGD(p(), { lr: 0.1 }).defaults).toEqual({
      lr: 0.1,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
    });
  });

  it('works with float32 parameters and gradients from backward()', () => {
    // Fit y = 2x + 1 by least squares.
    const x = tensor([[-1], [0], [1], [2]]);
    const y = tensor([[-1], [1], [3], [5]]);
    const w = tensor([[0]]).requiresGrad_();
    const b = tensor([0]).requiresGrad_();
    const opt = new Adam([w, b], { lr: 0.1 });
    for (let i = 0; i < 300; i++) {
      tidy(() => {
        opt.zeroGrad();
        const loss = x.matmul(w).add(b).sub(y).square().mean();
        loss.backward();
        opt.step();
      });
    }
    expectClose(w.dataSync(), [2], 1e-3, 1e-3);
    expectClose(b.dataSync(), [1], 1e-3, 1e-3);
    opt.dispose();
  });
});

describe('memory', () => {
  it.each([
    ['SGD', { lr: 0.01, momentum: 0.9, weightDecay: 0.01 }],
    ['SGD', { lr: 0.01, momentum: 0.9, nesterov: true }],
    ['Adam', { lr: 0.001, amsgrad: true, weightDecay: 0.01 }],
    ['AdamW', { lr: 0.001 }],
    ['RMSprop', { lr: 0.001, momentum: 0.9, centered: true, weightDecay: 0.01 }],
    ['Adagrad', { lr: 0.01, lrDecay: 0.01 }],
  ] as [string, Record<string, unknown>][])(
    '%s %j: live tensors stay flat over 500 steps',
    (cls, options) => {
      const params = makeParams();
      const opt = new CLASSES[cls](params, options);
      const grads = [f64([0.1, -0.2, 0.3, -0.4, 0.5, -0.6], [2, 3]), f64([0.3, 0.2, -0.1], [3])];
      const step = () => {
        params.forEach((p, i) => {
          p.grad = grads[i].clone();
        });
        opt.step();
      };
      step();
      const after1 = memory().numTensors;
      step();
      // Bytes from the second step: SGD's first momentum buffer shares the first gradient's data.
      const bytes2 = memory().numBytes;
      for (let i = 2; i < 500; i++) {
        step();
        if (memory().numTensors !== after1)
          throw new Error(`step ${i + 1}: ${memory().numTensors} live tensors`);
      }
      expect(memory().numTensors).toBe(after1);
      expect(memory().numBytes).toBe(bytes2);
      opt.zeroGrad();
      opt.dispose();
    },
  );

  it('dispose frees the buffers', () => {
    const params = makeParams();
    const before = memory().numTensors;
    const opt = new Adam(params, { amsgrad: true });
    setGrads(params, 0);
    opt.step();
    opt.zeroGrad();
    expect(memory().numTensors).toBe(before + 6);
    opt.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe('stateDict / loadStateDict', () => {
  it.each(CASES)(
    '%s %j: 3 steps + save + load into a fresh optimizer + 2 steps == 5 steps',
    (cls, options) => {
      const five = run(cls, options, 5);
      const three = run(cls, options, 3);
      const saved = three.opt.stateDict();
      const params = three.params.map((p) => p.clone());
      const fresh = new CLASSES[cls](params, options);
      fresh.loadStateDict(saved);
      // The original goes on (and changes its buffers): the loaded copy must not follow it.
      setGrads(three.params, 9);
      three.opt.step();
      three.opt.dispose();
      for (let t = 3; t < 5; t++) {
        setGrads(params, t);
        fresh.step();
      }
      params.forEach((p, i) => {
        expect(p.dataSync()).toEqual(five.params[i].dataSync());
      });
      fresh.dispose();
      five.opt.dispose();
    },
  );

  it('uses torch layout: state by parameter index, groups with their options and param indices', () => {
    const [w, b] = makeParams();
    const opt = new Adam([{ params: [w] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    b.grad = f64([1, 2, 3], [3]);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['1']);
    expect(Object.keys(sd.state['1']).sort()).toEqual(['expAvg', 'expAvgSq', 'step']);
    expect(sd.state['1'].step).toBe(1);
    expect(sd.paramGroups).toEqual([
      { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [0] },
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [1] },
    ]);
    // Group options come back with the state.
    const other = new Adam([{ params: [w.clone()] }, { params: [b.clone()] }], { lr: 0.01 });
    other.loadStateDict(sd);
    expect(other.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    other.dispose();
    opt.dispose();
  });

  it('rejects a state that does not fit', () => {
    const [w, b] = makeParams();
    const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
    setGrads([w, b], 0);
    opt.step();
    const sd = opt.stateDict();
    expect(() => new SGD([w], { lr: 0.1 }).loadStateDict(sd)).toThrow(
      /SGD.loadStateDict: parameter group 0 has 1 parameters, the state's has 2/,
    );
    expect(() => new SGD([{ params: [w] }, { params: [b] }], { lr: 0.1 }).loadStateDict(sd)).toThrow(
      /the state has 1 parameter groups, the optimizer has 2/,
    );
    expect(() => new SGD([b, w], { lr: 0.1 }).loadStateDict(sd)).toThrow(
      /state '0'.momentumBuffer has shape \[2, 3\], its parameter \[3\]/,
    );
    expect(() =>
      new SGD([w, b], { lr: 0.1 }).loadStateDict({ state: {}, paramGroups: [{ params: [0, 1], lr: -1 }] }),
    ).toThrow(/SGD: lr must be in \[0, inf\), got -1/);
    opt.dispose();
  });
});

describe('errors', () => {
  const p = () => [tensor([1, 2])];
  it.each([
    [/SGD: option 'lr' is required/, () => new SGD(p(), {} as { lr: number })],
    [/SGD: lr must be in \[0, inf\), got -0.1/, () => new SGD(p(), { lr: -0.1 })],
    [/SGD: nesterov momentum requires a momentum > 0/, () => new SGD(p(), { lr: 0.1, nesterov: true })],
    [/zero dampening/, () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })],
    [/SGD: unknown option 'weight_decay'/, () => new SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never)],
    [/Adam: betas\[1\] must be in \[0, 1\), got 1/, () => new Adam(p(), { betas: [0.9, 1] })],
    [/Adam: eps must be/, () => new Adam(p(), { eps: -1 })],
    [/AdamW: weightDecay must be/, () => new AdamW(p(), { weightDecay: -1 })],
    [/RMSprop: alpha must be/, () => new RMSprop(p(), { alpha: -1 })],
    [/RMSprop: momentum must be a finite number/, () => new RMSprop(p(), { momentum: Number.NaN })],
    [/Adagrad: lrDecay must be/, () => new Adagrad(p(), { lrDecay: -1 })],
    [/Adagrad: initialAccumulatorValue must be/, () => new Adagrad(p(), { initialAccumulatorValue: -1 })],
    [/Adam: got an empty parameter list/, () => new Adam([])],
    [/Adam: params must be an array/, () => new Adam('w' as never)],
    [/Adam: a parameter group has no parameters/, () => new Adam([{ params: [] }])],
    [
      /Adam: can only optimize float parameters, parameter 0 is int32/,
      () => new Adam([tensor([1, 2], 'int32')]),
    ],
    [/Adam: parameter 1 of a group is not a Tensor/, () => new Adam([{ params: [tensor([1]), 3 as never] }])],
  ] as [RegExp, () => unknown][])('throws %s', (message, fn) => {
    expect(fn).toThrow(message);
  });

  it('rejects a parameter listed twice', () => {
    const w = tensor([1]);
    expect(() => new Adam([w, w])).toThrow(ValueError);
    expect(() => new Adam([{ params: [w] }, { params: [w] }])).toThrow(/appear more than once/);
  });

  it('rejects a gradient of another shape or dtype', () => {
    const w = tensor([1, 2]);
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 2, 3]);
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrow(/SGD: gradient of shape \[3\] for a parameter of shape \[2\]/);
    w.grad = tensor([1, 2], 'float64');
    expect(() => opt.step()).toThrow(DTypeError);
  });

  it('checks a group lr set to nonsense at the next step', () => {
    const w = tensor([1, 2]);
    const opt = new SGD([w], { lr: 0.1 });
    opt.paramGroups[0].lr = Number.NaN;
    w.grad = tensor([1, 1]);
    expect(() => opt.step()).toThrow(/SGD: lr must be a finite number/);
  });
});
