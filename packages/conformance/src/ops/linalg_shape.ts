import { ax } from '../api';
import { type CaseContext, type GroupMappings, ints, num, type OpMapping, tensorArg } from '../mapping';

/** The tensors named by `hyper.order`, in that order (concat and stack take a list). */
function ordered(c: CaseContext) {
  const order = c.hyper.order;
  if (!Array.isArray(order)) throw new Error(`${c.case.id}: hyper.order should list the inputs`);
  return order.map((name) => tensorArg(c, String(name)));
}

/** Python slicing: `ranges` holds [start, stop, step] for every dim, already non-negative. */
const slice: OpMapping = {
  forward: (c) => {
    const ranges = c.hyper.ranges;
    if (!Array.isArray(ranges)) throw new Error(`${c.case.id}: hyper.ranges should be a list`);
    const r = ranges as [number, number, number][];
    const out = ax.slice(
      tensorArg(c, 'x'),
      r.map((d) => d[0]),
      r.map((d) => d[1]),
      r.map((d) => d[2]),
    );
    return { out };
  },
};

export const linalgShape: GroupMappings = {
  matmul: { forward: (c) => ({ out: ax.matmul(tensorArg(c, 'a'), tensorArg(c, 'b')) }) },
  transpose: {
    forward: (c) => ({ out: ax.transpose(tensorArg(c, 'x'), num(c, 'dim0'), num(c, 'dim1')) }),
  },
  permute: { forward: (c) => ({ out: ax.permute(tensorArg(c, 'x'), ints(c, 'dims')) }) },
  reshape: { forward: (c) => ({ out: ax.reshape(tensorArg(c, 'x'), ints(c, 'shape')) }) },
  // x.transpose(0, 1).reshape(...): the reshape must read the transposed (logical) order. The
  // target shape is not in `hyper`; it is the golden output's.
  transpose_reshape: {
    forward: (c) => {
      const shape = c.case.outputs?.out?.shape;
      if (!shape) throw new Error(`${c.case.id}: no 'out' golden to take the shape from`);
      return { out: ax.reshape(ax.transpose(tensorArg(c, 'x'), 0, 1), shape) };
    },
  },
  concat: { forward: (c) => ({ out: ax.concat(ordered(c), num(c, 'dim')) }) },
  stack: { forward: (c) => ({ out: ax.stack(ordered(c), num(c, 'dim')) }) },
  slice,
  index_select: {
    forward: (c) => ({ out: ax.indexSelect(tensorArg(c, 'x'), num(c, 'dim'), tensorArg(c, 'index')) }),
  },
  gather: {
    forward: (c) => ({ out: ax.gather(tensorArg(c, 'x'), num(c, 'dim'), tensorArg(c, 'index')) }),
  },
};
