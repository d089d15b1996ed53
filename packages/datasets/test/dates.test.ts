import { Generator, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import {
  DATE_BOS,
  DATE_DAYS,
  DATE_EOS,
  dateAt,
  datePairs,
  decodeDateTarget,
  encodeDateSource,
  encodeDateTarget,
  iso,
  SOURCE_CHARS,
  TARGET_CHARS,
} from '../src';

describe('datePairs', () => {
  it('gives the same pairs for the same seed, others for another', () => {
    const a = datePairs(50, new Generator(7)).pairs;
    expect(datePairs(50, new Generator(7)).pairs).toEqual(a);
    expect(datePairs(50, new Generator(8)).pairs).not.toEqual(a);
  });

  it('pairs a human-written date with its ISO 8601 form, in the source and target alphabets', () => {
    const { pairs } = datePairs(500, new Generator(1));
    for (const { human, iso: out } of pairs) {
      expect(out).toMatch(/^(19[5-9]\d|20[0-4]\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
      for (const c of human) expect(SOURCE_CHARS).toContain(c);
      for (const c of out) expect(TARGET_CHARS).toContain(c);
    }
    // The example's formats, e.g. "3rd of March 1997", "03/03/97", "March 3, 1997".
    const humans = pairs.map((p) => p.human);
    expect(humans.some((h) => /^\d+(st|nd|rd|th) of [A-Z][a-z]+ \d{4}$/.test(h))).toBe(true);
    expect(humans.some((h) => /^\d\d\/\d\d\/\d\d$/.test(h))).toBe(true);
    expect(humans.some((h) => /^[A-Z][a-z]+ \d+, \d{4}$/.test(h))).toBe(true);
  });

  it('writes the documented forms of a day; numeric forms are day first', () => {
    const day = Date.UTC(1997, 2, 3) / 86_400_000 - Date.UTC(1950, 0, 1) / 86_400_000;
    const d = dateAt(day);
    expect(d).toEqual({ year: 1997, month: 3, day: 3, weekday: 1 });
    expect(iso(d)).toBe('1997-03-03');
    expect(iso(dateAt(0))).toBe('1950-01-01');
    expect(iso(dateAt(DATE_DAYS - 1))).toBe('2049-12-31');
  });

  it('keeps excluded days out and draws distinct days when asked', () => {
    const test = datePairs(300, new Generator(1997), { distinct: true });
    expect(test.days.size).toBe(300);
    expect(new Set(test.pairs.map((p) => p.iso)).size).toBe(300);
    const train = datePairs(300, new Generator(2), { exclude: test.days });
    for (const day of train.days) expect(test.days.has(day)).toBe(false);
  });

  it('names itself in a ValueError for bad arguments', () => {
    expect(() => datePairs(-1, new Generator(1))).toThrow(ValueError);
    expect(() => datePairs(1.5, new Generator(1))).toThrow(/datePairs: expected count/);
    expect(() => datePairs(DATE_DAYS + 1, new Generator(1), { distinct: true })).toThrow(
      /datePairs: expected at most 36525 distinct days/,
    );
    expect(() => dateAt(DATE_DAYS)).toThrow(/dateAt: expected an integer day index/);
  });

  it('encodes the ids a model reads and writes: sources from 1, targets from 3 between begin and end', () => {
    expect(encodeDateSource(SOURCE_CHARS.slice(0, 3).join(''))).toEqual([1, 2, 3]);
    expect(encodeDateSource('Ω')).toEqual([0]);
    const ids = encodeDateTarget('1997-03-03');
    expect(ids[0]).toBe(DATE_BOS);
    expect(ids.at(-1)).toBe(DATE_EOS);
    expect(Math.min(...ids.slice(1, -1))).toBeGreaterThanOrEqual(3);
    expect(decodeDateTarget(ids.slice(1, -1))).toBe('1997-03-03');
    expect(decodeDateTarget([0])).toBe('?');
  });
});
