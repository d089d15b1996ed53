/**
 * How a tensor prints, after torch: one number format for all elements (integers as `2.0`, else 4
 * decimals, scientific when the magnitudes call for it), right-aligned to a common width, rows on
 * their own lines, and only the first and last 3 entries of each dim once a tensor has more than
 * 1000 elements. It lives apart from `tensor.ts` because it is about text, not about tensors.
 */
import type { DType, TypedArray } from './dtype';
import { sizeOf } from './shape';

const THRESHOLD = 1000;
const EDGE = 3;

export function formatTensor(values: TypedArray, shape: readonly number[], dtype: DType): string {
  const summarize = sizeOf(shape) > THRESHOLD;
  const shown = shownIndices(shape, summarize);
  const fmt = numberFormat(values, dtype, shown);
  const cells = shown.map((i) => fmt(values[i]));
  const width = Math.max(0, ...cells.map((c) => c.length));
  const cell = (i: number) => fmt(values[i]).padStart(width);
  if (shape.length === 0) return cell(0);
  const strides = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  // 'tensor(' is 7 characters: nested rows line up under the first one.
  const build = (dim: number, offset: number): string => {
    const n = shape[dim];
    const parts: string[] = [];
    for (const i of dimIndices(n, summarize)) {
      if (i < 0) parts.push('...');
      else if (dim === shape.length - 1) parts.push(cell(offset + i));
      else parts.push(build(dim + 1, offset + i * strides[dim]));
    }
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const pad = ' '.repeat(7 + dim + 1);
    const gap = ','.concat('\n'.repeat(shape.length - dim - 1));
    return `[${parts.join(`${gap}${pad}`)}]`;
  };
  return build(0, 0);
}

/** The indices along a dim of size n that print; -1 stands for the '...' gap. */
function dimIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

/** The flat indices of every element that prints (used to pick one format for them all). */
function shownIndices(shape: readonly number[], summarize: boolean): number[] {
  let flat = [0];
  shape.forEach((n, d) => {
    const stride = sizeOf(shape.slice(d + 1));
    const picks = dimIndices(n, summarize).filter((i) => i >= 0);
    flat = flat.flatMap((base) => picks.map((i) => base + i * stride));
  });
  return flat;
}

function numberFormat(values: TypedArray, dtype: DType, shown: number[]): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (dtype === 'int32') return (v) => String(v);
  const finite = shown.map((i) => values[i]).filter((v) => Number.isFinite(v));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const maxAbs = Math.max(0, ...abs);
  const minAbs = abs.length > 0 ? Math.min(...abs) : 0;
  if (finite.every((v) => Number.isInteger(v)) && maxAbs < 1e8) {
    return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.0` : special(v));
  }
  if (maxAbs >= 1e8 || (minAbs > 0 && minAbs < 1e-4) || maxAbs / Math.max(minAbs, 1e-300) > 1e3) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}
