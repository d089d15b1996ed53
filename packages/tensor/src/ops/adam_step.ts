/**
 * One Adam (or AdamW) step of one parameter, as torch 1.13's single-tensor path computes it:
 *
 *   g = grad (+ weightDecay·p, Adam)      p' = p·(1 − lr·weightDecay) (AdamW) or p
 *   m = β1·m + (1 − β1)·g                  v = β2·v + (1 − β2)·g²     (v̂ = max(v̂, v) under amsgrad)
 *   p' ← p' − (lr / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + eps)
 *
 * Why here and not only in @axon/optim: an optimizer step is a dozen elementwise ops over every
 * parameter, each a full pass over memory, and on the cpu backend it was 40% of an MLP training
 * step. A backend may register the fused `AdamUpdate` kernel (the cpu backend does, for float32),
 * which does it all in one pass; elsewhere the composed ops below run, and they are the reference.
 * The fused kernel rounds each intermediate to the parameter's dtype as the composed ops store
 * them, so both give the same bits.
 */

import { ENGINE } from '../global_engine';
import { getKernel } from '../kernel_registry';
import { AdamUpdate, type AdamUpdateAttrs } from '../kernels';
import type { Tensor } from '../tensor';
import { add, div, maximum, mul, sqrt, square, sub } from './elementwise';

export type AdamStepOptions = AdamUpdateAttrs;

/** The new parameter and state (maxExpAvgSq only under amsgrad). */
export interface AdamStepResult {
  param: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

/**
 * One Adam step (see the file head); pure: returns the new tensors, the optimizer assigns them.
 * `maxExpAvgSq` is required when `amsgrad` is set and ignored otherwise.
 */
export function adamStep(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  o: AdamStepOptions,
): AdamStepResult {
  const states = o.amsgrad
    ? [param, grad, expAvg, expAvgSq, maxExpAvgSq as Tensor]
    : [param, grad, expAvg, expAvgSq];
  if (states.every((t) => t.dtype === 'float32') && getKernel(AdamUpdate, ENGINE.backend.name)) {
    const [p, m, v, vMax] = ENGINE.runKernel(AdamUpdate, states, o);
    return o.amsgrad
      ? { param: p, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax }
      : { param: p, expAvg: m, expAvgSq: v };
  }
  return adamStepReference(param, grad, expAvg, expAvgSq, maxExpAvgSq, o);
}

/** The composed ops: what a backend without the fused kernel runs, and what the kernel must equal. */
export function adamStepReference(
  p: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  o: AdamStepOptions,
): AdamStepResult {
  return ENGINE.tidy(() => {
    let param = p;
    let g = grad;
    if (o.weightDecay !== 0) {
      if (o.decoupled) param = mul(p, 1 - o.lr * o.weightDecay);
      else g = add(g, mul(p, o.weightDecay));
    }
    const m = add(mul(expAvg, o.beta1), mul(g, 1 - o.beta1));
    const v = add(mul(expAvgSq, o.beta2), mul(square(g), 1 - o.beta2));
    const biasCorrection1 = 1 - o.beta1 ** o.step;
    const biasCorrection2 = 1 - o.beta2 ** o.step;
    const stepSize = o.lr / biasCorrection1;
    const vMax = o.amsgrad ? maximum(maxExpAvgSq as Tensor, v) : undefined;
    const denom = add(div(sqrt(vMax ?? v), Math.sqrt(biasCorrection2)), o.eps);
    const next = sub(param, mul(div(m, denom), stepSize));
    return vMax
      ? { param: next, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax }
      : { param: next, expAvg: m, expAvgSq: v };
  });
}
