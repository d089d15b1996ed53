import { describe, expect, it } from 'vitest';
import { History } from '../src/train/history';
import { StepRate } from '../src/train/step_rate';

describe('History', () => {
  it('stays under its capacity, keeping the first and the last point', () => {
    const h = new History(10);
    for (let s = 1; s <= 1000; s++) h.add({ step: s, loss: 1 / s });
    expect(h.points.length).toBeLessThanOrEqual(10);
    expect(h.points[0].step).toBe(1);
    expect(h.last?.step).toBe(1000);
    const steps = h.points.map((p) => p.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it("is @axon/train's history shape, with accuracy only when measured", () => {
    const h = new History();
    h.add({ step: 1, loss: 2 });
    expect(h.asHistory()).toEqual({ epoch: [1], history: { loss: [2] } });
    h.add({ step: 2, loss: 1, accuracy: 0.5 });
    expect(h.asHistory().history.accuracy).toEqual([Number.NaN, 0.5]);
  });
});

describe('StepRate', () => {
  it('is steps per second of training time over the window', () => {
    const r = new StepRate(1000);
    expect(r.perSecond).toBeNull();
    r.add(10, 0, 100);
    r.add(30, 5000, 5100); // a pause between frames does not count
    expect(r.perSecond).toBeCloseTo(200);
    for (let i = 0; i < 30; i++) r.add(5, 0, 100);
    expect(r.perSecond).toBeCloseTo(50);
  });
});
