import { allocate } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Sort, type SortAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';

/**
 * Sorts each fibre along `axis` by sorting its positions 0..n-1 with a comparator that reads the
 * values (Array.prototype.sort is stable, so ties keep their input order), then writes values and
 * indices back in that order. The tensor is seen as [outer, n, inner]: fibre (o, i) starts at
 * o * n * inner + i and steps by inner, so no transpose is needed.
 */
export const sortKernel: KernelFunc<SortAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { axis, descending } = attrs;
  const xv = backend.values(x);
  const n = x.shape[axis];
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d];
  let inner = 1;
  for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d];
  const values = allocate(x.dtype, xv.length);
  const indices = new Int32Array(xv.length);
  const fibre = new Float64Array(n);
  const order: number[] = new Array<number>(n);
  // NaN sorts as the largest value, as in torch.
  const ascending = (a: number, b: number): number => {
    const va = fibre[a];
    const vb = fibre[b];
    if (va < vb) return -1;
    if (va > vb) return 1;
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    return na === nb ? 0 : na ? 1 : -1;
  };
  const compare = descending ? (a: number, b: number) => ascending(b, a) : ascending;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let k = 0; k < n; k++) {
        fibre[k] = xv[base + k * inner];
        order[k] = k;
      }
      order.sort(compare);
      for (let k = 0; k < n; k++) {
        values[base + k * inner] = fibre[order[k]];
        indices[base + k * inner] = order[k];
      }
    }
  }
  return [backend.output(values, [...x.shape], x.dtype), backend.output(indices, [...x.shape], 'int32')];
};

export const sortConfig = { kernelName: Sort, kernelFunc: sortKernel };
