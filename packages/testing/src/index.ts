/**
 * @axon/testing — the helpers the packages' tests share (private; never built or published).
 *
 * Why it exists: `expectClose`-style comparisons, seeded-input makers and gradient-check wrappers
 * used to be copied into each test file, each copy with its own tolerance rule and its own (or no)
 * report of what went wrong. They live here once, so every test says the same thing on failure:
 * the worst element, its index, the value got and the value expected.
 *
 * Why it depends on nothing: `@axon/tensor`'s own tests use it, so it must not import
 * `@axon/tensor` (or any `@axon/*` package): turbo rejects the dependency cycle. The helpers are
 * duck-typed instead: a "numeric" is a number, an array (nested or flat), a typed array, or anything
 * with `dataSync()` (and usually `shape`), such as a Tensor. Seeded inputs are plain number arrays;
 * a test turns them into tensors with its own `tensor(...)`.
 *
 * Nor does it import vitest: failures are thrown as `Error`s (which every test runner reports),
 * so the package runs under any runner and keeps no runner state. (The one exception is a separate
 * entry point, `@axon/testing/event-loop-setup`, a vitest setup file: see `event_loop_setup.ts`.)
 */

/** Anything with a `dataSync()` (a Tensor, or a stand-in for one). */
export interface DataLike {
  dataSync(): ArrayLike<number | bigint | boolean>;
  readonly shape?: readonly number[];
}

/** A value to compare: a number, a (nested) array or typed array of numbers, or a tensor-like. */
export type Numeric = number | ArrayLike<number> | readonly Numeric[] | DataLike;

/** `|actual − expected| <= atol + rtol · |expected|` per element (numpy's `allclose` rule). */
export interface Tolerance {
  rtol?: number;
  atol?: number;
  /** NaN equals NaN (default false: a NaN anywhere fails, as in `torch.allclose`). */
  equalNaN?: boolean;
  /** Names the value in the failure message (e.g. 'weight after step 3'). */
  what?: string;
}

/** The default tolerance of `expectClose` (float32-friendly). */
export const DEFAULT_TOLERANCE: Readonly<Required<Pick<Tolerance, 'rtol' | 'atol'>>> = {
  rtol: 1e-5,
  atol: 1e-8,
};

function isDataLike(x: unknown): x is DataLike {
  return typeof x === 'object' && x !== null && typeof (x as DataLike).dataSync === 'function';
}

/** The number of elements of a shape (1 for a scalar's `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The shape of a tensor-like or of a (nested, rectangular) array; `[]` for a number. */
export function shapeOf(x: Numeric): number[] {
  if (typeof x === 'number') return [];
  if (isDataLike(x)) return x.shape ? [...x.shape] : [x.dataSync().length];
  if (Array.isArray(x))
    return x.length > 0 && typeof x[0] !== 'number' ? [x.length, ...shapeOf(x[0])] : [x.length];
  return [(x as ArrayLike<number>).length];
}

/** The flat (row-major) values of any numeric, as a plain array; booleans and bigints become numbers. */
export function valuesOf(x: Numeric): number[] {
  if (typeof x === 'number') return [x];
  if (isDataLike(x)) return Array.from(x.dataSync(), Number);
  if (Array.isArray(x)) {
    const out: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') out.push(v);
      else if (Array.isArray(v) || ArrayBuffer.isView(v)) Array.from(v as ArrayLike<unknown>, walk);
      else out.push(Number(v));
    };
    walk(x);
    return out;
  }
  return Array.from(x as ArrayLike<number>, Number);
}

/** Row-major multi-index of flat index `i` in `shape` ('[1, 2]'), or '' when the shape is flat. */
function indexIn(i: number, shape: readonly number[]): string {
  if (shape.length <= 1) return '';
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return ` (index [${idx.join(', ')}] of shape [${shape.join(', ')}])`;
}

/** What a comparison found: `ok`, and the worst element relative to its allowance. */
export interface CloseReport {
  ok: boolean;
  /** Elements compared. */
  count: number;
  /** Elements outside the tolerance. */
  failures: number;
  /** Flat index of the worst element (-1 if none compared). */
  index: number;
  actual: number;
  expected: number;
  /** `|actual − expected|` of the worst element. */
  diff: number;
  /** The allowance for that element (`atol + rtol·|expected|`; for digits, `10^-digits / 2`). */
  allowed: number;
  /** A one-line description of the worst element (or of a length/shape mismatch). */
  message: string;
}

/**
 * Compares element by element without throwing. `tol` is a `Tolerance` or a number of decimal
 * digits (as `toBeCloseTo`: `|actual − expected| < 10^-digits / 2`). Equal values (including
 * equal infinities) always pass. When both sides carry a shape (tensor-likes, nested arrays) the
 * shapes must match; otherwise only the element counts must.
 */
export function compareClose(actual: Numeric, expected: Numeric, tol: Tolerance | number = {}): CloseReport {
  const what = typeof tol === 'number' ? 'values' : (tol.what ?? 'values');
  const a = valuesOf(actual);
  const e = valuesOf(expected);
  const shapeA = shapeOf(actual);
  const shapeE = shapeOf(expected);
  const bad = (message: string): CloseReport => ({
    ok: false,
    count: 0,
    failures: 0,
    index: -1,
    actual: Number.NaN,
    expected: Number.NaN,
    diff: Number.NaN,
    allowed: 0,
    message,
  });
  if (a.length !== e.length) return bad(`${what}: got ${a.length} elements, expected ${e.length}`);
  // Shapes are compared when both sides are tensor-likes, or both are multi-dimensional; a flat
  // list of expected values may stand for any shape.
  const shaped = (isDataLike(actual) && isDataLike(expected)) || (shapeA.length > 1 && shapeE.length > 1);
  if (shaped && shapeA.join() !== shapeE.join()) {
    return bad(`${what}: got shape [${shapeA.join(', ')}], expected [${shapeE.join(', ')}]`);
  }
  const digits = typeof tol === 'number' ? tol : undefined;
  const { rtol, atol } = typeof tol === 'number' ? { rtol: 0, atol: 0 } : { ...DEFAULT_TOLERANCE, ...tol };
  const equalNaN = typeof tol === 'number' ? false : (tol.equalNaN ?? false);
  let worst = -1;
  let worstRatio = -1;
  let failures = 0;
  const allowance = (ev: number) => (digits !== undefined ? 10 ** -digits / 2 : atol + rtol * Math.abs(ev));
  for (let i = 0; i < a.length; i++) {
    const av = a[i];
    const ev = e[i];
    let ratio: number;
    let pass: boolean;
    if (av === ev || (equalNaN && Number.isNaN(av) && Number.isNaN(ev))) {
      ratio = 0;
      pass = true;
    } else {
      const diff = Math.abs(av - ev);
      const allowed = allowance(ev);
      // NaN (either side, or inf − inf) counts as infinitely far.
      ratio = Number.isNaN(diff)
        ? Number.POSITIVE_INFINITY
        : allowed > 0
          ? diff / allowed
          : Number.POSITIVE_INFINITY;
      pass = digits !== undefined ? diff < allowed : diff <= allowed;
    }
    if (!pass) failures++;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  const shape = shapeE.length > 1 ? shapeE : shapeA;
  const report: CloseReport = {
    ok: failures === 0,
    count: a.length,
    failures,
    index: worst,
    actual: worst >= 0 ? a[worst] : Number.NaN,
    expected: worst >= 0 ? e[worst] : Number.NaN,
    diff: worst >= 0 ? Math.abs(a[worst] - e[worst]) : 0,
    allowed: worst >= 0 ? allowance(e[worst]) : 0,
    message: '',
  };
  const rule = digits !== undefined ? `${digits} digits` : `rtol ${rtol}, atol ${atol}`;
  report.message =
    worst < 0
      ? `${what}: no elements`
      : `${what}: ${failures} of ${a.length} elements out of tolerance (${rule}); worst is element ${worst}` +
        `${indexIn(worst, shape)}: got ${report.actual}, expected ${report.expected}` +
        ` (|diff| ${report.diff}, allowed ${report.allowed}: ${(report.diff / report.allowed).toPrecision(3)}× the tolerance)`;
  return report;
}

/**
 * Throws unless `actual` and `expected` agree element by element. `tol`: a `Tolerance`
 * (`{ rtol, atol }`, default `DEFAULT_TOLERANCE`) or a number of decimal digits (as
 * `toBeCloseTo`). The message names the worst element: its index, the value got, the value
 * expected, the difference and what was allowed.
 */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tolerance | number = {}): void {
  const report = compareClose(actual, expected, tol);
  if (!report.ok) throw new Error(`expectClose: ${report.message}`);
}

// ---- seeded inputs ----

/**
 * A small seeded generator (mulberry32): a function giving uniform numbers in [0, 1), the same
 * sequence for the same seed on every platform. Independent of any library's RNG state.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ValueRange {
  /** Smallest value (inclusive), default -1. */
  lo?: number;
  /** Largest value (exclusive), default 1. */
  hi?: number;
}

/** `n` deterministic values, uniform in [lo, hi) (default [-1, 1)), from `seededRandom(seed)`. */
export function seededValues(n: number, seed: number, { lo = -1, hi = 1 }: ValueRange = {}): number[] {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`seededValues: expected n to be an integer >= 0, got ${n}`);
  const next = seededRandom(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** Deterministic integers in [lo, hi) (e.g. class labels or indices), from `seededRandom(seed)`. */
export function seededInts(n: number, seed: number, lo: number, hi: number): number[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, () => lo + Math.floor(next() * (hi - lo)));
}

// ---- gradient checks ----

/** What a gradient checker returns (e.g. `checkGradients` of `@axon/autograd`). */
export interface GradientReport {
  ok: boolean;
  message?: string;
}

/**
 * Throws with the checker's own message unless its report is ok. Pass the checker in, so this
 * package stays free of `@axon/autograd`:
 * `expectGradientsOk(checkGradients(f, inputs))`.
 */
export function expectGradientsOk(report: GradientReport): void {
  if (!report.ok) throw new Error(`gradient check failed: ${report.message ?? '(no message)'}`);
}

// ---- errors ----

/**
 * Asserts that `fn` throws an instance of `type` whose message starts with `op: ` and contains
 * every one of `parts` (Axon's error convention: the op's name first, then expected and actual
 * values). Returns the error for further checks.
 */
export function expectError(
  fn: () => unknown,
  type: new (...args: never[]) => Error,
  op: string,
  ...parts: string[]
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof type)) {
    throw new Error(
      `expected ${type.name} from ${op}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
    );
  }
  if (!caught.message.startsWith(`${op}: `)) {
    throw new Error(`expected the message to start with '${op}: ', got '${caught.message}'`);
  }
  for (const p of parts) {
    if (!caught.message.includes(p))
      throw new Error(`expected the message to contain '${p}', got '${caught.message}'`);
  }
  return caught;
}
export { fixedValues, median, relativeDiff } from './data';
export {
  type BlockReport,
  type BlockWatch,
  type BlockWatchOptions,
  formatBlockReport,
  type Stretch,
  turnEventLoop,
  watchEventLoop,
} from './event_loop';
export { settleAfterGC } from './gc';
