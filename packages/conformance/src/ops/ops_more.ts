import { ax } from '../api';
import {
  bool,
  type CaseContext,
  type GroupMappings,
  ints,
  num,
  type OpMapping,
  reduceDims,
  str,
  tensorArg,
} from '../mapping';

type Unary = 'log1p' | 'expm1' | 'rsqrt' | 'reciprocal' | 'erf' | 'sin' | 'cos';

const unary = (name: Unary): OpMapping => ({
  forward: (c) => ({ out: ax[name](tensorArg(c, 'x')) }),
});

/** torch's `ord`: a number, or the strings 'inf' / '-inf'. */
function ord(c: CaseContext): number {
  const p = c.hyper.p;
  if (p === 'inf') return Number.POSITIVE_INFINITY;
  if (p === '-inf') return Number.NEGATIVE_INFINITY;
  return num(c, 'p');
}

/** var / std with torch's `correction` (the fixtures give it as a number). */
const spread = (name: 'variance' | 'std'): OpMapping => ({
  forward: (c) => ({
    out: ax[name](tensorArg(c, 'x'), reduceDims(c), {
      correction: num(c, 'correction', 1),
      keepDims: bool(c, 'keepdim', false),
    }),
  }),
});

/** The tensors named by `hyper.order`, in that order. */
function ordered(c: CaseContext) {
  const order = c.hyper.order;
  if (!Array.isArray(order)) throw new Error(`${c.case.id}: hyper.order should list the inputs`);
  return order.map((name) => tensorArg(c, String(name)));
}

export const opsMore: GroupMappings = {
  cumsum: { forward: (c) => ({ out: ax.cumsum(tensorArg(c, 'x'), num(c, 'dim')) }) },
  logsumexp: {
    forward: (c) => ({ out: ax.logsumexp(tensorArg(c, 'x'), reduceDims(c), bool(c, 'keepdim', false)) }),
  },
  norm: {
    forward: (c) => ({ out: ax.norm(tensorArg(c, 'x'), ord(c), reduceDims(c), bool(c, 'keepdim', false)) }),
  },
  var: spread('variance'),
  std: spread('std'),
  prod: {
    forward: (c) => ({ out: ax.prod(tensorArg(c, 'x'), num(c, 'dim'), bool(c, 'keepdim', false)) }),
  },
  topk: {
    forward: (c) => {
      const { values, indices } = ax.topk(tensorArg(c, 'x'), num(c, 'k'), {
        axis: num(c, 'dim', -1),
        largest: bool(c, 'largest', true),
        sorted: bool(c, 'sorted', true),
      });
      return { values, indices };
    },
  },
  sort: {
    forward: (c) => {
      const { values, indices } = ax.sort(tensorArg(c, 'x'), {
        axis: num(c, 'dim', -1),
        descending: bool(c, 'descending', false),
      });
      return { values, indices };
    },
  },
  flip: { forward: (c) => ({ out: ax.flip(tensorArg(c, 'x'), ints(c, 'dims')) }) },
  tril: { forward: (c) => ({ out: ax.tril(tensorArg(c, 'x'), num(c, 'diagonal', 0)) }) },
  triu: { forward: (c) => ({ out: ax.triu(tensorArg(c, 'x'), num(c, 'diagonal', 0)) }) },
  repeat: { forward: (c) => ({ out: ax.repeat(tensorArg(c, 'x'), ints(c, 'repeats')) }) },
  masked_fill: {
    forward: (c) => ({ out: ax.maskedFill(tensorArg(c, 'x'), tensorArg(c, 'mask'), num(c, 'value')) }),
  },
  einsum: {
    forward: (c) => ({ out: ax.einsum(str(c, 'equation', [String(c.hyper.equation)]), ...ordered(c)) }),
  },
  log1p: unary('log1p'),
  expm1: unary('expm1'),
  rsqrt: unary('rsqrt'),
  reciprocal: unary('reciprocal'),
  erf: unary('erf'),
  sin: unary('sin'),
  cos: unary('cos'),
};
