/**
 * The training-step contract the zoo's models implement (`trainStep` / `evalStep`, called by
 * `fit` from @axon/train), and the checks every family's step shares. The contract's types are
 * @axon/train's, re-exported; this file only adds the argument checks, so that each family's
 * step reads the same and fails the same way.
 */
import { describeValue, Tensor, ValueError } from '@axon/tensor';
import type { Batch, OptimizerLike, StepContext } from '@axon/train';

export type { StepContext, StepLogs, SteppedModel } from '@axon/train';

/** What a custom step receives: the inputs `x` and, for labelled data, `y` (first axis the batch). */
export type StepBatch = Batch;

/** `batch.x` (and `batch.y` when present), checked: `owner: expected batch.x to be a Tensor, got …`. */
export function checkBatch(owner: string, batch: unknown): StepBatch {
  if (typeof batch !== 'object' || batch === null) {
    throw new ValueError(`${owner}: expected a batch {x, y?}, got ${describeValue(batch)}`);
  }
  const { x, y } = batch as Partial<StepBatch>;
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${owner}: expected batch.x to be a Tensor, got ${describeValue(x)}`);
  }
  if (y !== undefined && !(y instanceof Tensor)) {
    throw new ValueError(`${owner}: expected batch.y to be a Tensor or absent, got ${describeValue(y)}`);
  }
  return { x, y };
}

/** The step context, checked to have `minimize` (a hand-made one is easy to get wrong). */
export function checkContext(owner: string, ctx: unknown): StepContext {
  if (typeof ctx !== 'object' || ctx === null || typeof (ctx as StepContext).minimize !== 'function') {
    throw new ValueError(`${owner}: expected a StepContext (with minimize), got ${describeValue(ctx)}`);
  }
  return ctx as StepContext;
}

/**
 * The optimizer `ctx.optimizers[name]`, or a ValueError saying how to pass it to `fit` and which
 * names the context has.
 */
export function namedOptimizer(owner: string, ctx: StepContext, name: string, hint: string): OptimizerLike {
  const opt = ctx.optimizers?.[name];
  if (!opt) {
    const have = Object.keys(ctx.optimizers ?? {});
    throw new ValueError(
      `${owner}: expected an optimizer named '${name}' in ctx.optimizers (${hint}), got ${
        have.length ? have.map((n) => `'${n}'`).join(', ') : 'none'
      }`,
    );
  }
  return opt;
}
