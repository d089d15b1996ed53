import type { MemoryInfo } from './engine';
import { DTypeError, fmtShape, ShapeError, ValueError } from './errors';
import { ENGINE } from './global_engine';
import { Tensor } from './tensor';

/** Runs `fn` and frees every tensor it created that it does not return (or `keep`). */
export function tidy<T>(fn: () => T): T {
  return ENGINE.tidy(fn);
}

/** Frees tensors: one, or all found in an array or plain object. */
export function dispose(x: unknown): void {
  if (x instanceof Tensor) x.dispose();
  else if (Array.isArray(x)) for (const v of x) dispose(v);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) dispose(v);
  }
}

/**
 * Makes `target` (a parameter or a running statistic) hold `value`'s data, in place: `target`
 * keeps its identity (and so its `requiresGrad`, `.grad` and optimizer state). Shapes and dtypes
 * must match. `value` is left as it was (dispose it, or let a `tidy` do it).
 */
export function assign(target: Tensor, value: Tensor): void {
  if (!(target instanceof Tensor) || !(value instanceof Tensor)) {
    throw new ValueError('assign: expected two Tensors');
  }
  if (target.shape.join() !== value.shape.join()) {
    throw new ShapeError(
      `assign: value of shape ${fmtShape(value.shape)} cannot replace a tensor of shape ${fmtShape(target.shape)}`,
    );
  }
  if (target.dtype !== value.dtype) {
    throw new DTypeError(
      `assign: value of dtype ${value.dtype} cannot replace a tensor of dtype ${target.dtype}`,
    );
  }
  ENGINE.assign(target, value);
}

/** Marks a tensor to survive the `tidy` it was made in. */
export function keep<T extends Tensor>(t: T): T {
  return ENGINE.keep(t);
}

/** Live tensors and bytes, in all and per backend. */
export function memory(): MemoryInfo {
  return ENGINE.memory();
}

export function setBackend(name: string): void {
  ENGINE.setBackend(name);
}

/**
 * Lets every backend release the buffers it keeps for reuse (the cpu backend pools freed arrays),
 * as torch.cuda.empty_cache; live tensors are untouched.
 */
export function emptyCache(): void {
  ENGINE.emptyCache();
}

export function getBackend(): string {
  return ENGINE.backend.name;
}

/** What the current backend says of itself (for the GPU: mode, precision, texture limits...). */
export function backendInfo(): Record<string, unknown> {
  return { name: ENGINE.backend.name, ...ENGINE.backend.info() };
}
