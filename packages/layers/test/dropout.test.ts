import { grad } from '@axon/autograd';
import { Dropout, dropout } from '@axon/layers';
import {
  DTypeError,
  Generator,
  manualSeed,
  ones,
  sum,
  type Tensor,
  tensor,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch, expectNoLeak, expectRoundTrip, rand64, values } from './core_helpers';

const N = 100_000;

describe('Dropout', () => {
  for (const p of [0.1, 0.5, 0.8]) {
    it(`p = ${p}: zeroes a fraction p, scales the rest by 1/(1 − p), keeps the mean`, () => {
      manualSeed(123);
      const layer = new Dropout(p);
      const y = values(layer.forward(ones([N])));
      const zeroed = y.filter((v) => v === 0).length / N;
      // σ of the fraction is √(p(1 − p)/N) ≤ 0.0016.
      expect(Math.abs(zeroed - p)).toBeLessThan(0.01);
      const scale = Math.fround(1 / (1 - p));
      expect(y.every((v) => v === 0 || Math.abs(v - scale) < 1e-6)).toBe(true);
      const mean = y.reduce((a, b) => a + b, 0) / N;
      expect(Math.abs(mean - 1)).toBeLessThan(0.03);
    });
  }

  it('the same seed gives the same mask; successive calls differ', () => {
    const layer = new Dropout(0.5);
    const x = ones([1000]);
    manualSeed(7);
    const a = values(layer.forward(x));
    const b = values(layer.forward(x));
    manualSeed(7);
    expect(values(layer.forward(x))).toEqual(a);
    expect(b).not.toEqual(a);
    const g1 = new Dropout(0.5, { generator: new Generator(3) });
    const g2 = new Dropout(0.5, { generator: new Generator(3) });
    expect(values(g1.forward(x))).toEqual(values(g2.forward(x)));
  });

  it('is the identity in eval mode, and for p = 0; p = 1 gives zeros', () => {
    const x = tensor([1, -2, 3]);
    const layer = new Dropout(0.9).eval();
    expect(layer.forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(values(new Dropout(1).forward(x))).toEqual([0, -0, 0]);
    expect(dropout(x, 0.5, false)).toBe(x);
    layer.train();
    expect(layer.training).toBe(true);
  });

  it('keeps float64 inputs in float64 and leaks nothing', () => {
    const layer = new Dropout(0.3);
    expect(layer.forward(zeros([4], 'float64')).dtype).toBe('float64');
    expectNoLeak(() => layer.forward(ones([64])));
  });

  it('validates p and the input dtype', () => {
    expect(() => new Dropout(1.5)).toThrow(ValueError);
    expect(() => new Dropout(-0.1)).toThrow('Dropout: expected p to be a probability in [0, 1], got -0.1');
    expect(() => new Dropout(0.5).forward(tensor([1, 2], 'int32'))).toThrow(DTypeError);
    expect(() => new Dropout(0.5).forward(tensor([1, 2], 'int32'))).toThrow(
      'Dropout: expected a float32 or float64 input, got int32',
    );
  });

  it('round-trips its config', () => {
    const layer = new Dropout(0.25);
    expect(layer.config()).toEqual({ p: 0.25 });
    expectRoundTrip(layer.eval(), rand64([3, 4]));
  });

  it('dropout(x): the gradient is the mask scaled by 1/(1 − p)', () => {
    const x = ones([200], 'float64');
    const gen = new Generator(11);
    const state = gen.getState();
    const y = values(dropout(x, 0.4, true, { generator: gen }));
    gen.setState(state);
    const [g] = grad((t: Tensor) => sum(dropout(t, 0.4, true, { generator: gen })))(x);
    expect(values(g)).toEqual(y);
    // Finite differences, with the same mask on every call.
    expectGradientsMatch((t) => dropout(t, 0.3, true, { generator: new Generator(5) }), [rand64([4, 5])]);
  });
});
