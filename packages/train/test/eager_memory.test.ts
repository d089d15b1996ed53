/**
 * Memory without ceremony: a PyTorch-style eager loop that never calls tidy or dispose stays flat,
 * because tensors that became unreachable are released by the engine's FinalizationRegistry. The
 * collector runs when V8 decides, so the test forces it (`--expose-gc`, switched on at run time).
 */
import { noGrad } from '@axon/autograd';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@axon/layers';
import { SGD } from '@axon/optim';
import * as ax from '@axon/tensor';
import { settleAfterGC } from '@axon/testing';
import { describe, expect, it } from 'vitest';
import { createStepContext } from '../src';
import { points, ToyGan } from './step_models';

const liveTensorsAfterGC = () => settleAfterGC(() => ax.memory().numTensors);

/**
 * A value V8 has not yet overwritten in a stack slot may outlive one collection, so a reading may
 * keep a stray tensor or two; a leak keeps several per step (4000 over this loop, before the fix).
 */
const STRAYS = 2;

function setup() {
  ax.manualSeed(0);
  const model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 3));
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const ce = new CrossEntropyLoss();
  const x = ax.randn([32, 8]);
  const y = ax.randint(0, 3, [32]);
  return { model, opt, ce, x, y };
}

describe('eager loops without tidy stay flat', () => {
  it('1000 steps of zeroGrad / forward / backward / step leave the live tensor count where it was', async () => {
    const { model, opt, ce, x, y } = setup();
    const step = () => {
      opt.zeroGrad();
      const loss = ce.forward(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    };
    const first = step();
    const afterOne = await liveTensorsAfterGC();
    let last = first;
    for (let i = 0; i < 1000; i++) {
      last = step();
      // Let the event loop breathe now and then, so the test runner's worker stays responsive on a
      // loaded machine (this does not change what is measured).
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(last).toBeLessThan(first);
    expect((await liveTensorsAfterGC()) - afterOne).toBeLessThanOrEqual(STRAYS);
  });

  it("1000 calls of a model's own trainStep (two minimize calls each) outside fit stay flat too", async () => {
    ax.manualSeed(0);
    const model = new ToyGan();
    const optimizers = {
      gen: new SGD(model.gen.parameters(), { lr: 0.01 }),
      disc: new SGD(model.disc.parameters(), { lr: 0.01 }),
    };
    const [batch] = points(1, 32);
    const step = (i: number) => {
      const ctx = createStepContext({ optimizers, model, step: i, generator: new ax.Generator(i) });
      return model.trainStep(batch, ctx);
    };
    step(0);
    const afterOne = await liveTensorsAfterGC();
    for (let i = 1; i <= 1000; i++) {
      step(i);
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect((await liveTensorsAfterGC()) - afterOne).toBeLessThanOrEqual(STRAYS);
    model.dispose();
    batch.x.dispose();
  });

  it('a forward pass whose output is dropped frees its graph', async () => {
    const { model, x } = setup();
    const before = await liveTensorsAfterGC();
    model.forward(x).dispose();
    // Without collection the graph kept 12 tensors alive (two activations and their saved handles).
    expect((await liveTensorsAfterGC()) - before).toBeLessThanOrEqual(STRAYS);
  });

  it('a forward pass with no tensor requiring a gradient records no graph', () => {
    const { model, x } = setup();
    const before = ax.memory().numTensors;
    const out = noGrad(() => model.forward(x));
    // Only the output and the two intermediate activations (not yet collected): no saved handles.
    expect(out.requiresGrad).toBe(false);
    const made = ax.memory().numTensors - before;
    expect(made).toBe(3);
    for (const p of model.parameters()) p.requiresGrad_(false);
    const frozen = model.forward(x);
    expect(frozen.requiresGrad).toBe(false);
    expect(ax.memory().numTensors - before).toBe(made + 3);
  });

  it('`using` disposes at the end of the block', () => {
    const before = ax.memory().numTensors;
    {
      using t = ax.ones([4]);
      using s = t.sum();
      expect(s.item()).toBe(4);
      expect(ax.memory().numTensors).toBe(before + 2);
    }
    expect(ax.memory().numTensors).toBe(before);
  });
});
