import type { Tensor } from '@axon/tensor';
import type { FixtureCase, FixtureTensor } from './fixture';

/**
 * How a fixture case becomes an Axon call. Each fixture group has one file in `ops/` exporting a
 * `GroupMappings` (op name → mapping); `ops/index.ts` lists the groups. An op with no entry, or
 * whose mapping reaches for an export that does not exist yet, is skipped.
 */

export interface CaseContext {
  case: FixtureCase;
  /** `case.hyper`, or {} when absent. */
  hyper: Record<string, unknown>;
  /**
   * Inputs and params by name: float data as float32 tensors, int64 as int32, bool as bool. In the
   * gradient pass the ones with a `grads` entry are the autograd leaves.
   */
  t: Record<string, Tensor>;
}

/** What a mapping computes, by golden name (`out`, `values`, `indices`, ...). */
export type Outputs = Record<string, Tensor>;

/** A differentiable op: the runner compares its outputs and the gradients of L = Σ sum(out ⊙ R). */
export interface OpMapping {
  /**
   * Returns a tensor for every key of `case.outputs` and, where the API gives them, for keys of
   * `case.aux_outputs` (left-out aux outputs are not compared). It runs twice per backward case
   * (a plain pass, then one under autograd), so it must not keep state between calls.
   */
  forward(ctx: CaseContext): Outputs;
}

/**
 * For cases that are not one call with outputs and gradients (optimizer steps, say): the mapping
 * computes whatever it needs and hands back each result with the golden to compare it with.
 */
export interface CustomMapping {
  check(ctx: CaseContext): { name: string; actual: Tensor; golden: FixtureTensor }[];
}

export type Mapping = OpMapping | CustomMapping;

/** The mappings of one fixture group, by the case's `op`. */
export type GroupMappings = Record<string, Mapping>;

/** Thrown by a mapping for a case that the agreed API cannot express (e.g. ceil_mode): skipped. */
export class Unsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unsupported';
  }
}

// ---- reading a case ----
// Mistyped hyperparameters are mapping bugs, so these throw plain errors (the case fails).

/** The input or param `name`. */
export function tensorArg(ctx: CaseContext, name: string): Tensor {
  const t = ctx.t[name];
  if (!t) throw new Error(`${ctx.case.id}: no input or param named '${name}'`);
  return t;
}

/** The input or param `name`, or undefined when the case has none. */
export function optionalTensorArg(ctx: CaseContext, name: string): Tensor | undefined {
  return ctx.t[name];
}

export function num(ctx: CaseContext, key: string, fallback?: number): number {
  const v = ctx.hyper[key] ?? fallback;
  if (typeof v !== 'number')
    throw new Error(`${ctx.case.id}: hyper.${key} should be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** A number, or undefined when the hyperparameter is absent or null. */
export function optionalNum(ctx: CaseContext, key: string): number | undefined {
  const v = ctx.hyper[key];
  if (v === undefined || v === null) return undefined;
  return num(ctx, key);
}

export function bool(ctx: CaseContext, key: string, fallback: boolean): boolean {
  const v = ctx.hyper[key] ?? fallback;
  if (typeof v !== 'boolean')
    throw new Error(`${ctx.case.id}: hyper.${key} should be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

export function str<const T extends string>(
  ctx: CaseContext,
  key: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = ctx.hyper[key] ?? fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(
      `${ctx.case.id}: hyper.${key} should be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

/** A list of integers, e.g. `dims`, `shape`. */
export function ints(ctx: CaseContext, key: string): number[] {
  const v = ctx.hyper[key];
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d))) {
    throw new Error(`${ctx.case.id}: hyper.${key} should be a list of integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/** torch's `int or (int, int)` hyperparameters (stride, padding, kernel_size, scale_factor). */
export function pair(ctx: CaseContext, key: string, fallback?: [number, number]): [number, number] {
  const v = ctx.hyper[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((d) => typeof d === 'number')) return [v[0], v[1]];
  throw new Error(`${ctx.case.id}: hyper.${key} should be a number or a pair, got ${JSON.stringify(v)}`);
}

/** `dims` in a reduction: null means all dims. */
export function reduceDims(ctx: CaseContext): number[] | null {
  return ctx.hyper.dims === null || ctx.hyper.dims === undefined ? null : ints(ctx, 'dims');
}

/**
 * `opts` without its undefined entries, so an op sees an option as absent (and applies its own
 * default) rather than explicitly undefined.
 */
export function compact<T extends object>(opts: T): T {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as T;
}
