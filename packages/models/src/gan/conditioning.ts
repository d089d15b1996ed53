/**
 * How a conditional GAN sees its class labels (Mirza & Osindero 2014): either a learned label
 * embedding or a one-hot vector, concatenated with the generator's noise and with the
 * discriminator's input channels. The option checks and the label checks live here, shared by
 * the generator, the discriminator and the GAN.
 */
import {
  checkOneOf,
  checkPositiveInt,
  describeValue,
  fmtShape,
  ShapeError,
  Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';

/** 'embedding' (a learned table, the default) or 'onehot' (fixed one-hot vectors). */
export const GAN_CONDITIONINGS = ['embedding', 'onehot'] as const;
export type GanConditioning = (typeof GAN_CONDITIONINGS)[number];

/** A model's conditioning, or null for an unconditional one. */
export interface Conditioning {
  numClasses: number;
  conditioning: GanConditioning;
}

/** `numClasses` and `conditioning` options, checked: null when numClasses is absent. */
export function checkConditioning(fn: string, o: Record<string, unknown>): Conditioning | null {
  if (o.numClasses === undefined || o.numClasses === null) {
    if (o.conditioning !== undefined && o.conditioning !== null) {
      throw new ValueError(
        `${fn}: conditioning needs numClasses (a conditional model), got conditioning ${describeValue(o.conditioning)} and no numClasses`,
      );
    }
    return null;
  }
  return {
    numClasses: checkPositiveInt(fn, 'numClasses', o.numClasses),
    conditioning: checkOneOf(fn, 'conditioning', o.conditioning ?? 'embedding', GAN_CONDITIONINGS),
  };
}

/**
 * The labels a forward takes: a Tensor [N] of class indices (or a number[]) for a conditional
 * model, which needs them; none for an unconditional one, which refuses them.
 */
export function checkLabels(
  owner: string,
  cond: Conditioning | null,
  labels: unknown,
  n: number,
): Tensor | undefined {
  if (!cond) {
    if (labels !== undefined && labels !== null) {
      throw new ValueError(
        `${owner}: got labels, but the model is unconditional (build it with numClasses for a conditional GAN)`,
      );
    }
    return undefined;
  }
  if (labels === undefined || labels === null) {
    throw new ValueError(
      `${owner}: expected labels [${n}] (class indices in [0, ${cond.numClasses})), got none`,
    );
  }
  const t = Array.isArray(labels) ? tensor(labels as number[], { dtype: 'int32' }) : labels;
  if (!(t instanceof Tensor)) {
    throw new ValueError(
      `${owner}: expected labels to be a Tensor [${n}] or an array of class indices, got ${describeValue(labels)}`,
    );
  }
  if (t.rank !== 1 || t.shape[0] !== n) {
    throw new ShapeError(
      `${owner}: expected labels [${n}] (one class index per example), got ${fmtShape(t.shape)}`,
    );
  }
  return t;
}
