/**
 * A bound on what layer constructors may allocate, set while a model file is being rebuilt.
 *
 * A model file's header holds each layer's config (`inFeatures`, `hiddenSize`, ...), and building
 * the layer from it allocates its parameters before any of the file's tensors is looked at. A
 * corrupt or hostile header (`inFeatures: 1e9` beside a blob of a few bytes) would allocate
 * gigabytes before `loadStateDict` could notice the mismatch. So `fromBytes` builds the model
 * inside `withAllocationBudget(n)`, n being the number of values the file's state tensors hold
 * (already checked against the blob), and each built-in layer calls `reserveElements` with the
 * shapes it is about to allocate, before allocating them: a layer that would need more than what
 * is left of the budget throws a ValueError instead. Outside a load there is no budget and
 * `reserveElements` only checks that the shapes are sane.
 *
 * A layer from another package that does not call `reserveElements` is not bounded (its state is
 * still checked against the file's tensors afterwards, by the strict `loadStateDict`).
 */
import { type Tensor, ValueError } from '@axon/tensor';

interface Budget {
  readonly total: number;
  left: number;
  /** Parameters and buffers registered meanwhile: freed if building fails part way. */
  readonly made: Tensor[];
}

let current: Budget | null = null;

/**
 * Runs `fn` (which builds modules) with at most `elements` parameter and buffer values allowed.
 * When `fn` throws, the parameters and buffers of the modules it had already built are freed.
 */
export function withAllocationBudget<T>(elements: number, fn: () => T): T {
  const outer = current;
  const budget: Budget = { total: elements, left: elements, made: [] };
  current = budget;
  try {
    return fn();
  } catch (e) {
    for (const t of budget.made) if (!t.isDisposed) t.dispose();
    throw e;
  } finally {
    current = outer;
  }
}

/** Called by Module when it registers a parameter or buffer. */
export function trackRegistered(t: Tensor): void {
  current?.made.push(t);
}

/**
 * Called by a layer's constructor with the shapes of the parameters and buffers it is about to
 * allocate; throws a ValueError naming the layer when a model file being loaded does not hold
 * that many values.
 */
export function reserveElements(layer: string, shapes: readonly (readonly number[])[]): void {
  if (!current) return;
  reserveCount(
    layer,
    shapes.reduce((sum, s) => sum + s.reduce((p, d) => p * d, 1), 0),
  );
}

/** As reserveElements, given the number of values (for layers with many tensors of few shapes). */
export function reserveCount(layer: string, n: number): void {
  const budget = current;
  if (!budget) return;
  if (!(n <= budget.left)) {
    throw new ValueError(
      `${layer}: its config needs ${n} parameter and buffer values, but the model file holds only ${budget.total} in all (${budget.left} left for this layer): the header's layer configs do not match its tensors`,
    );
  }
  budget.left -= n;
}
