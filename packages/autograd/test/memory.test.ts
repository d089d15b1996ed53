import { valueAndGrad } from '@axon/autograd';
import { add, dispose, manualSeed, matmul, mean, memory, randn, square, sub, tidy } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('memory across training steps', () => {
  it('1000 valueAndGrad steps leave memory() where it started', () => {
    manualSeed(0);
    const x = randn([16, 4]);
    const y = randn([16, 1]);
    let w = randn([4, 1]);
    let b = randn([1]);
    const start = memory();
    const loss = (w_: typeof w, b_: typeof b) => mean(square(sub(add(matmul(x, w_), b_), y)));
    const step = valueAndGrad(loss);
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const { value, grads } = step(w, b);
      if (i === 0) first = value.item();
      last = value.item();
      const nextW = tidy(() => sub(w, grads[0].mul(0.05)));
      const nextB = tidy(() => sub(b, grads[1].mul(0.05)));
      dispose([value, grads, w, b]);
      w = nextW;
      b = nextB;
    }
    expect(last).toBeLessThan(first);
    expect(memory()).toEqual(start);
  });
});
