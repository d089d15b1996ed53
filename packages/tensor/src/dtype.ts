import { DTypeError } from './errors';

/** Element types. `bool` is what comparisons return; it is stored one byte per element. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
  }
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
    default:
      throw new DTypeError(
        `allocate: unknown dtype '${String(dtype)}'; expected one of ${DTYPES.join(', ')}`,
      );
  }
}

/**
 * Checks a dtype argument of op `op` (creation ops, cast): an unknown name such as 'int64' is a
 * DTypeError naming the op, the given dtype and the allowed ones.
 */
export function assertDTypeName(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) {
    const given = typeof dtype === 'string' ? `'${dtype}'` : String(dtype);
    throw new DTypeError(`${op}: unknown dtype ${given}; expected one of ${DTYPES.join(', ')}`);
  }
  return dtype;
}

/** Copies (and converts) any array-like of numbers into a fresh array of `dtype`. */
export function toTypedArray(values: ArrayLike<number>, dtype: DType): TypedArray {
  const out = allocate(dtype, values.length);
  if (dtype === 'bool') {
    // Nonzero is true, NaN included (as torch: bool(nan) is True); ±0 is false.
    for (let i = 0; i < values.length; i++) out[i] = +(values[i] !== 0);
  } else if (dtype === 'int32') {
    // Truncate toward zero, like a C cast (and torch's `.int()`), instead of Int32Array's wrap-around.
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]);
  } else {
    out.set(values);
  }
  return out;
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Type promotion for binary ops, as in PyTorch: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}
