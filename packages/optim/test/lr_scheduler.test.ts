import { tensor } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearWarmup,
  type LRScheduler,
  type Optimizer,
  ReduceLROnPlateau,
  SGD,
  StepLR,
} from '../src';
import { expectClose } from './helpers';

function sgd(lr = 0.1, groups = 1): SGD {
  return new SGD(
    Array.from({ length: groups }, (_, i) => ({ params: [tensor([0])], lr: lr * (i + 1) })),
    { lr },
  );
}

/** The lr of group 0 after construction and after each of n steps. */
function trace(opt: Optimizer, s: { step(): void }, n: number): number[] {
  const out = [opt.paramGroups[0].lr];
  for (let i = 0; i < n; i++) {
    s.step();
    out.push(opt.paramGroups[0].lr);
  }
  return out;
}

// Expected sequences printed by torch 1.13 (torch.optim.lr_scheduler, SGD lr=0.1).
describe('epoch schedules (values from torch)', () => {
  it('StepLR(stepSize 3, gamma 0.5)', () => {
    const opt = sgd();
    expectClose(
      trace(opt, new StepLR(opt, { stepSize: 3, gamma: 0.5 }), 10),
      [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125],
    );
  });

  it('ExponentialLR(gamma 0.9)', () => {
    const opt = sgd();
    expectClose(
      trace(opt, new ExponentialLR(opt, { gamma: 0.9 }), 5),
      [
        0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002,
        0.05904900000000002,
      ],
    );
  });

  it('CosineAnnealingLR(tMax 4, etaMin 0.01), past tMax too', () => {
    const opt = sgd();
    expectClose(
      trace(opt, new CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 }), 10),
      [
        0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01, 0.023180194846605363,
        0.05500000000000002, 0.08681980515339469, 0.10000000000000006, 0.0868198051533947,
        0.05500000000000005,
      ],
      1e-12,
    );
  });

  it('CosineAnnealingLR follows the closed form', () => {
    const opt = sgd(0.5);
    const s = new CosineAnnealingLR(opt, { tMax: 7 });
    for (let t = 1; t <= 20; t++) {
      s.step();
      expectClose(s.getLastLr(), [(0.5 * (1 + Math.cos((Math.PI * t) / 7))) / 2]);
    }
  });

  it('LinearWarmup(warmupSteps 3, startFactor 0.25) = LinearLR(start_factor 0.25, total_iters 3)', () => {
    const opt = sgd();
    expectClose(
      trace(opt, new LinearWarmup(opt, { warmupSteps: 3, startFactor: 0.25 }), 5),
      [0.025, 0.05, 0.07500000000000001, 0.1, 0.1, 0.1],
    );
  });

  it('LinearWarmup starts from 0 by default', () => {
    const opt = sgd(0.2);
    expectClose(trace(opt, new LinearWarmup(opt, { warmupSteps: 4 }), 5), [0, 0.05, 0.1, 0.15, 0.2, 0.2]);
  });

  it('sets every group from its own starting lr; getLastLr gives them all', () => {
    const opt = sgd(0.1, 2);
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    expect(s.getLastLr()).toEqual([0.1, 0.2]);
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.1]);
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    expect(s.baseLrs).toEqual([0.1, 0.2]);
  });

  it('stateDict round trip: a fresh schedule continues where the saved one was', () => {
    const make = (opt: Optimizer): LRScheduler => new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.001 });
    const optA = sgd();
    const a = make(optA);
    for (let i = 0; i < 4; i++) a.step();
    const saved = JSON.parse(JSON.stringify({ opt: optA.stateDict(), sched: a.stateDict() }));
    expect(saved.sched).toMatchObject({ lastEpoch: 4, baseLrs: [0.1], tMax: 10, etaMin: 0.001 });
    const optB = sgd(0.7);
    const b = make(optB);
    optB.loadStateDict(saved.opt);
    b.loadStateDict(saved.sched);
    expect(b.getLastLr()).toEqual(a.getLastLr());
    for (let i = 0; i < 3; i++) {
      a.step();
      b.step();
    }
    expect(optB.paramGroups[0].lr).toBe(optA.paramGroups[0].lr);
  });

  it('errors', () => {
    const opt = sgd();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(
      /StepLR: stepSize must be an integer >= 1, got number 0/,
    );
    expect(() => new StepLR(opt, {} as never)).toThrow(
      /StepLR: stepSize must be an integer >= 1, got undefined/,
    );
    expect(() => new ExponentialLR(opt, { gamma: -1 })).toThrow(/ExponentialLR: gamma must be in \[0, inf\)/);
    expect(() => new CosineAnnealingLR(opt, { tMax: 2.5 })).toThrow(
      /CosineAnnealingLR: tMax must be an integer/,
    );
    expect(() => new LinearWarmup(opt, { warmupSteps: 5, startFactor: 2 })).toThrow(
      /LinearWarmup: startFactor must be in \[0, 1\], got 2/,
    );
    expect(() => new StepLR(opt, { stepSize: 1, gama: 0.5 } as never)).toThrow(
      /StepLR: unknown option 'gama'/,
    );
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(/StepLR: expected an Optimizer/);
    const s = new StepLR(opt, { stepSize: 1 });
    expect(() => s.loadStateDict({ lastEpoch: 1, baseLrs: [1, 2] })).toThrow(
      /StepLR.loadStateDict: baseLrs must be a list of 1 numbers/,
    );
  });
});

describe('ReduceLROnPlateau (values from torch)', () => {
  function run(s: ReduceLROnPlateau, opt: Optimizer, metrics: number[]): number[] {
    const out = [opt.paramGroups[0].lr];
    for (const m of metrics) {
      s.step(m);
      out.push(opt.paramGroups[0].lr);
    }
    return out;
  }

  it('patience 2, cooldown 1, factor 0.5, minLr 0.02', () => {
    const opt = sgd();
    const s = new ReduceLROnPlateau(opt, { patience: 2, cooldown: 1, factor: 0.5, minLr: 0.02 });
    const metrics = [
      1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85,
    ];
    expectClose(
      run(s, opt, metrics),
      [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02],
    );
    expect(s.getLastLr()).toEqual([0.02]);
  });

  it("mode 'max', absolute threshold 0.1, patience 1", () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, {
      mode: 'max',
      patience: 1,
      factor: 0.1,
      threshold: 0.1,
      thresholdMode: 'abs',
    });
    expectClose(
      run(s, opt, [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7]),
      [1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002],
    );
  });

  it('relative threshold: a gain smaller than threshold·best is not an improvement', () => {
    const opt = sgd();
    const s = new ReduceLROnPlateau(opt, { patience: 0, threshold: 0.1 });
    s.step(1);
    expect(s.best).toBe(1);
    s.step(0.95); // not below 1·(1 − 0.1): a bad epoch, > patience 0 → reduce
    expect(s.best).toBe(1);
    expectClose(s.getLastLr(), [0.01]);
  });

  it('per-group minLr and the eps rule', () => {
    const opt = sgd(0.1, 2); // lrs 0.1, 0.2
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, minLr: [0.08, 0.2] });
    s.step(1);
    s.step(2);
    expect(s.getLastLr()).toEqual([0.08, 0.2]);
    s.step(3);
    expect(s.getLastLr()).toEqual([0.08, 0.2]);
  });

  it('stateDict round trip, through JSON (best = Infinity before the first step)', () => {
    const optA = sgd();
    const a = new ReduceLROnPlateau(optA, { patience: 1 });
    const before = JSON.parse(JSON.stringify(a.stateDict()));
    const fresh = new ReduceLROnPlateau(sgd(), { patience: 1 });
    fresh.loadStateDict(before);
    expect(fresh.best).toBe(Infinity);
    for (const m of [3, 2, 2.5]) a.step(m);
    const optB = sgd();
    const b = new ReduceLROnPlateau(optB, { patience: 1 });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    optB.loadStateDict(optA.stateDict());
    expect(b).toMatchObject({ best: 2, numBadEpochs: 1, lastEpoch: 3 });
    for (const m of [2.5, 2.5, 2.5]) {
      a.step(m);
      b.step(m);
    }
    expect(optB.paramGroups[0].lr).toBe(optA.paramGroups[0].lr);
    expect(b.getLastLr()).toEqual(a.getLastLr());
  });

  it('errors', () => {
    const opt = sgd();
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(
      /ReduceLROnPlateau: factor must be in \[0, 1\)/,
    );
    expect(() => new ReduceLROnPlateau(opt, { mode: 'up' as never })).toThrow(/mode must be 'min' or 'max'/);
    expect(() => new ReduceLROnPlateau(opt, { patience: -1 })).toThrow(/patience must be an integer >= 0/);
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow(/expected 1 values in minLr/);
    expect(() => new ReduceLROnPlateau(opt).step('1' as never)).toThrow(/metric must be a number/);
  });
});
