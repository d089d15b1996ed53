import { noGrad } from '@axon/autograd';
import {
  abs,
  add,
  assign,
  cast,
  clamp,
  describeValue as describe,
  max,
  maximum,
  mul,
  pow,
  sqrt,
  square,
  sum,
  Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';

function gradsOf(where: string, params: Tensor[]): Tensor[] {
  if (!Array.isArray(params))
    throw new ValueError(`${where}: params must be an array of Tensors, got ${describe(params)}`);
  params.forEach((p, i) => {
    if (!(p instanceof Tensor)) {
      throw new ValueError(`${where}: params[${i}] is not a Tensor (got ${describe(p)})`);
    }
  });
  return params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/**
 * Scales the gradients of `params` in place so that their total norm (the norm of all gradients
 * concatenated) is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_: the factor
 * maxNorm/(total + 1e-6) is applied when it is below 1. `normType` is p of the p-norm (2 by
 * default), or 'inf' (or Infinity) for the largest absolute value. Parameters whose `.grad` is null
 * are left out. Returns the total norm before clipping (0 when no parameter has a gradient).
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType: number | 'inf' = 2): number {
  const where = 'clipGradNorm';
  const grads = gradsOf(where, params);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new ValueError(`${where}: maxNorm must be a number >= 0, got ${describe(maxNorm)}`);
  }
  const inf = normType === 'inf' || normType === Infinity;
  if (!inf && (typeof normType !== 'number' || !(normType > 0) || !Number.isFinite(normType))) {
    throw new ValueError(`${where}: normType must be a positive number or 'inf', got ${describe(normType)}`);
  }
  const nonEmpty = grads.filter((g) => g.size > 0);
  if (nonEmpty.length === 0) return 0;
  const p = normType as number;
  return noGrad(() =>
    tidy(() => {
      // One reduction per gradient, combined on the device; a single read at the end.
      const dtype = nonEmpty.some((g) => g.dtype === 'float64') ? 'float64' : 'float32';
      const parts = nonEmpty.map((g) => {
        const x = cast(g, dtype);
        if (inf) return max(abs(x));
        return sum(p === 2 ? square(x) : p === 1 ? abs(x) : pow(abs(x), p));
      });
      const combined = parts.reduce((a, b) => (inf ? maximum(a, b) : add(a, b)));
      const totalTensor = inf || p === 1 ? combined : p === 2 ? sqrt(combined) : pow(combined, 1 / p);
      const total = totalTensor.item();
      const coef = maxNorm / (total + 1e-6);
      // `!(coef >= 1)` also scales by NaN when the norm is NaN, as torch does.
      if (!(coef >= 1)) for (const g of grads) assign(g, mul(g, coef));
      return total;
    }),
  );
}

/** Clamps every gradient of `params` to [-clipValue, clipValue], in place (torch's clip_grad_value_). */
export function clipGradValue(params: Tensor[], clipValue: number): void {
  const where = 'clipGradValue';
  const grads = gradsOf(where, params);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new ValueError(`${where}: clipValue must be a number >= 0, got ${describe(clipValue)}`);
  }
  noGrad(() => {
    for (const g of grads) tidy(() => assign(g, clamp(g, -clipValue, clipValue)));
  });
}
