import { describe, expect, it } from 'vitest';
import { generatePointSet, POINT_SETS } from '../src/data/point_sets';

describe('2-D point sets', () => {
  it.each(POINT_SETS.map((s) => s.id))(
    '%s is the same for the same seed, and another for another seed',
    (id) => {
      const a = generatePointSet(id, 3);
      expect(generatePointSet(id, 3)).toEqual(a);
      expect(generatePointSet(id, 4).x).not.toEqual(a.x);
    },
  );

  it.each(POINT_SETS.map((s) => s.id))(
    '%s: labels in range, every class present, points inside the extent',
    (id) => {
      const s = generatePointSet(id, 0);
      expect(s.x.length).toBe(2 * s.y.length);
      expect(new Set(s.y).size).toBe(s.classes);
      for (const v of s.x) expect(Math.abs(v)).toBeLessThan(s.extent);
    },
  );

  it('xor: class 1 where the coordinates have different signs (up to the noise)', () => {
    const s = generatePointSet('xor', 0);
    let agree = 0;
    for (let i = 0; i < s.y.length; i++)
      agree += Number((s.x[2 * i] * s.x[2 * i + 1] < 0 ? 1 : 0) === s.y[i]);
    expect(agree / s.y.length).toBeGreaterThan(0.95);
  });
});
