import type { DType, Tensor, TensorLike } from '@axon/tensor';
import * as tensorExports from '@axon/tensor';

export type { DType, Tensor, TensorLike };

export type Reduction = 'none' | 'mean' | 'sum';

/** Thrown when a mapping reaches for an export that does not exist (yet): the case is skipped. */
export class MissingExport extends Error {
  constructor(
    readonly pkg: string,
    readonly exportName: string,
  ) {
    super(`'${pkg}' does not export '${exportName}'`);
    this.name = 'MissingExport';
  }
}

/**
 * A view of a module's exports that throws `MissingExport` instead of handing back `undefined`,
 * so that `ax.conv2d(...)` skips the case while conv2d is not written yet. Future mappings that
 * need other packages (@axon/layers, @axon/optim) wrap them the same way.
 */
export function guardExports<T>(pkg: string, exports: object): T {
  return new Proxy(exports, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      // `then` is probed by `await`; a module has none, and that must not read as a missing op.
      if (value === undefined && typeof prop === 'string' && prop !== 'then')
        throw new MissingExport(pkg, prop);
      return value;
    },
  }) as T;
}

/** '@axon/tensor' as the mappings see it. */
export const ax = guardExports<typeof tensorExports>('@axon/tensor', tensorExports);
