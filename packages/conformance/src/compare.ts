import type { FixtureTensor, Tolerance } from './fixture';

/** The outcome of comparing one computed tensor with its golden. */
export interface Comparison {
  ok: boolean;
  /** Set when the tensors cannot be compared element by element (shape mismatch). */
  reason?: string;
  maxAbsErr: number;
  /** max |a − g| / |g|; an element with g = 0 and a ≠ 0 makes it Infinity. */
  maxRelErr: number;
  /** Elements outside the tolerance. */
  badCount: number;
  /** The largest |a − g| / (atol + rtol·|g|): how much of its tolerance the worst element uses. */
  maxRatio: number;
  /** On failure, the element furthest over its budget (`ratio` in units of that budget). */
  worst?: { index: number[]; actual: number; expected: number; ratio: number };
}

/**
 * Compares `actual` (flat, row-major, with `shape`) with `golden`: every element must satisfy
 * |a − g| ≤ atol + rtol·|g|, the oracle's rule. A NaN golden needs a NaN; an infinite golden needs
 * the same infinity; a NaN where the golden is finite always fails.
 */
export function compareValues(
  actual: ArrayLike<number>,
  shape: readonly number[],
  golden: FixtureTensor,
  tol: Tolerance,
): Comparison {
  if (shape.length !== golden.shape.length || shape.some((d, i) => d !== golden.shape[i])) {
    return {
      ok: false,
      reason: `shape [${shape.join(', ')}], expected [${golden.shape.join(', ')}]`,
      maxAbsErr: Number.NaN,
      maxRelErr: Number.NaN,
      badCount: golden.data.length,
      maxRatio: Number.POSITIVE_INFINITY,
    };
  }
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let badCount = 0;
  let worstAt = -1;
  let worstRatio = 0;
  for (let i = 0; i < golden.data.length; i++) {
    const a = actual[i];
    const g = golden.data[i];
    let diff: number;
    let bad: boolean;
    if (Number.isNaN(g)) {
      diff = Number.isNaN(a) ? 0 : Number.POSITIVE_INFINITY;
      bad = !Number.isNaN(a);
    } else if (!Number.isFinite(g)) {
      diff = a === g ? 0 : Number.POSITIVE_INFINITY;
      bad = a !== g;
    } else {
      diff = Math.abs(a - g);
      // Written so that a NaN `a` (diff NaN) counts as bad.
      bad = !(diff <= tol.atol + tol.rtol * Math.abs(g));
      if (Number.isNaN(diff)) diff = Number.POSITIVE_INFINITY;
    }
    const rel =
      diff === 0 ? 0 : g === 0 || !Number.isFinite(g) ? Number.POSITIVE_INFINITY : diff / Math.abs(g);
    const ratio =
      diff === 0
        ? 0
        : Number.isFinite(g)
          ? diff / (tol.atol + tol.rtol * Math.abs(g))
          : Number.POSITIVE_INFINITY;
    if (diff > maxAbsErr) maxAbsErr = diff;
    if (rel > maxRelErr) maxRelErr = rel;
    if (bad) badCount++;
    if (worstAt < 0 || ratio > worstRatio) {
      worstAt = i;
      worstRatio = ratio;
    }
  }
  const result: Comparison = { ok: badCount === 0, maxAbsErr, maxRelErr, badCount, maxRatio: worstRatio };
  if (badCount > 0) {
    result.worst = {
      index: unravel(worstAt, golden.shape),
      actual: actual[worstAt],
      expected: golden.data[worstAt],
      ratio: worstRatio,
    };
  }
  return result;
}

/** The multi-index of flat position `flat` in a row-major tensor of `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** One line describing a failed comparison, e.g. `max abs err 2.1e-3, max rel err 4.0e-2 (3/24 ...)`. */
export function describeMismatch(c: Comparison): string {
  if (c.reason) return c.reason;
  let text = `max abs err ${fmt(c.maxAbsErr)}, max rel err ${fmt(c.maxRelErr)}`;
  if (c.worst) {
    const w = c.worst;
    text += ` (${c.badCount} element${c.badCount === 1 ? '' : 's'} out of tolerance; worst at [${w.index.join(', ')}]:`;
    text += ` got ${fmt(w.actual)}, expected ${fmt(w.expected)})`;
  }
  return text;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v === 0
    ? '0'
    : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4
      ? String(Number(v.toPrecision(6)))
      : v.toExponential(2);
}
