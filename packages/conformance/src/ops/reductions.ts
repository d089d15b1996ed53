import { ax } from '../api';
import {
  bool,
  type GroupMappings,
  type OpMapping,
  type Outputs,
  reduceDims,
  tensorArg,
  Unsupported,
} from '../mapping';

/** sum and mean over `dims` (null: all) with `keepdim`. */
const reduce = (name: 'sum' | 'mean'): OpMapping => ({
  forward: (c) => ({ out: ax[name](tensorArg(c, 'x'), reduceDims(c), bool(c, 'keepdim', false)) }),
});

/**
 * torch.max / torch.min have two forms, told apart by the golden's output names: `values` (with
 * `indices` as an aux output) is torch.max(x, dim) → maxDim, whose gradient goes to the returned
 * index only; `out` is amax / max over everything → max, which splits the gradient among ties.
 */
const extreme = (which: 'max' | 'min'): OpMapping => ({
  forward: (c): Outputs => {
    const x = tensorArg(c, 'x');
    const dims = reduceDims(c);
    const keepDims = bool(c, 'keepdim', false);
    if (c.case.outputs?.values) {
      if (dims === null || dims.length !== 1)
        throw new Unsupported(`${which}(dim) needs exactly one dim, got ${dims}`);
      const { values, indices } =
        which === 'max' ? ax.maxDim(x, dims[0], keepDims) : ax.minDim(x, dims[0], keepDims);
      return { values, indices };
    }
    return { out: ax[which](x, dims, keepDims) };
  },
});

export const max = extreme('max');

export const reductions: GroupMappings = {
  sum: reduce('sum'),
  mean: reduce('mean'),
  max,
  min: extreme('min'),
};
