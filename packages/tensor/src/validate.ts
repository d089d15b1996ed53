/**
 * Argument validation shared by every Axon package: one home, so that all packages describe a bad
 * value the same way and phrase their errors alike — `op: expected X, got Y`, where `op` names the
 * function called and `Y` describes the offending value (`describeValue`).
 *
 * Each check returns the value it accepted (typed), so a caller can write
 * `const n = checkPositiveInt('mlp', 'inputSize', options.inputSize)`.
 */

import { describeValue } from './describe';
import { DTypeError, ValueError } from './errors';
import { Tensor } from './tensor';

export { describeValue } from './describe';
export { assertDType, assertFloat, assertTensor } from './ops/util';

/** Bounds for `checkNumber` / `checkInteger`; exclusive flags make a bound open. */
export interface NumberRange {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

function rangeText({ min, max, exclusiveMin, exclusiveMax }: NumberRange): string {
  if (min !== undefined && max !== undefined) {
    return `in ${exclusiveMin ? '(' : '['}${min}, ${max}${exclusiveMax ? ')' : ']'}`;
  }
  if (min !== undefined) return `${exclusiveMin ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${exclusiveMax ? '<' : '<='} ${max}`;
  return '';
}

function inRange(v: number, { min, max, exclusiveMin, exclusiveMax }: NumberRange): boolean {
  if (min !== undefined && (exclusiveMin ? v <= min : v < min)) return false;
  if (max !== undefined && (exclusiveMax ? v >= max : v > max)) return false;
  return true;
}

/**
 * A finite number, optionally within a range:
 * `op: expected lr to be a finite number >= 0, got number -1`.
 */
export function checkNumber(op: string, name: string, v: unknown, range: NumberRange = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
    const where = rangeText(range);
    throw new ValueError(
      `${op}: expected ${name} to be a finite number${where ? ` ${where}` : ''}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/** An integer, optionally within a range: `op: expected axis to be an integer in [0, 3], got number 4`. */
export function checkInteger(op: string, name: string, v: unknown, range: NumberRange = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, range)) {
    const where = rangeText(range);
    throw new ValueError(
      `${op}: expected ${name} to be an integer${where ? ` ${where}` : ''}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/** An integer >= 1: `op: expected batchSize to be a positive integer, got number 0`. */
export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ValueError(`${op}: expected ${name} to be a positive integer, got ${describeValue(v)}`);
  }
  return v;
}

/** An integer >= 0: `op: expected padding to be a non-negative integer, got number -1`. */
export function checkNonNegativeInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ValueError(`${op}: expected ${name} to be a non-negative integer, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * A probability: a number in [0, 1], or in [0, 1) with `{ exclusiveMax: true }` (e.g. a dropout
 * rate, where 1 would drop everything): `op: expected p to be a probability in [0, 1), got number 1`.
 */
export function checkProbability(
  op: string,
  name: string,
  v: unknown,
  { exclusiveMax = false } = {},
): number {
  if (typeof v !== 'number' || !(v >= 0) || (exclusiveMax ? v >= 1 : v > 1)) {
    throw new ValueError(
      `${op}: expected ${name} to be a probability in [0, 1${exclusiveMax ? ')' : ']'}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/** A boolean: `op: expected amsgrad to be a boolean, got string "yes"`. */
export function checkBoolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new ValueError(`${op}: expected ${name} to be a boolean, got ${describeValue(v)}`);
  return v;
}

/**
 * One of a fixed set of choices (compared with `===`):
 * `op: expected activation to be one of 'relu', 'tanh', got string "swish"`.
 */
export function checkOneOf<const T>(op: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!(choices as readonly unknown[]).includes(v)) {
    const list = choices.map((c) => (typeof c === 'string' ? `'${c}'` : String(c))).join(', ');
    throw new ValueError(`${op}: expected ${name} to be one of ${list}, got ${describeValue(v)}`);
  }
  return v as T;
}

/**
 * An options object (a plain object or a class instance, not an array or null); `undefined`
 * gives `{}`: `op: expected an options object, got number 3`.
 */
export function checkOptions(op: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValueError(`${op}: expected an options object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

/**
 * A live Tensor whose dtype is one of `allowed` (a ValueError if it is not a Tensor or is disposed,
 * a DTypeError for the dtype): `op: expected x to have dtype int32, got float32`.
 */
export function checkTensor(
  op: string,
  name: string,
  v: unknown,
  allowed?: readonly Tensor['dtype'][],
): Tensor {
  if (!(v instanceof Tensor)) {
    throw new ValueError(`${op}: expected ${name} to be a Tensor, got ${describeValue(v)}`);
  }
  if (v.isDisposed) throw new ValueError(`${op}: expected ${name} to be a live Tensor, got a disposed one`);
  if (allowed && !allowed.includes(v.dtype)) {
    throw new DTypeError(`${op}: expected ${name} to have dtype ${allowed.join(' or ')}, got ${v.dtype}`);
  }
  return v;
}
