import { grad, noGrad, valueAndGrad } from '@axon/autograd';
import { add, memory, mul, ones, sum, tensor, tidy, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('grad and valueAndGrad', () => {
  it('differentiate a small expression by hand', () => {
    // f(x, y) = sum(x * y + x^2)  =>  df/dx = y + 2x, df/dy = x
    const x = tensor([1, 2, 3]);
    const y = tensor([4, 5, 6]);
    const { value, grads } = valueAndGrad((a, b) => sum(add(mul(a, b), mul(a, a))))(x, y);
    expect(value.item()).toBe(4 + 10 + 18 + 1 + 4 + 9);
    expect(Array.from(grads[0].dataSync())).toEqual([6, 9, 12]);
    expect(Array.from(grads[1].dataSync())).toEqual([1, 2, 3]);
  });

  it('accumulates the gradient of an input used several times', () => {
    const [g] = grad((a) => sum(mul(add(a, a), a)))(tensor([3])); // 2a^2 -> 4a
    expect(g.item()).toBe(12);
  });

  it('gives zeros for arguments the value does not depend on', () => {
    const [gx, gy] = grad((a, _b) => sum(a))(tensor([1, 2]), tensor([[5]]));
    expect(Array.from(gx.dataSync())).toEqual([1, 1]);
    expect(gy.arraySync()).toEqual([[0]]);
  });

  it('requires a scalar value and tensor arguments', () => {
    expect(() => grad((a) => mul(a, 2))(tensor([1, 2]))).toThrow(ValueError);
    expect(() => grad((a) => mul(a, 2))(tensor([1, 2]))).toThrow('valueAndGrad: f must return a scalar');
    // biome-ignore lint/suspicious/noExplicitAny: testing a wrong argument on purpose
    expect(() => grad((a) => a)([1, 2] as any)).toThrow('valueAndGrad: argument 0 is not a Tensor');
  });

  it('survives tidy and dispose of intermediates inside f', () => {
    const [g] = grad((a) => {
      const h = tidy(() => mul(a, a)); // returned out of an inner tidy
      const t = add(h, 1);
      const out = sum(mul(t, 3));
      t.dispose(); // the graph holds its own handle
      return out;
    })(tensor([2, -1]));
    expect(Array.from(g.dataSync())).toEqual([12, -6]);
  });

  it('noGrad records nothing', () => {
    const x = ones([2]).requiresGrad_();
    const y = noGrad(() => mul(x, 3));
    expect(y.requiresGrad).toBe(false);
    expect(mul(x, 3).requiresGrad).toBe(true);
  });

  it('leaves no tensor behind but the results', () => {
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    const { value, grads } = valueAndGrad((a) => sum(mul(a.exp(), a.sqrt())))(x);
    expect(memory().numTensors).toBe(before + 2);
    value.dispose();
    grads[0].dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe('backward and .grad', () => {
  it('fills .grad on leaves and accumulates across calls', () => {
    const w = tensor([1, 2]).requiresGrad_();
    const x = tensor([3, 4]);
    sum(mul(w, x)).backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([3, 4]);
    expect(x.grad).toBeNull();
    sum(mul(w, w)).backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([5, 8]);
    w.grad = null;
    expect(w.grad).toBeNull();
  });

  it('takes an explicit gradient for non-scalars and refuses without one', () => {
    const w = tensor([1, 2]).requiresGrad_();
    const y = mul(w, w);
    expect(() => y.backward()).toThrow('backward: needs a gradient argument');
    y.backward(tensor([1, 10]));
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 40]);
  });

  it('frees the graph after backward unless retainGraph', () => {
    const w = tensor([2]).requiresGrad_();
    const loss = sum(mul(w, w));
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(w.grad!.item()).toBe(12);
    expect(() => loss.backward()).toThrow(/already freed/);
  });

  it('detach cuts the graph; a tensor that needs no gradient cannot backward', () => {
    const w = tensor([2]).requiresGrad_();
    const d = mul(w, 3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(() => sum(d).backward()).toThrow(
      'backward: the tensor does not depend on any tensor that requires a gradient',
    );
  });

  it('a training step inside tidy keeps the gradient and frees the rest', () => {
    const w = tensor([0.5, -0.5]).requiresGrad_();
    const before = memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tidy(() => {
        sum(mul(w, w).exp()).backward();
      });
    }
    // only w.grad is new
    expect(memory().numTensors).toBe(before + 1);
    expect(w.grad!.dataSync()[0]).toBeCloseTo(20 * 2 * 0.5 * Math.exp(0.25), 4);
  });
});
