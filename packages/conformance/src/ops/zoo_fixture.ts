/**
 * What the model-zoo mappings (zoo.ts, zoo_rbm.ts, zoo_rntn.ts) read from their cases beyond the
 * inputs: golden outputs, gradients and the R weights of a case, named or an error naming what is
 * missing, and an R as a float32 tensor.
 */
import { type Tensor, tensor } from '@axon/tensor';
import type { FixtureTensor } from '../fixture';

/** The golden tensors the runner does not build itself (R), as float32. */
export function fixtureTensor(t: FixtureTensor): Tensor {
  return tensor(t.data, { shape: t.shape, dtype: 'float32' });
}

/** `map[name]` of the case, or an error naming what the fixture lacks (the case then fails). */
export function need(
  map: Record<string, FixtureTensor> | undefined,
  name: string,
  what: string,
): FixtureTensor {
  const t = map?.[name];
  if (!t) throw new Error(`the case has no ${what} '${name}'`);
  return t;
}
