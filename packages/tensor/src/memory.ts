import type { MemoryInfo } from './engine';
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

export function getBackend(): string {
  return ENGINE.backend.name;
}

/** What the current backend says of itself (for the GPU: mode, precision, texture limits...). */
export function backendInfo(): Record<string, unknown> {
  return { name: ENGINE.backend.name, ...ENGINE.backend.info() };
}
