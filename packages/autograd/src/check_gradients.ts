import {
  cast,
  fmtShape,
  Generator,
  isFloat,
  mul,
  randn,
  sum,
  Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { grad, noGrad } from './grad';

export interface GradientCheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Tolerances of |analytic - numeric| <= atol + rtol * |numeric| (defaults 1e-6, 1e-5). */
  atol?: number;
  rtol?: number;
}

export interface GradientCheckReport {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** Worst offending elements, at most ten, as readable lines. */
  failures: string[];
  /** One line summarising the check, for assertion messages. */
  message: string;
}

/**
 * Compares the analytic gradients of `f` at `inputs` with central finite differences, all in
 * float64. A non-scalar output is reduced by a fixed random projection, so every output element
 * counts. Integer and bool inputs are passed through and not differentiated.
 */
export function checkGradients(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradientCheckOptions = {},
): GradientCheckReport {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-5 } = options;
  return tidy(() => {
    const xs = inputs.map((x) => (isFloat(x.dtype) ? cast(x, 'float64') : x));
    const floatIdx = xs.map((x, i) => (isFloat(x.dtype) ? i : -1)).filter((i) => i >= 0);
    const probe = noGrad(() => f(...xs));
    if (!(probe instanceof Tensor)) throw new ValueError('checkGradients: f must return a Tensor');
    const weights = randn(probe.shape, { dtype: 'float64', generator: new Generator(1234) });
    const scalarF = (...args: Tensor[]): Tensor => {
      const y = cast(f(...args), 'float64');
      if (y.size === 1) return sum(y);
      if (weights.shape.join() !== y.shape.join()) {
        throw new ValueError(`checkGradients: f's output shape changed to ${fmtShape(y.shape)}`);
      }
      return sum(mul(y, weights));
    };
    const analytic = grad(scalarF)(...xs);

    let maxAbsError = 0;
    let maxRelError = 0;
    const failures: { err: number; line: string }[] = [];
    for (const i of floatIdx) {
      const base = xs[i].dataSync() as Float64Array;
      const ga = analytic[i].dataSync();
      for (let k = 0; k < base.length; k++) {
        const at = (v: number) =>
          noGrad(() =>
            tidy(() => {
              const values = base.slice();
              values[k] = v;
              const args = xs.slice();
              args[i] = tensor(values, { dtype: 'float64', shape: xs[i].shape });
              return scalarF(...args).item();
            }),
          );
        const numeric = (at(base[k] + eps) - at(base[k] - eps)) / (2 * eps);
        const err = Math.abs(ga[k] - numeric);
        const rel = err / Math.max(Math.abs(numeric), 1e-12);
        maxAbsError = Math.max(maxAbsError, err);
        if (Math.abs(numeric) > atol) maxRelError = Math.max(maxRelError, rel);
        if (!(err <= atol + rtol * Math.abs(numeric))) {
          failures.push({ err, line: `input ${i} element ${k}: analytic ${ga[k]}, numeric ${numeric}` });
        }
      }
    }
    failures.sort((p, q) => q.err - p.err);
    const ok = failures.length === 0;
    const message = ok
      ? `gradients match (max abs error ${maxAbsError.toExponential(2)})`
      : `${failures.length} gradient elements differ; worst: ${failures[0].line}`;
    return { ok, maxAbsError, maxRelError, failures: failures.slice(0, 10).map((f) => f.line), message };
  });
}
