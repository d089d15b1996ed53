import * as layersExports from '@axon/layers';
import { guardExports } from '../api';
import { type CaseContext, type GroupMappings, tensorArg } from '../mapping';

const layers = guardExports<typeof layersExports>('@axon/layers', layersExports);

/** compose(c1, c2) = tanh(xᵀ V[k] x + W x + b), x = [c1; c2], with the case's V, W, b. */
function compose(c: CaseContext, c1: ReturnType<typeof tensorArg>, c2: ReturnType<typeof tensorArg>) {
  return layers.bilinearTensor(c1, c2, tensorArg(c, 'V'), tensorArg(c, 'W'), tensorArg(c, 'b'));
}

export const rntn: GroupMappings = {
  rntn_compose: {
    forward: (c) => ({ out: compose(c, tensorArg(c, 'c1'), tensorArg(c, 'c2')) }),
  },
  // The tree ((a bb) c), both compositions sharing V, W, b.
  rntn_tree: {
    forward: (c) => {
      const p1 = compose(c, tensorArg(c, 'a'), tensorArg(c, 'bb'));
      return { p1, root: compose(c, p1, tensorArg(c, 'c')) };
    },
  },
};
