/**
 * sort, argsort and topk on the one Sort kernel (see kernels.ts for why it is a kernel): topk is a
 * full sort followed by a narrow, which costs O(n log n) instead of O(n log k) but keeps the
 * kernel set to one sorting kernel. Values get their gradient from the Sort kernel's (a
 * scatter-add of dy to the indices); indices are int32 and have none.
 */
import { fmtShape, ValueError } from '../errors';
import { Sort } from '../kernels';
import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { checkBoolean, checkInteger, checkOptions } from '../validate';
import { zeros } from './creation';
import { narrow, type ValuesAndIndices } from './movement';
import { reshape } from './shape';
import { assertTensor, describe, op, runMulti } from './util';

export interface SortOptions {
  /** Default -1. */
  axis?: number;
  /** Default false (ascending). */
  descending?: boolean;
}

export interface TopKOptions {
  /** Default -1. */
  axis?: number;
  /** The k largest (default) or the k smallest. */
  largest?: boolean;
  /** Results come sorted (largest first, or smallest first) either way; accepted for torch parity. */
  sorted?: boolean;
}

function sortAlong(name: string, x: Tensor, axis: unknown, descending: boolean): ValuesAndIndices {
  assertTensor(name, x);
  const a = normalizeAxis(name, checkInteger(name, 'axis', axis ?? -1), x.rank);
  if (x.rank === 0) return { values: reshape(x, []), indices: zeros([], 'int32') };
  const [values, indices] = runMulti(Sort, [x], { axis: a, descending });
  return { values, indices };
}

/** torch.sort (stable): the values along `axis` in order, and where each came from (int32). */
export const sort = op((x: Tensor, opts?: SortOptions): ValuesAndIndices => {
  const o = checkOptions('sort', opts) as SortOptions;
  return sortAlong(
    'sort',
    x,
    o.axis,
    o.descending === undefined ? false : checkBoolean('sort', 'descending', o.descending),
  );
});

/** torch.argsort (stable): the int32 positions that sort x along `axis`. */
export const argsort = op((x: Tensor, opts?: SortOptions): Tensor => {
  const o = checkOptions('argsort', opts) as SortOptions;
  return sortAlong(
    'argsort',
    x,
    o.axis,
    o.descending === undefined ? false : checkBoolean('argsort', 'descending', o.descending),
  ).indices;
});

/** torch.topk: the k largest (or smallest) entries along `axis`, sorted, with their int32 positions. */
export const topk = op((x: Tensor, k: number, opts?: TopKOptions): ValuesAndIndices => {
  assertTensor('topk', x);
  const o = checkOptions('topk', opts) as TopKOptions;
  const largest = o.largest === undefined ? true : checkBoolean('topk', 'largest', o.largest);
  if (o.sorted !== undefined) checkBoolean('topk', 'sorted', o.sorted);
  const a = normalizeAxis('topk', checkInteger('topk', 'axis', o.axis ?? -1), x.rank);
  // A 0-d tensor is its own (only) top entry.
  const n = x.rank === 0 ? 1 : x.shape[a];
  const lo = x.rank === 0 ? 1 : 0;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < lo || k > n) {
    throw new ValueError(
      `topk: expected k to be an integer in [${lo}, ${n}] (the size of dim ${a} of x ${fmtShape(x.shape)}), got ${typeof k === 'number' ? k : describe(k)}`,
    );
  }
  const sorted = sortAlong('topk', x, a, largest);
  if (x.rank === 0 || k === n) return sorted;
  return { values: narrow(sorted.values, a, 0, k), indices: narrow(sorted.indices, a, 0, k) };
});
