/**
 * The collector releases GPU buffers too: an eager autograd loop that never disposes anything
 * leaves the gpu backend's tensor and buffer counts where they were once garbage is collected.
 */
import '@axon/autograd';
import '@axon/backend-gpu';
import * as ax from '@axon/tensor';
import { settleAfterGC, turnEventLoop } from '@axon/testing';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A value V8 has not yet overwritten in a stack slot may outlive one collection, so a reading
 * may keep a stray tensor or two; a leak keeps one or more per step (hundreds here).
 */
const STRAYS = 2;

describe('gpu: eager loops without tidy stay flat', () => {
  afterAll(() => ax.setBackend('cpu'));

  it('200 SGD steps by hand, nothing disposed', async () => {
    ax.setBackend('gpu');
    ax.manualSeed(3);
    const w = ax.mul(ax.randn([4, 1]), 0.1).requiresGrad_();
    const x = ax.randn([16, 4]);
    const y = ax.matmul(x, ax.tensor([[1], [-1], [0.5], [2]]));
    const step = () => {
      const loss = ax.mean(ax.square(ax.sub(ax.matmul(x, w), y)));
      loss.backward();
      ax.assign(w, ax.sub(w, ax.mul(w.grad as ax.Tensor, 0.1)).detach());
      w.grad = null;
      return loss.item();
    };
    const gpu = () => ax.memory().backends.gpu;
    const first = step();
    const before = await settleAfterGC(gpu);
    let last = first;
    for (let i = 0; i < 200; i++) {
      // A turn of the event loop now and then: 200 steps are seconds on a loaded machine, during
      // which the worker could not answer vitest. (Collection may release tensors during a turn;
      // what is checked is the count once everything is collected.)
      if (i % 25 === 0) await turnEventLoop();
      last = step();
    }
    expect(last).toBeLessThan(first);
    const after = await settleAfterGC(gpu);
    expect(after.numTensors - before.numTensors).toBeLessThanOrEqual(STRAYS);
    expect(after.numBuffers - before.numBuffers).toBeLessThanOrEqual(STRAYS);
  });
});
