import { allocate, type DType, type TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Reduce, type ReduceAttrs, type ReduceOp } from '../../../kernels';
import type { CpuBackend } from '../backend';
import { transposeValues } from './transpose';

/**
 * Reduces over `axes` by first bringing them to the end (a transpose, skipped when they are
 * already last), so that every output element reduces one contiguous run of the input.
 */
export const reduceKernel: KernelFunc<ReduceAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { op, axes, keepDims } = attrs;
  const rank = x.shape.length;
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  let inner = 1;
  for (const a of axes) inner *= x.shape[a];
  let outer = 1;
  for (const k of kept) outer *= x.shape[k];

  const perm = [...kept, ...axes];
  const alreadyLast = perm.every((p, i) => p === i);
  const values = alreadyLast ? backend.values(x) : transposeValues(backend.values(x), x.shape, perm, x.dtype);

  const dtype = outputDType(op, x.dtype);
  const y = allocate(dtype, outer);
  reduceRuns(op, values, y, outer, inner);
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((k) => x.shape[k]);
  return backend.output(y, rank === 0 ? [] : shape, dtype);
};

function outputDType(op: ReduceOp, dtype: DType): DType {
  if (op === 'argmax' || op === 'argmin') return 'int32';
  if ((op === 'sum' || op === 'prod') && dtype === 'bool') return 'int32';
  return dtype;
}

function reduceRuns(op: ReduceOp, x: TypedArray, y: TypedArray, outer: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const start = o * inner;
    const end = start + inner;
    switch (op) {
      case 'sum': {
        let s = 0;
        for (let i = start; i < end; i++) s += x[i];
        y[o] = s;
        break;
      }
      case 'prod': {
        let p = 1;
        for (let i = start; i < end; i++) p *= x[i];
        y[o] = p;
        break;
      }
      case 'max':
      case 'min': {
        // NaN wins, as in torch.
        const isMax = op === 'max';
        let m = inner === 0 ? (isMax ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY) : x[start];
        for (let i = start + 1; i < end; i++) {
          const v = x[i];
          if (Number.isNaN(v)) {
            m = v;
            break;
          }
          if (isMax ? v > m : v < m) m = v;
        }
        y[o] = m;
        break;
      }
      case 'argmax':
      case 'argmin': {
        const isMax = op === 'argmax';
        let best = start;
        for (let i = start + 1; i < end; i++) {
          if (Number.isNaN(x[best])) break;
          if (isMax ? x[i] > x[best] || Number.isNaN(x[i]) : x[i] < x[best] || Number.isNaN(x[i])) best = i;
        }
        y[o] = best - start;
        break;
      }
    }
  }
}

export const reduceConfig = { kernelName: Reduce, kernelFunc: reduceKernel };
