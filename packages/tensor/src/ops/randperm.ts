/**
 * torch.randperm as the argsort of n uniform keys from the seeded generator: one RandomFill and
 * one Sort, so it runs on every backend and replays with the seed. The sort is stable, so even a
 * tie between two float32 keys still gives a permutation.
 */
import { assertDTypeName, type DType } from '../dtype';
import { ValueError } from '../errors';
import type { Generator } from '../random/generator';
import type { Tensor } from '../tensor';
import { cast } from './elementwise';
import { rand } from './random';
import { argsort } from './sort';
import { describe, op } from './util';

export interface RandpermOptions {
  /** Defaults to the generator seeded by `manualSeed`. */
  generator?: Generator;
  /** Default int32. */
  dtype?: DType;
}

/** A random permutation of 0 .. n-1. */
export const randperm = op((n: number, options: RandpermOptions = {}): Tensor => {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ValueError(`randperm: expected n to be a non-negative integer, got ${describe(n)}`);
  }
  const dtype = options.dtype === undefined ? 'int32' : assertDTypeName('randperm', options.dtype);
  return cast(argsort(rand([n], { generator: options.generator })), dtype);
});
