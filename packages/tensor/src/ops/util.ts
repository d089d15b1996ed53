import { describeValue } from '../describe';
import { type DType, isFloat, promoteTypes } from '../dtype';
import { DTypeError, ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import { Tensor } from '../tensor';

/** A tensor, or a plain number standing for a 0-d tensor. */
export type TensorLike = Tensor | number;

/**
 * Defines a public op: its body runs in a scope, so temporaries it creates (scalars, partial
 * results of a composed op) are freed when it returns, even outside any user `tidy`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the wrapper keeps the exact signature of any op
export function op<F extends (...args: any[]) => unknown>(fn: F): F {
  return ((...args: Parameters<F>) => ENGINE.tidy(() => fn(...args))) as F;
}

/** Runs a kernel with one output. */
export function run(kernelName: string, inputs: readonly Tensor[], attrs: object = {}): Tensor {
  return ENGINE.runKernel(kernelName, inputs, attrs)[0];
}

export function runMulti(kernelName: string, inputs: readonly Tensor[], attrs: object = {}): Tensor[] {
  return ENGINE.runKernel(kernelName, inputs, attrs);
}

export function assertTensor(op: string, x: unknown, name = 'x'): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: expected '${name}' to be a Tensor, got ${describe(x)}`);
  }
  ENGINE.assertLive(op, x);
  return x;
}

export function assertFloat(op: string, x: Tensor, name = 'x'): void {
  if (!isFloat(x.dtype)) {
    throw new DTypeError(`${op}: expected '${name}' to be float32 or float64, got ${x.dtype}`);
  }
}

export function assertDType(op: string, x: Tensor, allowed: readonly DType[], name = 'x'): void {
  if (!allowed.includes(x.dtype)) {
    throw new DTypeError(`${op}: expected '${name}' to have dtype ${allowed.join(' or ')}, got ${x.dtype}`);
  }
}

/** A bad value as error messages show it (see `describeValue`). */
export const describe = describeValue;

/**
 * The dtype of a number joining a tensor of `dtype` in an op, as torch's weak scalar typing does:
 * a number takes the tensor's dtype unless it is fractional and the tensor is not float.
 */
export function scalarDType(value: number, dtype: DType): DType {
  if (isFloat(dtype)) return dtype;
  return Number.isInteger(value) ? (dtype === 'bool' ? 'int32' : dtype) : 'float32';
}

/** Resolves the common dtype of two operands, tensors or numbers. */
export function resultDType(op: string, a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  if (a instanceof Tensor) return scalarDType(b as number, a.dtype);
  if (b instanceof Tensor) return scalarDType(a as number, b.dtype);
  throw new ValueError(`${op}: at least one operand must be a Tensor`);
}
