/**
 * The collector releases GPU buffers too: an eager autograd loop that never disposes anything
 * leaves the gpu backend's buffer count and bytes where they were once garbage is collected.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import '@axon/autograd';
import '@axon/backend-gpu';
import * as ax from '@axon/tensor';
import { afterAll, describe, expect, it } from 'vitest';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function gpuMemoryAfterGC(): Promise<{ numTensors: number; numBuffers: number; numBytes: number }> {
  let last = '';
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const now = JSON.stringify(ax.memory().backends.gpu);
    if (now === last) break;
    last = now;
  }
  return JSON.parse(last);
}

describe('gpu: eager loops without tidy stay flat', () => {
  afterAll(() => ax.setBackend('cpu'));

  it('100 SGD steps by hand, nothing disposed', async () => {
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
    const first = step();
    const before = await gpuMemoryAfterGC();
    let last = first;
    for (let i = 0; i < 100; i++) last = step();
    expect(last).toBeLessThan(first);
    expect(await gpuMemoryAfterGC()).toEqual(before);
  });
});
